/**
 * Batched classification on onnxruntime-node: one InferenceSession per classifier, on the CPU or on
 * the CUDA execution provider. The model is the exported model.onnx (models/lib/onnx/): input `input`
 * [batch, ...shape] (digit models: [batch, 28, 28, 1]; the shape is read from the model), output
 * `probs` [batch, classes].
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { fixedInputShape } from '../../models/lib/predict.ts';
import {
  checkImages,
  inputSize,
  packImages,
  type ClassifierOptions,
  type ClassifyImages,
} from './classify.ts';

/** Options of {@link createOnnxClassifier}. */
export interface OnnxClassifierOptions extends ClassifierOptions {
  /** Run on the CUDA execution provider (CUDA 12, cuDNN 9). Default `false`: CPU. */
  cuda?: boolean;
  /** Threads one forward pass may use (intra-op). Default `1`. */
  intraOpThreads?: number;
}

/** A classifier with the session behind it. */
export interface OnnxClassifier {
  classify: ClassifyImages;
  /** Outputs per input. */
  classes: number;
  /** Frees the session. */
  dispose(): Promise<void>;
}

let ort: Promise<typeof Ort> | undefined;

/** onnxruntime-node, imported once; rejects with a clear message where its native library cannot load. */
export function loadOrt(): Promise<typeof Ort> {
  ort ??= import('onnxruntime-node').then(
    (m) => m as unknown as typeof Ort,
    (err: unknown) => {
      ort = undefined;
      throw new Error(`onnxruntime-node could not be loaded: ${(err as Error).message}`, { cause: err });
    },
  );
  return ort;
}

/**
 * Whether onnxruntime-node's CUDA provider library is installed (`npm install` with
 * `onnxruntime-node-install=cuda12` downloads it; the CPU default skips it).
 */
export function cudaProviderInstalled(): boolean {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    const dir = path.join(path.dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** Creates a session for `model` (the bytes of an .onnx file) and checks it with one blank image. */
export async function createOnnxClassifier(
  model: Uint8Array,
  options: OnnxClassifierOptions = {},
): Promise<OnnxClassifier> {
  const ortm = await loadOrt();
  const maxBatch = options.maxBatch ?? 512;
  const session = await ortm.InferenceSession.create(model, {
    executionProviders: options.cuda ? ['cuda'] : ['cpu'],
    intraOpNumThreads: options.intraOpThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Errors reach the caller as exceptions; onnxruntime's own log would repeat them on stderr.
    logSeverityLevel: 4,
  });
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  if (!inputName || !outputName) {
    await session.release();
    throw new Error('onnx model must have one input and one output');
  }

  // The input's shape without the batch axis, from the model (exported models name the batch axis).
  const declared = session.inputMetadata?.[0];
  const inputShape = fixedInputShape(declared && 'shape' in declared ? declared.shape.slice(1) : []);
  const size = inputSize(inputShape);
  const forward = async (flat: Float32Array, n: number): Promise<Float32Array> => {
    const input = new ortm.Tensor('float32', flat, [n, ...inputShape]);
    const result = await session.run({ [inputName]: input });
    const out = result[outputName];
    if (!out) throw new Error(`onnx model returned no ${outputName}`);
    return out.data as Float32Array;
  };
  let classes: number;
  try {
    classes = (await forward(new Float32Array(size), 1)).length;
  } catch (err) {
    await session.release();
    throw err;
  }

  const classify: ClassifyImages = async (images) => {
    checkImages(images, size);
    const out: Float32Array[] = [];
    for (let s = 0; s < images.length; s += maxBatch) {
      const n = Math.min(images.length, s + maxBatch) - s;
      const data = await forward(packImages(images, s, s + n, size), n);
      for (let i = 0; i < n; i++) out.push(data.slice(i * classes, (i + 1) * classes));
    }
    return out;
  };
  return { classify, classes, dispose: () => session.release() };
}
