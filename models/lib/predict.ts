/** Batched inference helpers shared by training (validation) and evaluation. */
import * as tf from '@tensorflow/tfjs';

/** Class probabilities for n images (n*784 floats in [0, 1]), computed `batch` at a time. */
export function predictProbs(model: tf.LayersModel, images: Float32Array, batch = 500): Float32Array {
  const n = images.length / 784;
  const out = new Float32Array(n * 10);
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const p = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(s * 784, e * 784), [e - s, 28, 28, 1]);
      return model.predict(x) as tf.Tensor;
    });
    out.set(p.dataSync(), s * 10);
    p.dispose();
  }
  return out;
}

/** Arg-max label per row of a [n, 10] probability array. */
export function argmax10(probs: Float32Array): number[] {
  const labels: number[] = [];
  for (let r = 0; r < probs.length; r += 10) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs[r + c]! > probs[r + best]!) best = c;
    labels.push(best);
  }
  return labels;
}

/** Predicted labels for n images. */
export function predictLabels(model: tf.LayersModel, images: Float32Array, batch = 500): number[] {
  return argmax10(predictProbs(model, images, batch));
}
