/** The embedded store's journal: a restart loses nothing committed; a torn last line loses only itself. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { commitStroke, erase, undoRedo } from '../../server/board/actions.ts';
import { DEFAULT_REGION_RULES } from '../../server/regions/types.ts';
import { createMemoryStore } from '../../server/store/memory-store.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const ann = { userId: 'ann', role: 'member' as const };
const ctx = { now: 1000, rules: DEFAULT_REGION_RULES };
const stroke = (id: string, x: number) => ({
  id,
  color: '#112233',
  width: 2,
  points: [
    [x, 0],
    [x, 50],
  ] as [number, number][],
});

it('restores strokes, regions, labels and history after a restart, and compacts the journal', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-journal-'));
  dirs.push(dir);
  const a = createMemoryStore({ dataDir: dir });
  await a.createBoard({ id: 'b1', createdAt: 5, ownerKeyHash: 'x' });
  const o = await a.update('b1', (tx) => commitStroke(tx, ann, stroke('s1', 0), ctx));
  await a.update('b1', (tx) => commitStroke(tx, ann, stroke('s2', 300), ctx));
  await a.update('b1', (tx) => erase(tx, ann, ['s2'], ctx));
  const job = o.jobs[0]!;
  const label = {
    ...job,
    strokeIds: ['s1'],
    text: '1',
    digits: [],
    bbox: [0, 0, 0, 50] as [number, number, number, number],
    recognizedAt: 2,
  };
  delete (label as { strokes?: unknown }).strokes;
  expect(await a.setLabel('b1', label)).toBe(true);
  await a.close();
  const file = path.join(dir, 'boards', 'b1.jsonl');
  expect(readFileSync(file, 'utf8').trim().split('\n').length).toBeGreaterThan(1);

  // A crash in the middle of an append leaves a torn last line.
  appendFileSync(file, '{"ops":[{"t":"putStroke","stroke":{"id":"torn"');
  const b = createMemoryStore({ dataDir: dir });
  const snap = await b.snapshot('b1');
  expect(snap?.strokes.map((s) => s.id)).toEqual(['s1']);
  expect(snap?.labels.map((l) => l.text)).toEqual(['1']);
  // History survived: undo of the erase brings s2 back.
  const back = await b.update('b1', (tx) => undoRedo(tx, ann, 'undo', ctx));
  expect(back.added.map((s) => s.id)).toEqual(['s2']);
  await b.close();
  expect(readFileSync(file, 'utf8').trim().split('\n').length).toBe(2); // compacted state + the undo
  expect(await createMemoryStore({ dataDir: dir }).getMeta('nope')).toBeUndefined();
});

it('compacts a growing journal while running, without losing records', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-journal-'));
  dirs.push(dir);
  const a = createMemoryStore({ dataDir: dir, compactBytes: 4000 });
  await a.createBoard({ id: 'b2', createdAt: 5, ownerKeyHash: 'x' });
  await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      a.update('b2', (tx) => commitStroke(tx, ann, stroke(`s${i}`, i * 500), ctx)),
    ),
  );
  await a.update('b2', (tx) => erase(tx, ann, ['s3'], ctx));
  await a.close();
  const file = path.join(dir, 'boards', 'b2.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines.length).toBeLessThan(61);
  expect(lines[0]).toMatch(/^\{"state":/);
  const b = createMemoryStore({ dataDir: dir });
  const snap = await b.snapshot('b2');
  expect(snap?.strokes).toHaveLength(59);
  expect(snap?.strokes.some((s) => s.id === 's3')).toBe(false);
  await b.close();
});
