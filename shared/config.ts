/**
 * Configuration from environment variables, validated once at start.
 * A bad value stops the process with a message that names the variable, e.g.
 * `Invalid configuration: PORT: expected a whole number from 0 to 65535, got "abc"`.
 */
import { z } from 'zod';

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `expected a whole number from ${min} to ${max}`)
        .max(max, `expected a whole number from ${min} to ${max}`),
    );
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/**
 * Inference backends: `onnx` (onnxruntime-node on CPU), `onnx-cuda` (its CUDA 12 execution provider; falls
 * back to `onnx` with a warning when CUDA cannot start), `wasm` (TensorFlow.js, XNNPACK), `cpu` (TensorFlow.js
 * in plain JavaScript, slow; tests).
 */
export const INFERENCE_BACKENDS = ['onnx', 'onnx-cuda', 'wasm', 'cpu'] as const;
export type InferenceBackend = (typeof INFERENCE_BACKENDS)[number];

const EnvSchema = z.object({
  /** HTTP port. Default 3000; 0 picks a free port. */
  PORT: int(0, 65535).default(3000),
  /** Interface to listen on. Default 0.0.0.0 (reachable from the classroom's network). */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Set: distributed mode (BullMQ queue, boards in Redis, socket.io Redis adapter). Unset: embedded mode. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),
  /** Prefix for every Redis key and the queue name, so several deployments (or tests) share one Redis. Default `inkboard`. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'expected 1-64 characters of A-Z a-z 0-9 : _ -')
    .default('inkboard'),
  /** Embedded mode: where boards are persisted. Default ./data. */
  DATA_DIR: z.string().min(1).default('data'),
  /**
   * Force an inference backend (see INFERENCE_BACKENDS). Default: onnx-cuda when onnxruntime-node's CUDA
   * provider is installed, else onnx; wasm when onnxruntime-node cannot load.
   */
  INKBOARD_BACKEND: z
    .enum(INFERENCE_BACKENDS, {
      message: `expected ${INFERENCE_BACKENDS.join(', ')} (tfjs-node's node and node-gpu were replaced by onnx and onnx-cuda)`,
    })
    .optional(),
  /** Threads one onnxruntime session uses for one forward pass (intra-op). Default 1: parallelism comes from INFERENCE_THREADS and worker processes. */
  INFERENCE_INTRA_OP_THREADS: int(1, 64).default(1),
  /** Model directory. Default: models/best-reject if present, else models/best, else models/seed. */
  INKBOARD_MODEL: z.string().min(1).optional(),
  /** The online model read as a second opinion on the pen path; `off` for none. Default: models/trajectory if present. */
  INKBOARD_TRAJECTORY_MODEL: z.string().min(1).optional(),
  /** Embedded mode: inference worker threads. Default 1. */
  INFERENCE_THREADS: int(1, 64).default(1),
  /** Distributed worker: jobs processed at once per worker process (their digits share forward passes). Default 16. */
  WORKER_CONCURRENCY: int(1, 1024).default(16),
  /** Largest batch of digits in one forward pass. Default 256. */
  BATCH_MAX: int(1, 4096).default(256),
  /** How long a batch waits for more digits before it runs, in ms. Default 2. */
  BATCH_WAIT_MS: int(0, 1000).default(2),
  /** BullMQ job lock in ms: a killed worker's job is retried after about this long. Default 4000. */
  JOB_LOCK_MS: int(500, 600_000).default(4000),
  /** Distributed worker: how often it checks for stalled jobs (whose worker died), in ms. Default 1000. */
  STALLED_INTERVAL_MS: int(100, 600_000).default(1000),
  /** Distributed worker: port of its /healthz and /metrics endpoints; unset: none. */
  WORKER_PORT: int(0, 65535).optional(),
  /** Strokes by different authors may share an ink region. Default false. */
  SHARED_REGIONS: bool.default(false),
  /** Max gap in ms between strokes of one region. Default 4000. */
  REGION_TIME_MS: int(0, 3_600_000).default(4000),
  /** pino level: fatal, error, warn, info, debug, trace, silent. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Messages per second per connection. Default 120. */
  RATE_LIMIT: int(1, 100_000).default(120),
  /** Messages per second from one address, all its connections together. Default 3000. */
  ADDRESS_RATE_LIMIT: int(1, 1_000_000).default(3000),
  /** Bytes per second one connection may send (counted before any parsing). Default 1048576 (1 MiB). */
  CONNECTION_BYTES_PER_SECOND: int(1024, 1 << 30).default(1 << 20),
  /** Bytes per second from one address, all its connections and HTTP bodies together. Default 8388608 (8 MiB). */
  ADDRESS_BYTES_PER_SECOND: int(1024, 1 << 30).default(8 << 20),
  /** Open socket.io connections from one address at most (a classroom behind one NAT needs ~30-60). Default 200. */
  MAX_SOCKETS_PER_ADDRESS: int(1, 1_000_000).default(200),
  /** New socket.io connections per minute from one address. Default 600. */
  CONNECTIONS_PER_MINUTE: int(1, 1_000_000).default(600),
  /**
   * Which proxies to believe about the client address (X-Forwarded-For), as express's `trust proxy`:
   * `false` (none: the socket address counts), `true` (any), a hop count, or a comma list of addresses or
   * subnets (e.g. `loopback`, `10.0.0.0/8`). Default false.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^(true|false|\d+|[0-9A-Za-z.:/, _-]+)$/, 'expected true, false, a hop count or a list of subnets')
    .transform((v): boolean | number | string =>
      v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v,
    )
    .default(false),
  /**
   * Origins (`scheme://host[:port]`, comma separated) allowed to open sockets and post to the API from a
   * browser, besides the server's own; `*` allows any. Default: the server's own origin only.
   */
  ALLOWED_ORIGINS: z
    .string()
    .trim()
    .regex(
      /^(\*|[a-z][a-z0-9+.-]*:\/\/[^,\s]+(\s*,\s*[a-z][a-z0-9+.-]*:\/\/[^,\s]+)*)$/i,
      'expected * or a comma list of origins',
    )
    .transform((v) => v.split(',').map((o) => o.trim().replace(/\/$/, '')))
    .optional(),
  /** POST /api/v1/recognize requests running at once on this server; more answer 503 BUSY. Default 4. */
  RECOGNIZE_CONCURRENCY: int(1, 1024).default(4),
  /** POST /api/v1/recognize requests running at once per address; more answer 429. Default 2. */
  RECOGNIZE_PER_ADDRESS: int(1, 1024).default(2),
  /** Embedded mode: boards kept in memory (least recently used ones are unloaded; their journals closed). Default 200. */
  MAX_LOADED_BOARDS: int(1, 1_000_000).default(200),
  /** Embedded mode: a board unused this long (ms) is unloaded from memory. Default 600000 (10 min). */
  BOARD_IDLE_MS: int(1000, 86_400_000).default(600_000),
  /** Boards this deployment holds at most; creating more answers LIMIT_REACHED. Default 100000. */
  MAX_BOARDS: int(1, 100_000_000).default(100_000),
  /** Boards created per minute per address. Default 60. */
  BOARDS_PER_MINUTE: int(1, 1_000_000).default(60),
});

export type Config = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses and validates configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Treat empty strings as unset so `REDIS_URL= npm start` means embedded mode.
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const res = EnvSchema.safeParse(clean);
  if (res.success) return res.data;
  const lines = res.error.issues.map((i) => {
    const key = String(i.path[0] ?? '?');
    return `${key}: ${i.message}, got ${JSON.stringify(env[key])}`;
  });
  throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
}
