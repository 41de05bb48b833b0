/**
 * The recognition queues and the result sink, with the real recognizer: a newer version supersedes a
 * waiting one; only the current version's label is stored and broadcast.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RECOGNITION_QUEUE, bullPrefix, jobIdOf } from '../../shared/redis-names.ts';
import { createBullmqQueue } from '../../server/queue/bullmq-queue.ts';
import { createEmbeddedQueue } from '../../server/queue/embedded-queue.ts';
import type { RecognitionJob, RegionRecognizer } from '../../shared/recognition-contract.ts';
import { createResultSink } from '../../shared/result-sink.ts';
import type { RegionLabel, ServerMessage } from '../../shared/protocol.ts';
import type { InferencePool } from '../../workers/pool.ts';
import { penDigit } from '../helpers/server-harness.ts';
import { startPool } from '../helpers/server-recognition.ts';

let pool: InferencePool;
beforeAll(async () => {
  pool = await startPool();
}, 60_000);
afterAll(() => pool?.close());

const job = (version: number, region = 'r1', digit = 6): RecognitionJob => ({
  boardId: 'b1',
  regionId: region,
  version,
  strokes: penDigit(digit).strokes.map((points, k) => ({ id: `s${k}`, points })),
  penUpAt: Date.now(),
});

/** A store that knows one current version per region. */
function versionStore(current: Record<string, number>) {
  const stored: RegionLabel[] = [];
  return {
    stored,
    setLabel: async (_b: string, l: RegionLabel) => {
      if (current[l.regionId] !== l.version) return false;
      stored.push(l);
      return true;
    },
  };
}

describe('embedded queue + result sink', () => {
  it('runs the newest waiting version only, stores and broadcasts its label', async () => {
    const batches: number[] = [];
    const counting: RegionRecognizer = {
      backend: pool.backend,
      close: async () => {},
      recognize: (regions) => (batches.push(regions.length), pool.recognize(regions)),
    };
    const store = versionStore({ r1: 3, r2: 1 });
    const sent: [string, ServerMessage][] = [];
    const observed: number[] = [];
    const sink = createResultSink({
      store,
      broadcast: (b, m) => sent.push([b, m]),
      metrics: { penUpToLabelSeconds: { observe: (s) => observed.push(s) } },
    });
    const queue = createEmbeddedQueue({ recognizer: counting, sink, concurrency: 1 });
    // Within one tick: they form one batch, in which only r1's newest version is left.
    for (const v of [1, 2, 3]) void queue.enqueue(job(v));
    void queue.enqueue(job(2)); // older than the waiting one: ignored
    void queue.enqueue(job(1, 'r2', 1));
    expect(await queue.depth()).toBe(2);
    for (let i = 0; i < 200 && sent.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(batches).toEqual([2]);
    const labels = sent.map(([, m]) => (m.type === 'label' ? m.label : undefined));
    expect(labels.map((l) => [l?.regionId, l?.version, l?.text])).toEqual([
      ['r1', 3, '4'],
      ['r2', 1, '2'],
    ]);
    expect(labels[0]?.digits[0]?.strokeIds).toEqual(['s0', 's1']);
    expect(observed).toHaveLength(2);
    expect(await queue.depth()).toBe(0);
    await queue.close();
  });

  it('drops a stale result', async () => {
    const store = versionStore({ r1: 5 });
    const sent: unknown[] = [];
    const sink = createResultSink({ store, broadcast: (_b, m) => sent.push(m) });
    const [res] = await pool.recognize([job(4).strokes.map((s) => s.points)]);
    await sink(job(4), res!);
    expect(sent).toEqual([]);
    await sink(job(5), res!);
    await sink(job(5), res!); // a duplicate delivery is harmless
    expect(sent).toHaveLength(2);
    expect(store.stored.every((l) => l.version === 5)).toBe(true);
  });
});

describe('BullMQ producer', () => {
  const prefix = `q${Date.now().toString(36)}`;
  const url = inject('redisUrl');
  it('queues one job per region version and removes the superseded waiting one', async () => {
    const producer = createBullmqQueue({ url, prefix });
    const inspect = new Queue<RecognitionJob>(RECOGNITION_QUEUE, {
      connection: new Redis(url, { maxRetriesPerRequest: null }),
      prefix: bullPrefix(prefix),
    });
    try {
      await producer.enqueue(job(1));
      await producer.enqueue(job(1)); // same version again: one job
      expect(await producer.depth()).toBe(1);
      await producer.enqueue(job(2));
      // Jobs carry a fairness priority (boards that queued less go first), so they wait as `prioritized`.
      const waiting = await inspect.getJobs(['waiting', 'prioritized']);
      expect(waiting.map((j) => j.id)).toEqual([jobIdOf(job(2))]);
      expect(waiting[0]?.data).toMatchObject({ boardId: 'b1', regionId: 'r1', version: 2 });
      expect(jobIdOf(job(2))).toBe('b1.r1.2');
    } finally {
      await producer.close();
      await inspect.obliterate({ force: true });
      await inspect.close();
    }
  });

  it('fails fast while Redis is unreachable', async () => {
    const producer = createBullmqQueue({ url: 'redis://127.0.0.1:1', prefix });
    const t0 = Date.now();
    await expect(producer.enqueue(job(1))).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(2000);
    await producer.close();
  });
});
