/** Messages between workers/pool.ts and its inference threads. */
import type { InferenceBackend } from '../shared/config.ts';
import type { Point, RecognitionResult } from '../shared/ink/types.ts';

/** workerData of an inference thread. */
export interface ThreadData {
  /** file:// URL of the TypeScript entry (workers/pool-thread.ts), loaded by thread-boot.mjs. */
  entry: string;
  /** file:// URL of the engine module (exports `createEngine`). */
  engineModule: string;
  backend?: InferenceBackend;
  /** onnxruntime threads per forward pass. */
  intraOpThreads?: number;
  modelDir?: string;
  batchMax: number;
  batchWaitMs: number;
  extra?: Record<string, unknown>;
}

export type ToThread =
  | { type: 'recognize'; id: number; regions: Point[][][] }
  | { type: 'close' }
  /** Liveness probe: a thread whose event loop is free answers `pong` at once. */
  | { type: 'ping'; id: number };

export type FromThread =
  | { type: 'ready'; backend: string; fallback?: string; secondOpinion?: string }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; id: number; results: RecognitionResult[] }
  | { type: 'failed'; id: number; message: string }
  | { type: 'batch'; size: number; ms: number }
  | { type: 'closed' }
  | { type: 'pong'; id: number };
