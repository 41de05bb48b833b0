/**
 * Distributed-mode recognition queue: a BullMQ producer. Job id = board.region.version, so a region
 * version is queued once however often it is enqueued; the previous version's job is removed if it is
 * still waiting (a running one finishes and its stale label is dropped by the store).
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.ts';
import { RECOGNITION_QUEUE, bullPrefix, jobIdOf } from '../../shared/redis-names.ts';
import { laneOf, type RecognitionJob, type RecognitionQueue } from '../../shared/recognition-contract.ts';
import { jobTooLarge } from './job-limits.ts';

export interface BullmqQueueOptions {
  /** redis:// URL (REDIS_URL). */
  url: string;
  /** REDIS_PREFIX, also the BullMQ key prefix. Default `inkboard`. */
  prefix?: string;
  /**
   * Runs per job before it fails for good. Retries back off exponentially from 250 ms, so the default 8
   * spans about 30 s: a job that fails because Redis is briefly away (its label cannot be stored) runs
   * again once Redis is back instead of being lost. Default 8.
   */
  attempts?: number;
  /** How long enqueue waits for a (re)connecting Redis before failing, ms. Default 1000. */
  readyWaitMs?: number;
  log?: Logger;
}

export function createBullmqQueue(opts: BullmqQueueOptions): RecognitionQueue & { queue: Queue } {
  // No offline queue: while Redis is down, enqueue fails at once instead of piling up in memory.
  const connection = new Redis(opts.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  connection.on('error', (err) => opts.log?.debug({ err: err.message }, 'queue redis error'));
  const queue = new Queue<RecognitionJob>(RECOGNITION_QUEUE, {
    connection,
    prefix: bullPrefix(opts.prefix ?? 'inkboard'),
    defaultJobOptions: {
      attempts: opts.attempts ?? 8,
      backoff: { type: 'exponential', delay: 250 },
      removeOnComplete: true,
      removeOnFail: { age: 3600, count: 1000 },
    },
  });
  queue.on('error', (err) => opts.log?.warn({ err: err.message }, 'queue error'));

  /** BullMQ would wait for the connection indefinitely; wait at most `readyWaitMs`, then fail. */
  const ready = () =>
    connection.status === 'ready'
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const onReady = () => (clearTimeout(t), resolve());
          const t = setTimeout(() => {
            connection.off('ready', onReady);
            reject(new Error(`recognition queue unavailable (redis ${connection.status})`));
          }, opts.readyWaitMs ?? 1000);
          connection.once('ready', onReady);
        });

  // Fairness: BullMQ runs lower priorities first, so a client (lane) that queued many jobs lately waits
  // behind clients that queued few (a bystander's label is not held up by someone else's flood).
  const recent = new Map<string, { n: number; since: number }>();
  const priorityOf = (lane: string): number => {
    const now = Date.now();
    let r = recent.get(lane);
    if (!r || now - r.since > 5000) {
      if (recent.size > 10_000) recent.clear();
      recent.set(lane, (r = { n: 0, since: now }));
    }
    r.n++;
    return Math.min(r.n, 1_000_000);
  };

  return {
    queue,
    async enqueue(job) {
      const tooLarge = jobTooLarge(job);
      if (tooLarge) {
        opts.log?.error(
          { boardId: job.boardId, regionId: job.regionId, version: job.version, reason: tooLarge },
          'recognition job refused: too large',
        );
        return;
      }
      await ready();
      const previous = job.version > 1 ? jobIdOf({ ...job, version: job.version - 1 }) : undefined;
      await Promise.all([
        queue.add('recognize', job, { jobId: jobIdOf(job), priority: priorityOf(laneOf(job)) }),
        // Only a waiting job can be removed; an active (locked) one throws, which is fine.
        previous ? queue.remove(previous).catch(() => 0) : 0,
      ]);
    },
    async depth() {
      await ready();
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(c).reduce((a, b) => a + b, 0);
    },
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
