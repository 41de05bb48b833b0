/**
 * A short-lived cache of boards' classroom controls, for the hot path (`stroke.points`, many a second per
 * writer): a lock or read-only switch made on another server reaches this one within `ttlMs`. Acked
 * writes (commits, erase, undo...) read the controls fresh.
 */
import type { BoardStore } from '../store/board-store.ts';
import type { ClassControls } from './controls.ts';

export function createClassCache(store: Pick<BoardStore, 'getClassroom'>, ttlMs = 300) {
  const entries = new Map<string, { at: number; value: Promise<ClassControls | undefined> }>();
  return {
    /** The controls, at most `ttlMs` old. */
    get(boardId: string): Promise<ClassControls | undefined> {
      const e = entries.get(boardId);
      if (e && Date.now() - e.at < ttlMs) return e.value;
      if (entries.size > 5000) entries.clear();
      const value = store.getClassroom(boardId).catch(() => e?.value ?? undefined);
      entries.set(boardId, { at: Date.now(), value });
      return value;
    },
    /** The controls, read fresh (and cached). */
    fresh(boardId: string): Promise<ClassControls | undefined> {
      const value = store.getClassroom(boardId);
      entries.set(boardId, { at: Date.now(), value: value.catch(() => undefined) });
      return value;
    },
    set(boardId: string, value: ClassControls): void {
      entries.set(boardId, { at: Date.now(), value: Promise.resolve(value) });
    },
  };
}
export type ClassCache = ReturnType<typeof createClassCache>;
