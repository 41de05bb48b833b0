/**
 * Runs board actions: the store transaction, then the broadcasts (strokes, removed labels) and the
 * recognition jobs of the regions that changed.
 */
import type { Logger } from '../../shared/logger.ts';
import type { ServerMessage } from '../../shared/protocol.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { RecognitionQueue } from '../queue/types.ts';
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

export function createBoardService(opts: BoardServiceOptions) {
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
          opts.queue.enqueue(job).catch((err: unknown) => {
            opts.log.warn(
              { err: String(err), boardId, regionId: job.regionId },
              'could not queue recognition',
            );
          });
        }
      };
      // Others see the change and recognition starts as soon as it is applied; the ack waits for the disk.
      const out = await opts.store.update(boardId, (tx) => action(tx, { now, rules: opts.rules }), publish);
      return out;
    },
  };
}
export type BoardService = ReturnType<typeof createBoardService>;
