/**
 * The TensorFlow.js backend for training and the tfjs inference fallback: `wasm` (XNNPACK, with the extra
 * gradient kernels of wasm-kernels.ts) by default, or `cpu` (plain JavaScript, slow). Native inference runs
 * on onnxruntime-node instead (workers/inference/); the same trained model files feed both.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type BackendName = 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'cpu'];

const require = createRequire(import.meta.url);
let chosen: Promise<BackendName> | undefined;

async function useWasm(): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(dist + path.sep);
  await import('./wasm-kernels.ts');
  return tf.setBackend('wasm');
}

async function select(name: BackendName): Promise<BackendName> {
  const ok = name === 'wasm' ? await useWasm() : await tf.setBackend('cpu');
  if (!ok) throw new Error(`tfjs backend ${name} could not be initialised`);
  await tf.ready();
  return name;
}

/**
 * Initialises the tfjs backend once per process (default `wasm`); later calls return the first answer
 * (tfjs holds one global backend).
 */
export function initBackend(name: BackendName = 'wasm'): Promise<BackendName> {
  if (!BACKEND_NAMES.includes(name)) {
    return Promise.reject(
      new Error(`tfjs backend must be one of ${BACKEND_NAMES.join(', ')}; got "${name}"`),
    );
  }
  chosen ??= select(name);
  return chosen;
}

export { tf };
