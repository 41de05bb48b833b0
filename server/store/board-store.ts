/**
 * The board store: the one interface both modes implement (memory + journal in DATA_DIR; Redis).
 *
 * Mutations run in `update(boardId, fn)`: `fn` reads through the transaction, then queues writes; the
 * writes are applied atomically after `fn` returns (and durably, before the returned promise resolves).
 * Reads do not see the transaction's own queued writes, so `fn` reads everything first. Transactions on
 * one board are serialisable: each sees the writes of every transaction applied before it. `fn` may run
 * more than once (the Redis store re-runs it when another server committed first), so it must have no
 * side effects besides its queued writes; it should not wait on anything but the transaction's reads.
 *
 * Recognition outbox: every region version written (`putRegion`) is recorded as pending recognition in
 * the same atomic write. The caller queues the job and then calls `jobsQueued`; `pendingJobs` returns the
 * versions still pending after a while (the server died, or the queue was down, between the commit and
 * the enqueue), rebuilt from the board, so a stored change is always recognised eventually.
 */
import type { BoardSnapshot, BoardStroke, LabelCorrection, RegionLabel } from '../../shared/protocol.ts';
import type { ClassControls } from '../classroom/controls.ts';
import type { RecognitionJob } from '../../shared/recognition-contract.ts';
import type { Region } from '../regions/types.ts';

export interface BoardMeta {
  id: string;
  createdAt: number;
  /** sha256 of the owner key (base64url); the key itself is never stored. */
  ownerKeyHash: string;
  /** Classroom mode: every member writes in their own answer space. Default false. */
  classroom?: boolean;
  /** Short join code of a top-level board. */
  joinCode?: string;
  /** An answer space: the class (board) it belongs to... */
  parentId?: string;
  /** ...and the student (user id) whose space it is. */
  spaceOf?: string;
}

/** A correction as stored: what the room sees, plus the region's strokes at that version (training data). */
export interface StoredCorrection extends LabelCorrection {
  /** The region's strokes in drawing order, points in board units. */
  strokes: [number, number][][];
  /** User id of the region's author. */
  author: string;
  /** The board (or answer space) of the region. */
  boardId: string;
}

/** One undoable action of one user. `strokes` hold the data needed to restore removed strokes. */
export interface HistoryEntry {
  op: 'added' | 'removed';
  ids: string[];
  strokes?: BoardStroke[];
}

export interface UserHistory {
  undo: HistoryEntry[];
  redo: HistoryEntry[];
}

/** A queued write; both stores apply the same list. */
export type WriteOp =
  | { t: 'putStroke'; stroke: BoardStroke }
  | { t: 'deleteStroke'; id: string }
  | { t: 'strokeRegion'; id: string; regionId: string }
  | { t: 'putRegion'; region: Region }
  | { t: 'deleteRegion'; id: string }
  | { t: 'history'; userId: string; history: UserHistory }
  | { t: 'classroom'; classroom: ClassControls }
  | { t: 'correction'; correction: StoredCorrection };

export interface BoardTx {
  readonly meta: BoardMeta;
  strokeCount(): Promise<number>;
  /** Points of all the board's strokes (its size budget, `LIMITS.maxPointsPerBoard`). */
  pointCount(): Promise<number>;
  getStrokes(ids: readonly string[]): Promise<(BoardStroke | undefined)[]>;
  /** Region id of each stroke. */
  regionsOf(strokeIds: readonly string[]): Promise<(string | undefined)[]>;
  getRegions(ids: readonly string[]): Promise<(Region | undefined)[]>;
  /** Regions written at or after `since` (ms since epoch). */
  recentRegions(since: number): Promise<Region[]>;
  allRegions(): Promise<Region[]>;
  getHistory(userId: string): Promise<UserHistory>;
  /** The teacher's controls and class list; undefined until the first control or student. */
  getClassroom(): Promise<ClassControls | undefined>;
  write(op: WriteOp): void;
}

export type StoreStatusListener = (degraded: boolean, reason?: string) => void;

export interface BoardStore {
  readonly kind: 'memory' | 'redis';
  /** True while the backing store is unreachable; writes then fail with DEGRADED. */
  readonly degraded: boolean;
  onStatus(listener: StoreStatusListener): void;
  createBoard(meta: BoardMeta): Promise<void>;
  getMeta(boardId: string): Promise<BoardMeta | undefined>;
  /** Strokes (in commit order), the labels of regions that still exist and their current corrections. */
  snapshot(boardId: string): Promise<BoardSnapshot | undefined>;
  /** The board's classroom controls, read fresh (outside any transaction). */
  getClassroom(boardId: string): Promise<ClassControls | undefined>;
  /** The board id of a join code, if any. */
  resolveCode(code: string): Promise<string | undefined>;
  /**
   * `onApplied` runs once the writes are visible to other readers, possibly before they are durable
   * (the memory store calls it before its fsync): broadcasts and recognition need not wait for the disk,
   * while the returned promise (the sender's ack) does.
   */
  update<T>(boardId: string, fn: (tx: BoardTx) => Promise<T>, onApplied?: (result: T) => void): Promise<T>;
  /**
   * Region versions written at least `olderThanMs` ago whose job was not reported queued, as jobs
   * (`penUpAt` = commit time), oldest first, at most `limit` (default 100). Entries of versions that are no
   * longer current are dropped (the newer version has its own entry).
   */
  pendingJobs(olderThanMs: number, limit?: number): Promise<RecognitionJob[]>;
  /** Removes region versions from the outbox once their jobs are queued. */
  jobsQueued(jobs: readonly Pick<RecognitionJob, 'boardId' | 'regionId' | 'version'>[]): Promise<void>;
  /** Stores a label only if `label.version` is the region's current version. Returns whether it did. */
  setLabel(boardId: string, label: RegionLabel): Promise<boolean>;
  close(): Promise<void>;
  /** Boards held in memory now (embedded store; tests and metrics). */
  loadedBoards?(): number;
}

/** Thrown by stores when the backend is unreachable. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** Creating one more board would pass MAX_BOARDS. */
export class BoardLimitError extends Error {
  override name = 'BoardLimitError';
}

export class BoardNotFoundError extends Error {
  override name = 'BoardNotFoundError';
}

/** Snapshot order: commit time, then id. */
export const byCommitOrder = (a: BoardStroke, b: BoardStroke): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
