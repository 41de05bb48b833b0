/**
 * For browser tests: builds the client with Vite and starts a real Inkboard server in this process
 * (embedded mode, a temp data directory, inference in worker threads with the real model).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { loadConfig } from '../../shared/config.ts';
import { createInkboardServer } from '../../server/app.ts';
import { createInferencePool } from '../../workers/pool.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLIENT_DIST = path.join(ROOT, 'client/dist');

/** Builds client/ into client/dist, as `npm run build:client` does. */
export async function buildClient(): Promise<void> {
  await build({ configFile: path.join(ROOT, 'client/vite.config.ts'), logLevel: 'warn' });
}

export interface BrowserServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/** Starts an embedded-mode server on a free loopback port with its own data directory. */
export async function startBrowserServer(env: Record<string, string> = {}): Promise<BrowserServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'inkboard-browser-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env });
  const pool = createInferencePool({
    threads: 1,
    modelDir: config.INKBOARD_MODEL,
    backend: config.INKBOARD_BACKEND,
  });
  await pool.ready();
  const server = await createInkboardServer(config, {
    recognizer: pool,
    clientDir: CLIENT_DIST,
    fsync: false,
  });
  return {
    url: server.url,
    async close() {
      await server.close();
      await pool.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
