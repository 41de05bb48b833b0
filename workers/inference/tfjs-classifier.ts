/** Batched digit classification with a tfjs Layers model (the wasm and cpu backends). */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../../models/lib/backend.ts';
import { modelInputShape } from '../../models/lib/predict.ts';
import {
  checkImages,
  inputSize,
  packImages,
  type ClassifierOptions,
  type ClassifyImages,
} from './classify.ts';

/**
 * Wraps `model` as a {@link ClassifyImages}: one forward pass per `maxBatch` images inside tf.tidy, so
 * no tensor outlives the call. Images of the wrong length are rejected.
 */
export function createClassifier(
  model: tfTypes.LayersModel,
  options: ClassifierOptions = {},
): ClassifyImages {
  const maxBatch = options.maxBatch ?? 512;
  const classes = (model.outputs[0]?.shape[1] as number | undefined) ?? 10;
  const shape = modelInputShape(model);
  const size = inputSize(shape);
  return async (images) => {
    checkImages(images, size);
    const out: Float32Array[] = [];
    for (let s = 0; s < images.length; s += maxBatch) {
      const n = Math.min(images.length, s + maxBatch) - s;
      const flat = packImages(images, s, s + n, size);
      const probs = tf.tidy(() => model.predict(tf.tensor(flat, [n, ...shape])) as tfTypes.Tensor);
      try {
        const data = (await probs.data()) as Float32Array;
        for (let i = 0; i < n; i++) out.push(data.slice(i * classes, (i + 1) * classes));
      } finally {
        probs.dispose();
      }
    }
    return out;
  };
}
