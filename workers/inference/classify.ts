/** The classifier contract every backend implements: 28x28 images in, class probabilities out. */

/** Values in one image: 28x28, row-major, floats in [0, 1] (MNIST-style, ink bright). */
export const IMAGE_VALUES = 784;

/**
 * Classifies images into class probabilities, one Float32Array per image, in order. The class count is
 * the model's (10 digits, or more, e.g. an extra "not a digit" class).
 */
export type ClassifyImages = (images: Float32Array[]) => Promise<Float32Array[]>;

/** Options every classifier takes. */
export interface ClassifierOptions {
  /** Largest batch handed to one forward pass; bigger inputs are split. Default `512`. */
  maxBatch?: number;
}

/** Throws, naming the image, unless every image holds {@link IMAGE_VALUES} values. */
export function checkImages(images: Float32Array[]): void {
  images.forEach((img, i) => {
    if (img.length !== IMAGE_VALUES) {
      throw new Error(`classify: image ${i} has ${img.length} values, expected ${IMAGE_VALUES}`);
    }
  });
}

/** The images of `images[start, end)` packed into one array of (end - start) * 784 values. */
export function packImages(images: Float32Array[], start: number, end: number): Float32Array {
  const flat = new Float32Array((end - start) * IMAGE_VALUES);
  for (let i = start; i < end; i++) flat.set(images[i] as Float32Array, (i - start) * IMAGE_VALUES);
  return flat;
}
