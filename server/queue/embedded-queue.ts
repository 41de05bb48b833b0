/**
 * Embedded-mode recognition queue: in memory, in this process. Per region only the newest waiting
 * version is kept; waiting jobs are handed to the RegionRecognizer in batches (so its worker threads
 * can share forward passes), and each result goes to the result sink.
 */
import type { Logger } from '../../shared/logger.ts';
import type {
  RecognitionJob,
  RecognitionQueue,
  RegionRecognizer,
  ResultSink,
} from '../../shared/recognition-contract.ts';

export interface EmbeddedQueueOptions {
  recognizer: RegionRecognizer;
  sink: ResultSink;
  /** Batches in flight at once. Default 2 (one runs while the next gathers). */
  concurrency?: number;
  /** Regions per batch. Default 64. */
  batchMax?: number;
  /** Observes the duration of each batch in seconds. */
  onBatch?: (seconds: number, size: number) => void;
  /** Called when a batch fails. */
  onError?: (jobs: RecognitionJob[], err: unknown) => void;
  log?: Logger;
}

export function createEmbeddedQueue(opts: EmbeddedQueueOptions): RecognitionQueue {
  const concurrency = opts.concurrency ?? 2;
  const batchMax = opts.batchMax ?? 64;
  const waiting = new Map<string, RecognitionJob>();
  const running = new Set<Promise<void>>();
  let runningJobs = 0;
  let closed = false;

  async function runBatch(jobs: RecognitionJob[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await opts.recognizer.recognize(jobs.map((j) => j.strokes.map((s) => s.points)));
      opts.onBatch?.((performance.now() - started) / 1000, jobs.length);
      await Promise.all(
        jobs.map(async (job, i) => {
          const res = results[i];
          if (res) await opts.sink(job, res);
        }),
      );
    } catch (err) {
      opts.log?.error({ err, jobs: jobs.length }, 'recognition batch failed');
      opts.onError?.(jobs, err);
    }
  }

  function pump(): void {
    while (!closed && running.size < concurrency && waiting.size) {
      const batch: RecognitionJob[] = [];
      for (const [key, job] of waiting) {
        batch.push(job);
        waiting.delete(key);
        if (batch.length >= batchMax) break;
      }
      runningJobs += batch.length;
      const p = runBatch(batch).finally(() => {
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
      const key = `${job.boardId}/${job.regionId}`;
      const prev = waiting.get(key);
      if (prev && prev.version >= job.version) return;
      waiting.set(key, job);
      // Let jobs queued in the same tick join one batch.
      queueMicrotask(pump);
    },
    async depth() {
      return waiting.size + runningJobs;
    },
    async close() {
      closed = true;
      waiting.clear();
      await Promise.all(running);
    },
  };
}
