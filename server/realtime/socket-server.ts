/**
 * The socket.io server: typed with the protocol's event maps, protocol version checked in the
 * handshake, message size capped, and in distributed mode the Redis pub/sub adapter.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { Logger } from '../../shared/logger.ts';
import { LIMITS, PROTOCOL_VERSION, type HandshakeAuth } from '../../shared/protocol.ts';
import { clientAddress, type TrustFn } from '../limits/client-address.ts';
import type { AddressLimits } from '../limits/address-limits.ts';
import { originAllowed } from '../limits/origin.ts';
import { adapterKey } from '../../shared/redis-names.ts';
import type { InkServer } from './types.ts';

/** What this file uses of an engine.io connection. */
interface EngineSocket {
  id: string;
  request: IncomingMessage;
  on(event: 'packet', fn: (packet: { type: string; data?: unknown }) => void): void;
  once(event: 'close', fn: () => void): void;
  close(): void;
}

export interface SocketServerOptions {
  /** Distributed mode: the Redis URL for the adapter; unset: the in-memory adapter. */
  redisUrl?: string;
  /** REDIS_PREFIX; the adapter's channels go under `adapterKey(prefix)`. Default `inkboard`. */
  redisPrefix?: string;
  log: Logger;
  /** Called when an adapter connection goes up or down (see `adapterReady`). */
  onStatus?: () => void;
  /** Per-address limits (open sockets, connect rate, bytes); default: none. */
  limits?: AddressLimits;
  /** Which proxies' X-Forwarded-For to believe (express's compiled `trust proxy`). Default: none. */
  trust?: TrustFn;
  /** ALLOWED_ORIGINS: other origins than the server's own that may open sockets. Default none. */
  allowedOrigins?: readonly string[];
}

/** Engine connections that sent more bytes than their budget: messages are refused until it refills. */
const overBudget = new WeakSet<object>();
/** Over-budget packets in a row before the connection is closed. */
const MAX_STRIKES = 50;

/** Whether this connection is over its byte budget (checked before a message is parsed by its schema). */
export const isOverBudget = (conn: object): boolean => overBudget.has(conn);

export function createSocketServer(httpServer: HttpServer, opts: SocketServerOptions) {
  const trust = opts.trust ?? (() => false);
  const limits = opts.limits;
  const io: InkServer = new Server(httpServer, {
    maxHttpBufferSize: LIMITS.maxMessageBytes,
    serveClient: false,
    // Runs for every engine.io request, before a connection exists: Origin allow-list, then (for a new
    // connection) the per-address socket cap and connect rate.
    allowRequest: (req, cb) => {
      if (!originAllowed(req, opts.allowedOrigins)) return cb('origin not allowed', false);
      const isHandshake = !new URL(req.url ?? '/', 'http://x').searchParams.has('sid');
      if (!isHandshake || !limits) return cb(null, true);
      const address = clientAddress(req, trust);
      void limits.connect(address).then(
        (refused) => {
          if (!refused) pending.set(req, address);
          cb(refused ?? null, !refused);
        },
        () => cb('internal error', false),
      );
    },
  });
  /** Handshakes admitted (and counted) whose engine connection has not opened yet. */
  const pending = new WeakMap<object, string>();
  io.engine.on('connection', (raw: EngineSocket) => {
    const address = pending.get(raw.request) ?? clientAddress(raw.request, trust);
    if (!limits) return;
    if (!pending.has(raw.request)) void limits.connect(address);
    pending.delete(raw.request);
    let strikes = 0;
    raw.on('packet', (packet: { type: string; data?: unknown }) => {
      const d = packet.data;
      const n = typeof d === 'string' ? Buffer.byteLength(d) : d instanceof Uint8Array ? d.byteLength : 1;
      void limits.bytes(address, n, raw.id).then(
        (ok) => {
          if (ok) {
            strikes = 0;
            overBudget.delete(raw);
            return;
          }
          overBudget.add(raw);
          if (++strikes >= MAX_STRIKES) {
            opts.log.warn({ address }, 'connection closed: far over its byte budget');
            raw.close();
          }
        },
        () => {},
      );
    });
    raw.once('close', () => limits.disconnect(address));
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
