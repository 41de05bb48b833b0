/** Redis names shared by the server and the worker processes: the BullMQ queue, job ids, the socket.io adapter channel. */
import type { RecognitionJob } from './recognition-contract.ts';

/** The BullMQ queue name. */
export const RECOGNITION_QUEUE = 'recognition';
/** BullMQ key prefix for a REDIS_PREFIX: the prefix itself (queue keys are `<prefix>:recognition:*`). */
export const bullPrefix = (redisPrefix: string): string => redisPrefix;
/** Job id of one region version. BullMQ forbids ':' in custom ids, hence '.' (ids never contain it). */
export const jobIdOf = (j: Pick<RecognitionJob, 'boardId' | 'regionId' | 'version'>): string =>
  `${j.boardId}.${j.regionId}.${j.version}`;

/**
 * The Redis pub/sub channel prefix of the socket.io adapter for a REDIS_PREFIX. A worker's
 * @socket.io/redis-emitter must use the same: `new Emitter(redis, { key: adapterKey(prefix) })`.
 */
export const adapterKey = (redisPrefix: string): string => `${redisPrefix}:socket.io`;
