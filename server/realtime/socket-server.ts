/**
 * The socket.io server: typed with the protocol's event maps, protocol version checked in the
 * handshake, message size capped, and in distributed mode the Redis pub/sub adapter.
 */
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { Logger } from '../../shared/logger.ts';
import { LIMITS, PROTOCOL_VERSION, type HandshakeAuth } from '../../shared/protocol.ts';
import { adapterKey } from '../../shared/redis-names.ts';
import type { InkServer } from './types.ts';

export interface SocketServerOptions {
  /** Distributed mode: the Redis URL for the adapter; unset: the in-memory adapter. */
  redisUrl?: string;
  /** REDIS_PREFIX; the adapter's channels go under `adapterKey(prefix)`. Default `inkboard`. */
  redisPrefix?: string;
  log: Logger;
  /** Called when an adapter connection goes up or down (see `adapterReady`). */
  onStatus?: () => void;
}

export function createSocketServer(httpServer: HttpServer, opts: SocketServerOptions) {
  const io: InkServer = new Server(httpServer, {
    maxHttpBufferSize: LIMITS.maxMessageBytes,
    serveClient: false,
  });

  io.use((socket, next) => {
    const auth = socket.handshake.auth as Partial<HandshakeAuth> | undefined;
    if (auth?.protocolVersion === PROTOCOL_VERSION) return next();
    const message = `server speaks protocol ${PROTOCOL_VERSION}, client ${String(auth?.protocolVersion)}: reload the page`;
    next(Object.assign(new Error(message), { data: { code: 'PROTOCOL_VERSION', message } }));
  });

  const clients: Redis[] = [];
  if (opts.redisUrl) {
    // Pub/sub adapter: works with @socket.io/redis-emitter, which the worker processes use for labels.
    const pub = new Redis(opts.redisUrl, { retryStrategy: (n) => Math.min(50 * n, 500) });
    const sub = pub.duplicate();
    for (const c of [pub, sub]) {
      c.on('error', (err) => opts.log.debug({ err: err.message }, 'adapter redis error'));
      c.on('ready', () => opts.onStatus?.());
      c.on('close', () => opts.onStatus?.());
    }
    // The adapter publishes without handling failures; while Redis is away those would surface as
    // unhandled rejections. Broadcasts are best effort anyway: clients resync after an outage.
    const publish = pub.publish.bind(pub) as (channel: string, message: string) => Promise<number>;
    Object.assign(pub, {
      publish: (channel: string, message: string) =>
        publish(channel, message).catch((err: unknown) => {
          opts.log.debug({ err: String(err) }, 'adapter publish failed');
          return 0;
        }),
    });
    clients.push(pub, sub);
    io.adapter(
      createAdapter(pub, sub, { key: adapterKey(opts.redisPrefix ?? 'inkboard'), requestsTimeout: 2000 }),
    );
    io.of('/').adapter.on('error', (err: unknown) =>
      opts.log.warn({ err: String(err) }, 'socket.io adapter error'),
    );
  }

  return {
    io,
    /** Whether the adapter's Redis connections are up (always true without an adapter). */
    adapterReady: () => clients.every((c) => c.status === 'ready'),
    async close() {
      await io.close();
      for (const c of clients) await c.quit().catch(() => c.disconnect());
    },
  };
}
