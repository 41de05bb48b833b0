/**
 * A cheaper gradient for FusedBatchNorm (registered globally on import; same maths as tfjs-core's).
 * The stock gradient tiles 1/sqrt(var) to the full activation shape and runs about ten
 * full-size element-wise ops; this one broadcasts per-channel factors and needs two full-size
 * products and two channel sums:
 *   dx = dy * scale * r,  dOffset = sum(dy),  dScale = r * sum(dy * (x - mean)),
 *   dMean = -scale * r * sum(dy),  dVariance = -0.5 * scale * r^3 * sum(dy * (x - mean)),
 * with r = 1/sqrt(variance + epsilon) and sums over every axis but the channel axis.
 */
import * as tf from '@tensorflow/tfjs';

function reductionAxes(x: tf.Tensor, param: tf.Tensor): number[] {
  return param.rank === 1 ? x.shape.slice(0, -1).map((_, i) => i) : [];
}

export const batchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const dyT = dy as tf.Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    if (mean.rank !== 1) {
      throw new Error('batch-norm-grad: only per-channel (rank-1) mean and variance are supported');
    }
    const axes = reductionAxes(x, mean);
    const s = scale ?? tf.scalar(1);
    const r = tf.rsqrt(tf.add(variance, varianceEpsilon));
    // Computed here, not lazily: tensors made inside one gradient closure do not outlive it.
    const sumDy = tf.sum(dyT, axes);
    const sumDyXc = tf.sum(tf.mul(dyT, tf.sub(x, mean)), axes);
    const getSumDy = () => sumDy;
    const getSumDyXc = () => sumDyXc;
    return {
      x: () => tf.mul(dyT, tf.mul(s, r)),
      mean: () => tf.reshape(tf.mul(tf.neg(tf.mul(s, r)), getSumDy()), mean.shape),
      variance: () => tf.reshape(tf.mul(tf.mul(tf.mul(s, tf.pow(r, 3)), -0.5), getSumDyXc()), mean.shape),
      scale: () => tf.reshape(tf.mul(r, getSumDyXc()), mean.shape),
      offset: () => tf.reshape(getSumDy(), mean.shape),
    };
  },
};

tf.registerGradient(batchNormGradConfig);
