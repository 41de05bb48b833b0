/**
 * The distributed recognition worker: a BullMQ Worker on the server's queue whose processor hands regions
 * to an inference pool (worker threads), so the CPU work never blocks this event loop and BullMQ keeps
 * renewing its job locks. Short locks and stall checks: a job of a killed worker runs again within
 * about JOB_LOCK_MS + STALLED_INTERVAL_MS. Jobs are idempotent: a version that is no longer current is
 * skipped, and the result sink stores a label only for the current version.
 */
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { jobTooLarge } from '../server/queue/job-limits.ts';
import {
  laneOf,
  type RecognitionJob,
  type RegionRecognizer,
  type ResultSink,
} from '../shared/recognition-contract.ts';
import type { WorkerMetrics } from './metrics.ts';

/** Options of {@link startRecognitionWorker}. */
export interface RecognitionWorkerOptions {
  config: Config;
  logger: Logger;
  metrics: WorkerMetrics;
  /** The BullMQ queue name and key prefix: the server's producer uses the same. */
  queue: { name: string; prefix: string };
  recognizer: RegionRecognizer;
  sink: ResultSink;
  /** Whether the job's version is still the region's current one (`true` when unknown). */
  isCurrent: (job: RecognitionJob) => Promise<boolean>;
  /** Fault tests only: hold a job's first run this long before recognising it, so a test can kill a worker mid-job. Default `0`. */
  testDelayMs?: number;
}

export interface RecognitionWorker {
  readonly worker: Worker<RecognitionJob>;
  /** Jobs being processed now. */
  active(): number;
  /** Stops taking jobs and waits for the active ones (BullMQ `worker.close()`). */
  close(): Promise<void>;
}

/** The Redis connection BullMQ workers need: blocking commands, never give up on a command. */
export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export function startRecognitionWorker(o: RecognitionWorkerOptions): RecognitionWorker {
  const { config, logger: log, metrics } = o;
  let active = 0;

  const processJob = async (job: Job<RecognitionJob>) => {
    const data = job.data;
    active++;
    try {
      metrics.queueWaitSeconds.observe(Math.max(0, Date.now() - job.timestamp) / 1000);
      const tooLarge = jobTooLarge(data);
      if (tooLarge) {
        // Never retried: a poison job must not come back after every restart.
        log.error({ jobId: job.id, reason: tooLarge }, 'recognition job refused: too large');
        metrics.jobs.inc({ outcome: 'refused' });
        return { skipped: 'too-large' };
      }
      if (!(await o.isCurrent(data))) {
        metrics.jobs.inc({ outcome: 'stale' });
        return { skipped: 'stale' };
      }
      if (o.testDelayMs && job.attemptsMade === 0 && !job.stalledCounter) {
        log.info({ jobId: job.id }, 'job started (test delay)');
        await new Promise((r) => setTimeout(r, o.testDelayMs));
      }
      const t0 = performance.now();
      // Clients take turns in the pool: one with many jobs in flight does not hold up another's.
      const [result] = await o.recognizer.recognize([data.strokes.map((s) => s.points)], {
        lane: laneOf(data),
      });
      if (!result) throw new Error('recognizer returned no result');
      metrics.recognitionSeconds.observe((performance.now() - t0) / 1000);
      await o.sink(data, result);
      metrics.penUpToResultSeconds.observe(Math.max(0, Date.now() - data.penUpAt) / 1000);
      metrics.jobs.inc({ outcome: 'done' });
      return { text: result.text };
    } catch (err) {
      metrics.jobs.inc({ outcome: 'failed' });
      throw err;
    } finally {
      active--;
    }
  };

  const worker = new Worker<RecognitionJob>(o.queue.name, processJob, {
    connection: workerConnection(config.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    prefix: o.queue.prefix,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.STALLED_INTERVAL_MS,
    // A job whose worker was killed twice is retried once more, then fails visibly.
    maxStalledCount: 2,
  });
  // Without a listener an unreachable Redis would crash the process; BullMQ reconnects by itself.
  let lastError = 0;
  worker.on('error', (err) => {
    if (Date.now() - lastError > 5000) log.warn({ err: err.message }, 'queue connection error (retrying)');
    lastError = Date.now();
  });
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, err: err.message }, 'recognition job failed'));
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled (its worker died?); it will run again'));

  return {
    worker,
    active: () => active,
    close: () => worker.close(),
  };
}
