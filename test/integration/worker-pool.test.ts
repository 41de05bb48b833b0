import { afterEach, describe, expect, it } from 'vitest';
import {
  PoolBusyError,
  createInferencePool,
  type InferencePool,
  type InferencePoolOptions,
} from '../../workers/pool.ts';
import type { Point } from '../../shared/ink/types.ts';
import { readPenDigits } from '../../models/lib/pen-data.ts';

const fake = new URL('../../workers/testing/fake-engine.ts', import.meta.url);
/** A region of `n` one-point strokes: the fake engine reads it as digit n % 10. */
const region = (n: number): Point[][] => Array.from({ length: n }, (_, i) => [[i, i] as Point]);
const crasher: Point[][] = [[[-666, -666]]];

let pool: InferencePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});
const start = (o: InferencePoolOptions = {}) => (pool = createInferencePool({ engineModule: fake, ...o }));

describe('inference pool (worker threads)', () => {
  it('recognises regions in a thread and reports the backend', async () => {
    const p = start();
    await p.ready();
    expect(p.backend).toBe('fake');
    const out = await p.recognize([region(3), region(7)]);
    expect(out.map((r) => r.text)).toEqual(['3', '7']);
  });

  it('batches digits of concurrent calls into shared forward passes, within the size cap', async () => {
    const p = start({ batchMax: 8, batchWaitMs: 5, engineOptions: { forwardMs: 20 } });
    await p.ready();
    const calls = Array.from({ length: 20 }, (_, i) => p.recognize([region(i % 10)]));
    const out = await Promise.all(calls);
    expect(out.map((r) => r[0]?.text)).toEqual(Array.from({ length: 20 }, (_, i) => String(i % 10)));
    const sizes = p.batchSizes();
    const batches = [...sizes.values()].reduce((a, b) => a + b, 0);
    expect(Math.max(...sizes.keys())).toBeLessThanOrEqual(8);
    expect(batches).toBeLessThanOrEqual(5); // 20 digits, at most 8 per pass: 3 passes if perfectly packed
  });

  it('keeps the caller event loop free while a thread computes', async () => {
    const p = start({ engineOptions: { forwardMs: 300 } });
    await p.ready();
    let ticks = 0;
    const iv = setInterval(() => ticks++, 10);
    await p.recognize([region(1)]);
    clearInterval(iv);
    expect(ticks).toBeGreaterThan(15);
  });

  it('spreads concurrent requests over several threads', async () => {
    const p = start({ threads: 2, batchMax: 1, engineOptions: { forwardMs: 100 } });
    await p.ready();
    const out = await Promise.all([p.recognize([region(1)]), p.recognize([region(2)])]);
    const threads = new Set(out.map((r) => r[0]?.digits[0]?.bbox[0]));
    expect(threads.size).toBe(2);
  });

  it('replaces a crashed thread: its requests fail clearly, the others are retried, later ones succeed', async () => {
    const p = start({ threads: 1, batchWaitMs: 20, retries: 1 });
    await p.ready();
    const innocent = p.recognize([region(4)]);
    const bad = p.recognize([crasher]);
    // The crasher kills the thread on each attempt; the innocent request is retried on the new thread.
    await expect(bad).rejects.toThrow(/inference thread died \(exit code 13\) after 2 attempt/);
    await expect(innocent).resolves.toMatchObject([{ text: '4' }]);
    await expect(p.recognize([region(5)])).resolves.toMatchObject([{ text: '5' }]);
    expect(p.restarts).toBe(2);
  });

  it('fails fast with the start-up error when the engine cannot load', async () => {
    const p = start({ engineOptions: { failInit: 'no model in models/none' } });
    await expect(p.ready()).rejects.toThrow(/could not start: fake engine: no model in models\/none/);
    await expect(p.recognize([region(1)])).rejects.toThrow(/could not start/);
  });

  it('times out a stuck thread instead of hanging', async () => {
    const p = start({ requestTimeoutMs: 300, engineOptions: { forwardMs: 2000 } });
    await p.ready();
    await expect(p.recognize([region(1)])).rejects.toThrow(/timed out after 300 ms/);
  });

  it('close() lets accepted requests finish, then refuses new ones', async () => {
    const p = start({ engineOptions: { forwardMs: 50 } });
    await p.ready();
    const inflight = p.recognize([region(2)]);
    await p.close();
    await expect(inflight).resolves.toMatchObject([{ text: '2' }]);
    await expect(p.recognize([region(1)])).rejects.toThrow(/closed/);
  });

  it('counts a deadline from when a thread takes the request, not while it waits in the pool', async () => {
    const p = start({ perThread: 1, requestTimeoutMs: 700, engineOptions: { forwardMs: 250 } });
    await p.ready();
    // Four requests one after the other take ~1 s in all, each well under its 700 ms.
    const out = await Promise.all([1, 2, 3, 4].map((n) => p.recognize([region(n)])));
    expect(out.map((r) => r[0]?.text)).toEqual(['1', '2', '3', '4']);
    expect(p.restarts).toBe(0);
  });

  it('leaves a slow but healthy thread alone after a deadline', async () => {
    const p = start({ requestTimeoutMs: 150, stuckMs: 3000, engineOptions: { forwardMs: 500 } });
    await p.ready();
    await expect(p.recognize([region(1)])).rejects.toThrow(/timed out after 150 ms/);
    // The thread answers the ping once its pass is over: not replaced, and it serves the next request.
    await new Promise((r) => setTimeout(r, 800));
    expect(p.restarts).toBe(0);
    await expect(p.recognize([region(2)])).rejects.toThrow(/timed out/); // still 500 ms a pass
    expect(p.restarts).toBe(0);
  });

  it('answers busy once more than maxQueued requests wait', async () => {
    const p = start({ perThread: 1, maxQueued: 2, engineOptions: { forwardMs: 200 } });
    await p.ready();
    const calls = [1, 2, 3, 4, 5].map((n) =>
      p.recognize([region(n)]).then(
        (r) => r[0]?.text,
        (e: Error) => e,
      ),
    );
    const out = await Promise.all(calls);
    expect(out.slice(0, 3)).toEqual(['1', '2', '3']);
    expect(out[3]).toBeInstanceOf(PoolBusyError);
    expect(out[4]).toBeInstanceOf(PoolBusyError);
  });

  it('runs background work on its own thread: board work is not delayed by it', async () => {
    const p = start({ threads: 1, backgroundThreads: 1, engineOptions: { perItemMs: 25 } });
    await p.ready();
    const heavy = Array.from({ length: 3 }, () =>
      p.recognize(
        Array.from({ length: 40 }, (_, i) => region(i + 1)),
        { lane: 'http:x', background: true },
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    const [board] = await p.recognize([region(7)], { lane: 'board:b' });
    const ms = performance.now() - t0;
    expect(board?.text).toBe('7');
    expect(ms).toBeLessThan(500); // the background requests take ~3 s together
    const threads = new Set((await Promise.all(heavy)).flat().map((r) => r.digits[0]?.bbox[0]));
    expect(threads.has(board?.digits[0]?.bbox[0])).toBe(false);
  });

  it('lets lanes take turns', async () => {
    const p = start({ perThread: 1, engineOptions: { forwardMs: 60 } });
    await p.ready();
    const done: string[] = [];
    const a = [1, 2, 3, 4, 5].map((n) =>
      p.recognize([region(n)], { lane: 'a' }).then(() => done.push(`a${n}`)),
    );
    const b = p.recognize([region(9)], { lane: 'b' }).then(() => done.push('b'));
    await Promise.all([...a, b]);
    // a1 was running; b goes next, not after all of a.
    expect(done.indexOf('b')).toBeLessThanOrEqual(2);
  });
});

describe('inference pool with the real engine', () => {
  it('runs onnxruntime-node in two worker threads and reads held-out pen digits', async () => {
    const p = (pool = createInferencePool({ threads: 2, modelDir: 'seed', batchMax: 64 }));
    await p.ready();
    expect(p.backend).toMatch(/^onnx/);
    // Every thread reads the online model's second opinion too (models/trajectory is installed).
    expect(p.secondOpinion).toBe('trajectory');
    const digits = readPenDigits()
      .filter((d) => d.writer > 20)
      .slice(0, 60);
    // Concurrent requests land on both threads; every session answers.
    const out = await Promise.all(digits.map((d) => p.recognize([d.strokes])));
    const ok = out.filter(([r], i) => r?.text === String(digits[i]!.label)).length;
    expect(ok).toBeGreaterThanOrEqual(50);
  }, 60_000);
});

describe('inference pool backend fallback', () => {
  it('reports why onnx-cuda was passed over (or runs on it where CUDA works)', async () => {
    const p = (pool = createInferencePool({ modelDir: 'seed', backend: 'onnx-cuda' }));
    await p.ready();
    if (p.backend === 'onnx-cuda') expect(p.backendFallback).toBeUndefined();
    else {
      expect(p.backend).toBe('onnx');
      expect(p.backendFallback).toMatch(/^onnx-cuda: /);
    }
    const [r] = await p.recognize([readPenDigits()[0]!.strokes]);
    expect(r?.digits).toHaveLength(1);
  }, 60_000);
});
