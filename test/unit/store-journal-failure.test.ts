/**
 * The embedded store when a journal write fails: the change is refused, never broadcast, and the board is
 * reloaded from its journal (without the change) on next use; a history delta survives a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { clear, commitStroke, undoRedo } from '../../server/board/actions.ts';
import { DEFAULT_REGION_RULES } from '../../server/regions/types.ts';
import { BoardJournal } from '../../server/store/journal.ts';
import { createMemoryStore } from '../../server/store/memory-store.ts';
import { line } from '../helpers/store-fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const ann = { userId: 'ann', role: 'owner' as const };
const ctx = { now: 1000, rules: DEFAULT_REGION_RULES };
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'inkboard-jfail-'));
  dirs.push(d);
  return d;
};

it('refuses a change whose write failed, without broadcasting it, and reloads the board', async () => {
  const store = createMemoryStore({ dataDir: tmp(), fsync: false });
  await store.createBoard({ id: 'b1', createdAt: 1, ownerKeyHash: 'x' });
  await store.update('b1', (tx) => commitStroke(tx, ann, line('s1', 0), ctx));
  const spy = vi
    .spyOn(BoardJournal.prototype, 'appendOps')
    .mockRejectedValueOnce(new Error('ENOSPC: no space'));
  const applied = vi.fn();
  await expect(
    store.update('b1', (tx) => commitStroke(tx, ann, line('s2', 300), ctx), applied),
  ).rejects.toThrow(/ENOSPC/);
  expect(applied).not.toHaveBeenCalled();
  spy.mockRestore();
  expect((await store.snapshot('b1'))?.strokes.map((s) => s.id)).toEqual(['s1']);
  // The board works again (loaded afresh from its journal).
  await store.update('b1', (tx) => commitStroke(tx, ann, line('s3', 600), ctx));
  expect((await store.snapshot('b1'))?.strokes.map((s) => s.id)).toEqual(['s1', 's3']);
  await store.close();
});

it('journals history as deltas: commits after a clear stay small, and undo works after a restart', async () => {
  const dir = tmp();
  const a = createMemoryStore({ dataDir: dir, fsync: false });
  await a.createBoard({ id: 'b1', createdAt: 1, ownerKeyHash: 'x' });
  const long = (id: string, x: number) => ({
    ...line(id, x),
    points: Array.from({ length: 4000 }, (_, i) => [x + (i % 100), Math.floor(i / 100)] as [number, number]),
  });
  for (let i = 0; i < 5; i++)
    await a.update('b1', (tx) => commitStroke(tx, ann, long(`l${i}`, i * 500), ctx));
  await a.update('b1', (tx) => clear(tx, ann, 'all', ctx));
  const spy = vi.spyOn(BoardJournal.prototype, 'appendOps');
  for (let i = 0; i < 5; i++) await a.update('b1', (tx) => commitStroke(tx, ann, line(`s${i}`, i * 30), ctx));
  const bytes = spy.mock.calls.reduce((n, [ops]) => n + JSON.stringify(ops).length, 0);
  expect(bytes).toBeLessThan(10_000); // the clear's entry (20,000 points) is not written again
  spy.mockRestore();
  await a.close();
  const b = createMemoryStore({ dataDir: dir, fsync: false });
  for (let i = 0; i < 5; i++) await b.update('b1', (tx) => undoRedo(tx, ann, 'undo', ctx));
  const back = await b.update('b1', (tx) => undoRedo(tx, ann, 'undo', ctx));
  expect(back.added.map((s) => s.id).sort()).toEqual(['l0', 'l1', 'l2', 'l3', 'l4']);
  await b.close();
});
