/** Lua scripts of the Redis board store, and how a commit's commands are passed to them. */

/** A commit whose commands are larger than this is logged as `null`: servers behind reload the board. */
export const MAX_LOGGED_BYTES = 256 * 1024;

/**
 * Commits a group of transactions on one board if the board is still at the version they read
 * (optimistic concurrency), records the pending recognition of the region versions written (outbox), and
 * appends the writes to the board's change log (entries `<version>\n<commands JSON>`, or `null` for a
 * commit over `MAX_LOGGED_BYTES`), so a server whose cached board is behind catches up without reloading it.
 *
 * The commands come as plain arguments (`commitArgs`), not as one JSON document: a clear or undo of a full
 * board carries MBs of stroke JSON, which would otherwise be escaped into a second JSON document by the
 * server and decoded again by cjson while Redis serves nobody else.
 *
 * Fairness: a writer that loses a race takes the board's turn (if nobody holds it) for a short while;
 * other writers' commits are refused until it committed or the turn expired, so a server whose commits
 * always arrive second cannot starve.
 *
 * KEYS[1] version counter, KEYS[2] change log (list, newest first), KEYS[3] outbox (sorted set),
 * KEYS[4] turn. ARGV[1] version read; ARGV[2] the change log text of the commands (their JSON, or `null`),
 * or empty when there are none (the group only checks the version: its reads and rejections must still
 * have seen the current board); ARGV[3] change log length kept; ARGV[4] writer id; ARGV[5] turn ms;
 * ARGV[6] commit time (outbox score); ARGV[7] number of outbox members `m`; ARGV[8..7+m] outbox members;
 * then the commands, each as its argument count followed by its arguments.
 *
 * Returns `{1, newVersion}`, or `{0, currentVersion, entries, refused}`: `entries` are the change log
 * entries after the version read (newest first; empty if the log no longer holds them all), `refused` is
 * 1 when the version matched but another writer holds the turn.
 */
export const COMMIT_SCRIPT = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
local read = tonumber(ARGV[1])
local keep = tonumber(ARGV[3])
local turn = redis.call('GET', KEYS[4])
if v ~= read then
  if not turn then redis.call('SET', KEYS[4], ARGV[4], 'PX', ARGV[5]) end
  local n = v - read
  if n > 0 and n <= keep then
    local entries = redis.call('LRANGE', KEYS[2], 0, n - 1)
    if #entries == n then return {0, v, entries, 0} end
  end
  return {0, v, {}, 0}
end
if turn and turn ~= ARGV[4] then return {0, v, {}, 1} end
if turn then redis.call('DEL', KEYS[4]) end
if ARGV[2] == '' then return {1, v} end
local m = tonumber(ARGV[7])
local i = 8 + m
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
v = v + 1
redis.call('SET', KEYS[1], v)
redis.call('LPUSH', KEYS[2], v .. '\\n' .. ARGV[2])
redis.call('LTRIM', KEYS[2], 0, keep - 1)
for j = 8, 7 + m do redis.call('ZADD', KEYS[3], ARGV[6], ARGV[j]) end
return {1, v}
`;

/**
 * The commit script's view of a group's commands: `log`, its change log text (ARGV[2]), and `args`, the
 * commands as argument count + arguments (the tail of ARGV). Each string is passed as it is: a stroke's
 * JSON is not encoded a second time. A large commit's commands are not encoded at all (`null`).
 */
export function commitArgs(cmds: readonly string[][]): { log: string; args: string[] } {
  if (!cmds.length) return { log: '', args: [] };
  const args: string[] = [];
  let bytes = 0;
  for (const cmd of cmds) {
    args.push(String(cmd.length));
    for (const a of cmd) {
      args.push(a);
      bytes += a.length + 3;
    }
  }
  return { log: bytes > MAX_LOGGED_BYTES ? 'null' : JSON.stringify(cmds), args };
}
