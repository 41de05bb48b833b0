/**
 * Embedded-mode recognition queue: in memory, in this process. Per region only the newest waiting
 * version is kept; waiting jobs are handed to the RegionRecognizer in batches (its worker threads share
 * forward passes between the batches they hold), and each result goes to the result sink.
 *
 * Fair: a batch holds jobs of one lane only (the client that caused them, else the board; see
 * `RecognitionJob.lane`), at most `batchPoints` points (at least one job), and is sent in that lane, so
 * the recognizer lets lanes take turns: one client writing a lot, on any number of boards, never holds up
 * another's labels for longer than one small batch. A failed batch is never dropped:
 * its jobs run again one by one (a job that fails alone `maxAttempts` times is given up, logged); a busy
 * recognizer makes them wait. Jobs over the size limits (job-limits.ts) are refused, logged, never run.
 */
import type { Logger } from '../../shared/logger.ts';
import { jobTooLarge } from './job-limits.ts';
import {
  laneOf,
  type RecognitionJob,
  type RecognitionQueue,
  type RegionRecognizer,
  type ResultSink,
} from '../../shared/recognition-contract.ts';

export interface EmbeddedQueueOptions {
  recognizer: RegionRecognizer;
  sink: ResultSink;
  /** Batches in flight at once (the recognizer queues them fairly by board). Default 4. */
  concurrency?: number;
  /** Regions per batch. Default 64. */
  batchMax?: number;
  /** Points of the jobs in one batch at most (a batch holds at least one job). Default 1000. */
  batchPoints?: number;
  /** Runs of one job (alone, after its batch failed) before it is given up. Default 3. */
  maxAttempts?: number;
  /** Observes the duration of each batch in seconds. */
  onBatch?: (seconds: number, size: number) => void;
  /** Called when jobs are given up (failed `maxAttempts` times, or too large). */
  onError?: (jobs: RecognitionJob[], err: unknown) => void;
  log?: Logger;
}

interface Waiting {
  job: RecognitionJob;
  attempts: number;
}

export function createEmbeddedQueue(opts: EmbeddedQueueOptions): RecognitionQueue {
  const concurrency = opts.concurrency ?? 4;
  const batchMax = opts.batchMax ?? 64;
  const batchPoints = opts.batchPoints ?? 1000;
  const maxAttempts = opts.maxAttempts ?? 3;
  /** lane -> board/region -> newest waiting version; lanes in turn order. */
  const boards = new Map<string, Map<string, Waiting>>();
  /** board/region -> its lane, for a newer version to replace the waiting one. */
  const laneOfRegion = new Map<string, string>();
  /** Jobs that failed in a batch, to run alone. */
  const retry: Waiting[] = [];
  const running = new Set<Promise<void>>();
  let waitingJobs = 0;
  let runningJobs = 0;
  let pausedUntil = 0;
  let closed = false;

  async function runBatch(batch: Waiting[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await opts.recognizer.recognize(
        batch.map((w) => w.job.strokes.map((s) => s.points)),
        { lane: batch[0] ? laneOf(batch[0].job) : 'default' },
      );
      opts.onBatch?.((performance.now() - started) / 1000, batch.length);
      await Promise.all(
        batch.map(async ({ job }, i) => {
          const res = results[i];
          if (res) await opts.sink(job, res);
        }),
      );
    } catch (err) {
      const busy = (err as Error)?.name === 'PoolBusyError';
      if (busy) pausedUntil = Date.now() + 100;
      const given: RecognitionJob[] = [];
      for (const w of batch) {
        // A batch that failed as a whole may hold one poison job: its jobs run again alone, and only a
        // job that fails alone counts an attempt.
        const attempts = busy || batch.length > 1 ? w.attempts : w.attempts + 1;
        if (attempts >= maxAttempts) given.push(w.job);
        else retry.push({ job: w.job, attempts });
      }
      opts.log?.[given.length ? 'error' : 'warn'](
        { err: String(err), jobs: batch.length, givenUp: given.map((j) => `${j.boardId}/${j.regionId}`) },
        given.length
          ? 'recognition failed; giving up these jobs'
          : 'recognition batch failed; running its jobs again',
      );
      if (given.length) opts.onError?.(given, err);
      if (busy) setTimeout(pump, 110).unref();
    }
  }

  /** A retry is running: retries run one at a time, so a poison job cannot fail an innocent one again. */
  let retrying = false;

  /** The next batch: a retry alone first, else jobs of the next lane in turn, up to `batchPoints`. */
  function take(): Waiting[] {
    if (!retrying) {
      const r = retry.shift();
      if (r) return [r];
    }
    const batch: Waiting[] = [];
    const first = boards.entries().next();
    if (first.done) return batch;
    const [boardId, regions] = first.value;
    let points = 0;
    for (const [regionId, w] of regions) {
      const cost = w.job.strokes.reduce((n, s) => n + s.points.length, 0);
      if (batch.length && (points + cost > batchPoints || batch.length >= batchMax)) break;
      regions.delete(regionId);
      laneOfRegion.delete(regionId);
      waitingJobs--;
      batch.push(w);
      points += cost;
    }
    boards.delete(boardId);
    if (regions.size) boards.set(boardId, regions); // to the back of the turn order
    return batch;
  }

  function pump(): void {
    while (
      !closed &&
      running.size < concurrency &&
      ((retry.length && !retrying) || waitingJobs) &&
      Date.now() >= pausedUntil
    ) {
      const isRetry = !retrying && retry.length > 0;
      const batch = take();
      if (!batch.length) break;
      if (isRetry) retrying = true;
      runningJobs += batch.length;
      const p = runBatch(batch).finally(() => {
        if (isRetry) retrying = false;
        runningJobs -= batch.length;
        running.delete(p);
        pump();
      });
      running.add(p);
    }
  }

  return {
    async enqueue(job) {
      if (closed) return;
      const tooLarge = jobTooLarge(job);
      if (tooLarge) {
        opts.log?.error(
          { boardId: job.boardId, regionId: job.regionId, version: job.version, reason: tooLarge },
          'recognition job refused: too large',
        );
        opts.onError?.([job], new Error(tooLarge));
        return;
      }
      const key = `${job.boardId}/${job.regionId}`;
      // A waiting older version (maybe in another lane) is replaced.
      const oldLane = laneOfRegion.get(key);
      const old = oldLane === undefined ? undefined : boards.get(oldLane)?.get(key);
      if (old && old.job.version >= job.version) return;
      if (old) {
        boards.get(oldLane!)?.delete(key);
        if (!boards.get(oldLane!)?.size) boards.delete(oldLane!);
        waitingJobs--;
      }
      const lane = laneOf(job);
      let regions = boards.get(lane);
      if (!regions) boards.set(lane, (regions = new Map()));
      waitingJobs++;
      regions.set(key, { job, attempts: 0 });
      laneOfRegion.set(key, lane);
      // Let jobs queued in the same tick join one batch.
      queueMicrotask(pump);
    },
    async depth() {
      return waitingJobs + retry.length + runningJobs;
    },
    async close() {
      closed = true;
      boards.clear();
      laneOfRegion.clear();
      retry.length = 0;
      waitingJobs = 0;
      await Promise.all(running);
    },
  };
}
