/** Answer spaces: each student of a class writes on a board of their own, created on their first join. */
import { spaceIdOf } from '../../shared/classroom.ts';
import type { BoardMeta, BoardStore } from '../store/board-store.ts';

const creating = new Map<string, Promise<void>>();

/** Creates student `userId`'s answer space in class `parent` unless it exists; returns its id. */
export async function ensureSpace(store: BoardStore, parent: BoardMeta, userId: string): Promise<string> {
  const id = spaceIdOf(parent.id, userId);
  let p = creating.get(id);
  if (!p) {
    p = (async () => {
      if (await store.getMeta(id)) return;
      await store.createBoard({
        id,
        createdAt: Date.now(),
        ownerKeyHash: parent.ownerKeyHash,
        parentId: parent.id,
        spaceOf: userId,
      });
    })().finally(() => creating.delete(id));
    creating.set(id, p);
  }
  await p;
  return id;
}
