/** One optimiser step on the first `n` images and one-hot labels of reusable batch buffers. */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from './backend.ts';

const PX = 28 * 28;

/** Trains `model` on `xs` (n x 784) and `ys` (n x classes); returns the batch's loss and accuracy. */
export async function trainBatch(
  model: tfTypes.LayersModel,
  xs: Float32Array,
  ys: Float32Array,
  n: number,
  classes: number,
): Promise<{ loss: number; acc: number }> {
  const x = tf.tensor4d(xs.subarray(0, n * PX), [n, 28, 28, 1]);
  const y = tf.tensor2d(ys.subarray(0, n * classes), [n, classes]);
  try {
    const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
    return { loss: loss!, acc: acc! };
  } finally {
    x.dispose();
    y.dispose();
  }
}
