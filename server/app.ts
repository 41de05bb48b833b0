/**
 * Builds one Inkboard server (express + socket.io + board store + recognition queue) and starts it
 * listening. Several can run in one process (the tests do), each with its own config and dependencies.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from '../shared/config.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { EVENTS, type ServerMessage } from '../shared/protocol.ts';
import { boardRoom } from '../shared/rooms.ts';
import { createBoardService } from './board/board-service.ts';
import { mountClient } from './http/client.ts';
import { apiRouter } from './http/api.ts';
import { errorHandler, sendError } from './http/errors.ts';
import { securityHeaders } from './http/security-headers.ts';
import { createAddressLimits } from './limits/address-limits.ts';
import { clientAddress, type TrustFn } from './limits/client-address.ts';
import { originAllowed } from './limits/origin.ts';
import { createMemoryClaims, createRedisClaims } from './realtime/stroke-claims.ts';
import { opsRouter } from './http/ops.ts';
import { createMetrics } from './metrics.ts';
import { createBullmqQueue } from './queue/bullmq-queue.ts';
import { createEmbeddedQueue } from './queue/embedded-queue.ts';
import type { RecognitionQueue, RegionRecognizer } from '../shared/recognition-contract.ts';
import { handleConnection } from './realtime/connection.ts';
import { createLiveRelay } from './realtime/live-relay.ts';
import { pacedBroadcast } from './realtime/paced-broadcast.ts';
import { createPresence } from './realtime/presence.ts';
import { createSocketServer } from './realtime/socket-server.ts';
import { DEFAULT_REGION_RULES } from './regions/types.ts';
import { createResultSink } from '../shared/result-sink.ts';
import { createClassCache } from './classroom/class-cache.ts';
import { classRouter } from './http/class-api.ts';
import type { BoardStore } from './store/board-store.ts';
import { createMemoryStore } from './store/memory-store.ts';
import { createRedisStore } from './store/redis-store.ts';

export interface InkboardDeps {
  /** Default: a pino logger named `server`. */
  log?: Logger;
  /** Default: memory + journal in DATA_DIR (embedded), Redis (distributed). */
  store?: BoardStore;
  /** Default: the embedded queue running `recognizer` (embedded), BullMQ (distributed). */
  queue?: RecognitionQueue;
  /**
   * Recognizer for the embedded queue and POST /api/v1/recognize. Not closed by `close()`.
   * Without one, embedded mode stores ink but produces no labels.
   */
  recognizer?: RegionRecognizer | (() => Promise<RegionRecognizer | undefined>);
  /** Built client directory. Default `client/dist`. */
  clientDir?: string;
  /** Vite middleware instead of the built client. Default false. */
  dev?: boolean;
  /** fdatasync board journals before acknowledging (embedded). Default true. */
  fsync?: boolean;
}

export interface InkboardServer {
  httpServer: ReturnType<typeof createServer>;
  io: ReturnType<typeof createSocketServer>['io'];
  store: BoardStore;
  queue: RecognitionQueue;
  mode: 'embedded' | 'distributed';
  /** e.g. http://localhost:3000 */
  url: string;
  close(): Promise<void>;
}

export async function createInkboardServer(config: Config, deps: InkboardDeps = {}): Promise<InkboardServer> {
  const log = deps.log ?? createLogger('server', config.LOG_LEVEL);
  const mode = config.REDIS_URL ? 'distributed' : 'embedded';
  const metrics = createMetrics();
  const store =
    deps.store ??
    (config.REDIS_URL
      ? createRedisStore({
          url: config.REDIS_URL,
          prefix: config.REDIS_PREFIX,
          maxBoards: config.MAX_BOARDS,
          log,
        })
      : createMemoryStore({
          dataDir: config.DATA_DIR,
          fsync: deps.fsync,
          maxLoaded: config.MAX_LOADED_BOARDS,
          idleMs: config.BOARD_IDLE_MS,
          maxBoards: config.MAX_BOARDS,
          log,
        }));

  if (store.degraded) {
    // Give Redis a moment to connect; if it is down the server starts anyway, degraded, and recovers.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      store.onStatus((d) => d || (clearTimeout(t), resolve()));
    });
  }

  let recognizerPromise: Promise<RegionRecognizer | undefined> | undefined;
  const getRecognizer = () =>
    (recognizerPromise ??= Promise.resolve(
      typeof deps.recognizer === 'function' ? deps.recognizer() : deps.recognizer,
    ).catch((err: unknown) => {
      log.error({ err }, 'recognizer failed to start');
      recognizerPromise = undefined;
      return undefined;
    }));
  let backend = mode === 'distributed' ? 'workers' : 'none';
  let backendFallback: string | undefined;
  let secondOpinion: () => string | undefined = () => undefined;

  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies TRUST_PROXY names (by default none).
  app.set('trust proxy', config.TRUST_PROXY);
  const trust = app.get('trust proxy fn') as TrustFn;
  app.use(securityHeaders({ dev: deps.dev ?? false }));
  // Browsers may post to the API only from the allowed origins (the server's own by default).
  app.use('/api', (req, res, next) => {
    if (req.method === 'GET' || originAllowed(req, config.ALLOWED_ORIGINS)) return next();
    sendError(res, 'FORBIDDEN', 'requests from this origin are not allowed (ALLOWED_ORIGINS)');
  });
  const limits = createAddressLimits(config);
  const claims = config.REDIS_URL
    ? createRedisClaims(config.REDIS_URL, config.REDIS_PREFIX, log)
    : createMemoryClaims();
  const httpServer = createServer(app);
  // Degraded = the store or the adapter's Redis connections are down; clients are told on every change.
  let degraded = Boolean(config.REDIS_URL);
  const updateStatus = (reason?: string) => {
    const now = store.degraded || !sockets.adapterReady();
    if (now === degraded) return;
    degraded = now;
    log[now ? 'warn' : 'info']({ reason }, now ? 'degraded' : 'recovered');
    sockets.io.local.emit(EVENTS.toClient, { type: 'status', degraded: now, ...(reason ? { reason } : {}) });
  };
  const sockets = createSocketServer(httpServer, {
    redisUrl: config.REDIS_URL,
    redisPrefix: config.REDIS_PREFIX,
    log,
    onStatus: () => updateStatus(),
    limits,
    trust,
    allowedOrigins: config.ALLOWED_ORIGINS,
  });
  const { io } = sockets;
  const live = createLiveRelay(io);
  // A commit drops its stroke's live points still waiting for the relay tick, so they never follow it.
  // Paced: a change carrying a whole board's ink goes out in parts, in order (realtime/paced-broadcast.ts).
  const broadcast = pacedBroadcast(
    (boardId: string, msg: ServerMessage) => {
      if (msg.type === 'strokes.added') live.committed(boardId, msg.strokes);
      io.to(boardRoom(boardId)).emit(
        EVENTS.toClient,
        'boardId' in msg ? msg : ({ ...msg, boardId } as ServerMessage),
      );
    },
    { onError: (err, boardId) => log.error({ err, boardId }, 'broadcast failed') },
  );
  const classes = createClassCache(store);
  const sink = createResultSink({ store, broadcast, metrics });

  let queue = deps.queue;
  if (!queue && config.REDIS_URL) {
    queue = createBullmqQueue({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, log });
  } else if (!queue) {
    const recognizer = await getRecognizer();
    if (recognizer) {
      backend = recognizer.backend;
      backendFallback = recognizer.backendFallback;
      secondOpinion = () => recognizer.secondOpinion;
      queue = createEmbeddedQueue({
        recognizer,
        sink,
        batchMax: config.BATCH_MAX,
        log,
        onBatch: (seconds) => metrics.recognitionSeconds.observe(seconds),
        onError: (jobs) => metrics.jobsCompleted.inc({ outcome: 'failed' }, jobs.length),
      });
    } else {
      log.warn('no recognizer: ink is stored but not recognised');
      queue = { enqueue: async () => {}, depth: async () => 0, close: async () => {} };
    }
  }

  const service = createBoardService({
    store,
    queue,
    broadcast,
    metrics,
    log,
    rules: { ...DEFAULT_REGION_RULES, sharedRegions: config.SHARED_REGIONS, timeMs: config.REGION_TIME_MS },
  });
  const presence = createPresence(io, log);
  io.on('connection', (socket) =>
    handleConnection(
      {
        store,
        service,
        presence,
        live,
        classes,
        broadcast,
        limits,
        address: clientAddress(socket.request, trust),
        claims,
        metrics,
        log,
      },
      socket,
    ),
  );
  store.onStatus((_d, reason) => updateStatus(reason));

  app.use(
    opsRouter({
      mode,
      store,
      queue,
      metrics,
      backend: () => backend,
      backendFallback: () => backendFallback,
      secondOpinion: () => secondOpinion(),
      clients: () => io.engine.clientsCount,
    }),
  );
  app.use('/api/v1', classRouter({ store }));
  app.use(
    '/api/v1',
    apiRouter({
      store,
      recognizer: getRecognizer,
      limits,
      boardsPerMinute: config.BOARDS_PER_MINUTE,
      recognizeConcurrency: config.RECOGNIZE_CONCURRENCY,
      recognizePerAddress: config.RECOGNIZE_PER_ADDRESS,
    }),
  );
  const client = await mountClient(app, { dir: deps.clientDir, dev: deps.dev, httpServer });
  app.use(errorHandler(log));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.PORT, config.HOST, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;

  let closing: Promise<void> | undefined;
  return {
    httpServer,
    io,
    store,
    queue,
    mode,
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        presence.close();
        service.close();
        live.close();
        await sockets.close();
        await client.close();
        await queue.close();
        await claims.close();
        await store.close();
      })()),
  };
}
