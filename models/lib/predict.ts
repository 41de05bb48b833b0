/** Batched inference helpers shared by training (validation) and evaluation; any class count. */
import * as tf from '@tensorflow/tfjs';

/** Number of output classes of a model (10 digits, or 11 with "not one digit"). */
export function classCount(model: tf.LayersModel): number {
  return (model.outputs[0]?.shape[1] as number | undefined) ?? 10;
}

/**
 * Shape of one input without the batch axis, from `dims` (a model's input shape after the batch axis);
 * [28, 28, 1] (one digit image) unless every dimension is a fixed number.
 */
export function fixedInputShape(dims: readonly unknown[]): number[] {
  return dims.length > 0 && dims.every((d) => typeof d === 'number') ? (dims as number[]) : [28, 28, 1];
}

/** Shape of one input of `model` (digit models: [28, 28, 1]; the online model: [1, 64, 6]). */
export function modelInputShape(model: tf.LayersModel): number[] {
  return fixedInputShape((model.inputs[0]?.shape ?? []).slice(1));
}

/**
 * Class probabilities for n inputs (n x the model's input size, e.g. 784 floats of a digit image) as
 * [n, classes], computed `batch` at a time.
 */
export function predictProbs(model: tf.LayersModel, inputs: Float32Array, batch = 500): Float32Array {
  const shape = modelInputShape(model);
  const size = shape.reduce((a, b) => a * b, 1);
  const n = inputs.length / size;
  const classes = classCount(model);
  const out = new Float32Array(n * classes);
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const p = tf.tidy(() => {
      const x = tf.tensor(inputs.subarray(s * size, e * size), [e - s, ...shape]);
      return model.predict(x) as tf.Tensor;
    });
    out.set(p.dataSync(), s * classes);
    p.dispose();
  }
  return out;
}

/**
 * Arg-max per row of a [n, classes] probability array, over the first `over` columns (default: all).
 * With an 11-class model, `over = 10` reads the best digit (what the recognizer labels a digit with).
 */
export function argmaxRows(probs: Float32Array, classes = 10, over = classes): number[] {
  const labels: number[] = [];
  for (let r = 0; r < probs.length; r += classes) {
    let best = 0;
    for (let c = 1; c < over; c++) if (probs[r + c]! > probs[r + best]!) best = c;
    labels.push(best);
  }
  return labels;
}

/** Arg-max label per row of a [n, 10] probability array. */
export function argmax10(probs: Float32Array): number[] {
  return argmaxRows(probs, 10);
}

/**
 * Predicted labels for n images: arg-max over all classes (so "not one digit", class 10, counts as a
 * wrong answer on a digit), or over the ten digits only with `digitsOnly`.
 */
export function predictLabels(
  model: tf.LayersModel,
  images: Float32Array,
  batch = 500,
  digitsOnly = false,
): number[] {
  const classes = classCount(model);
  return argmaxRows(predictProbs(model, images, batch), classes, digitsOnly ? 10 : classes);
}
