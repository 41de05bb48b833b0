/**
 * The Redis store's change log: a board's writes as Redis commands (what the commit script runs and logs),
 * and replaying logged commands onto a board cached by a server to catch up with other servers' commits.
 */
import type { Region } from '../regions/types.ts';
import type { ClassControls } from '../classroom/controls.ts';
import type { HistoryEntry, StoredCorrection, WriteOp } from './board-store.ts';
import { historyCommands, resolveHistory, storedRefOf, type StoredHistory } from './redis-history.ts';
import type { BoardState } from './board-state.ts';
import { parseStroke, strokeJson } from './stroke-json.ts';
import type { BoardKeys } from '../../shared/redis-keys.ts';

/**
 * The Redis commands of one write, on the board as it is before the write (`b`: the history write
 * stores only what changed, see redis-history.ts).
 */
export function commandsOf(k: BoardKeys, op: WriteOp, b: BoardState): string[][] {
  switch (op.t) {
    case 'putStroke':
      return [['HSET', k.strokes, op.stroke.id, strokeJson(op.stroke)]];
    case 'deleteStroke':
      return [
        ['HDEL', k.strokes, op.id],
        ['HDEL', k.strokeRegion, op.id],
      ];
    case 'strokeRegion':
      return [['HSET', k.strokeRegion, op.id, op.regionId]];
    case 'putRegion':
      return [
        ['HSET', k.regions, op.region.id, JSON.stringify(op.region)],
        ['HSET', k.regionVersion, op.region.id, String(op.region.version)],
        ['ZADD', k.recent, String(op.region.updatedAt), op.region.id],
      ];
    case 'deleteRegion':
      return [
        ['HDEL', k.regions, op.id],
        ['HDEL', k.regionVersion, op.id],
        ['ZREM', k.recent, op.id],
        ['HDEL', k.labels, op.id],
      ];
    case 'history':
      return historyCommands(k, op.userId, b.history.get(op.userId), op.history);
    case 'classroom':
      return [['HSET', k.extra, 'classroom', JSON.stringify(op.classroom)]];
    case 'correction': {
      const json = JSON.stringify(op.correction);
      return [
        ['HSET', k.corrections, op.correction.regionId, json],
        ['RPUSH', k.training, json],
      ];
    }
  }
}

/** A board as this server last saw it, at `version`. */
export interface Cached {
  state: BoardState;
  version: number;
}

/**
 * Applies one Redis command of a commit (see `commandsOf`) to a cached board; `entries` collects the
 * history entries the commits write, for the history lists that refer to them.
 */
function applyCommand(
  k: BoardKeys,
  b: BoardState,
  entries: Map<string, HistoryEntry>,
  [cmd, key, field, value]: string[],
): void {
  if (field === undefined) return;
  const set = cmd === 'HSET' && value !== undefined;
  if (cmd !== 'HSET' && cmd !== 'HDEL') return;
  switch (key) {
    case k.strokes:
      if (set) b.strokes.set(field, parseStroke(value));
      else b.strokes.delete(field);
      break;
    case k.strokeRegion:
      if (set) b.strokeRegion.set(field, value);
      else b.strokeRegion.delete(field);
      break;
    case k.regions:
      if (set) b.regions.set(field, JSON.parse(value) as Region);
      else b.regions.delete(field);
      break;
    case k.historyEntries:
      if (set) entries.set(field, JSON.parse(value) as HistoryEntry);
      break;
    case k.history: {
      if (!set) {
        b.history.delete(field);
        break;
      }
      const known = b.history.get(field);
      const mine = new Map(
        [...(known?.undo ?? []), ...(known?.redo ?? [])].map((e) => [storedRefOf(field, e), e]),
      );
      b.history.set(
        field,
        resolveHistory(JSON.parse(value) as StoredHistory, (ref) => entries.get(ref) ?? mine.get(ref)),
      );
      break;
    }
    case k.extra:
      if (set && field === 'classroom') b.classroom = JSON.parse(value) as ClassControls;
      break;
    case k.corrections:
      if (set) b.corrections.set(field, JSON.parse(value) as StoredCorrection);
      else b.corrections.delete(field);
      break;
    // Region versions, the recent-regions index and labels are not cached.
  }
}

/**
 * Applies the change log entries (`<version>\n<commands JSON>`, newest first) that other servers committed
 * after the cached version; false if they do not reach back to it.
 */
export function catchUp(k: BoardKeys, c: Cached, current: number, entries: string[]): boolean {
  if (entries.length !== current - c.version) return false;
  const parsed = entries
    .map((e) => {
      const nl = e.indexOf('\n');
      return { v: Number(e.slice(0, nl)), cmds: JSON.parse(e.slice(nl + 1)) as string[][] };
    })
    .reverse();
  // A large commit is logged as null: reload.
  if (parsed.some((e, i) => e.v !== c.version + 1 + i || !Array.isArray(e.cmds))) return false;
  const written = new Map<string, HistoryEntry>();
  for (const e of parsed) for (const cmd of e.cmds) applyCommand(k, c.state, written, cmd);
  c.version = current;
  return true;
}
