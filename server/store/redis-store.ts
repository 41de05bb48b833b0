/**
 * Distributed-mode board store: each board is a few Redis hashes (see redis-keys.ts).
 * Writers on any server take the board's lock (SET NX PX), read, then apply their writes with a Lua
 * script that checks they still hold the lock; labels are stored by a script that checks the version.
 * The client fails fast (no offline queue) so callers can answer DEGRADED while Redis is away.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.ts';
import type { BoardSnapshot, BoardStroke, RegionLabel } from '../../shared/protocol.ts';
import type { Region } from '../regions/types.ts';
import {
  BoardNotFoundError,
  StoreUnavailableError,
  byCommitOrder,
  type BoardMeta,
  type BoardStore,
  type BoardTx,
  type StoreStatusListener,
  type UserHistory,
  type WriteOp,
} from './board-store.ts';
import { boardKeys, type BoardKeys } from './redis-keys.ts';
import { COMMIT_SCRIPT, SET_LABEL_SCRIPT, UNLOCK_SCRIPT } from './redis-scripts.ts';
import { KeyedMutex } from './keyed-mutex.ts';

export interface RedisStoreOptions {
  /** redis:// URL (REDIS_URL). */
  url: string;
  /** Key prefix (REDIS_PREFIX). Default `inkboard`. */
  prefix?: string;
  /** How long a board lock is held at most, in ms. Default 10000. */
  lockTtlMs?: number;
  /** How long to wait for a board lock, in ms. Default 5000. */
  lockWaitMs?: number;
  log?: Logger;
}

const parse = <T>(s: string | null | undefined): T | undefined =>
  s == null ? undefined : (JSON.parse(s) as T);

function commandsOf(k: BoardKeys, op: WriteOp): string[][] {
  switch (op.t) {
    case 'putStroke':
      return [['HSET', k.strokes, op.stroke.id, JSON.stringify(op.stroke)]];
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
      return [['HSET', k.history, op.userId, JSON.stringify(op.history)]];
  }
}

export function createRedisStore(opts: RedisStoreOptions): BoardStore {
  const prefix = opts.prefix ?? 'inkboard';
  const lockTtl = opts.lockTtlMs ?? 10_000;
  const lockWait = opts.lockWaitMs ?? 5000;
  const redis = new Redis(opts.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 10_000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  redis.defineCommand('inkCommit', { numberOfKeys: 1, lua: COMMIT_SCRIPT });
  redis.defineCommand('inkUnlock', { numberOfKeys: 1, lua: UNLOCK_SCRIPT });
  redis.defineCommand('inkSetLabel', { numberOfKeys: 2, lua: SET_LABEL_SCRIPT });
  type Scripted = {
    inkCommit(lock: string, token: string, cmds: string): Promise<number>;
    inkUnlock(lock: string, token: string): Promise<number>;
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

  const local = new KeyedMutex();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function lock(k: BoardKeys): Promise<string> {
    const token = randomBytes(12).toString('base64url');
    const deadline = Date.now() + lockWait;
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      if ((await call(() => redis.set(k.lock, token, 'PX', lockTtl, 'NX'))) === 'OK') return token;
      if (Date.now() > deadline) throw new Error(`board lock ${k.lock} busy for ${lockWait} ms`);
      await sleep(wait * (0.5 + Math.random()));
    }
  }

  // Board metadata never changes once created, so it is cached (boards are never deleted).
  const metas = new Map<string, BoardMeta>();
  async function getMeta(boardId: string): Promise<BoardMeta | undefined> {
    const cached = metas.get(boardId);
    if (cached) return cached;
    const h = await call(() => redis.hgetall(boardKeys(prefix, boardId).meta));
    if (!h.id) return undefined;
    const meta = { id: h.id, createdAt: Number(h.createdAt), ownerKeyHash: h.ownerKeyHash ?? '' };
    if (metas.size > 10_000) metas.clear();
    metas.set(boardId, meta);
    return meta;
  }

  const txOf = (k: BoardKeys, meta: BoardMeta, ops: WriteOp[]): BoardTx => {
    const hmget = async <T>(key: string, ids: readonly string[]): Promise<(T | undefined)[]> =>
      ids.length ? (await call(() => redis.hmget(key, ...ids))).map((s) => parse<T>(s)) : [];
    return {
      meta,
      strokeCount: () => call(() => redis.hlen(k.strokes)),
      getStrokes: (ids) => hmget<BoardStroke>(k.strokes, ids),
      regionsOf: async (ids) =>
        ids.length ? (await call(() => redis.hmget(k.strokeRegion, ...ids))).map((s) => s ?? undefined) : [],
      getRegions: (ids) => hmget<Region>(k.regions, ids),
      recentRegions: async (since) => {
        const ids = await call(() => redis.zrangebyscore(k.recent, since, '+inf'));
        return (await hmget<Region>(k.regions, ids)).filter((r): r is Region => !!r);
      },
      allRegions: async () =>
        Object.values(await call(() => redis.hgetall(k.regions))).map((s) => JSON.parse(s) as Region),
      getHistory: async (userId) =>
        parse<UserHistory>(await call(() => redis.hget(k.history, userId))) ?? { undo: [], redo: [] },
      write: (op) => void ops.push(op),
    };
  };

  return {
    kind: 'redis',
    get degraded() {
      return degraded;
    },
    onStatus: (l) => void listeners.push(l),

    async createBoard(meta) {
      const k = boardKeys(prefix, meta.id);
      await call(() =>
        redis.hset(k.meta, {
          id: meta.id,
          createdAt: String(meta.createdAt),
          ownerKeyHash: meta.ownerKeyHash,
        }),
      );
    },

    getMeta,

    async snapshot(boardId): Promise<BoardSnapshot | undefined> {
      const k = boardKeys(prefix, boardId);
      const meta = await getMeta(boardId);
      if (!meta) return undefined;
      const [strokes, labels, versions] = await call(() =>
        Promise.all([redis.hgetall(k.strokes), redis.hgetall(k.labels), redis.hgetall(k.regionVersion)]),
      );
      return {
        id: boardId,
        createdAt: meta.createdAt,
        strokes: Object.values(strokes)
          .map((s) => JSON.parse(s) as BoardStroke)
          .sort(byCommitOrder),
        labels: Object.entries(labels)
          .filter(([id]) => versions[id] !== undefined)
          .map(([, s]) => JSON.parse(s) as RegionLabel),
      };
    },

    update(boardId, fn, onApplied) {
      const k = boardKeys(prefix, boardId);
      return local.run(boardId, async () => {
        const meta = await getMeta(boardId);
        if (!meta) throw new BoardNotFoundError(boardId);
        // A writer stalled past the lock's TTL finds its lock gone at commit time; nothing was written,
        // so the transaction simply runs again on fresh reads.
        for (let attempt = 1; ; attempt++) {
          const token = await lock(k);
          try {
            const ops: WriteOp[] = [];
            const res = await fn(txOf(k, meta, ops));
            const cmds = ops.flatMap((op) => commandsOf(k, op));
            if (cmds.length) await call(() => scripts.inkCommit(k.lock, token, JSON.stringify(cmds)));
            else await call(() => scripts.inkUnlock(k.lock, token));
            onApplied?.(res);
            return res;
          } catch (err) {
            await scripts.inkUnlock(k.lock, token).catch(() => {});
            if (attempt < 3 && String(err).includes('LOCK_LOST')) {
              opts.log?.warn({ boardId, attempt }, 'board lock expired during a write; retrying');
              continue;
            }
            throw err;
          }
        }
      });
    },

    async setLabel(boardId, label) {
      const k = boardKeys(prefix, boardId);
      const stored = await call(() =>
        scripts.inkSetLabel(
          k.regionVersion,
          k.labels,
          label.regionId,
          String(label.version),
          JSON.stringify(label),
        ),
      );
      return stored === 1;
    },

    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
