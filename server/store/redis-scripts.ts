/** Lua scripts of the Redis board store. */

/**
 * Applies a transaction's writes only if the caller still holds the board lock (fencing a caller whose
 * lock expired), then releases the lock. KEYS[1] lock; ARGV[1] token; ARGV[2] JSON list of commands.
 */
export const COMMIT_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LOCK_LOST') end
for _, cmd in ipairs(cjson.decode(ARGV[2])) do redis.call(unpack(cmd)) end
redis.call('DEL', KEYS[1])
return 1
`;

/** Releases the lock if still ours. KEYS[1] lock; ARGV[1] token. */
export const UNLOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Stores a label only for the region's current version. KEYS[1] region versions, KEYS[2] labels;
 * ARGV[1] region id, ARGV[2] version, ARGV[3] label JSON. Returns 1 if stored.
 */
export const SET_LABEL_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
`;
