/** kill -9 a worker in the middle of a job: the label still reaches every client within a few seconds. */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RECOGNITION_QUEUE, bullPrefix } from '../../shared/redis-names.ts';
import { createBoard } from '../helpers/process-server.ts';
import { Cluster } from './lib/cluster.ts';

const cluster = new Cluster();
beforeAll(() => cluster.start().then(() => undefined), 60_000);
afterAll(() => cluster.stop(), 30_000);

it('a killed worker’s job is retried by another worker and its label reaches every client', async () => {
  // Both workers hold a job's first run 60 s before recognising it, so whichever takes it is killed mid-job;
  // the other one runs it again (without the delay) once the job's lock expires.
  const t0 = Date.now();
  const [s1, s2, wa, wb] = await Promise.all([
    cluster.server(),
    cluster.server(),
    cluster.worker({ WORKER_TEST_DELAY_MS: '60000' }, 'worker-a'),
    cluster.worker({ WORKER_TEST_DELAY_MS: '60000' }, 'worker-b'),
  ]);
  console.log(`started 2 servers + 2 workers in ${Date.now() - t0} ms`);
  const { boardId } = await createBoard(s1.url);
  const alice = await cluster.client([s1.url, s2.url], boardId, 'alice', 0);
  const bob = await cluster.client([s1.url, s2.url], boardId, 'bob', 1);

  // A one-stroke digit: one region version, one job.
  const ids = await alice.drawDigit(cluster.singleStrokeDigit(0).strokes);
  const started = /job started \(test delay\)/;
  const holder = await Promise.race([
    wa.waitForLog(started, 30_000).then(() => wa),
    wb.waitForLog(started, 30_000).then(() => wb),
  ]);
  const other = holder === wa ? wb : wa;
  const conn = new Redis(cluster.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(RECOGNITION_QUEUE, {
    connection: conn,
    prefix: bullPrefix(cluster.prefix),
  });
  expect(await queue.getActiveCount()).toBe(1);
  expect(alice.labelOf(ids[0] as string)).toBeUndefined();

  const killedAt = Date.now();
  holder.kill('SIGKILL');
  const last = ids.at(-1) as string;
  await Promise.all([
    alice.waitFor(() => alice.labelOf(last) !== undefined, 30_000, 'label at alice'),
    bob.waitFor(() => bob.labelOf(last) !== undefined, 30_000, 'label at bob'),
  ]);
  const recoveryMs = Date.now() - killedAt;
  console.log(
    `worker kill -9 -> label on both clients (two servers): ${recoveryMs} ms (JOB_LOCK_MS=2000, STALLED_INTERVAL_MS=500)`,
  );
  expect(recoveryMs).toBeLessThan(6000);
  expect(other.logs()).toMatch(/stalled/i);
  expect(alice.labelOf(last)).toEqual(bob.labelOf(last));
  expect(alice.labelOf(last)?.strokeIds).toEqual(ids);
  await queue.close();
  conn.disconnect();
}, 120_000);
