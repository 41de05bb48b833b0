/** SIGTERM to a worker mid-job: the job finishes and the process exits 0. SIGTERM to a server: exits 0, its clients move on. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBoard } from '../helpers/process-server.ts';
import { Cluster } from './lib/cluster.ts';

const cluster = new Cluster();
beforeAll(() => cluster.start().then(() => undefined), 60_000);
afterAll(() => cluster.stop(), 30_000);

it('SIGTERM: a worker finishes its active job; a server closes cleanly and its clients fail over', async () => {
  const [s1, s2, worker] = await Promise.all([
    cluster.server(),
    cluster.server(),
    cluster.worker({ WORKER_TEST_DELAY_MS: '2000' }),
  ]);
  const { boardId } = await createBoard(s1.url);
  const alice = await cluster.client([s1.url, s2.url], boardId, 'alice', 0);
  const bob = await cluster.client([s1.url, s2.url], boardId, 'bob', 1);

  const ids = await alice.drawDigit(cluster.singleStrokeDigit(0).strokes);
  await worker.waitForLog(/job started \(test delay\)/, 20_000);
  worker.kill('SIGTERM');
  // The active job completes during shutdown: its label arrives, then the worker exits 0.
  await bob.waitFor(() => bob.labelOf(ids[0] as string) !== undefined, 30_000, 'label of the active job');
  expect(await worker.exited).toBe(0);
  expect(worker.logs()).toMatch(
    /shutting down: finishing active jobs[^\n]*"activeJobs":1|"activeJobs":1[^\n]*shutting down/,
  );

  s1.kill('SIGTERM');
  expect(await s1.exited).toBe(0);
  await alice.waitFor(
    () => alice.connected && alice.current % 2 === 1 && alice.snapshots > 1,
    30_000,
    'failover',
  );
  expect(alice.lastSnapshotIds).toEqual(expect.arrayContaining(ids));
  expect(alice.labelOf(ids[0] as string)).toBeDefined();
}, 180_000);
