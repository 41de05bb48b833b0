/** Batched digit classification with a tfjs Layers model: 28x28 images in, 10 probabilities each out. */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../../models/lib/backend.ts';

/** Options of {@link createClassifier}. */
export interface ClassifierOptions {
  /** Largest batch handed to one forward pass; bigger inputs are split. Default `512`. */
  maxBatch?: number;
}

/** Classifies images (784 floats in [0, 1], row-major 28x28) into class probabilities. */
export type ClassifyImages = (images: Float32Array[]) => Promise<Float32Array[]>;

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
  return async (images) => {
    images.forEach((img, i) => {
      if (img.length !== 784) throw new Error(`classify: image ${i} has ${img.length} values, expected 784`);
    });
    const out: Float32Array[] = [];
    for (let s = 0; s < images.length; s += maxBatch) {
      const chunk = images.slice(s, s + maxBatch);
      const flat = new Float32Array(chunk.length * 784);
      chunk.forEach((img, i) => flat.set(img, i * 784));
      const probs = tf.tidy(
        () => model.predict(tf.tensor4d(flat, [chunk.length, 28, 28, 1])) as tfTypes.Tensor,
      );
      try {
        const data = (await probs.data()) as Float32Array;
        for (let i = 0; i < chunk.length; i++) out.push(data.slice(i * classes, (i + 1) * classes));
      } finally {
        probs.dispose();
      }
    }
    return out;
  };
}
