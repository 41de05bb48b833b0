/**
 * `npm start`: validates the environment, starts one Inkboard server (embedded or distributed mode),
 * prints its URL, and shuts down gracefully on SIGTERM / SIGINT.
 */
import { ConfigError, loadConfig, type Config } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { createInferencePool, poolOptionsFromConfig, type InferencePool } from '../workers/pool.ts';
import { createInkboardServer } from './app.ts';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}

const log = createLogger('server', config.LOG_LEVEL);
const distributed = Boolean(config.REDIS_URL);
let pool: InferencePool | undefined;
const startPool = async (): Promise<InferencePool> => {
  // Embedded: HTTP recognize gets a thread of its own, so it never shares one with board labels.
  pool ??= createInferencePool({
    ...poolOptionsFromConfig(config, log),
    backgroundThreads: distributed ? 0 : 1,
  });
  await pool.ready();
  return pool;
};

try {
  // Embedded: the pool recognises everything. Distributed: workers do; the pool starts only if
  // POST /api/v1/recognize is used on this server.
  const server = await createInkboardServer(config, {
    log,
    dev: process.env.INKBOARD_DEV === '1',
    recognizer: distributed ? startPool : await startPool(),
  });
  log.info(
    {
      mode: server.mode,
      backend: pool?.backend ?? 'workers',
      intraOpThreads: pool ? config.INFERENCE_INTRA_OP_THREADS : undefined,
      store: server.store.kind,
      dataDir: distributed ? undefined : config.DATA_DIR,
    },
    pool ? `${server.mode} mode, inference backend: ${pool.backend}` : `${server.mode} mode`,
  );
  process.stdout.write(`Inkboard running at ${server.url}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    server
      .close()
      .then(() => pool?.close())
      .then(() => {
        clearTimeout(force);
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (err) {
  log.fatal({ err }, 'could not start');
  process.exit(1);
}
