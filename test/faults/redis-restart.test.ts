/**
 * Restart Redis (kill -9, AOF with appendfsync always): boards and labels are intact, and recognition that
 * was queued while no worker ran resumes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RECOGNITION_QUEUE, bullPrefix } from '../../shared/redis-names.ts';
import { createBoard } from '../helpers/process-server.ts';
import { Cluster, DURABLE } from './lib/cluster.ts';

const cluster = new Cluster(DURABLE);
beforeAll(() => cluster.start().then(() => undefined), 60_000);
afterAll(() => cluster.stop(), 30_000);

it('boards, labels and queued jobs survive a Redis crash and restart', async () => {
  const [server, worker] = await Promise.all([cluster.server(), cluster.worker()]);
  const { boardId } = await createBoard(server.url);
  const alice = await cluster.client([server.url], boardId, 'alice');

  const first = await alice.drawDigit(cluster.singleStrokeDigit(0).strokes);
  const second = await alice.drawDigit(cluster.singleStrokeDigit(1).strokes, 300);
  await alice.waitFor(
    () => [first, second].every((ids) => alice.labelOf(ids[0] as string)),
    30_000,
    'two labels',
  );
  const labelsBefore = structuredClone([...alice.labels.values()]);

  // No worker: the next digit's job waits in the queue.
  worker.kill('SIGTERM');
  await worker.exited;
  const third = await alice.drawDigit(cluster.singleStrokeDigit(2).strokes, 600);
  // The server queues the job just after acknowledging the commit: wait until it is in Redis.
  const probe = new Redis(cluster.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(RECOGNITION_QUEUE, { connection: probe, prefix: bullPrefix(cluster.prefix) });
  const t0 = Date.now();
  // Jobs carry a fairness priority, so they wait as `prioritized`.
  while ((await queue.getJobCountByTypes('waiting', 'prioritized')) === 0) {
    if (Date.now() - t0 > 5000) throw new Error('the third digit was not queued');
    await new Promise((r) => setTimeout(r, 20));
  }
  await queue.close();
  probe.disconnect();

  await cluster.stopRedis('SIGKILL');
  await alice.waitFor(() => alice.statuses.some((s) => s.degraded), 30_000, 'degraded status');
  await cluster.restartRedis();
  await alice.waitFor(() => alice.statuses.at(-1)?.degraded === false, 30_000, 'recovered status');

  // A new client after the restart: the strokes and labels from before are there.
  const bob = await cluster.client([server.url], boardId, 'bob');
  for (const id of [...first, ...second, ...third]) expect(bob.strokes.has(id)).toBe(true);
  for (const l of labelsBefore) expect(bob.labels.get(l.regionId)).toEqual(l);
  expect(bob.labelOf(third[0] as string)).toBeUndefined();

  // A worker comes back: the job queued before the crash runs and its label reaches both clients.
  const w2 = await cluster.worker({}, 'worker-2');
  for (const c of [alice, bob]) {
    await c
      .waitFor(() => c.labelOf(third[0] as string) !== undefined, 30_000, `${c.name}: queued label`)
      .catch((err: Error) => {
        throw new Error(
          `${err.message}\nworker-2:\n${w2.logs().slice(-2000)}\nserver:\n${server.logs().slice(-3000)}`,
        );
      });
  }
}, 180_000);
