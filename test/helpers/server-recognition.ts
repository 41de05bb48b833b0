/** The real recognizer for server tests: the inference pool (worker threads) and the distributed worker process. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInferencePool, type InferencePool } from '../../workers/pool.ts';
import { startWorkerProcess } from './process-worker.ts';
import { REPO_ROOT } from './process-spawn.ts';

/** models/best if trained, else models/seed (the server's default). */
export function modelDir(): string {
  const best = path.join(REPO_ROOT, 'models/best');
  return existsSync(path.join(best, 'model.json')) ? best : path.join(REPO_ROOT, 'models/seed');
}

/** `backgroundThreads`: a thread for HTTP recognize only, as the embedded server has (default 0). */
export async function startPool(backgroundThreads = 0): Promise<InferencePool> {
  const pool = createInferencePool({ threads: 1, backgroundThreads, backend: 'onnx', modelDir: modelDir() });
  await pool.ready();
  return pool;
}

export function startWorker(redisUrl: string, prefix: string) {
  return startWorkerProcess({ redisUrl, prefix, modelDir: modelDir(), env: { WORKER_PORT: '0' } });
}
