/**
 * Redis key layout of a board, all under REDIS_PREFIX and sharing one hash tag (`{boardId}`) so a
 * board's keys live in one cluster slot and one Lua script may touch them all.
 */
export function boardKeys(prefix: string, boardId: string) {
  const base = `${prefix}:board:{${boardId}}`;
  return {
    /** hash: id, createdAt, ownerKeyHash */
    meta: `${base}:meta`,
    /** hash: stroke id -> stroke JSON */
    strokes: `${base}:strokes`,
    /** hash: stroke id -> region id */
    strokeRegion: `${base}:sreg`,
    /** hash: region id -> region JSON */
    regions: `${base}:regions`,
    /** hash: region id -> current version (read by the setLabel script) */
    regionVersion: `${base}:rver`,
    /** sorted set: region id scored by its last write time (candidates for new strokes) */
    recent: `${base}:recent`,
    /** hash: region id -> label JSON */
    labels: `${base}:labels`,
    /** hash: user id -> undo/redo history JSON */
    history: `${base}:hist`,
    /** string: the board's write lock token */
    lock: `${base}:lock`,
  };
}
export type BoardKeys = ReturnType<typeof boardKeys>;
