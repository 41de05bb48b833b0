/**
 * Stroke ids are scoped to their author. The first `stroke.points` batch (or the commit, if nothing was
 * streamed) claims a stroke id on its board for its user; another user sending points for it or committing
 * it is refused with ID_TAKEN, so nobody can take over a stroke someone else is drawing (its id is visible
 * to the room in `live` messages) and break their pen-up. Committed strokes are also checked by author in
 * the board transaction (board/actions.ts); claims only need to cover strokes being drawn, so they expire.
 *
 * Embedded: a bounded map in memory. Distributed: one Redis key per claim with a TTL (`SET NX PX ... GET`),
 * shared by every server; if Redis is away the claim is allowed (writes are refused as DEGRADED anyway).
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.ts';

export interface StrokeClaims {
  /** Claims the id for `userId`; false if another user holds it. */
  claim(boardId: string, strokeId: string, userId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** How long a claim lasts, ms: a stroke is drawn in seconds; a commit after this is checked by author. */
export const CLAIM_TTL_MS = 10 * 60_000;

export function createMemoryClaims(max = 100_000): StrokeClaims {
  const claims = new Map<string, { userId: string; at: number }>();
  return {
    async claim(boardId, strokeId, userId) {
      const key = `${boardId}\u0000${strokeId}`;
      const now = Date.now();
      const held = claims.get(key);
      if (held && held.userId !== userId && now - held.at < CLAIM_TTL_MS) return false;
      claims.delete(key);
      claims.set(key, { userId, at: now });
      if (claims.size > max) claims.delete(claims.keys().next().value as string);
      return true;
    },
    async close() {
      claims.clear();
    },
  };
}

export function createRedisClaims(url: string, prefix: string, log?: Logger): StrokeClaims {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    retryStrategy: (n) => Math.min(100 * n, 1000),
  });
  redis.on('error', (err: Error) => log?.debug({ err: err.message }, 'claims redis error'));
  return {
    async claim(boardId, strokeId, userId) {
      const key = `${prefix}:claim:{${boardId}}:${strokeId}`;
      try {
        const old = (await redis.call('SET', key, userId, 'NX', 'PX', String(CLAIM_TTL_MS), 'GET')) as
          string | null;
        return old === null || old === userId;
      } catch (err) {
        log?.debug({ err: String(err) }, 'stroke claim failed; allowing it');
        return true;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
