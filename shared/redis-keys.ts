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
    /** hash: user id -> undo/redo history as refs into `historyEntries` (redis-history.ts) */
    history: `${base}:hist`,
    /** hash: history entry ref -> entry JSON */
    historyEntries: `${base}:hentries`,
    /** string: the board's version, raised by every commit (optimistic concurrency) */
    version: `${base}:ver`,
    /** list: the latest commits' writes, newest first, `<version>\n<Redis commands JSON>` (see COMMIT_SCRIPT) */
    log: `${base}:log`,
    /** string: id of the writer whose commit goes next (after it lost a race), short TTL */
    turn: `${base}:turn`,
    /** hash: `classroom` -> the teacher's controls and class list JSON */
    extra: `${base}:extra`,
    /** hash: region id -> latest correction JSON (with the region's strokes) */
    corrections: `${base}:corr`,
    /** list (all boards): every correction JSON ever made, oldest first: the training data export */
    training: `${prefix}:corrections`,
  };
}

/**
 * Sorted set of region versions whose recognition job may not be queued yet (the outbox), one for all
 * boards: member `JSON [boardId, regionId, version]`, score the commit time. The commit script writes it
 * together with the board's keys, so with Redis Cluster it would have to move into the board's slot.
 */
export const outboxKey = (prefix: string) => `${prefix}:outbox`;
/** Counter of boards created (MAX_BOARDS). */
export const boardCountKey = (prefix: string) => `${prefix}:boards`;
export const outboxMember = (boardId: string, regionId: string, version: number) =>
  JSON.stringify([boardId, regionId, version]);
export type BoardKeys = ReturnType<typeof boardKeys>;

/**
 * Stores a label only for the region's current version. KEYS[1] region versions, KEYS[2] labels
 * (boardKeys().regionVersion and .labels);
 * ARGV[1] region id, ARGV[2] version, ARGV[3] label JSON. Returns 1 if stored.
 */
export const SET_LABEL_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
`;

/** KEYS and ARGV of {@link SET_LABEL_SCRIPT} for `label` on a board (the server's store and the worker's). */
export function setLabelArgs(
  prefix: string,
  boardId: string,
  label: { regionId: string; version: number },
): [string, string, string, string, string] {
  const k = boardKeys(prefix, boardId);
  return [k.regionVersion, k.labels, label.regionId, String(label.version), JSON.stringify(label)];
}

/** Hash (all boards): join code -> board id. */
export const codesKey = (prefix: string) => `${prefix}:codes`;
