/**
 * The classifier contract every backend implements: model inputs in (28x28 images for the digit
 * models, pen-path features for the online model), class probabilities out.
 */

/** Values in one image: 28x28, row-major, floats in [0, 1] (MNIST-style, ink bright). */
export const IMAGE_VALUES = 784;

/**
 * Classifies inputs into class probabilities, one Float32Array per input, in order. For the digit
 * models an input is one image ({@link IMAGE_VALUES} values); the class count is the model's (10
 * digits, or more, e.g. an extra "not a digit" class).
 */
export type ClassifyImages = (images: Float32Array[]) => Promise<Float32Array[]>;

/** Options every classifier takes. */
export interface ClassifierOptions {
  /** Largest batch handed to one forward pass; bigger inputs are split. Default `512`. */
  maxBatch?: number;
}

/** Values of one input of a model whose input (without the batch axis) has shape `shape`. */
export function inputSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Throws, naming the input, unless every input holds `size` values (default: one 28x28 image). */
export function checkImages(images: Float32Array[], size = IMAGE_VALUES): void {
  images.forEach((img, i) => {
    if (img.length !== size) {
      throw new Error(`classify: input ${i} has ${img.length} values, expected ${size}`);
    }
  });
}

/** The inputs `images[start, end)` packed into one array of (end - start) * `size` values. */
export function packImages(
  images: Float32Array[],
  start: number,
  end: number,
  size = IMAGE_VALUES,
): Float32Array {
  const flat = new Float32Array((end - start) * size);
  for (let i = start; i < end; i++) flat.set(images[i] as Float32Array, (i - start) * size);
  return flat;
}
