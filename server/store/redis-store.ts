/**
 * Distributed-mode board store: each board is a few Redis hashes (see redis-keys.ts) and a version counter.
 *
 * Writes use optimistic concurrency with a per-server cache of the boards it writes:
 * - Each server keeps the boards it writes in memory together with the version they were read at.
 *   Transactions read the cached board (no round trip) and queue their writes.
 * - Group commit: transactions on one board queued while a commit is in flight run next, one after the
 *   other on the cached board (each sees the previous ones' writes), and are committed together by one
 *   Lua script, which applies the writes only if the board is still at the version read and raises it.
 *   One round trip per group, whatever the group's size. A group that wrote nothing (reads, rejections)
 *   is checked the same way, so no answer is ever based on a stale cache.
 * - On a conflict (another server committed first), the group's writes are taken back from the cache,
 *   the cache catches up from the board's change log (returned by the same script call; a full reload if
 *   the log no longer reaches back far enough), and the group runs again: bounded attempts, then a clear
 *   error. Nothing is written by a failed attempt, so a stroke is never lost or doubled.
 * - The commit also records the region versions written in the recognition outbox (see board-store.ts).
 * Labels are stored by a script that checks the region version; snapshots read Redis directly.
 * The client fails fast (no offline queue) so callers can answer DEGRADED while Redis is away.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.ts';
import type { BoardSnapshot, BoardStroke, LabelCorrection, RegionLabel } from '../../shared/protocol.ts';
import type { ClassControls } from '../classroom/controls.ts';
import type { RecognitionJob } from '../../shared/recognition-contract.ts';
import type { Region } from '../regions/types.ts';
import {
  BoardLimitError,
  BoardNotFoundError,
  StoreUnavailableError,
  byCommitOrder,
  type BoardMeta,
  type BoardStore,
  type BoardTx,
  type HistoryEntry,
  type StoreStatusListener,
  type StoredCorrection,
  type WriteOp,
} from './board-store.ts';
import { applyWriteUndoable, stateTx, type BoardState } from './board-state.ts';
import {
  SET_LABEL_SCRIPT,
  boardCountKey,
  boardKeys,
  codesKey,
  outboxKey,
  outboxMember,
  setLabelArgs,
  type BoardKeys,
} from '../../shared/redis-keys.ts';
import { COMMIT_SCRIPT, commitArgs } from './redis-scripts.ts';
import { parseStroke, parseStrokesPaced } from './stroke-json.ts';
import { catchUp, commandsOf, type Cached } from './redis-change-log.ts';
import { resolveHistory, type StoredHistory } from './redis-history.ts';

export interface RedisStoreOptions {
  /** redis:// URL (REDIS_URL). */
  url: string;
  /** Key prefix (REDIS_PREFIX). Default `inkboard`. */
  prefix?: string;
  /** Version conflicts a group of transactions may meet (other servers committed first) before it fails. Default 20. */
  maxAttempts?: number;
  /**
   * How long a writer that lost a race holds the board's turn (others' commits wait meanwhile), ms.
   * Default 500.
   */
  turnMs?: number;
  /** How long a group may wait for other writers' turns before it fails, ms. Default 10000. */
  maxWaitMs?: number;
  /** Transactions committed together at most. Default 64. */
  maxGroup?: number;
  /** Boards kept in this server's cache (least recently written ones are dropped). Default 500. */
  cacheBoards?: number;
  /** Commits kept in each board's change log, for servers catching up. Default 64. */
  logEntries?: number;
  /** Boards that can exist at most (MAX_BOARDS), counted in `<prefix>:boards`. Default 100000. */
  maxBoards?: number;
  log?: Logger;
}

const parse = <T>(s: string | null | undefined): T | undefined =>
  s == null ? undefined : (JSON.parse(s) as T);

interface Queued {
  fn: (tx: BoardTx) => Promise<unknown>;
  onApplied?: (result: unknown) => void;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

type CommitReply = [1, number] | [0, number, string[], 0 | 1];

export function createRedisStore(opts: RedisStoreOptions): BoardStore {
  const prefix = opts.prefix ?? 'inkboard';
  const maxAttempts = opts.maxAttempts ?? 20;
  const turnMs = opts.turnMs ?? 500;
  const maxWaitMs = opts.maxWaitMs ?? 10_000;
  const writerId = randomBytes(9).toString('base64url');
  const maxGroup = opts.maxGroup ?? 64;
  const cacheBoards = opts.cacheBoards ?? 500;
  const logEntries = opts.logEntries ?? 64;
  const outbox = outboxKey(prefix);
  const redis = new Redis(opts.url, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    commandTimeout: 10_000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  redis.defineCommand('inkCommit', { numberOfKeys: 4, lua: COMMIT_SCRIPT });
  redis.defineCommand('inkSetLabel', { numberOfKeys: 2, lua: SET_LABEL_SCRIPT });
  type Scripted = {
    inkCommit(
      version: string,
      log: string,
      outbox: string,
      turn: string,
      read: number,
      cmds: string,
      keep: number,
      writer: string,
      turnMs: number,
      at: number,
      /** Outbox member count, the members, then the commands (see COMMIT_SCRIPT). */
      rest: string[],
    ): Promise<CommitReply>;
    inkSetLabel(
      rver: string,
      labels: string,
      regionId: string,
      version: string,
      json: string,
    ): Promise<number>;
  };
  const scripts = redis as unknown as Scripted;

  const listeners: StoreStatusListener[] = [];
  let degraded = true;
  const setDegraded = (d: boolean, reason?: string) => {
    if (d === degraded) return;
    degraded = d;
    opts.log?.[d ? 'warn' : 'info']({ reason }, d ? 'redis store unavailable' : 'redis store available');
    for (const l of listeners) l(d, reason);
  };
  redis.on('ready', () => setDegraded(false));
  redis.on('error', (err: Error) => setDegraded(true, err.message));
  redis.on('close', () => setDegraded(true, 'connection closed'));

  /** Runs a Redis call; a failure while disconnected becomes StoreUnavailableError. */
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (redis.status !== 'ready') throw new StoreUnavailableError(`redis is ${redis.status}`);
    try {
      return await fn();
    } catch (err) {
      if (redis.status !== 'ready' || /timed out|writeable|Connection/i.test(String(err)))
        throw new StoreUnavailableError(String(err));
      throw err;
    }
  };

  // Board metadata never changes once created, so it is cached (boards are never deleted).
  const metas = new Map<string, BoardMeta>();
  async function getMeta(boardId: string): Promise<BoardMeta | undefined> {
    const cached = metas.get(boardId);
    if (cached) return cached;
    const h = await call(() => redis.hgetall(boardKeys(prefix, boardId).meta));
    if (!h.id) return undefined;
    const meta: BoardMeta = { id: h.id, createdAt: Number(h.createdAt), ownerKeyHash: h.ownerKeyHash ?? '' };
    if (h.classroom === '1') meta.classroom = true;
    if (h.joinCode) meta.joinCode = h.joinCode;
    if (h.parentId) meta.parentId = h.parentId;
    if (h.spaceOf) meta.spaceOf = h.spaceOf;
    if (metas.size > 10_000) metas.clear();
    metas.set(boardId, meta);
    return meta;
  }

  /** Boards this server writes, least recently written first. */
  const cache = new Map<string, Cached>();
  /** Transactions waiting per board; a board is in here while its group runner works. */
  const queues = new Map<string, Queued[]>();

  /** Reads a whole board and its version atomically (MULTI). */
  async function loadBoard(k: BoardKeys, meta: BoardMeta): Promise<Cached> {
    const res = await call(() =>
      redis
        .multi()
        .get(k.version)
        .hgetall(k.strokes)
        .hgetall(k.strokeRegion)
        .hgetall(k.regions)
        .hgetall(k.history)
        .hgetall(k.extra)
        .hgetall(k.corrections)
        .hgetall(k.historyEntries)
        .exec(),
    );
    if (!res) throw new Error('board load aborted');
    for (const [err] of res) if (err) throw err;
    const [version, strokes, strokeRegion, regions, history, extra, corrections, entries] = res.map(
      ([, v]) => v,
    ) as [
      string | null,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
    ];
    const entry = (ref: string) => parse<HistoryEntry>(entries[ref]);
    const state: BoardState = {
      meta,
      strokes: new Map(Object.entries(strokes).map(([id, s]) => [id, parseStroke(s)])),
      strokeRegion: new Map(Object.entries(strokeRegion)),
      regions: new Map(Object.entries(regions).map(([id, s]) => [id, JSON.parse(s) as Region])),
      // Labels are not cached: no transaction reads them (snapshots read Redis).
      labels: new Map(),
      history: new Map(
        Object.entries(history).map(([id, s]) => [id, resolveHistory(JSON.parse(s) as StoredHistory, entry)]),
      ),
      ...(extra.classroom ? { classroom: JSON.parse(extra.classroom) as ClassControls } : {}),
      corrections: new Map(
        Object.entries(corrections).map(([id, s]) => [id, JSON.parse(s) as StoredCorrection]),
      ),
    };
    return { state, version: Number(version ?? 0) };
  }

  async function cachedBoard(boardId: string, k: BoardKeys, meta: BoardMeta): Promise<Cached> {
    let c = cache.get(boardId);
    if (c) {
      cache.delete(boardId); // re-inserted below: most recently used last
    } else {
      c = await loadBoard(k, meta);
      opts.log?.debug({ boardId, version: c.version }, 'board loaded into the cache');
      for (const id of cache.keys()) {
        if (cache.size < cacheBoards) break;
        if (!queues.has(id)) cache.delete(id);
      }
    }
    cache.set(boardId, c);
    return c;
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Runs one group of transactions to its end; settles every one of them, never throws. */
  async function runGroup(boardId: string, group: Queued[]): Promise<void> {
    const rejectAll = (err: unknown) => group.forEach((q) => q.reject(err));
    const k = boardKeys(prefix, boardId);
    let meta: BoardMeta | undefined;
    try {
      meta = await getMeta(boardId);
    } catch (err) {
      return rejectAll(err);
    }
    if (!meta) return rejectAll(new BoardNotFoundError(boardId));
    const deadline = Date.now() + maxWaitMs;
    let conflicts = 0;
    for (let attempt = 1; ; attempt++) {
      let c: Cached;
      try {
        c = await cachedBoard(boardId, k, meta);
      } catch (err) {
        return rejectAll(err);
      }
      const undo: (() => void)[] = [];
      const results: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
      const ops: WriteOp[] = [];
      const cmds: string[][] = [];
      for (const q of group) {
        const mine: WriteOp[] = [];
        try {
          const value = await q.fn(stateTx(c.state, mine));
          for (const op of mine) {
            cmds.push(...commandsOf(k, op, c.state));
            applyWriteUndoable(c.state, op, undo);
          }
          ops.push(...mine);
          results.push({ ok: true, value });
        } catch (err) {
          results.push({ ok: false, err });
        }
      }
      const rollback = () => {
        for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
      };
      const settle = () =>
        group.forEach((q, i) => {
          const r = results[i]!;
          if (!r.ok) return q.reject(r.err);
          try {
            q.onApplied?.(r.value);
          } catch (err) {
            opts.log?.error({ err, boardId }, 'onApplied failed');
          }
          q.resolve(r.value);
        });
      let reply: CommitReply;
      try {
        const at = Date.now();
        const members = ops.flatMap((op) =>
          op.t === 'putRegion' ? [outboxMember(boardId, op.region.id, op.region.version)] : [],
        );
        const { log, args } = commitArgs(cmds);
        reply = await call(() =>
          scripts.inkCommit(
            k.version,
            k.log,
            outbox,
            k.turn,
            c.version,
            log,
            logEntries,
            writerId,
            turnMs,
            at,
            [String(members.length), ...members, ...args],
          ),
        );
      } catch (err) {
        // The script may or may not have run: forget this board, the next writer reloads it.
        rollback();
        cache.delete(boardId);
        return rejectAll(err);
      }
      if (reply[0] === 1) {
        c.version = Number(reply[1]);
        return settle();
      }
      rollback();
      if (!catchUp(k, c, Number(reply[1]), reply[2])) cache.delete(boardId);
      const refused = reply[3] === 1;
      if (!refused) conflicts++;
      if (conflicts >= maxAttempts || Date.now() > deadline) {
        return rejectAll(
          new Error(
            `board ${boardId}: ${conflicts} commits conflicted with other servers' writes; try again`,
          ),
        );
      }
      opts.log?.debug(
        { boardId, attempt, conflicts, refused, group: group.length },
        'board commit conflict; running again',
      );
      // Refused: another server holds the board's turn; its commit is on its way.
      if (refused) await sleep(1 + Math.random() * 3);
    }
  }

  async function drain(boardId: string, queue: Queued[]): Promise<void> {
    try {
      while (queue.length) await runGroup(boardId, queue.splice(0, maxGroup));
    } finally {
      queues.delete(boardId);
    }
  }

  return {
    kind: 'redis',
    get degraded() {
      return degraded;
    },
    onStatus: (l) => void listeners.push(l),

    async createBoard(meta) {
      const k = boardKeys(prefix, meta.id);
      const count = await call(() => redis.incr(boardCountKey(prefix)));
      if (count > (opts.maxBoards ?? 100_000)) {
        await call(() => redis.decr(boardCountKey(prefix)));
        throw new BoardLimitError(`at most ${opts.maxBoards ?? 100_000} boards`);
      }
      if (meta.joinCode) {
        const fresh = await call(() => redis.hsetnx(codesKey(prefix), meta.joinCode!, meta.id));
        if (!fresh) throw new Error(`join code ${meta.joinCode} is taken`);
      }
      await call(() =>
        redis.hset(k.meta, {
          id: meta.id,
          createdAt: String(meta.createdAt),
          ownerKeyHash: meta.ownerKeyHash,
          ...(meta.classroom ? { classroom: '1' } : {}),
          ...(meta.joinCode ? { joinCode: meta.joinCode } : {}),
          ...(meta.parentId ? { parentId: meta.parentId } : {}),
          ...(meta.spaceOf ? { spaceOf: meta.spaceOf } : {}),
        }),
      );
    },

    async resolveCode(code) {
      return (await call(() => redis.hget(codesKey(prefix), code))) ?? undefined;
    },

    async getClassroom(boardId) {
      return parse<ClassControls>(
        await call(() => redis.hget(boardKeys(prefix, boardId).extra, 'classroom')),
      );
    },

    getMeta,

    async snapshot(boardId): Promise<BoardSnapshot | undefined> {
      const k = boardKeys(prefix, boardId);
      const meta = await getMeta(boardId);
      if (!meta) return undefined;
      const [strokes, labels, versions, corrections] = await call(() =>
        Promise.all([
          redis.hgetall(k.strokes),
          redis.hgetall(k.labels),
          redis.hgetall(k.regionVersion),
          redis.hgetall(k.corrections),
        ]),
      );
      return {
        id: boardId,
        createdAt: meta.createdAt,
        strokes: (await parseStrokesPaced(Object.values(strokes))).sort(byCommitOrder),
        labels: Object.entries(labels)
          .filter(([id]) => versions[id] !== undefined)
          .map(([, s]) => JSON.parse(s) as RegionLabel),
        corrections: Object.values(corrections)
          .map((s) => JSON.parse(s) as StoredCorrection)
          .filter((c) => versions[c.regionId] === String(c.version))
          .map(({ strokes: _s, author: _a, boardId: _b, ...c }): LabelCorrection => c),
      };
    },

    update<T>(boardId: string, fn: (tx: BoardTx) => Promise<T>, onApplied?: (result: T) => void): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const q: Queued = {
          fn,
          onApplied: onApplied as ((r: unknown) => void) | undefined,
          resolve: resolve as (v: unknown) => void,
          reject,
        };
        const waiting = queues.get(boardId);
        if (waiting) return void waiting.push(q);
        const queue = [q];
        queues.set(boardId, queue);
        void drain(boardId, queue);
      });
    },

    async setLabel(boardId, label) {
      const stored = await call(() => scripts.inkSetLabel(...setLabelArgs(prefix, boardId, label)));
      return stored === 1;
    },

    async pendingJobs(olderThanMs, limit = 100) {
      const flat = await call(() =>
        redis.zrangebyscore(outbox, '-inf', Date.now() - olderThanMs, 'WITHSCORES', 'LIMIT', 0, limit),
      );
      const entries: { member: string; boardId: string; regionId: string; version: number; at: number }[] =
        [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const member = flat[i]!;
        const [boardId, regionId, version] = JSON.parse(member) as [string, string, number];
        entries.push({ member, boardId, regionId, version, at: Number(flat[i + 1]) });
      }
      const regions = await call(() =>
        Promise.all(entries.map((e) => redis.hget(boardKeys(prefix, e.boardId).regions, e.regionId))),
      );
      const stale: string[] = [];
      const jobs: RecognitionJob[] = [];
      await Promise.all(
        entries.map(async (e, i) => {
          const region = parse<Region>(regions[i]);
          if (region?.version !== e.version) return void stale.push(e.member);
          const ids = region.strokes.map((s) => s.id);
          const strokes = ids.length
            ? await call(() => redis.hmget(boardKeys(prefix, e.boardId).strokes, ...ids))
            : [];
          jobs.push({
            boardId: e.boardId,
            regionId: e.regionId,
            version: e.version,
            strokes: ids.map((id, j) => ({ id, points: parse<BoardStroke>(strokes[j])?.points ?? [] })),
            penUpAt: e.at,
          });
        }),
      );
      if (stale.length) await call(() => redis.zrem(outbox, ...stale));
      return jobs.sort((a, b) => a.penUpAt - b.penUpAt);
    },

    async jobsQueued(jobs) {
      if (!jobs.length) return;
      await call(() =>
        redis.zrem(outbox, ...jobs.map((j) => outboxMember(j.boardId, j.regionId, j.version))),
      );
    },

    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
