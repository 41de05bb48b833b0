/**
 * The ONNX exporter against TensorFlow.js: the committed model.onnx files, freshly built models of every
 * architecture and a zoo of the other supported layers must give the outputs tfjs (wasm) gives, to 1e-4,
 * on real digits (UCI pen digits rasterised through shared/ink, and MNIST test images).
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARCHITECTURES,
  TRAJECTORY_ARCHS,
  buildModel,
  buildTrajectory,
} from '../../models/lib/architectures.ts';
import { initBackend, tf } from '../../models/lib/backend.ts';
import { loadModel } from '../../models/lib/load-model.ts';
import { loadMnist } from '../../models/lib/mnist.ts';
import { MODELS_ROOT } from '../../models/lib/model-dir.ts';
import { exportOnnx } from '../../models/lib/onnx/export-model.ts';
import { onnxMetadata, readCurrentOnnx, writeOnnx } from '../../models/lib/onnx/model-file.ts';
import { readPenDigits } from '../../models/lib/pen-data.ts';
import { rasterise } from '../../shared/ink/rasterise.ts';
import { TRAJECTORY_FEATURES, TRAJECTORY_POINTS, trajectoryFeatures } from '../../shared/ink/trajectory.ts';

const PEN = 256;
const MNIST = 256;
const TOLERANCE = 1e-4;

/** 256 pen digits (every 29th, so all writers appear) and 256 MNIST test images, as one [n, 28, 28, 1] batch. */
function realDigits(): { images: Float32Array; n: number } {
  const pen = readPenDigits()
    .filter((_, i) => i % 29 === 0)
    .slice(0, PEN)
    .map((d) => rasterise(d.strokes));
  const mnist = loadMnist('t10k').images.subarray(0, MNIST * 784);
  const images = new Float32Array((pen.length + MNIST) * 784);
  pen.forEach((img, i) => images.set(img, i * 784));
  images.set(mnist, pen.length * 784);
  return { images, n: pen.length + MNIST };
}

async function onnxRun(bytes: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, dims) });
    return out.probs!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function tfjsRun(model: tf.LayersModel, input: Float32Array, dims: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(input, dims)) as tf.Tensor).dataSync() as Float32Array);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const argmax = (p: Float32Array, classes: number): number[] =>
  Array.from({ length: p.length / classes }, (_, r) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[r * classes + c]! > p[r * classes + best]!) best = c;
    return best;
  });

/** Non-trivial batch-norm statistics, so folding errors show. */
function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const n = (layer.getWeights()[0] as tf.Tensor).shape[0] as number;
    const r = (k: number, lo: number, hi: number) => tf.randomUniform([n], lo, hi, 'float32', seed + k);
    layer.setWeights([r(1, 0.5, 2), r(2, -1, 1), r(3, -0.5, 0.5), r(4, 0.2, 3)]);
  }
}

let digits: { images: Float32Array; n: number };
beforeAll(async () => {
  await initBackend('wasm');
  digits = realDigits();
});

describe.each([
  ['best', 10],
  ['seed', 10],
  ['best-reject', 11],
])('committed models/%s/model.onnx', (name, classes) => {
  it('is current (exported from the model.json and weights beside it)', async () => {
    const current = await readCurrentOnnx(path.join(MODELS_ROOT, name));
    expect(current.reason).toBeUndefined();
    expect(onnxMetadata(current.bytes!).classes).toBe(String(classes));
  });

  it(`agrees with tfjs (wasm) to ${TOLERANCE} on ${PEN} pen digits and ${MNIST} MNIST images`, async () => {
    const model = await loadModel(path.join(MODELS_ROOT, name));
    const dims = [digits.n, 28, 28, 1];
    const expected = tfjsRun(model, digits.images, dims);
    const { bytes } = await readCurrentOnnx(path.join(MODELS_ROOT, name));
    const actual = await onnxRun(bytes!, digits.images, dims);
    const diff = maxAbsDiff(expected, actual);
    console.log(`${name}: ONNX vs tfjs max abs diff ${diff.toExponential(2)} over ${digits.n} digits`);
    expect(diff).toBeLessThan(TOLERANCE);
    expect(argmax(actual, classes)).toEqual(argmax(expected, classes));
    model.dispose();
  });
});

describe('committed models/trajectory/model.onnx (the online model on the pen path)', () => {
  it('is current and agrees with tfjs (wasm) to 1e-4 on the pen paths of 256 pen digits', async () => {
    const dir = path.join(MODELS_ROOT, 'trajectory');
    const current = await readCurrentOnnx(dir);
    expect(current.reason).toBeUndefined();
    // 11 classes: the ten digits and "not one digit" (it votes on the lattice's cut).
    expect(onnxMetadata(current.bytes!).classes).toBe('11');
    const pen = readPenDigits().filter((_, i) => i % 29 === 0);
    const size = TRAJECTORY_POINTS * TRAJECTORY_FEATURES;
    const input = new Float32Array(pen.length * size);
    pen.forEach((d, i) => input.set(trajectoryFeatures(d.strokes), i * size));
    const dims = [pen.length, 1, TRAJECTORY_POINTS, TRAJECTORY_FEATURES];
    const model = await loadModel(dir);
    const expected = tfjsRun(model, input, dims);
    const actual = await onnxRun(current.bytes!, input, dims);
    expect(maxAbsDiff(expected, actual)).toBeLessThan(TOLERANCE);
    expect(argmax(actual, 11)).toEqual(argmax(expected, 11));
    // It reads pen digits (writers 1-20 trained it; this checks the export, not accuracy).
    const right = argmax(actual, 11).filter((l, i) => l === pen[i]!.label).length;
    expect(right / pen.length).toBeGreaterThan(0.9);
    model.dispose();
  });
});

describe('exporting freshly built models', () => {
  it.each(TRAJECTORY_ARCHS.flatMap((arch) => [10, 11].map((classes) => [arch, classes] as const)))(
    'the %s trajectory architecture with %i classes (1 x n kernels and pools on a [1, 64, 6] input) agrees to 1e-4',
    async (arch, classes) => {
      const model = buildTrajectory(3, arch, 64, 6, classes);
      const input = Float32Array.from({ length: 32 * 64 * 6 }, (_, i) => Math.sin(i * 0.37));
      const dims = [32, 1, 64, 6];
      const bytes = exportOnnx(model);
      expect(onnxMetadata(bytes).classes).toBe(String(classes));
      const diff = maxAbsDiff(tfjsRun(model, input, dims), await onnxRun(bytes, input, dims));
      expect(diff).toBeLessThan(TOLERANCE);
      model.dispose();
    },
  );

  it.each(ARCHITECTURES)('%s architecture (random batch-norm statistics) agrees to 1e-4', async (arch) => {
    const model = buildModel(arch, 7);
    randomiseBatchNorm(model, 11);
    const dims = [digits.n, 28, 28, 1];
    const diff = maxAbsDiff(
      tfjsRun(model, digits.images, dims),
      await onnxRun(exportOnnx(model), digits.images, dims),
    );
    expect(diff).toBeLessThan(TOLERANCE);
    model.dispose();
  });

  it('an 11-class output (digits + "not a digit") exports with its class count', async () => {
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const m = tf.sequential();
    m.add(tf.layers.inputLayer({ inputShape: [28, 28, 1] }));
    m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, useBias: false, kernelInitializer: init(1) }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.reLU());
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dropout({ rate: 0.3 }));
    m.add(tf.layers.dense({ units: 11, activation: 'softmax', kernelInitializer: init(2) }));
    randomiseBatchNorm(m, 5);
    const bytes = exportOnnx(m);
    expect(onnxMetadata(bytes).classes).toBe('11');
    const dims = [digits.n, 28, 28, 1];
    const actual = await onnxRun(bytes, digits.images, dims);
    expect(actual.length).toBe(digits.n * 11);
    expect(maxAbsDiff(tfjsRun(m, digits.images, dims), actual)).toBeLessThan(TOLERANCE);
  });

  it('a zoo of the other supported layers (same padding, strides, pooling, activations, 3 channels) agrees', async () => {
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const m = tf.sequential();
    m.add(tf.layers.inputLayer({ inputShape: [15, 13, 3] }));
    m.add(
      tf.layers.conv2d({
        filters: 6,
        kernelSize: [3, 2],
        strides: 2,
        padding: 'same',
        activation: 'elu',
        kernelInitializer: init(1),
        biasInitializer: 'ones',
      }),
    );
    m.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    m.add(tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }));
    m.add(tf.layers.conv2d({ filters: 5, kernelSize: 2, activation: 'tanh', kernelInitializer: init(2) }));
    m.add(tf.layers.maxPooling2d({ poolSize: [2, 1], strides: 1 }));
    m.add(tf.layers.batchNormalization()); // not after a conv: exported as scale and shift
    m.add(tf.layers.reLU({ maxValue: 0.8 }));
    m.add(tf.layers.flatten()); // followed by batch norm, not Dense: a transpose back to NHWC order
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.dense({ units: 9, activation: 'selu', kernelInitializer: init(3) }));
    m.add(tf.layers.activation({ activation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 4, useBias: false, kernelInitializer: init(4) }));
    m.add(tf.layers.softmax());
    randomiseBatchNorm(m, 9);
    const n = 16;
    const input = tf.tidy(
      () => tf.randomUniform([n, 15, 13, 3], 0, 1, 'float32', 3).dataSync() as Float32Array,
    );
    const dims = [n, 15, 13, 3];
    expect(maxAbsDiff(tfjsRun(m, input, dims), await onnxRun(exportOnnx(m), input, dims))).toBeLessThan(
      TOLERANCE,
    );
    // Global pooling, and a Dense right after Flatten of several channels (the kernel-row permutation).
    const g = tf.sequential();
    g.add(
      tf.layers.conv2d({ inputShape: [15, 13, 3], filters: 4, kernelSize: 3, kernelInitializer: init(5) }),
    );
    g.add(tf.layers.globalAveragePooling2d({}));
    g.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(6) }));
    expect(maxAbsDiff(tfjsRun(g, input, dims), await onnxRun(exportOnnx(g), input, dims))).toBeLessThan(
      TOLERANCE,
    );
  });

  it('names the layer it cannot export', () => {
    const m = tf.sequential();
    m.add(tf.layers.reshape({ inputShape: [28, 28, 1], targetShape: [784] }));
    m.add(tf.layers.dense({ units: 10 }));
    expect(() => exportOnnx(m)).toThrow(/reshape.*\(Reshape\) is not supported/);
  });
});

describe('model.onnx beside model.json', () => {
  it('is reported stale once the tfjs weights change, and current after a new export', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onnx-model-'));
    cpSync(path.join(MODELS_ROOT, 'seed'), dir, { recursive: true });
    expect((await readCurrentOnnx(dir)).reason).toBeUndefined();
    const weights = path.join(dir, 'weights.bin');
    const model = await loadModel(dir);
    writeFileSync(weights, Buffer.alloc(4 * model.countParams(), 1));
    expect((await readCurrentOnnx(dir)).reason).toMatch(/other weights/);
    await writeOnnx(await loadModel(dir), dir);
    expect((await readCurrentOnnx(dir)).reason).toBeUndefined();
  });
});
