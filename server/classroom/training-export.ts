/**
 * Corrected labels as training data: one JSON line per correction, in the line format of
 * ../shared/data/pendigits-tra.jsonl (`i`, `label`, `writer`, `strokes`, points in board units, y down)
 * plus `text`, the corrected label as typed. `label` is the corrected number as an integer (one digit:
 * 0-9, as in pendigits). The latest correction of each region counts; corrections stay after the ink is
 * erased. Read-only: journals are replayed without being rewritten, so a running server is not disturbed.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { RegionLabel } from '../../shared/protocol.ts';
import type { StoredCorrection, WriteOp } from '../store/board-store.ts';
import { applyLabel, applyWrite, deserializeBoard, type BoardState } from '../store/board-state.ts';

export interface TrainingLine {
  i: number;
  label: number;
  /** The author of the ink (a user id: writers are people on boards here, not numbered). */
  writer: string;
  strokes: [number, number][][];
  text: string;
  board: string;
  region: string;
  correctedAt: string;
}

function toLines(list: { board: string; c: StoredCorrection }[]): TrainingLine[] {
  list.sort((a, b) => a.c.at - b.c.at);
  return list.map(({ board, c }, i) => ({
    i,
    label: Number(c.text.replace(/\s+/g, '')),
    writer: c.author,
    strokes: c.strokes,
    text: c.text,
    board,
    region: c.regionId,
    correctedAt: new Date(c.at).toISOString(),
  }));
}

/** Embedded mode: every board journal under `<dataDir>/boards`. */
export async function correctionsFromDataDir(dataDir: string): Promise<TrainingLine[]> {
  const dir = path.join(dataDir, 'boards');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl'));
  const out: { board: string; c: StoredCorrection }[] = [];
  for (const f of files) {
    const text = await readFile(path.join(dir, f), 'utf8').catch(() => '');
    let state: BoardState | undefined;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let rec: { state?: unknown; ops?: WriteOp[]; label?: RegionLabel };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        continue;
      }
      if (rec.state) state = deserializeBoard(rec.state as Parameters<typeof deserializeBoard>[0]);
      else if (state && rec.ops) for (const op of rec.ops) applyWrite(state, op);
      else if (state && rec.label) applyLabel(state, rec.label);
    }
    for (const c of state?.corrections.values() ?? []) out.push({ board: state!.meta.id, c });
  }
  return toLines(out);
}

/** Distributed mode: the `<prefix>:corrections` list (every correction; the latest per region counts). */
export async function correctionsFromRedis(url: string, prefix: string): Promise<TrainingLine[]> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const all = await redis.lrange(`${prefix}:corrections`, 0, -1);
    const latest = new Map<string, { board: string; c: StoredCorrection }>();
    for (const json of all) {
      const c = JSON.parse(json) as StoredCorrection;
      latest.set(`${c.boardId}\u0000${c.regionId}`, { board: c.boardId, c });
    }
    return toLines([...latest.values()]);
  } finally {
    redis.disconnect();
  }
}
