/**
 * The board store: the one interface both modes implement (memory + journal in DATA_DIR; Redis).
 *
 * Mutations run in `update(boardId, fn)`: `fn` reads through the transaction, then queues writes; the
 * writes are applied atomically after `fn` returns (and durably, before the returned promise resolves).
 * Reads do not see the transaction's own queued writes, so `fn` reads everything first.
 */
import type { BoardSnapshot, BoardStroke, RegionLabel } from '../../shared/protocol.ts';
import type { Region } from '../regions/types.ts';

export interface BoardMeta {
  id: string;
  createdAt: number;
  /** sha256 of the owner key (base64url); the key itself is never stored. */
  ownerKeyHash: string;
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
  | { t: 'history'; userId: string; history: UserHistory };

export interface BoardTx {
  readonly meta: BoardMeta;
  strokeCount(): Promise<number>;
  getStrokes(ids: readonly string[]): Promise<(BoardStroke | undefined)[]>;
  /** Region id of each stroke. */
  regionsOf(strokeIds: readonly string[]): Promise<(string | undefined)[]>;
  getRegions(ids: readonly string[]): Promise<(Region | undefined)[]>;
  /** Regions written at or after `since` (ms since epoch). */
  recentRegions(since: number): Promise<Region[]>;
  allRegions(): Promise<Region[]>;
  getHistory(userId: string): Promise<UserHistory>;
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
  /** Strokes (in commit order) and the labels of regions that still exist. */
  snapshot(boardId: string): Promise<BoardSnapshot | undefined>;
  /**
   * `onApplied` runs once the writes are visible to other readers, possibly before they are durable
   * (the memory store calls it before its fsync): broadcasts and recognition need not wait for the disk,
   * while the returned promise (the sender's ack) does.
   */
  update<T>(boardId: string, fn: (tx: BoardTx) => Promise<T>, onApplied?: (result: T) => void): Promise<T>;
  /** Stores a label only if `label.version` is the region's current version. Returns whether it did. */
  setLabel(boardId: string, label: RegionLabel): Promise<boolean>;
  close(): Promise<void>;
}

/** Thrown by stores when the backend is unreachable. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export class BoardNotFoundError extends Error {
  override name = 'BoardNotFoundError';
}

/** Snapshot order: commit time, then id. */
export const byCommitOrder = (a: BoardStroke, b: BoardStroke): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
