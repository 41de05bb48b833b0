/** Starts `workers/main.ts` (the distributed worker) as a child process for tests and benches. */
import { startProcess, type TestProcess } from './process-spawn.ts';

export interface WorkerProcessOptions {
  redisUrl: string;
  prefix: string;
  /** Model directory (INKBOARD_MODEL). */
  modelDir: string;
  /** More environment, e.g. JOB_LOCK_MS, BATCH_MAX. Default: onnx backend, 1 thread. */
  env?: Record<string, string>;
  name?: string;
}

/** Resolves once the worker has loaded its model and listens on the queue. */
export function startWorkerProcess(o: WorkerProcessOptions): Promise<TestProcess> {
  return startProcess(o.name ?? 'worker', 'workers/main.ts', {
    env: {
      REDIS_URL: o.redisUrl,
      REDIS_PREFIX: o.prefix,
      INKBOARD_MODEL: o.modelDir,
      INKBOARD_BACKEND: 'onnx',
      INFERENCE_THREADS: '1',
      ...o.env,
    },
    ready: /worker started/,
    readyTimeoutMs: 60_000,
  });
}
