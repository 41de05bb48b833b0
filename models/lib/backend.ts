/**
 * Chooses the TensorFlow.js backend: tfjs-node-gpu, then tfjs-node, then wasm (always installed).
 * INKBOARD_BACKEND forces one: `node-gpu`, `node`, `wasm` or `cpu`.
 * The same model files load on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type BackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

const require = createRequire(import.meta.url);
let chosen: Promise<BackendName> | undefined;

async function tryNative(pkg: string): Promise<boolean> {
  try {
    // Native packages register the 'tensorflow' backend on import; a broken install throws here.
    await import(pkg);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function useWasm(): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(dist + path.sep);
  await import('./wasm-kernels.ts');
  return tf.setBackend('wasm');
}

async function select(forced: BackendName | undefined): Promise<BackendName> {
  const order: BackendName[] = forced ? [forced] : ['node-gpu', 'node', 'wasm'];
  for (const name of order) {
    const ok =
      name === 'node-gpu'
        ? await tryNative('@tensorflow/tfjs-node-gpu')
        : name === 'node'
          ? await tryNative('@tensorflow/tfjs-node')
          : name === 'wasm'
            ? await useWasm()
            : await tf.setBackend('cpu');
    if (ok) {
      await tf.ready();
      return name;
    }
  }
  throw new Error(`INKBOARD_BACKEND=${forced}: that backend could not be loaded (is its package installed?)`);
}

/** Picks and initialises the backend once per process; later calls return the same answer. */
export function initBackend(
  forced = process.env.INKBOARD_BACKEND as BackendName | undefined,
): Promise<BackendName> {
  if (forced && !BACKEND_NAMES.includes(forced)) {
    return Promise.reject(
      new Error(`INKBOARD_BACKEND must be one of ${BACKEND_NAMES.join(', ')}; got "${forced}"`),
    );
  }
  chosen ??= select(forced || undefined);
  return chosen;
}

export { tf };
