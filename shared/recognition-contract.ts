/**
 * The recognition contracts between the server and the workers: the job (one ink region at one version),
 * the result sink, the queue the server uses in both modes (embedded and distributed), and the region
 * recognizer the workers provide.
 */
import type { Point, RecognitionResult } from './ink/types.ts';

/** Recognise one ink region at one version. Idempotent: running it twice stores and sends one label. */
export interface RecognitionJob {
  boardId: string;
  regionId: string;
  version: number;
  /** The region's strokes in commit order. */
  strokes: { id: string; points: Point[] }[];
  /** Server time of the pen-up that produced this version, ms since epoch (for pen-up-to-label latency). */
  penUpAt: number;
  /**
   * Fairness key of whoever caused this version, e.g. `addr:<client address>`: queues let keys take
   * turns, so one client's flood (on any number of boards) does not hold up another's labels.
   * Default: the board id.
   */
  lane?: string;
}

/** The fairness key of a job (its `lane`, else its board). */
export const laneOf = (job: Pick<RecognitionJob, 'boardId' | 'lane'>): string =>
  job.lane ?? `board:${job.boardId}`;

/** Stores a result (if its version is still current) and broadcasts the label to the board's room. */
export type ResultSink = (job: RecognitionJob, result: RecognitionResult) => Promise<void>;

export interface RecognitionQueue {
  /** Queues a region version; a newer version supersedes one of the same region still waiting. */
  enqueue(job: RecognitionJob): Promise<void>;
  /** Jobs waiting or running. */
  depth(): Promise<number>;
  /** Stops taking jobs; lets running ones finish. */
  close(): Promise<void>;
}

/** How a recognition request is scheduled (implementations may ignore it). */
export interface RecognizeOptions {
  /**
   * Fairness key, e.g. `http:<address>`: requests of different lanes take turns. Default `default`.
   */
  lane?: string;
  /**
   * Background work (HTTP recognize): runs only in the room board work leaves, so a flood of it never
   * delays board labels. Default false.
   */
  background?: boolean;
}

/** Runs recognition for many regions; implementations batch digits into shared forward passes. */
export interface RegionRecognizer {
  recognize(regions: Point[][][], options?: RecognizeOptions): Promise<RecognitionResult[]>;
  /** The inference backend in use, e.g. `onnx`. */
  readonly backend: string;
  /** Why the preferred backend was passed over (e.g. CUDA could not start); undefined when it was not. */
  readonly backendFallback?: string;
  /** The model read as a second opinion on each digit (the online model's name), or undefined for none. */
  readonly secondOpinion?: string;
  close(): Promise<void>;
}
