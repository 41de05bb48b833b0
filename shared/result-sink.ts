/**
 * The result sink: turns a recognition result into a board label, stores it if its version is still
 * current, and broadcasts it to the board's room. Used by the embedded queue (in the server) and by the
 * distributed worker process (with a socket.io Redis emitter as `broadcast`).
 */
import { bboxOf } from './ink/geometry.ts';
import type { BBox, RecognitionResult } from './ink/types.ts';
import type { RegionLabel, ServerMessage } from './protocol.ts';
import type { RecognitionJob, ResultSink } from './recognition-contract.ts';

/** Where labels are kept: the server's board store, or a worker's Redis label writer. */
export interface LabelStore {
  /** Stores `label` if its version is still the region's current one; resolves whether it did. */
  setLabel(boardId: string, label: RegionLabel): Promise<boolean>;
}

const EMPTY_BOX: BBox = [Infinity, Infinity, -Infinity, -Infinity];

export interface ResultSinkOptions {
  /** Where labels are stored (only the region's current version is kept). */
  store: LabelStore;
  /** Sends a message to every client of a board, on every server (e.g. `io.to(boardRoom(id)).emit(...)`). */
  broadcast: (boardId: string, msg: ServerMessage) => void;
  /** Optional metrics; `penUpToLabelSeconds` observes pen-up to broadcast, `jobsCompleted` counts by outcome. */
  metrics?: {
    penUpToLabelSeconds?: { observe(seconds: number): void };
    jobsCompleted?: { inc(labels: { outcome: string }): void };
  };
  /** Clock, ms since epoch. Default Date.now. */
  now?: () => number;
}

/** Builds the board label of a job's result (stroke indices become stroke ids). */
export function toRegionLabel(
  job: RecognitionJob,
  result: RecognitionResult,
  recognizedAt: number,
): RegionLabel {
  const idOf = (i: number) => job.strokes[i]?.id;
  return {
    regionId: job.regionId,
    version: job.version,
    strokeIds: job.strokes.map((s) => s.id),
    text: result.text,
    digits: result.digits.map((d) => ({
      label: d.label,
      confidence: d.confidence,
      alternatives: d.alternatives,
      bbox: d.bbox,
      strokeIds: d.strokes.map(idOf).filter((id): id is string => id !== undefined),
    })),
    bbox: bboxOf(job.strokes.flatMap((s) => s.points)) ?? EMPTY_BOX,
    penUpAt: job.penUpAt,
    recognizedAt,
  };
}

export function createResultSink(opts: ResultSinkOptions): ResultSink {
  const now = opts.now ?? Date.now;
  return async (job, result) => {
    const label = toRegionLabel(job, result, now());
    const stored = await opts.store.setLabel(job.boardId, label);
    opts.metrics?.jobsCompleted?.inc({ outcome: stored ? 'stored' : 'stale' });
    if (!stored) return;
    opts.broadcast(job.boardId, { type: 'label', boardId: job.boardId, label });
    opts.metrics?.penUpToLabelSeconds?.observe(Math.max(0, now() - job.penUpAt) / 1000);
  };
}
