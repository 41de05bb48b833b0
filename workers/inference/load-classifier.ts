/**
 * Backend choice and model loading: one call gives a ready {@link ClassifyImages} on the best backend
 * that starts here, and says which one it is and why a preferred one was passed over.
 *
 * Order without INKBOARD_BACKEND: `onnx-cuda` when onnxruntime-node's CUDA provider is installed, then
 * `onnx` (onnxruntime-node on the CPU), then `wasm` (TensorFlow.js). A forced `onnx-cuda` that cannot
 * start falls back to `onnx` with the reason; any other forced backend is used or fails.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend } from '../../models/lib/backend.ts';
import { foldBatchNorm } from '../../models/lib/fold-batch-norm.ts';
import { loadModel } from '../../models/lib/load-model.ts';
import { resolveModelDir } from '../../models/lib/model-dir.ts';
import { exportOnnx } from '../../models/lib/onnx/export-model.ts';
import { readCurrentOnnx } from '../../models/lib/onnx/model-file.ts';
import { INFERENCE_BACKENDS, type InferenceBackend } from '../../shared/config.ts';
import type { ClassifierOptions, ClassifyImages } from './classify.ts';
import { createOnnxClassifier, cudaProviderInstalled } from './onnx-classifier.ts';
import { createClassifier } from './tfjs-classifier.ts';

export type { InferenceBackend };

/** Where the loader reports what it chose; `warn` marks a fallback or a model exported on the fly. */
export type InferenceLog = (
  message: string,
  fields: Record<string, unknown>,
  level?: 'info' | 'warn',
) => void;

/** Options of {@link loadClassifier}. */
export interface InferenceOptions extends ClassifierOptions {
  /** Model directory or name under models/. Default: INKBOARD_MODEL, else models/best-reject, best, seed. */
  model?: string;
  /** Force a backend. Default: INKBOARD_BACKEND, else the order above. */
  backend?: InferenceBackend;
  /** onnxruntime threads per forward pass. Default: INFERENCE_INTRA_OP_THREADS, else `1`. */
  intraOpThreads?: number;
  /** Use this already-loaded tfjs model instead of reading one (tests). Default: none. */
  layersModel?: tfTypes.LayersModel;
  /** tfjs backends: fold batch norm into the preceding layers and drop dropout. Default `true`. */
  fold?: boolean;
  /** Default: JSON lines on stderr. */
  log?: InferenceLog;
}

/** A ready classifier and what it runs on. */
export interface LoadedClassifier {
  backend: InferenceBackend;
  /** Why the preferred backend was not used (a fallback happened); undefined when it was. */
  fallback?: string;
  /** The model directory, or `(in-memory)`. */
  modelDir: string;
  /** Outputs per input. */
  classes: number;
  classify: ClassifyImages;
  dispose(): Promise<void>;
}

const stderrLog: InferenceLog = (message, fields, level = 'info') => {
  process.stderr.write(`${JSON.stringify({ level, msg: message, ...fields })}\n`);
};

/** INKBOARD_BACKEND as a backend name; throws a clear error for anything else. */
export function backendFromEnv(value = process.env.INKBOARD_BACKEND): InferenceBackend | undefined {
  if (!value) return undefined;
  if (!(INFERENCE_BACKENDS as readonly string[]).includes(value)) {
    throw new Error(`INKBOARD_BACKEND must be one of ${INFERENCE_BACKENDS.join(', ')}; got "${value}"`);
  }
  return value as InferenceBackend;
}

function intraOpFromEnv(value = process.env.INFERENCE_INTRA_OP_THREADS): number {
  if (!value) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new Error(`INFERENCE_INTRA_OP_THREADS must be a whole number from 1 to 64; got "${value}"`);
  }
  return n;
}

/** Backends to try, in order, for a request (`undefined`: none forced). */
export function backendOrder(
  forced: InferenceBackend | undefined,
  cudaInstalled: boolean,
): InferenceBackend[] {
  if (forced === 'onnx-cuda') return ['onnx-cuda', 'onnx'];
  if (forced) return [forced];
  return cudaInstalled ? ['onnx-cuda', 'onnx', 'wasm'] : ['onnx', 'wasm'];
}

async function onnxBytes(o: InferenceOptions, modelDir: string, log: InferenceLog): Promise<Uint8Array> {
  if (o.layersModel) return exportOnnx(o.layersModel);
  const current = await readCurrentOnnx(modelDir);
  if (current.bytes) return current.bytes;
  log(
    'model.onnx missing or stale: exporting it in memory (run `npm run export:onnx -- <model>` to save it)',
    { model: modelDir, reason: current.reason },
    'warn',
  );
  const model = await loadModel(modelDir);
  try {
    return exportOnnx(model);
  } finally {
    model.dispose();
  }
}

async function loadOn(
  backend: InferenceBackend,
  o: InferenceOptions,
  modelDir: string,
  log: InferenceLog,
): Promise<Omit<LoadedClassifier, 'fallback'>> {
  if (backend === 'onnx' || backend === 'onnx-cuda') {
    const c = await createOnnxClassifier(await onnxBytes(o, modelDir, log), {
      cuda: backend === 'onnx-cuda',
      intraOpThreads: o.intraOpThreads ?? intraOpFromEnv(),
      maxBatch: o.maxBatch,
    });
    return { backend, modelDir, ...c };
  }
  await initBackend(backend);
  const loaded = o.layersModel ?? (await loadModel(modelDir));
  const model = o.fold === false ? loaded : foldBatchNorm(loaded);
  if (model !== loaded && !o.layersModel) loaded.dispose();
  const classes = (model.outputs[0]?.shape[1] as number | undefined) ?? 10;
  const owned = model !== o.layersModel;
  return {
    backend,
    modelDir,
    classes,
    classify: createClassifier(model, o),
    dispose: async () => {
      if (owned) model.dispose();
    },
  };
}

/** Chooses the backend, loads the model on it and logs both (see the module comment for the order). */
export async function loadClassifier(o: InferenceOptions = {}): Promise<LoadedClassifier> {
  const log = o.log ?? stderrLog;
  const forced = o.backend ?? backendFromEnv();
  const modelDir = o.layersModel ? '(in-memory)' : resolveModelDir(o.model);
  const order = backendOrder(forced, cudaProviderInstalled());
  const passed: string[] = [];
  for (const backend of order) {
    try {
      const loaded = await loadOn(backend, o, modelDir, log);
      const fallback = passed.length > 0 ? passed.join('; ') : undefined;
      if (fallback) log(`inference falls back to ${backend}`, { backend, fallback }, 'warn');
      return { ...loaded, fallback };
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (backend === order[order.length - 1]) {
        const before = passed.length > 0 ? ` (after: ${passed.join('; ')})` : '';
        throw new Error(`inference backend ${backend} could not start: ${message}${before}`, { cause: err });
      }
      passed.push(`${backend}: ${message}`);
    }
  }
  throw new Error('no inference backend to try');
}
