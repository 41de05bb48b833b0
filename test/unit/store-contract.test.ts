/** The board store contract, run against both stores (memory + journal, Redis), through the board actions. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { RegionLabel } from '../../shared/protocol.ts';
import { clear, commitStroke, erase, undoRedo, type Actor } from '../../server/board/actions.ts';
import { applyStrokeChanges } from '../../server/board/apply-changes.ts';
import { DEFAULT_REGION_RULES } from '../../server/regions/types.ts';
import type { BoardStore } from '../../server/store/board-store.ts';
import { createMemoryStore } from '../../server/store/memory-store.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';

const rules = DEFAULT_REGION_RULES;
const ann: Actor = { userId: 'ann', role: 'member' };
const bob: Actor = { userId: 'bob', role: 'member' };
const owner: Actor = { userId: 'own', role: 'owner' };
const line = (id: string, x: number) => ({
  id,
  color: '#000000',
  width: 3,
  points: [
    [x, 0],
    [x + 10, 100],
  ] as [number, number][],
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Factory = (samePrefixAs?: BoardStore) => Promise<BoardStore>;
const memory: Factory = async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-store-'));
  const store = createMemoryStore({ dataDir: dir, fsync: false });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return store;
};
let n = 0;
const redisPrefix = `storetest${process.pid}${Date.now()}`;
const prefixes = new WeakMap<BoardStore, string>();
const redis: Factory = async (twin) => {
  const prefix = (twin && prefixes.get(twin)) ?? `${redisPrefix}x${n++}`;
  const store = createRedisStore({ url: inject('redisUrl'), prefix });
  prefixes.set(store, prefix);
  for (let i = 0; i < 100 && store.degraded; i++) await new Promise((r) => setTimeout(r, 20));
  return store;
};

for (const [name, make] of [
  ['memory', memory],
  ['redis', redis],
] as const) {
  describe(`${name} store`, () => {
    async function board() {
      const store = await make();
      cleanups.push(() => store.close());
      const id = `b${n++}`;
      await store.createBoard({ id, createdAt: 1, ownerKeyHash: 'h' });
      const run = <T>(fn: Parameters<BoardStore['update']>[1]) => store.update(id, fn) as Promise<T>;
      return { store, id, run };
    }
    const ctx = (now = Date.now()) => ({ now, rules });

    it('commits strokes into regions, idempotently, and snapshots them with labels', async () => {
      const { store, id, run } = await board();
      expect(await store.getMeta(id)).toEqual({ id, createdAt: 1, ownerKeyHash: 'h' });
      expect(await store.getMeta('nope')).toBeUndefined();
      const o1 = await store.update(id, (tx) => commitStroke(tx, ann, line('s1', 0), ctx()));
      expect(o1.jobs).toHaveLength(1);
      expect(o1.jobs[0]).toMatchObject({ boardId: id, version: 1, strokes: [{ id: 's1' }] });
      const o2 = await store.update(id, (tx) => commitStroke(tx, ann, line('s2', 40), ctx()));
      expect(o2.jobs[0]).toMatchObject({ regionId: o1.jobs[0]!.regionId, version: 2 });
      expect(o2.jobs[0]!.strokes.map((s) => s.id)).toEqual(['s1', 's2']);
      const dup = await run<{ duplicate?: boolean }>((tx) => commitStroke(tx, ann, line('s1', 0), ctx()));
      expect(dup.duplicate).toBe(true);

      const label = (version: number, text: string): RegionLabel => ({
        regionId: o1.jobs[0]!.regionId,
        version,
        strokeIds: ['s1'],
        text,
        digits: [],
        bbox: [0, 0, 1, 1],
        penUpAt: 0,
        recognizedAt: 0,
      });
      expect(await store.setLabel(id, label(1, 'stale'))).toBe(false);
      expect(await store.setLabel(id, label(2, '11'))).toBe(true);
      expect(await store.setLabel(id, label(2, '11'))).toBe(true);
      const snap = await store.snapshot(id);
      expect(snap?.strokes.map((s) => s.id)).toEqual(['s1', 's2']);
      expect(snap?.strokes[0]?.author).toBe('ann');
      expect(snap?.labels.map((l) => l.text)).toEqual(['11']);
    });

    it('erase respects ownership; undo and redo replay the user history', async () => {
      const { store, id } = await board();
      const t = Date.now();
      await store.update(id, (tx) => commitStroke(tx, ann, line('a1', 0), ctx(t)));
      await store.update(id, (tx) => commitStroke(tx, bob, line('b1', 500), ctx(t)));
      await expect(store.update(id, (tx) => erase(tx, ann, ['b1'], ctx()))).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(store.update(id, (tx) => erase(tx, ann, ['zz'], ctx()))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      const er = await store.update(id, (tx) => erase(tx, owner, ['b1'], ctx()));
      expect(er.removedIds).toEqual(['b1']);
      expect(er.removedRegions).toHaveLength(1);

      const u = await store.update(id, (tx) => undoRedo(tx, ann, 'undo', ctx()));
      expect(u.removedIds).toEqual(['a1']);
      await expect(store.update(id, (tx) => undoRedo(tx, ann, 'undo', ctx()))).rejects.toMatchObject({
        code: 'NOTHING_TO_UNDO',
      });
      const r = await store.update(id, (tx) => undoRedo(tx, ann, 'redo', ctx()));
      expect(r.added.map((s) => s.id)).toEqual(['a1']);
      expect(r.jobs).toHaveLength(1);
      await expect(store.update(id, (tx) => undoRedo(tx, ann, 'redo', ctx()))).rejects.toMatchObject({
        code: 'NOTHING_TO_REDO',
      });
      // The owner's erase is undoable by the owner.
      const back = await store.update(id, (tx) => undoRedo(tx, owner, 'undo', ctx()));
      expect(back.added.map((s) => s.id)).toEqual(['b1']);
      expect((await store.snapshot(id))?.strokes.map((s) => s.id).sort()).toEqual(['a1', 'b1']);
    });

    it('clear mine, clear all (owner only), and undo of a clear', async () => {
      const { store, id } = await board();
      await store.update(id, (tx) => commitStroke(tx, ann, line('a1', 0), ctx()));
      await store.update(id, (tx) => commitStroke(tx, bob, line('b1', 500), ctx()));
      await expect(store.update(id, (tx) => clear(tx, ann, 'all', ctx()))).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      const mine = await store.update(id, (tx) => clear(tx, ann, 'mine', ctx()));
      expect(mine.removedIds).toEqual(['a1']);
      const all = await store.update(id, (tx) => clear(tx, owner, 'all', ctx()));
      expect(all.removedIds).toEqual(['b1']);
      expect((await store.snapshot(id))?.strokes).toEqual([]);
      const undone = await store.update(id, (tx) => undoRedo(tx, owner, 'undo', ctx()));
      expect(undone.added.map((s) => s.id)).toEqual(['b1']);
    });

    it('a stroke whose pen-down was within the time window joins, however long it took to draw', async () => {
      const { store, id } = await board();
      const t = Date.now();
      const a = await store.update(id, (tx) => commitStroke(tx, ann, line('p1', 0), ctx(t)));
      const b = await store.update(id, (tx) =>
        commitStroke(tx, ann, line('p2', 40), ctx(t + 9000), t + 3000),
      );
      expect(b.jobs[0]?.regionId).toBe(a.jobs[0]?.regionId);
      const c = await store.update(id, (tx) =>
        commitStroke(tx, ann, line('p3', 80), ctx(t + 20_000), t + 15_000),
      );
      expect(c.jobs[0]?.regionId).not.toBe(a.jobs[0]?.regionId);
    });

    it('a failed transaction writes nothing', async () => {
      const { store, id } = await board();
      await expect(
        store.update(id, async (tx) => {
          await applyStrokeChanges(tx, {
            add: [{ ...line('x', 0), author: 'ann', createdAt: 1 }],
            removeIds: [],
            live: true,
            now: 1,
            rules,
          });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await store.snapshot(id))?.strokes).toEqual([]);
    });

    it('concurrent writers on one board stay consistent', async () => {
      const { store, id } = await board();
      const other = name === 'redis' ? await make(store) : store;
      if (other !== store) cleanups.push(() => other.close());
      const now = Date.now();
      // 40 strokes side by side, 20 through each store instance, all at once: one region of 40 strokes.
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? other : store).update(id, (tx) =>
            commitStroke(tx, ann, line(`s${i}`, i * 30), { now, rules }),
          ),
        ),
      );
      const snap = await store.snapshot(id);
      expect(snap?.strokes).toHaveLength(40);
      const regions = await store.update(id, (tx) => tx.allRegions());
      expect(regions).toHaveLength(1);
      expect(regions[0]?.strokes).toHaveLength(40);
      expect(regions[0]?.version).toBe(40);
    });
  });
}

describe('redis store locking', () => {
  it('re-runs a transaction whose lock expired before it committed', async () => {
    const store = createRedisStore({ url: inject('redisUrl'), prefix: `${redisPrefix}lock`, lockTtlMs: 500 });
    cleanups.push(() => store.close());
    for (let i = 0; i < 100 && store.degraded; i++) await new Promise((r) => setTimeout(r, 20));
    await store.createBoard({ id: 'lk', createdAt: 1, ownerKeyHash: 'h' });
    let runs = 0;
    const out = await store.update('lk', async (tx) => {
      if (runs++ === 0) await new Promise((r) => setTimeout(r, 1000));
      return commitStroke(tx, ann, line('slow', 0), { now: Date.now(), rules });
    });
    expect(runs).toBe(2);
    expect(out.added.map((s) => s.id)).toEqual(['slow']);
    expect((await store.snapshot('lk'))?.strokes.map((s) => s.id)).toEqual(['slow']);
  });
});
