/** The board store contract, run against both stores (memory + journal, Redis), through the board actions. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cleanupsAfterEach, line } from '../helpers/store-fixtures.ts';
import type { Logger } from '../../shared/logger.ts';
import type { RegionLabel } from '../../shared/protocol.ts';
import { clear, commitStroke, erase, undoRedo, type Actor } from '../../server/board/actions.ts';
import { applyStrokeChanges } from '../../server/board/apply-changes.ts';
import type { Outcome } from '../../server/board/outcome.ts';
import { DEFAULT_REGION_RULES } from '../../server/regions/types.ts';
import type { BoardStore } from '../../server/store/board-store.ts';
import { createMemoryStore } from '../../server/store/memory-store.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import { boardKeys } from '../../shared/redis-keys.ts';
import { Redis } from 'ioredis';

const rules = DEFAULT_REGION_RULES;
const ann: Actor = { userId: 'ann', role: 'member' };
const bob: Actor = { userId: 'bob', role: 'member' };
const owner: Actor = { userId: 'own', role: 'owner' };

const cleanups = cleanupsAfterEach();

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

    it('undo keeps at most one full board of removed ink: clearing a full board again drops the older steps', async () => {
      const { store, id } = await board();
      // 62 strokes of 4,000 points: 248,000 points, just under a board's 250,000.
      const long = (sid: string, x: number) => ({
        ...line(sid, x),
        points: Array.from({ length: 4000 }, (_, i): [number, number] => [x + i / 400, i / 40]),
      });
      for (const batch of ['p', 'q']) {
        for (let i = 0; i < 62; i++)
          await store.update(id, (tx) => commitStroke(tx, ann, long(`${batch}${i}`, i * 300), ctx()));
        await store.update(id, (tx) => clear(tx, ann, 'mine', ctx()));
      }
      const h = await store.update(id, (tx) => tx.getHistory(ann.userId));
      // The first clear (and every step before it) left; the second batch and its clear stayed.
      expect(h.undo).toHaveLength(63);
      expect(h.undo[0]).toMatchObject({ op: 'added', ids: ['q0'] });
      expect(h.undo.at(-1)?.op).toBe('removed');
      const back = await store.update(id, (tx) => undoRedo(tx, ann, 'undo', ctx()));
      expect(back.added).toHaveLength(62);
      expect(back.added.every((s) => s.id.startsWith('q') && s.points.length === 4000)).toBe(true);
    }, 60_000);

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

    it('records each region version written as pending recognition until it is queued', async () => {
      const { store, id } = await board();
      const t = Date.now();
      const o1 = await store.update(id, (tx) => commitStroke(tx, ann, line('o1', 0), ctx(t)));
      const regionId = o1.jobs[0]!.regionId;
      expect(await store.pendingJobs(60_000)).toEqual([]); // not old enough
      const [p1] = (await store.pendingJobs(0)).filter((j) => j.boardId === id);
      expect(p1).toMatchObject({ boardId: id, regionId, version: 1, strokes: [{ id: 'o1' }] });
      expect(p1?.strokes[0]?.points).toEqual(line('o1', 0).points);
      await store.update(id, (tx) => commitStroke(tx, ann, line('o2', 40), ctx(t)));
      // Version 1 is superseded: only version 2 is pending.
      const pending = (await store.pendingJobs(0)).filter((j) => j.boardId === id);
      expect(pending.map((j) => [j.regionId, j.version, j.strokes.length])).toEqual([[regionId, 2, 2]]);
      await store.jobsQueued([{ boardId: id, regionId, version: 2 }]);
      expect((await store.pendingJobs(0)).filter((j) => j.boardId === id)).toEqual([]);
    });

    it('concurrent writers on one board stay consistent', async () => {
      const { store, id } = await board();
      const other = name === 'redis' ? await make(store) : store;
      if (other !== store) cleanups.push(() => other.close());
      const now = Date.now();
      // 30 strokes side by side (regions hold at most 32), 15 through each store instance, all at once:
      // one region of 30 strokes.
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 ? other : store).update(id, (tx) =>
            commitStroke(tx, ann, line(`s${i}`, i * 30), { now, rules }),
          ),
        ),
      );
      const snap = await store.snapshot(id);
      expect(snap?.strokes).toHaveLength(30);
      const regions = await store.update(id, (tx) => tx.allRegions());
      expect(regions).toHaveLength(1);
      expect(regions[0]?.strokes).toHaveLength(30);
      expect(regions[0]?.version).toBe(30);
    });
  });
}

describe('redis store optimistic concurrency', () => {
  async function twins(extra: Partial<Parameters<typeof createRedisStore>[0]> = {}) {
    const prefix = `${redisPrefix}occ${n++}`;
    const make = async (more: Partial<Parameters<typeof createRedisStore>[0]> = {}) => {
      const store = createRedisStore({ url: inject('redisUrl'), prefix, ...extra, ...more });
      cleanups.push(() => store.close());
      for (let i = 0; i < 100 && store.degraded; i++) await new Promise((r) => setTimeout(r, 20));
      return store;
    };
    const a = await make();
    const b = await make();
    const id = `occ${n++}`;
    await a.createBoard({ id, createdAt: 1, ownerKeyHash: 'h' });
    return { a, b, id, make, prefix };
  }

  it('re-runs a transaction when another server committed to the board after it read', async () => {
    const { a, b, id } = await twins();
    const now = Date.now();
    await a.update(id, (tx) => commitStroke(tx, ann, line('first', 0), { now, rules })); // a caches the board
    let runs = 0;
    const out = await a.update(id, async (tx) => {
      if (runs++ === 0)
        await b.update(id, (btx) => commitStroke(btx, ann, line('theirs', 40), { now, rules }));
      return commitStroke(tx, ann, line('mine', 80), { now, rules });
    });
    expect(runs).toBe(2);
    expect(out.jobs[0]?.version).toBe(3);
    expect((await a.snapshot(id))?.strokes.map((s) => s.id).sort()).toEqual(['first', 'mine', 'theirs']);
    const regions = await b.update(id, (tx) => tx.allRegions());
    expect(regions.map((r) => [r.version, r.strokes.map((s) => s.id)])).toEqual([
      [3, ['first', 'theirs', 'mine']],
    ]);
  });

  it('redo after a reload or on another server restores the undone strokes', async () => {
    const { a, b, id, make } = await twins();
    const now = Date.now();
    await a.update(id, (tx) => commitStroke(tx, ann, line('s1', 0), { now, rules }));
    await b.update(id, (tx) => tx.allRegions()); // b caches the board before the undo
    const u = await a.update(id, (tx) => undoRedo(tx, ann, 'undo', { now, rules }));
    expect(u.removedIds).toEqual(['s1']);
    // b catches up through the change log, a fresh server loads the board from Redis.
    const fresh = await make();
    for (const [server, which] of [
      [b, 'redo'],
      [fresh, 'undo'],
      [a, 'redo'],
    ] as const) {
      const out = await server.update(id, (tx) => undoRedo(tx, ann, which, { now, rules }));
      if (which === 'redo') expect(out.added.map((s) => s.id)).toEqual(['s1']);
      else expect(out.removedIds).toEqual(['s1']);
    }
    const reloaded = await make();
    expect((await reloaded.snapshot(id))?.strokes.map((s) => s.id)).toEqual(['s1']);
    await reloaded.update(id, (tx) => undoRedo(tx, ann, 'undo', { now, rules }));
    const again = await (await make()).update(id, (tx) => undoRedo(tx, ann, 'redo', { now, rules }));
    expect(again.added.map((s) => [s.id, s.points.length])).toEqual([['s1', line('s1', 0).points.length]]);
  });

  it('keeps undo steps stored by older servers (stroke-less refs, whole entries) through the next action', async () => {
    for (const format of ['legacy ref', 'whole entry'] as const) {
      const { a, id, make, prefix } = await twins();
      const now = Date.now();
      for (const sid of ['s1', 's2'])
        await a.update(id, (tx) => commitStroke(tx, ann, line(sid, sid === 's1' ? 0 : 500), { now, rules }));
      await a.update(id, (tx) => erase(tx, ann, ['s1'], { now, rules }));
      // Rewrite ann's history as an older server stored it: the erase's entry (it holds s1) under the
      // ref the old scheme gave it, or whole in `hist`.
      const k = boardKeys(prefix, id);
      const redis = new Redis(inject('redisUrl'));
      const stored = JSON.parse((await redis.hget(k.history, ann.userId))!) as {
        undo: string[];
        redo: string[];
      };
      const eraseRef = stored.undo.at(-1)!;
      const entry = (await redis.hget(k.historyEntries, eraseRef))!;
      const legacyRef = `${ann.userId}:${createHash('sha1').update('removed:s1').digest('base64url')}`;
      await redis.hdel(k.historyEntries, eraseRef);
      if (format === 'legacy ref') await redis.hset(k.historyEntries, legacyRef, entry);
      const undo = [...stored.undo.slice(0, -1), format === 'legacy ref' ? legacyRef : JSON.parse(entry)];
      await redis.hset(k.history, ann.userId, JSON.stringify({ undo, redo: [] }));
      redis.disconnect();
      // A server that reads that history acts once; another, reading afresh, undoes back to the erase.
      await (await make()).update(id, (tx) => commitStroke(tx, ann, line('s3', 1000), { now, rules }));
      const later = await make();
      await later.update(id, (tx) => undoRedo(tx, ann, 'undo', { now, rules }));
      const back = await later.update(id, (tx) => undoRedo(tx, ann, 'undo', { now, rules }));
      expect([format, back.added.map((s) => s.id)]).toEqual([format, ['s1']]);
    }
  });

  it('reloads a board whose change log no longer reaches back to its cached version', async () => {
    const { a, b, id } = await twins({ logEntries: 2 });
    const now = Date.now();
    await a.update(id, (tx) => commitStroke(tx, ann, line('a0', 0), { now, rules }));
    for (let i = 1; i <= 4; i++)
      await b.update(id, (tx) => commitStroke(tx, ann, line(`b${i}`, i * 40), { now, rules }));
    const out = await a.update(id, (tx) => commitStroke(tx, ann, line('a5', 200), { now, rules }));
    expect(out.jobs[0]?.version).toBe(6);
    expect((await b.snapshot(id))?.strokes).toHaveLength(6);
  });

  it('logs a large commit as null (no MBs in the change log); a server behind reloads the board', async () => {
    const { a, b, id, prefix } = await twins();
    const now = Date.now();
    await a.update(id, (tx) => commitStroke(tx, ann, line('a0', 0), { now, rules }));
    // A clear of three 4000-point strokes: its undo entry holds them all, over 256 KiB of commands.
    const big = (i: number) => ({
      ...line(`big${i}`, 100),
      points: Array.from(
        { length: 4000 },
        (_, j) => [1000.123456 + j + i * 5000, 2000.123456 + j] as [number, number],
      ),
    });
    for (let i = 0; i < 3; i++) await b.update(id, (tx) => commitStroke(tx, ann, big(i), { now, rules }));
    await b.update(id, (tx) => clear(tx, ann, 'mine', { now, rules }));
    const redis = new Redis(inject('redisUrl'));
    const log = await redis.lrange(boardKeys(prefix, id).log, 0, 0);
    redis.disconnect();
    expect(log[0]?.split('\n')[1]).toBe('null');
    await a.update(id, (tx) => commitStroke(tx, ann, line('a2', 9000), { now, rules }));
    expect((await a.snapshot(id))?.strokes.map((s) => s.id)).toEqual(['a2']);
    // The clear is undone through a, which reloaded the history too.
    const back = await a.update(id, (tx) => undoRedo(tx, ann, 'undo', { now, rules }));
    expect(back.removedIds).toEqual(['a2']);
    const again = await a.update(id, (tx) => undoRedo(tx, ann, 'undo', { now, rules }));
    expect(again.added.map((s) => s.id).sort()).toEqual(['a0', 'big0', 'big1', 'big2']);
    // The history entry (built from the strokes' remembered JSON) gave back every point as drawn.
    expect(again.added.find((s) => s.id === 'big1')?.points).toEqual(big(1).points);
    const snap = await b.snapshot(id);
    expect(snap?.strokes.find((s) => s.id === 'big2')).toMatchObject({
      author: 'ann',
      points: big(2).points,
    });
  });

  it('gives up with a clear error after too many conflicts', async () => {
    const { a, b, id } = await twins({ maxAttempts: 2, turnMs: 50 });
    const now = Date.now();
    let k = 0;
    // Another server commits while each run of this transaction is under way (after the first conflict
    // it has to wait for the turn this writer took, which expires after 50 ms).
    await expect(
      a.update(id, async (tx) => {
        const x = k++;
        await b.update(id, (btx) => commitStroke(btx, bob, line(`x${x}`, x * 500), { now, rules }));
        return commitStroke(tx, ann, line('never', 0), { now, rules });
      }),
    ).rejects.toThrow(/board occ\d+: 2 commits conflicted with other servers' writes; try again/);
    expect((await b.snapshot(id))?.strokes.map((s) => s.id).sort()).toEqual(['x0', 'x1']);
  });

  it('concurrent writers on two servers: every stroke once, region versions only go up', async () => {
    const events: string[] = [];
    const push = (_o: unknown, msg: string) => void events.push(msg);
    const log = { debug: push, info: push, warn: push, error: push } as unknown as Logger;
    const { a, b, id, make } = await twins({ log });
    // A third server with a one-entry change log exercises the full reload path too.
    const c = await make({ logEntries: 1 });
    const servers = [a, b, c];
    const users = ['u0', 'u1', 'u2', 'u3'];
    const seen = servers.map(() => new Map<string, number>());
    const dupVersions: string[] = [];
    const produced = new Set<string>();
    const committed: string[] = [];
    let undone = 0;
    const now = Date.now();
    const record = (s: number, out: Outcome) => {
      for (const j of out.jobs) {
        const key = `${j.regionId}@${j.version}`;
        if (produced.has(key)) dupVersions.push(key);
        produced.add(key);
        const last = seen[s]!.get(j.regionId) ?? 0;
        // Each server applies its commits in order: a region's versions only go up.
        expect(j.version).toBeGreaterThan(last);
        seen[s]!.set(j.regionId, j.version);
      }
    };
    const jitter = () => new Promise((r) => setTimeout(r, Math.random() * 4));
    // Two writers per server, each writing one thing after another: 150 actions.
    const one = async (i: number) => {
      await jitter();
      const s = i % 3;
      const user = users[i % users.length]!;
      const actor: Actor = { userId: user, role: 'member' };
      if (i % 10 === 9) {
        // Some undos: removals raise versions too.
        const out = await servers[s]!.update(
          id,
          (tx) => undoRedo(tx, actor, 'undo', { now, rules }),
          (o) => record(s, o),
        ).catch((err: { code?: string }) => {
          if (err.code !== 'NOTHING_TO_UNDO') throw err;
          return undefined;
        });
        if (out) undone += out.removedIds.length;
        return;
      }
      const col = users.indexOf(user) * 1000;
      const stroke = line(`s${i}`, col + Math.floor(i / 12) * 30);
      const out = await servers[s]!.update(
        id,
        (tx) => commitStroke(tx, actor, stroke, { now, rules }),
        (o) => record(s, o),
      );
      expect(out.duplicate).toBeUndefined();
      committed.push(stroke.id);
    };
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = w; i < 150; i += 6) await one(i);
      }),
    );
    // The point of the test: servers did collide, and caught up both ways.
    const count = (msg: string) => events.filter((e) => e === msg).length;
    expect(count('board commit conflict; running again')).toBeGreaterThan(5);
    expect(count('board loaded into the cache')).toBeGreaterThan(3);
    expect(dupVersions).toEqual([]);
    const snap = await a.snapshot(id);
    const ids = snap!.strokes.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(committed.length - undone);
    expect(committed.length).toBe(135);
    const regions = await c.update(id, (tx) => tx.allRegions());
    const inRegions = regions.flatMap((r) => r.strokes.map((s) => s.id));
    expect(inRegions.sort()).toEqual([...ids].sort());
    for (const r of regions) {
      // The current version is the newest any server produced for that region.
      const max = Math.max(...servers.map((_, s) => seen[s]!.get(r.id) ?? 0));
      expect(r.version).toBe(max);
    }
    // Every region's current version is pending recognition (nothing was queued here).
    const pending = (await b.pendingJobs(0, 1000)).filter((j) => j.boardId === id);
    expect(pending.map((j) => `${j.regionId}@${j.version}`).sort()).toEqual(
      regions.map((r) => `${r.id}@${r.version}`).sort(),
    );
  });
});
