import { describe, expect, it } from 'vitest';
import { Batcher, BatcherClosedError } from '../../workers/batcher.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function doubling(delayMs = 0) {
  const calls: number[][] = [];
  const run = async (items: number[]) => {
    calls.push([...items]);
    if (delayMs) await sleep(delayMs);
    return items.map((x) => x * 2);
  };
  return { calls, run };
}

describe('Batcher', () => {
  it('batches items submitted together into one run and answers each caller in order', async () => {
    const { calls, run } = doubling();
    const b = new Batcher({ run, maxBatch: 64, maxWaitMs: 5 });
    const out = await Promise.all([b.submit(1), b.submitMany([2, 3]), b.submit(4)]);
    expect(out).toEqual([2, [4, 6], 8]);
    expect(calls).toEqual([[1, 2, 3, 4]]);
    expect([...b.sizes]).toEqual([[4, 1]]);
  });

  it('caps the batch size', async () => {
    const { calls, run } = doubling();
    const b = new Batcher({ run, maxBatch: 3, maxWaitMs: 50 });
    const t0 = Date.now();
    await b.submitMany([1, 2, 3, 4, 5, 6, 7]);
    expect(calls.map((c) => c.length)).toEqual([3, 3, 1]);
    // Full batches do not wait for the timer; only the last partial one would, and it runs after the previous one.
    expect(Date.now() - t0).toBeLessThan(45);
  });

  it('a lone item waits at most maxWaitMs', async () => {
    const { run } = doubling();
    const b = new Batcher({ run, maxBatch: 64, maxWaitMs: 20 });
    const t0 = performance.now();
    await b.submit(1);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(15);
    expect(ms).toBeLessThan(200);
  });

  it('with maxWaitMs 0 still batches items of the same tick', async () => {
    const { calls, run } = doubling();
    const b = new Batcher({ run, maxBatch: 64, maxWaitMs: 0 });
    await Promise.all([b.submit(1), b.submit(2)]);
    expect(calls).toEqual([[1, 2]]);
  });

  it('items arriving during a run form the next batch (one run at a time)', async () => {
    const { calls, run } = doubling(30);
    const b = new Batcher({ run, maxBatch: 64, maxWaitMs: 1 });
    const first = b.submit(1);
    await sleep(10); // the first batch is running now
    const rest = [b.submit(2), b.submit(3), b.submit(4)];
    await Promise.all([first, ...rest]);
    expect(calls).toEqual([[1], [2, 3, 4]]);
  });

  it('a failing run rejects exactly the items of that batch', async () => {
    let n = 0;
    const b = new Batcher<number, number>({
      run: (items) => {
        if (n++ === 0) throw new Error('boom');
        return items;
      },
      maxBatch: 2,
      maxWaitMs: 1,
    });
    const res = await Promise.allSettled([b.submit(1), b.submit(2), b.submit(3)]);
    expect(res.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('rejects a run that returns the wrong number of outputs', async () => {
    const b = new Batcher<number, number>({ run: () => [1], maxWaitMs: 0 });
    await expect(Promise.all([b.submit(1), b.submit(2)])).rejects.toThrow(/1 outputs for 2 inputs/);
  });

  it('close() drains what was submitted, then refuses new items', async () => {
    const { run } = doubling(5);
    const b = new Batcher({ run, maxBatch: 2, maxWaitMs: 1000 });
    const p = b.submitMany([1, 2, 3]);
    await b.close();
    await expect(p).resolves.toEqual([2, 4, 6]);
    await expect(b.submit(4)).rejects.toBeInstanceOf(BatcherClosedError);
  });

  it('reports each batch to onBatch', async () => {
    const seen: number[] = [];
    const b = new Batcher<number, number>({ run: (x) => x, maxWaitMs: 0, onBatch: (n) => seen.push(n) });
    await b.submitMany([1, 2, 3]);
    expect(seen).toEqual([3]);
  });
});
