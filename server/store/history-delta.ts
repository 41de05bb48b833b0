/**
 * A user's undo/redo history written as a change, not whole: the journal records how each list changed
 * (`keep` entries of the old list from `from`, then `push`). After a clear of a large board, its undo entry
 * holds every cleared stroke; writing the whole history on each later commit would write it again every
 * time. With deltas a commit writes its own entry only.
 */
import type { HistoryEntry, UserHistory } from './board-store.ts';

/** `next = old.slice(from, from + keep).concat(push)`. */
export interface ListDelta {
  from: number;
  keep: number;
  push: HistoryEntry[];
}

/** A journal-only write: the history of `userId` changed by these deltas. */
export interface HistoryDeltaOp {
  t: 'historyDelta';
  userId: string;
  undo: ListDelta;
  redo: ListDelta;
}

/** Entries are identified by their action and stroke ids (stroke ids are unique on a board). */
const keyOf = (e: HistoryEntry): string => `${e.op}:${e.ids.join(',')}`;

function diffList(old: readonly HistoryEntry[], next: readonly HistoryEntry[]): ListDelta {
  const oldKeys = old.map(keyOf);
  const nextKeys = next.map(keyOf);
  const first = nextKeys[0];
  const from = first === undefined ? -1 : oldKeys.indexOf(first);
  if (from >= 0) {
    let keep = 0;
    while (from + keep < oldKeys.length && keep < nextKeys.length && oldKeys[from + keep] === nextKeys[keep])
      keep++;
    // Only a prefix of `next` may come from the old list, and it must reach the old list's end or stop
    // where `next` continues with new entries.
    return { from, keep, push: next.slice(keep) };
  }
  return { from: 0, keep: 0, push: [...next] };
}

function applyList(old: readonly HistoryEntry[], d: ListDelta): HistoryEntry[] {
  return old.slice(d.from, d.from + d.keep).concat(d.push);
}

export function historyDelta(
  userId: string,
  old: UserHistory | undefined,
  next: UserHistory,
): HistoryDeltaOp {
  const before = old ?? { undo: [], redo: [] };
  return {
    t: 'historyDelta',
    userId,
    undo: diffList(before.undo, next.undo),
    redo: diffList(before.redo, next.redo),
  };
}

export function applyHistoryDelta(old: UserHistory | undefined, d: HistoryDeltaOp): UserHistory {
  const before = old ?? { undo: [], redo: [] };
  return { undo: applyList(before.undo, d.undo), redo: applyList(before.redo, d.redo) };
}
