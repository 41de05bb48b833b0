/**
 * Runs board actions: the store transaction, then the broadcasts (strokes, removed labels) and the
 * recognition jobs of the regions that changed.
 */
import type { Logger } from '../../shared/logger.ts';
import type { ServerMessage } from '../../shared/protocol.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { RecognitionJob, RecognitionQueue } from '../queue/types.ts';
import type { RegionRules } from '../regions/types.ts';
import type { BoardStore, BoardTx } from '../store/board-store.ts';
import type { ActionContext } from './actions.ts';
import type { Outcome } from './outcome.ts';

export interface BoardServiceOptions {
  store: BoardStore;
  queue: RecognitionQueue;
  rules: RegionRules;
  broadcast: (boardId: string, msg: ServerMessage) => void;
  metrics?: ServerMetrics;
  log: Logger;
}

/** Waits between tries to queue a recognition job while the queue is unavailable (about 20 s in all). */
const ENQUEUE_RETRY_MS = [250, 500, 1000, 2000, 4000, 4000, 4000, 4000];

export function createBoardService(opts: BoardServiceOptions) {
  // The change is already stored, so its recognition must not be lost to a queue that is reconnecting
  // (e.g. Redis just came back); jobs are idempotent per region version, so retrying is safe.
  async function enqueueWithRetry(job: RecognitionJob): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await opts.queue.enqueue(job);
        return;
      } catch (err) {
        const wait = ENQUEUE_RETRY_MS[attempt];
        if (wait === undefined) {
          opts.log.warn(
            { err: String(err), boardId: job.boardId, regionId: job.regionId },
            'could not queue recognition',
          );
          return;
        }
        await new Promise((r) => setTimeout(r, wait).unref());
      }
    }
  }

  return {
    async run(
      boardId: string,
      action: (tx: BoardTx, ctx: ActionContext) => Promise<Outcome>,
    ): Promise<Outcome> {
      const now = Date.now();
      const publish = (out: Outcome) => {
        if (out.removedIds.length)
          opts.broadcast(boardId, { type: 'strokes.removed', strokeIds: out.removedIds });
        if (out.added.length) opts.broadcast(boardId, { type: 'strokes.added', strokes: out.added });
        for (const r of out.removedRegions) opts.broadcast(boardId, { type: 'label.removed', ...r });
        for (const job of out.jobs) {
          opts.metrics?.jobsEnqueued.inc();
          void enqueueWithRetry(job);
        }
      };
      // Others see the change and recognition starts as soon as it is applied; the ack waits for the disk.
      const out = await opts.store.update(boardId, (tx) => action(tx, { now, rules: opts.rules }), publish);
      return out;
    },
  };
}
export type BoardService = ReturnType<typeof createBoardService>;
