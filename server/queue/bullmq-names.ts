/** Names shared by the BullMQ producer (server) and the BullMQ worker process (workers/main.ts). */
import type { RecognitionJob } from './types.ts';

/** The BullMQ queue name. */
export const RECOGNITION_QUEUE = 'recognition';
/** BullMQ key prefix for a REDIS_PREFIX: the prefix itself (queue keys are `<prefix>:recognition:*`). */
export const bullPrefix = (redisPrefix: string): string => redisPrefix;
/** Job id of one region version. BullMQ forbids ':' in custom ids, hence '.' (ids never contain it). */
export const jobIdOf = (j: Pick<RecognitionJob, 'boardId' | 'regionId' | 'version'>): string =>
  `${j.boardId}.${j.regionId}.${j.version}`;
