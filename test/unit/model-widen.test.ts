import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildBest, buildSeed } from '../../models/lib/architectures.ts';
import { widenInto } from '../../models/lib/widen.ts';

/** Random weights everywhere, batch-norm statistics included, as a trained model would have. */
function randomise(m: tf.LayersModel, seed: number): void {
  let k = 0;
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    const bn = layer.getClassName() === 'BatchNormalization';
    layer.setWeights(
      ws.map((w, j) =>
        // gamma and moving variance stay positive
        bn && (j === 0 || j === 3)
          ? tf.randomUniform(w.shape, 0.5, 1.5, 'float32', seed + k++)
          : tf.randomNormal(w.shape, 0, 0.3, 'float32', seed + k++),
      ),
    );
  }
}

describe('widenInto', () => {
  it('makes a wider model that computes exactly what the narrow one did', async () => {
    await tf.setBackend('cpu');
    const narrow = buildBest(3, 11, 1);
    randomise(narrow, 100);
    const wide = buildBest(4, 11, 2);
    widenInto(narrow, wide);
    expect(wide.countParams()).toBeGreaterThan(3 * narrow.countParams());
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 7);
    const a = (narrow.predict(x) as tf.Tensor).dataSync();
    const b = (wide.predict(x) as tf.Tensor).dataSync();
    expect(b.length).toBe(a.length);
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
    // The new units are there (random, not zero) and only their outgoing weights start at zero.
    const firstConv = wide.layers.find((l) => l.getClassName() === 'Conv2D')!.getWeights()[0]!;
    const newFilters = firstConv.slice([0, 0, 0, 16], [5, 5, 1, 16]);
    expect(tf.abs(newFilters).sum().dataSync()[0]).toBeGreaterThan(0);
  }, 60_000);

  it('refuses models whose layers do not line up', async () => {
    await tf.setBackend('cpu');
    expect(() => widenInto(buildSeed(1), buildBest(1, 10, 2))).toThrow(/widen/);
  });
});
