/**
 * The embedded recognition queue with the real inference pool (fake engine): a batch that fails is not
 * dropped, its jobs run again alone and only the poison one is given up; too-large jobs are refused.
 */
import { afterEach, expect, it } from 'vitest';
import { createEmbeddedQueue } from '../../server/queue/embedded-queue.ts';
import type { RecognitionJob } from '../../shared/recognition-contract.ts';
import type { Point } from '../../shared/ink/types.ts';
import { LIMITS } from '../../shared/protocol.ts';
import { createInferencePool, type InferencePool } from '../../workers/pool.ts';

const fake = new URL('../../workers/testing/fake-engine.ts', import.meta.url);
let pool: InferencePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

const job = (regionId: string, strokes: Point[][], boardId = 'b1'): RecognitionJob => ({
  boardId,
  regionId,
  version: 1,
  strokes: strokes.map((points, i) => ({ id: `${regionId}s${i}`, points })),
  penUpAt: Date.now(),
  lane: 'addr:one',
});
const strokes = (n: number): Point[][] => Array.from({ length: n }, (_, i) => [[i, i] as Point]);

it('runs the jobs of a failed batch again one by one: only the poison job is lost', async () => {
  pool = createInferencePool({ engineModule: fake, retries: 0 });
  await pool.ready();
  const labelled: string[] = [];
  const givenUp: string[] = [];
  const q = createEmbeddedQueue({
    recognizer: pool,
    sink: async (j, r) => void labelled.push(`${j.regionId}=${r.text}`),
    onError: (jobs) => givenUp.push(...jobs.map((j) => j.regionId)),
    maxAttempts: 2,
  });
  // Queued in one tick: one batch; the crasher kills the thread that runs it.
  await Promise.all([
    q.enqueue(job('r1', strokes(1))),
    q.enqueue(job('poison', [[[-666, -666]]])),
    q.enqueue(job('r3', strokes(3))),
  ]);
  for (let i = 0; i < 200 && labelled.length + givenUp.length < 3; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(labelled.sort()).toEqual(['r1=1', 'r3=3']);
  expect(givenUp).toEqual(['poison']);
  await q.close();
});

it('refuses a job over the region limits without running it', async () => {
  let ran = 0;
  const refused: string[] = [];
  const q = createEmbeddedQueue({
    recognizer: {
      backend: 'x',
      close: async () => {},
      recognize: async (r) => (ran++, r.map(() => ({ text: '', digits: [] }))),
    },
    sink: async () => {},
    onError: (jobs) => refused.push(...jobs.map((j) => j.regionId)),
  });
  await q.enqueue(job('huge', strokes(LIMITS.maxStrokesPerRegion + 1)));
  await new Promise((r) => setTimeout(r, 20));
  expect(refused).toEqual(['huge']);
  expect(ran).toBe(0);
  await q.close();
});
