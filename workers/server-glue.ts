/**
 * What the worker shares with the server: the queue name, the socket.io adapter key and the result sink.
 * Kept in one place so the worker follows the server's producer and adapter.
 */
import type { RegionLabel } from '../shared/protocol.ts';
import type { BBox } from '../shared/ink/types.ts';
import type { BoardStore } from '../server/store/board-store.ts';
import type { ResultSink } from '../server/queue/types.ts';
import type { Broadcast } from './broadcast.ts';

/** BullMQ queue name (under the REDIS_PREFIX key prefix). */
export const QUEUE_NAME = 'recognition';

/** Redis pub/sub key of the socket.io adapter and emitter. */
export const ADAPTER_KEY = (prefix: string): string => `${prefix}:socket.io`;

/** Stores the label if its version is current, then broadcasts it to the board's room. */
export function createLabelSink(store: BoardStore, broadcast: Broadcast): ResultSink {
  return async (job, result) => {
    const ids = job.strokes.map((s) => s.id);
    const points = job.strokes.flatMap((s) => s.points);
    const bbox: BBox = [
      Math.min(...points.map((p) => p[0])),
      Math.min(...points.map((p) => p[1])),
      Math.max(...points.map((p) => p[0])),
      Math.max(...points.map((p) => p[1])),
    ];
    const label: RegionLabel = {
      regionId: job.regionId,
      version: job.version,
      strokeIds: ids,
      text: result.text,
      digits: result.digits.map((d) => ({
        label: d.label,
        confidence: d.confidence,
        alternatives: d.alternatives,
        bbox: d.bbox,
        strokeIds: d.strokes.map((i) => ids[i]).filter((x): x is string => x !== undefined),
      })),
      bbox,
      penUpAt: job.penUpAt,
      recognizedAt: Date.now(),
    };
    if (await store.setLabel(job.boardId, label)) broadcast(job.boardId, { type: 'label', label });
  };
}
