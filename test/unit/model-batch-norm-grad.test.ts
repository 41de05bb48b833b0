import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../../models/lib/batch-norm-grad.ts';

/** Batch norm written with plain broadcasting ops, so its gradient does not use FusedBatchNorm's. */
function manual(x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor, eps: number) {
  return tf.add(tf.mul(tf.mul(tf.sub(x, m), tf.rsqrt(tf.add(v, eps))), s), o);
}

describe('FusedBatchNorm gradient', () => {
  it('equals the gradient of the same maths in plain ops, in training mode (mean/var from x)', async () => {
    await tf.setBackend('cpu');
    const eps = 1e-3;
    const x = tf.randomNormal([4, 5, 5, 3], 0, 2, 'float32', 1);
    const scale = tf.tensor1d([0.5, 1.5, -2]);
    const offset = tf.tensor1d([0.1, 0, -0.3]);
    const w = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 2);
    const loss = (fused: boolean) => (xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      const y = fused
        ? tf.batchNorm(xx as tf.Tensor4D, mean, variance, o as tf.Tensor1D, s as tf.Tensor1D, eps)
        : manual(xx, mean, variance, s, o, eps);
      return tf.sum(tf.mul(tf.square(y), w));
    };
    const got = tf.grads(loss(true))([x, scale, offset]);
    const want = tf.grads(loss(false))([x, scale, offset]);
    for (let i = 0; i < 3; i++) {
      const g = got[i]!.dataSync();
      const e = want[i]!.dataSync();
      const scaleMax = Math.max(...Array.from(e, Math.abs));
      expect(scaleMax).toBeGreaterThan(0);
      for (let k = 0; k < e.length; k++) expect(Math.abs(g[k]! - e[k]!)).toBeLessThan(1e-3 * scaleMax);
    }
  });
});
