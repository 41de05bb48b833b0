/**
 * The distributed worker's label writer: stores a region's label in Redis only if its version is still the
 * region's current one (the board store's own check-and-set script, shared/redis-keys.ts), so a job that
 * runs twice or late never overwrites a newer label.
 */
import { Redis } from 'ioredis';
import { SET_LABEL_SCRIPT, setLabelArgs } from '../shared/redis-keys.ts';
import type { RegionLabel } from '../shared/protocol.ts';
import type { LabelStore } from '../shared/result-sink.ts';

/** Options of {@link createRedisLabelStore}. */
export interface RedisLabelStoreOptions {
  /** redis:// URL (REDIS_URL). */
  url: string;
  /** Key prefix (REDIS_PREFIX). */
  prefix: string;
}

export interface RedisLabelStore extends LabelStore {
  close(): Promise<void>;
}

type Scripted = Redis & {
  inkSetLabel(
    versions: string,
    labels: string,
    region: string,
    version: string,
    json: string,
  ): Promise<number>;
};

/**
 * Its own connection that fails fast while Redis is away (the job then fails and BullMQ retries it)
 * instead of queueing writes.
 */
export function createRedisLabelStore(opts: RedisLabelStoreOptions): RedisLabelStore {
  const redis = new Redis(opts.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 10_000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  }) as Scripted;
  redis.on('error', () => {}); // the queue and the health endpoint report outages; this client reconnects
  redis.defineCommand('inkSetLabel', { numberOfKeys: 2, lua: SET_LABEL_SCRIPT });
  return {
    async setLabel(boardId: string, label: RegionLabel) {
      if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}: label not stored`);
      const stored = await redis.inkSetLabel(...setLabelArgs(opts.prefix, boardId, label));
      return stored === 1;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
