/**
 * Where the recognition model lives: INKBOARD_MODEL (a directory or a name under models/), else
 * models/best-reject (11 classes: digits and "not one digit"), else models/best, else models/seed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's models/ directory. */
export const MODELS_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Model names tried in order when none is given. */
export const DEFAULT_MODELS: readonly string[] = ['best-reject', 'best', 'seed'];

const hasModel = (dir: string): boolean => existsSync(path.join(dir, 'model.json'));

/**
 * Resolves a model directory. `name` may be a path to a directory holding model.json, or a model name
 * under models/ (`seed`, `best`, `best-reject`). Without a name: INKBOARD_MODEL, then models/best-reject,
 * then models/best, then models/seed.
 * Throws with a clear message when nothing holds a model.json.
 */
export function resolveModelDir(name: string | undefined = process.env.INKBOARD_MODEL || undefined): string {
  if (name) {
    const candidates = [path.resolve(name), path.join(MODELS_ROOT, name)];
    const found = candidates.find(hasModel);
    if (!found) throw new Error(`model "${name}": no model.json in ${candidates.join(' or ')}`);
    return found;
  }
  for (const dir of DEFAULT_MODELS.map((n) => path.join(MODELS_ROOT, n))) if (hasModel(dir)) return dir;
  throw new Error(
    `no model found: train one (npm run train) or set INKBOARD_MODEL; looked in ${MODELS_ROOT}/{${DEFAULT_MODELS.join(',')}}`,
  );
}
