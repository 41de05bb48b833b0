/**
 * The Redis pub/sub channel prefix of the socket.io adapter for a REDIS_PREFIX. A worker's
 * @socket.io/redis-emitter must use the same: `new Emitter(redis, { key: adapterKey(prefix) })`.
 */
export const adapterKey = (redisPrefix: string): string => `${redisPrefix}:socket.io`;
