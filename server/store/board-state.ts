/** A board held in memory, and how queued writes apply to it (the memory store and its journal share this). */
import type { BoardStroke, RegionLabel } from '../../shared/protocol.ts';
import type { Region } from '../regions/types.ts';
import type { ClassControls } from '../classroom/controls.ts';
import type { BoardMeta, BoardTx, StoredCorrection, UserHistory, WriteOp } from './board-store.ts';

export interface BoardState {
  meta: BoardMeta;
  strokes: Map<string, BoardStroke>;
  strokeRegion: Map<string, string>;
  regions: Map<string, Region>;
  labels: Map<string, RegionLabel>;
  history: Map<string, UserHistory>;
  classroom?: ClassControls;
  /** By region id: the latest correction of each region (kept when the region goes: training data). */
  corrections: Map<string, StoredCorrection>;
}

export function emptyBoard(meta: BoardMeta): BoardState {
  return {
    meta,
    strokes: new Map(),
    strokeRegion: new Map(),
    regions: new Map(),
    labels: new Map(),
    history: new Map(),
    corrections: new Map(),
  };
}

export function applyWrite(b: BoardState, op: WriteOp): void {
  switch (op.t) {
    case 'putStroke':
      b.strokes.set(op.stroke.id, op.stroke);
      break;
    case 'deleteStroke':
      b.strokes.delete(op.id);
      b.strokeRegion.delete(op.id);
      break;
    case 'strokeRegion':
      b.strokeRegion.set(op.id, op.regionId);
      break;
    case 'putRegion':
      b.regions.set(op.region.id, op.region);
      break;
    case 'deleteRegion':
      b.regions.delete(op.id);
      b.labels.delete(op.id);
      break;
    case 'history':
      b.history.set(op.userId, op.history);
      break;
    case 'classroom':
      b.classroom = op.classroom;
      break;
    case 'correction':
      b.corrections.set(op.correction.regionId, op.correction);
      break;
  }
}

/**
 * Applies a write and records how to take it back (`undo`, to be run last first): the Redis store applies
 * a group of transactions to its cached board before their commit and rolls them back if it fails.
 */
export function applyWriteUndoable(b: BoardState, op: WriteOp, undo: (() => void)[]): void {
  const restore = <K, V>(m: Map<K, V>, k: K) => {
    const had = m.has(k);
    const v = m.get(k);
    undo.push(() => void (had ? m.set(k, v as V) : m.delete(k)));
  };
  switch (op.t) {
    case 'putStroke':
      restore(b.strokes, op.stroke.id);
      break;
    case 'deleteStroke':
      restore(b.strokes, op.id);
      restore(b.strokeRegion, op.id);
      break;
    case 'strokeRegion':
      restore(b.strokeRegion, op.id);
      break;
    case 'putRegion':
      restore(b.regions, op.region.id);
      break;
    case 'deleteRegion':
      restore(b.regions, op.id);
      restore(b.labels, op.id);
      break;
    case 'history':
      restore(b.history, op.userId);
      break;
    case 'classroom': {
      const was = b.classroom;
      undo.push(() => void (b.classroom = was));
      break;
    }
    case 'correction':
      restore(b.corrections, op.correction.regionId);
      break;
  }
  applyWrite(b, op);
}

/** A transaction reading a board held in memory; writes are queued to `ops`. */
export function stateTx(s: BoardState, ops: WriteOp[]): BoardTx {
  return {
    meta: s.meta,
    strokeCount: async () => s.strokes.size,
    pointCount: async () => {
      let n = 0;
      for (const st of s.strokes.values()) n += st.points.length;
      return n;
    },
    getStrokes: async (ids) => ids.map((id) => s.strokes.get(id)),
    regionsOf: async (ids) => ids.map((id) => s.strokeRegion.get(id)),
    getRegions: async (ids) => ids.map((id) => s.regions.get(id)),
    recentRegions: async (since) => [...s.regions.values()].filter((r) => r.updatedAt >= since),
    allRegions: async () => [...s.regions.values()],
    // Entries are never changed once made (actions push and pop whole entries), so copying the lists is
    // enough; a deep copy would copy every stroke a clear removed on each of the user's later actions.
    getHistory: async (userId) => {
      const h = s.history.get(userId);
      return { undo: [...(h?.undo ?? [])], redo: [...(h?.redo ?? [])] };
    },
    getClassroom: async () => (s.classroom ? structuredClone(s.classroom) : undefined),
    write: (op) => void ops.push(op),
  };
}

/** Stores the label if it is for the region's current version. */
export function applyLabel(b: BoardState, label: RegionLabel): boolean {
  const region = b.regions.get(label.regionId);
  if (!region || region.version !== label.version) return false;
  b.labels.set(label.regionId, label);
  return true;
}

/** The whole state as plain JSON (a compacted journal's single record). */
export interface SerializedBoard {
  meta: BoardMeta;
  strokes: BoardStroke[];
  strokeRegion: [string, string][];
  regions: Region[];
  labels: RegionLabel[];
  history: [string, UserHistory][];
  classroom?: ClassControls;
  corrections?: StoredCorrection[];
}

export function serializeBoard(b: BoardState): SerializedBoard {
  return {
    meta: b.meta,
    strokes: [...b.strokes.values()],
    strokeRegion: [...b.strokeRegion],
    regions: [...b.regions.values()],
    labels: [...b.labels.values()],
    history: [...b.history],
    ...(b.classroom ? { classroom: b.classroom } : {}),
    corrections: [...b.corrections.values()],
  };
}

export function deserializeBoard(s: SerializedBoard): BoardState {
  return {
    meta: s.meta,
    strokes: new Map(s.strokes.map((x) => [x.id, x])),
    strokeRegion: new Map(s.strokeRegion),
    regions: new Map(s.regions.map((r) => [r.id, r])),
    labels: new Map(s.labels.map((l) => [l.regionId, l])),
    history: new Map(s.history),
    ...(s.classroom ? { classroom: s.classroom } : {}),
    corrections: new Map((s.corrections ?? []).map((c) => [c.regionId, c])),
  };
}

/** Corrections of the regions' current versions (what the room sees). */
export function currentCorrections(b: BoardState): StoredCorrection[] {
  return [...b.corrections.values()].filter((c) => b.regions.get(c.regionId)?.version === c.version);
}
