/**
 * The board service with both stores: recognition is queued even when the queue was down at commit time
 * or the committing server died before queuing (the outbox and its sweep), and a re-sent commit is
 * relayed to the room again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cleanupsAfterEach, line } from '../helpers/store-fixtures.ts';
import { commitStroke, type Actor } from '../../server/board/actions.ts';
import { createBoardService } from '../../server/board/board-service.ts';
import type { RecognitionJob, RecognitionQueue } from '../../shared/recognition-contract.ts';
import { DEFAULT_REGION_RULES } from '../../server/regions/types.ts';
import type { BoardStore } from '../../server/store/board-store.ts';
import { createMemoryStore } from '../../server/store/memory-store.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import { createLogger } from '../../shared/logger.ts';
import type { ServerMessage } from '../../shared/protocol.ts';

const rules = DEFAULT_REGION_RULES;
const log = createLogger('test', 'silent');
const ann: Actor = { userId: 'ann', role: 'member' };

const cleanups = cleanupsAfterEach();

/** A queue that fails while `down`. */
function fakeQueue() {
  const jobs: RecognitionJob[] = [];
  const q = {
    down: false as boolean,
    jobs,
    enqueue: async (job: RecognitionJob) => {
      if (q.down) throw new Error('recognition queue unavailable');
      jobs.push(job);
    },
    depth: async () => jobs.length,
    close: async () => {},
  } satisfies RecognitionQueue & { down: boolean; jobs: RecognitionJob[] };
  return q;
}

let n = 0;
const prefix = `outbox${process.pid}${Date.now()}`;
/** Two stores on the same data (two servers of one deployment); memory: one store, shared. */
async function stores(kind: 'memory' | 'redis'): Promise<[BoardStore, BoardStore]> {
  if (kind === 'memory') {
    const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-outbox-'));
    const store = createMemoryStore({ dataDir: dir, fsync: false });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => store.close());
    return [store, store];
  }
  const p = `${prefix}x${n++}`;
  const make = async () => {
    const store = createRedisStore({ url: inject('redisUrl'), prefix: p });
    cleanups.push(() => store.close());
    for (let i = 0; i < 100 && store.degraded; i++) await new Promise((r) => setTimeout(r, 20));
    return store;
  };
  return [await make(), await make()];
}

const tick = () => new Promise((r) => setTimeout(r, 20));

for (const kind of ['memory', 'redis'] as const) {
  describe(`${kind} store`, () => {
    async function setup() {
      const [store, other] = await stores(kind);
      const id = `ob${n++}`;
      await store.createBoard({ id, createdAt: 1, ownerKeyHash: 'h' });
      const queue = fakeQueue();
      const sent: ServerMessage[] = [];
      const service = createBoardService({
        store,
        queue,
        rules,
        log,
        broadcast: (_b, m) => void sent.push(m),
        outboxSweepMs: 0,
        outboxAgeMs: 0,
      });
      cleanups.push(() => service.close());
      const commit = (sid: string, x: number) =>
        service.run(id, (tx, ctx) => commitStroke(tx, ann, line(sid, x), ctx));
      return { store, other, id, queue, sent, service, commit };
    }

    it('queues a job and clears it from the outbox', async () => {
      const { store, id, queue, commit } = await setup();
      const out = await commit('s1', 0);
      await tick();
      expect(queue.jobs.map((j) => [j.regionId, j.version])).toEqual([[out.jobs[0]!.regionId, 1]]);
      expect((await store.pendingJobs(0)).filter((j) => j.boardId === id)).toEqual([]);
    });

    it('a commit whose enqueue failed is queued by the sweep', async () => {
      const { store, id, queue, commit, service } = await setup();
      queue.down = true;
      const out = await commit('s1', 0);
      await tick();
      expect(queue.jobs).toEqual([]);
      await service.sweep(); // still down: stays in the outbox
      expect((await store.pendingJobs(0)).filter((j) => j.boardId === id)).toHaveLength(1);
      queue.down = false;
      expect(await service.sweep()).toBeGreaterThanOrEqual(1);
      const job = queue.jobs.find((j) => j.boardId === id);
      expect(job).toMatchObject({ regionId: out.jobs[0]!.regionId, version: 1, strokes: [{ id: 's1' }] });
      expect(job?.strokes[0]?.points).toEqual(line('s1', 0).points);
      expect((await store.pendingJobs(0)).filter((j) => j.boardId === id)).toEqual([]);
    });

    it("a commit whose server died before queuing is queued by another server's sweep", async () => {
      const { other, id, queue } = await setup();
      // The commit without the service: nothing was queued (as if the server died right after it).
      const out = await other.update(id, (tx) =>
        commitStroke(tx, ann, line('d1', 0), { now: Date.now(), rules }),
      );
      const second = fakeQueue();
      const service = createBoardService({
        store: other,
        queue: second,
        rules,
        log,
        broadcast: () => {},
        outboxSweepMs: 20,
        outboxAgeMs: 100,
      });
      cleanups.push(() => service.close());
      for (let i = 0; i < 100 && !second.jobs.some((j) => j.boardId === id); i++) await tick();
      expect(second.jobs.filter((j) => j.boardId === id).map((j) => [j.regionId, j.version])).toEqual([
        [out.jobs[0]!.regionId, 1],
      ]);
      expect(queue.jobs).toEqual([]);
    });

    it('a re-sent commit is answered duplicate and relayed to the room again', async () => {
      const { commit, sent } = await setup();
      await commit('s1', 0);
      const again = await commit('s1', 0);
      expect(again.duplicate).toBe(true);
      const added = sent.filter((m) => m.type === 'strokes.added');
      expect(added).toHaveLength(2);
      expect(added.map((m) => (m.type === 'strokes.added' ? m.strokes.map((s) => s.id) : []))).toEqual([
        ['s1'],
        ['s1'],
      ]);
      expect(again.jobs).toEqual([]);
    });
  });
}

describe('memory store restart', () => {
  it('regions without a label of their current version are pending again after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-outbox-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = createMemoryStore({ dataDir: dir, fsync: false });
    await first.createBoard({ id: 'rb', createdAt: 1, ownerKeyHash: 'h' });
    const now = Date.now();
    const a = await first.update('rb', (tx) => commitStroke(tx, ann, line('a', 0), { now, rules }));
    const b = await first.update('rb', (tx) => commitStroke(tx, ann, line('b', 3000), { now, rules }));
    const [labelled, unlabelled] = [a.jobs[0]!, b.jobs[0]!];
    expect(
      await first.setLabel('rb', {
        regionId: labelled.regionId,
        version: labelled.version,
        strokeIds: ['a'],
        text: '1',
        digits: [],
        bbox: [0, 0, 1, 1],
        penUpAt: 0,
        recognizedAt: 0,
      }),
    ).toBe(true);
    await first.close();

    const second = createMemoryStore({ dataDir: dir, fsync: false });
    cleanups.push(() => second.close());
    expect(await second.pendingJobs(0)).toEqual([]); // boards load on first use
    await second.getMeta('rb');
    const pending = await second.pendingJobs(0);
    expect(pending.map((j) => [j.regionId, j.version, j.strokes.map((s) => s.id)])).toEqual([
      [unlabelled.regionId, 1, ['b']],
    ]);
  });
});
