/**
 * `npm run worker`: a distributed recognition worker process (REDIS_URL required).
 * BullMQ jobs in, inference in worker threads, labels stored in Redis (current versions only) and broadcast to the
 * board's room on every server through the socket.io Redis emitter. SIGTERM/SIGINT: graceful shutdown.
 */
import { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { boardKeys } from '../shared/redis-keys.ts';
import { RECOGNITION_QUEUE, adapterKey, bullPrefix } from '../shared/redis-names.ts';
import { createResultSink } from '../shared/result-sink.ts';
import { createEmitterBroadcast } from './broadcast.ts';
import { startHealthServer } from './health-server.ts';
import { createWorkerMetrics } from './metrics.ts';
import { createRedisLabelStore } from './label-store.ts';
import { createInferencePool, poolOptionsFromConfig } from './pool.ts';
import { startRecognitionWorker } from './recognition-worker.ts';

const log = createLogger('worker');
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    log.fatal(err.message);
    process.exit(2);
  }
  throw err;
}
if (!config.REDIS_URL) {
  log.fatal(
    'REDIS_URL is not set: `npm run worker` is the distributed worker; embedded mode needs no worker process',
  );
  process.exit(2);
}
const url = config.REDIS_URL;
const prefix = config.REDIS_PREFIX;

const metrics = createWorkerMetrics();
const pool = createInferencePool({
  ...poolOptionsFromConfig(config, log),
  onBatch: (size) => metrics.batchSize.observe(size),
});
try {
  await pool.ready();
} catch (err) {
  log.fatal({ err: (err as Error).message }, 'inference could not start');
  process.exit(1);
}
log.info(
  {
    backend: pool.backend,
    threads: config.INFERENCE_THREADS,
    intraOpThreads: config.INFERENCE_INTRA_OP_THREADS,
    batchMax: config.BATCH_MAX,
    batchWaitMs: config.BATCH_WAIT_MS,
  },
  `inference backend: ${pool.backend}`,
);

const store = createRedisLabelStore({ url, prefix });
// Commands fail fast while Redis is away (the job fails and is retried) instead of piling up.
const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 3000 });
redis.on('error', () => {}); // BullMQ logs outages (and failed jobs); this client just reconnects
// Labels are published on their own connection that queues while Redis is away (a label stored just as
// Redis returns is still sent, and a failed publish never becomes an unhandled rejection).
const publisher = new Redis(url, { maxRetriesPerRequest: null });
publisher.on('error', () => {});
const broadcast = createEmitterBroadcast(publisher, adapterKey(prefix));
const sink = createResultSink({ store, broadcast });

const isCurrent = async (job: { boardId: string; regionId: string; version: number }) => {
  try {
    const v = await redis.hget(boardKeys(prefix, job.boardId).regionVersion, job.regionId);
    return v !== null && Number(v) === job.version;
  } catch {
    return true; // unknown: recognise anyway; the sink still refuses a stale label
  }
};

const worker = startRecognitionWorker({
  config,
  logger: log,
  metrics,
  queue: { name: RECOGNITION_QUEUE, prefix: bullPrefix(prefix) },
  recognizer: pool,
  sink,
  isCurrent,
  testDelayMs: Number(process.env.WORKER_TEST_DELAY_MS ?? 0),
});
log.info(
  { queue: RECOGNITION_QUEUE, prefix, concurrency: config.WORKER_CONCURRENCY, lockMs: config.JOB_LOCK_MS },
  'worker started',
);

const health =
  config.WORKER_PORT !== undefined
    ? await startHealthServer(config.WORKER_PORT, metrics.registry, async () => ({
        ok: worker.worker.isRunning() && redis.status === 'ready',
        role: 'worker',
        backend: pool.backend,
        ...(pool.backendFallback ? { backendFallback: pool.backendFallback } : {}),
        ...(pool.secondOpinion ? { secondOpinion: pool.secondOpinion } : {}),
        redis: redis.status,
        activeJobs: worker.active(),
        threadRestarts: pool.restarts,
        batchSizes: Object.fromEntries(pool.batchSizes()),
      }))
    : undefined;
if (health) log.info({ port: (health.address() as AddressInfo).port }, 'health server listening');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal, activeJobs: worker.active() }, 'shutting down: finishing active jobs');
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, 30_000);
  force.unref();
  await worker.close();
  await pool.close();
  await store.close();
  health?.close();
  redis.disconnect();
  await publisher.quit().catch(() => publisher.disconnect());
  log.info('worker stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
