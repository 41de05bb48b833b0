/**
 * How the Redis store keeps undo/redo histories without rewriting them whole: each entry is stored once in
 * the board's `histEntries` hash under a ref (user, action and a hash of its stroke ids), and a user's
 * history (`hist` field) lists refs only. An action writes its new entry and the (short) list of refs, and
 * deletes the entries that left the history; the strokes a clear removed are written once, not on every
 * later action. Hashes written by older servers (whole entries in `hist`) are still read.
 *
 * An entry that carries its strokes gets a ref of its own: undoing a commit turns the undo entry
 * {added, [x]} into the redo entry {added, [x], strokes}, and with one ref for both the redo entry was
 * never written (its ref was already there), so a redo after a reload restored nothing.
 *
 * What counts as stored is what was read: an entry keeps the ref it was read under (older servers gave
 * entries with strokes the stroke-less ref) and one read whole from an older `hist` is written out on every
 * action while it stays in the history, so no entry is lost when the storage scheme changes.
 */
import { createHash } from 'node:crypto';
import type { HistoryEntry, UserHistory } from './board-store.ts';
import type { BoardKeys } from '../../shared/redis-keys.ts';
import { entryJson } from './stroke-json.ts';

/** What `hist` holds per user: refs (older data: whole entries). */
export interface StoredHistory {
  undo: (string | HistoryEntry)[];
  redo: (string | HistoryEntry)[];
}

export function refOf(userId: string, e: HistoryEntry): string {
  const h = createHash('sha1')
    .update(`${e.op}${e.strokes ? '+strokes' : ''}:${e.ids.join(',')}`)
    .digest('base64url');
  return `${userId}:${h}`;
}

/** Entries read from Redis: the ref each was read under, or null when it was read whole from `hist`. */
const readAs = new WeakMap<HistoryEntry, string | null>();

/** The ref `e` is stored under: the one it was read under, else {@link refOf}. */
export function storedRefOf(userId: string, e: HistoryEntry): string {
  return readAs.get(e) ?? refOf(userId, e);
}

/** The Redis commands that turn `old` into `next` for `userId`. */
export function historyCommands(
  k: BoardKeys,
  userId: string,
  old: UserHistory | undefined,
  next: UserHistory,
): string[][] {
  const before = new Set([...(old?.undo ?? []), ...(old?.redo ?? [])].map((e) => storedRefOf(userId, e)));
  const cmds: string[][] = [];
  const after = new Set<string>();
  for (const e of [...next.undo, ...next.redo]) {
    const ref = storedRefOf(userId, e);
    if (after.has(ref)) continue;
    after.add(ref);
    // An entry read whole is (re)written while it stays: whether an earlier action stored it is not known.
    if (!before.has(ref) || readAs.get(e) === null) cmds.push(['HSET', k.historyEntries, ref, entryJson(e)]);
  }
  for (const ref of before) if (!after.has(ref)) cmds.push(['HDEL', k.historyEntries, ref]);
  const stored: StoredHistory = {
    undo: next.undo.map((e) => storedRefOf(userId, e)),
    redo: next.redo.map((e) => storedRefOf(userId, e)),
  };
  cmds.push(['HSET', k.history, userId, JSON.stringify(stored)]);
  return cmds;
}

/** Rebuilds a user's history from its stored refs; `entry` finds an entry by ref. */
export function resolveHistory(
  stored: StoredHistory,
  entry: (ref: string) => HistoryEntry | undefined,
): UserHistory {
  const resolve = (xs: (string | HistoryEntry)[]) =>
    xs
      .map((x) => {
        const e = typeof x === 'string' ? entry(x) : x;
        if (e && !readAs.has(e)) readAs.set(e, typeof x === 'string' ? x : null);
        return e;
      })
      .filter((e): e is HistoryEntry => !!e);
  return { undo: resolve(stored.undo), redo: resolve(stored.redo) };
}
