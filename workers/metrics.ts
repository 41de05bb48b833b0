/** Prometheus metrics of a distributed worker process. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'inkboard_worker_' });
  const m = {
    registry,
    jobs: new Counter({
      name: 'inkboard_worker_jobs_total',
      help: 'Recognition jobs by outcome: done, stale (version superseded, skipped) or failed',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    recognitionSeconds: new Histogram({
      name: 'inkboard_worker_recognition_seconds',
      help: 'Time to recognise one region (segmentation, rasterisation, batched classification)',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
      registers: [registry],
    }),
    queueWaitSeconds: new Histogram({
      name: 'inkboard_worker_queue_wait_seconds',
      help: 'Time a job waited in the queue before a worker took it',
      buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 5],
      registers: [registry],
    }),
    penUpToResultSeconds: new Histogram({
      name: 'inkboard_worker_penup_to_result_seconds',
      help: 'From the pen-up that made a region version to its label being stored and broadcast',
      buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'inkboard_worker_batch_size',
      help: 'Digits per forward pass actually run (dynamic batching)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers: [registry],
    }),
  };
  return m;
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
