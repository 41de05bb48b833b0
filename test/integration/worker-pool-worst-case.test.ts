import { afterEach, describe, expect, it } from 'vitest';
import { readPenDigits } from '../../models/lib/pen-data.ts';
import type { Point } from '../../shared/ink/types.ts';
import { createInferencePool, type InferencePool } from '../../workers/pool.ts';
import { resolveModelDir } from '../../models/lib/model-dir.ts';
import { pointCount, worstCases } from '../bench/lib/worst-case.ts';

// The default model (best-reject with the lattice): the one the product runs. A missing model fails, not skips.
const modelDir = resolveModelDir();

let pool: InferencePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('inference pool with the real engine: worst-case regions (embedded mode)', () => {
  it('a 100,000-point region does not stall the regions queued behind it', async () => {
    pool = createInferencePool({ threads: 1, modelDir: modelDir, backend: 'onnx' });
    await pool.ready();
    const digits = readPenDigits()
      .filter((d) => d.writer > 20)
      .slice(0, 8);
    await pool.recognize([digits[0]!.strokes as Point[][]]); // warm-up
    const worst = worstCases().filter((c) => pointCount(c.strokes) >= 100_000);
    expect(worst.length).toBeGreaterThanOrEqual(2);
    const started = performance.now();
    // The worst regions go first, each in its own request, then small ones, all on the single thread.
    const big = worst.map((c) => pool!.recognize([c.strokes as Point[][]]));
    const small = digits.map(async (d) => {
      const [r] = await pool!.recognize([d.strokes as Point[][]]);
      return { text: r?.text, ms: performance.now() - started };
    });
    const bigResults = await Promise.all(big);
    const smallResults = await Promise.all(small);
    for (const [r] of bigResults) expect(r?.digits.length).toBeGreaterThan(0);
    // Before bounded cost, one such region kept the thread busy for about 30 s; now all of it is done
    // in well under a second of CPU (3 s allows for a loaded test machine).
    const slowest = Math.max(...smallResults.map((s) => s.ms));
    console.log(
      `two 100,000-point regions then 8 digits: the last digit answered after ${slowest.toFixed(0)} ms`,
    );
    expect(slowest).toBeLessThan(3000);
    const right = smallResults.filter((s, i) => s.text === String(digits[i]!.label)).length;
    expect(right).toBeGreaterThanOrEqual(7);
  });
});
