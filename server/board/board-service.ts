/**
 * Runs board actions: the store transaction, then the broadcasts (strokes, removed labels) and the
 * recognition jobs of the regions that changed.
 *
 * Recognition is never lost between the commit and the queue: the store records every region version it
 * writes in its outbox (atomically with the change); a job is removed from the outbox once it is queued.
 * A sweep on every server queues what is still there after `outboxAgeMs` (the queue was down, or the
 * server that committed died before queuing). Jobs are idempotent per region version, so a job queued by
 * two servers runs once.
 */
import type { Logger } from '../../shared/logger.ts';
import type { ServerMessage } from '../../shared/protocol.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { RecognitionJob, RecognitionQueue } from '../../shared/recognition-contract.ts';
import type { RegionRules } from '../regions/types.ts';
import type { BoardStore, BoardTx } from '../store/board-store.ts';
import type { ActionContext } from './actions.ts';
import type { Outcome } from './outcome.ts';
import { chunkBy } from './chunk-by.ts';

/** Points of recognition jobs queued per turn of the event loop at most (see `enqueue`). */
const ENQUEUE_POINTS = 16_000;

export interface BoardServiceOptions {
  store: BoardStore;
  queue: RecognitionQueue;
  rules: RegionRules;
  broadcast: (boardId: string, msg: ServerMessage) => void;
  metrics?: ServerMetrics;
  log: Logger;
  /** How often the outbox is swept, ms; 0 disables the sweep. Default 1000. */
  outboxSweepMs?: number;
  /** Outbox entries at least this old are queued by the sweep, ms. Default 3000. */
  outboxAgeMs?: number;
}

export function createBoardService(opts: BoardServiceOptions) {
  const { store, queue, log } = opts;

  /**
   * Queues jobs in parts of at most `ENQUEUE_POINTS` points, a turn of the event loop apart: each job's
   * points are encoded for the queue, and the jobs of a change that restored a whole board (up to
   * 250,000 points) encoded at once would stall every other board's commits and labels.
   */
  async function enqueue(jobs: readonly RecognitionJob[]): Promise<void> {
    const parts = chunkBy(jobs, (j) => j.strokes.reduce((n, s) => n + s.points.length, 0), ENQUEUE_POINTS);
    const done: Promise<void>[] = [];
    for (const [i, part] of parts.entries()) {
      if (i) await new Promise((r) => setImmediate(r));
      done.push(enqueueNow(part));
    }
    await Promise.all(done);
  }

  /** Queues jobs and clears them from the outbox; a job that fails stays there for the sweep. */
  async function enqueueNow(jobs: readonly RecognitionJob[]): Promise<void> {
    const queued = await Promise.all(
      jobs.map((job) =>
        queue.enqueue(job).then(
          () => job,
          (err: unknown) => {
            log.warn(
              { err: String(err), boardId: job.boardId, regionId: job.regionId, version: job.version },
              'could not queue recognition; the outbox sweep will retry',
            );
            return undefined;
          },
        ),
      ),
    );
    const done = queued.filter((j): j is RecognitionJob => !!j);
    if (done.length)
      await store
        .jobsQueued(done)
        .catch((err: unknown) => log.debug({ err: String(err) }, 'outbox clear failed; the sweep will'));
  }

  let sweeping = false;
  /** Queues the outbox entries older than `outboxAgeMs`. Returns how many jobs it queued. */
  async function sweep(): Promise<number> {
    if (sweeping || store.degraded) return 0;
    sweeping = true;
    try {
      const jobs = await store.pendingJobs(opts.outboxAgeMs ?? 3000);
      if (!jobs.length) return 0;
      log.info({ jobs: jobs.length }, 'queuing recognition left in the outbox');
      opts.metrics?.jobsEnqueued.inc(jobs.length);
      await enqueue(jobs);
      return jobs.length;
    } catch (err) {
      log.warn({ err: String(err) }, 'outbox sweep failed');
      return 0;
    } finally {
      sweeping = false;
    }
  }
  const sweepMs = opts.outboxSweepMs ?? 1000;
  const timer = sweepMs > 0 ? setInterval(() => void sweep(), sweepMs) : undefined;
  timer?.unref();

  return {
    async run(
      boardId: string,
      action: (tx: BoardTx, ctx: ActionContext) => Promise<Outcome>,
      /** Fairness key of the client acting (see `RecognitionJob.lane`). Default: none (the board). */
      lane?: string,
    ): Promise<Outcome> {
      const now = Date.now();
      const publish = (out: Outcome) => {
        if (lane) for (const j of out.jobs) j.lane = lane;
        if (out.removedIds.length)
          opts.broadcast(boardId, { type: 'strokes.removed', strokeIds: out.removedIds });
        if (out.added.length) opts.broadcast(boardId, { type: 'strokes.added', strokes: out.added });
        for (const r of out.removedRegions) opts.broadcast(boardId, { type: 'label.removed', ...r });
        if (out.jobs.length) {
          opts.metrics?.jobsEnqueued.inc(out.jobs.length);
          void enqueue(out.jobs);
        }
      };
      // Others see the change and recognition starts as soon as it is applied; the ack waits for the disk.
      return store.update(boardId, (tx) => action(tx, { now, rules: opts.rules }), publish);
    },
    sweep,
    close(): void {
      if (timer) clearInterval(timer);
    },
  };
}
export type BoardService = ReturnType<typeof createBoardService>;
