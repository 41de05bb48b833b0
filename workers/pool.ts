/**
 * The inference pool: a RegionRecognizer that runs recognition in worker threads, off the caller's event
 * loop. Each thread owns a backend and a model and batches the digits of all requests it holds into shared
 * forward passes (workers/batcher.ts). A thread that dies is replaced; its requests are retried on another
 * thread (`retries` times) and then fail with an error that says so. Nothing waits forever: every request
 * has a deadline.
 */
import { Worker } from 'node:worker_threads';
import type { Point, RecognitionResult } from '../shared/ink/types.ts';
import type { Config, InferenceBackend } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import type { RegionRecognizer } from '../shared/recognition-contract.ts';
import type { FromThread, ThreadData, ToThread } from './pool-messages.ts';

/** Options of {@link createInferencePool}. */
export interface InferencePoolOptions {
  /** Inference threads. Default `1`. */
  threads?: number;
  /** Largest batch of digits in one forward pass. Default `256`. */
  batchMax?: number;
  /** How long a batch waits for more digits, in ms. Default `2`. */
  batchWaitMs?: number;
  /** Force an inference backend. Default: the best that starts (onnx-cuda, onnx, wasm). */
  backend?: InferenceBackend;
  /** onnxruntime threads per forward pass in each thread. Default `1`. */
  intraOpThreads?: number;
  /** Model directory. Default: models/best if present, else models/seed. */
  modelDir?: string;
  /** Module exporting `createEngine` (see workers/engine-types.ts). Default: workers/inference/engine.ts. */
  engineModule?: string | URL;
  /** Passed to the engine (tests use it). Default: none. */
  engineOptions?: Record<string, unknown>;
  /** Times a request is retried on another thread after its thread died. Default `1`. */
  retries?: number;
  /** A request not answered within this many ms fails, and its thread is presumed stuck and replaced. Default `30000`. */
  requestTimeoutMs?: number;
  /** Called after every forward pass with its batch size and duration in ms. Default: none. */
  onBatch?: (size: number, ms: number) => void;
  /** Default: no logging. */
  logger?: Logger;
}

/** A RegionRecognizer backed by threads, with its batch statistics. */
export interface InferencePool extends RegionRecognizer {
  /** Resolves once every thread has loaded its model; rejects with the load error of a thread that could not. */
  ready(): Promise<void>;
  /** How many forward passes ran with each batch size, over the pool's life (replaced threads included). */
  batchSizes(): Map<number, number>;
  /** Threads replaced after a crash or a timeout. */
  readonly restarts: number;
}

interface Request {
  id: number;
  regions: Point[][][];
  attempts: number;
  resolve: (r: RecognitionResult[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  settled?: Promise<void>;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: Promise<string>;
  inflight: Map<number, Request>;
  dead: boolean;
  started: boolean;
}

export class InferencePoolError extends Error {
  override name = 'InferencePoolError';
}

/** Starts the threads; `recognize` may be called at once (requests wait for the models to load). */
/** Pool options from the validated configuration (threads, batching, backend, model), shared by server and worker. */
export function poolOptionsFromConfig(config: Config, logger: Logger): InferencePoolOptions {
  return {
    threads: config.INFERENCE_THREADS,
    batchMax: config.BATCH_MAX,
    batchWaitMs: config.BATCH_WAIT_MS,
    backend: config.INKBOARD_BACKEND,
    intraOpThreads: config.INFERENCE_INTRA_OP_THREADS,
    modelDir: config.INKBOARD_MODEL,
    logger,
  };
}

export function createInferencePool(options: InferencePoolOptions = {}): InferencePool {
  const threads = Math.max(1, options.threads ?? 1);
  const retries = options.retries ?? 1;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const log = options.logger;
  const engineModule = new URL(options.engineModule ?? new URL('./inference/engine.ts', import.meta.url))
    .href;
  const sizes = new Map<number, number>();
  const slots: Slot[] = [];
  let backend: string = options.backend ?? 'unknown';
  let backendFallback: string | undefined;
  let nextId = 1;
  let restarts = 0;
  let closing = false;
  let initError: Error | undefined;
  // Orphans of a dead thread are retried one at a time, so a request that kills its thread (a poison pill)
  // takes no innocent request down with it a second time.
  let retryChain: Promise<void> = Promise.resolve();

  function spawn(index: number): Slot {
    const data: ThreadData = {
      entry: new URL('./pool-thread.ts', import.meta.url).href,
      engineModule,
      backend: options.backend,
      intraOpThreads: options.intraOpThreads,
      modelDir: options.modelDir,
      batchMax: options.batchMax ?? 256,
      batchWaitMs: options.batchWaitMs ?? 2,
      extra: options.engineOptions,
    };
    const worker = new Worker(new URL('./thread-boot.mjs', import.meta.url), { workerData: data });
    let markReady: (b: string) => void = () => {};
    let markFailed: (e: Error) => void = () => {};
    const ready = new Promise<string>((res, rej) => {
      markReady = res;
      markFailed = rej;
    });
    ready.catch(() => {}); // observed by callers; avoid unhandled rejections here
    const slot: Slot = { index, worker, ready, inflight: new Map(), dead: false, started: false };

    worker.on('message', (msg: FromThread) => {
      switch (msg.type) {
        case 'ready':
          if (msg.fallback && msg.fallback !== backendFallback) {
            log?.warn(
              { backend: msg.backend, fallback: msg.fallback },
              `inference falls back to ${msg.backend}`,
            );
          }
          backend = msg.backend;
          backendFallback = msg.fallback;
          slot.started = true;
          markReady(msg.backend);
          break;
        case 'init-failed':
          initError = new InferencePoolError(`inference thread could not start: ${msg.message}`);
          markFailed(initError);
          break;
        case 'batch':
          sizes.set(msg.size, (sizes.get(msg.size) ?? 0) + 1);
          options.onBatch?.(msg.size, msg.ms);
          break;
        case 'result':
        case 'failed': {
          const req = slot.inflight.get(msg.id);
          if (!req) return;
          slot.inflight.delete(msg.id);
          clearTimeout(req.timer);
          if (msg.type === 'result') req.resolve(msg.results);
          else req.reject(new InferencePoolError(`recognition failed: ${msg.message}`));
          break;
        }
        case 'closed':
          break;
      }
    });
    worker.on('error', (err) => died(slot, `error: ${err.message}`));
    worker.on('exit', (code) => died(slot, `exit code ${code}`));
    return slot;
  }

  function died(slot: Slot, reason: string): void {
    if (slot.dead) return;
    slot.dead = true;
    const orphans = [...slot.inflight.values()];
    slot.inflight.clear();
    if (closing) {
      for (const r of orphans) fail(r, new InferencePoolError(`inference pool closed (${reason})`));
      return;
    }
    const startupFailure = !slot.started;
    restarts++;
    log?.warn(
      { thread: slot.index, reason, requests: orphans.length },
      'inference thread died; replacing it',
    );
    // A thread that cannot even start (e.g. no model) would crash-loop: wait before trying again.
    const delay = startupFailure ? 2000 : 0;
    const replace = () => {
      if (closing) return;
      slots[slot.index] = spawn(slot.index);
    };
    if (delay) setTimeout(replace, delay).unref();
    else replace();
    for (const r of orphans) {
      if (r.attempts > retries) {
        fail(r, new InferencePoolError(`inference thread died (${reason}) after ${r.attempts} attempt(s)`));
        continue;
      }
      retryChain = retryChain.then(() => {
        if (closing) return fail(r, new InferencePoolError('inference pool closed'));
        dispatch(r);
        return r.settled;
      });
    }
  }

  function fail(r: Request, err: Error): void {
    clearTimeout(r.timer);
    r.reject(err);
  }

  function pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of slots) if (!s.dead && (!best || s.inflight.size < best.inflight.size)) best = s;
    return best;
  }

  function dispatch(req: Request): void {
    const slot = pick();
    if (!slot) {
      // Every thread is being replaced after a start-up failure.
      fail(req, initError ?? new InferencePoolError('no inference thread available'));
      return;
    }
    req.attempts++;
    slot.inflight.set(req.id, req);
    slot.ready.then(
      () => {
        if (slot.inflight.has(req.id))
          slot.worker.postMessage({ type: 'recognize', id: req.id, regions: req.regions } satisfies ToThread);
      },
      (err: Error) => {
        slot.inflight.delete(req.id);
        fail(req, err);
      },
    );
  }

  for (let i = 0; i < threads; i++) slots.push(spawn(i));

  return {
    get backend() {
      return backend;
    },
    get backendFallback() {
      return backendFallback;
    },
    get restarts() {
      return restarts;
    },
    ready: async () => {
      await Promise.all(slots.map((s) => s.ready));
    },
    batchSizes: () => new Map(sizes),
    recognize(regions) {
      if (closing) return Promise.reject(new InferencePoolError('inference pool is closed'));
      if (regions.length === 0) return Promise.resolve([]);
      let req!: Request;
      const result = new Promise<RecognitionResult[]>((resolve, reject) => {
        req = {
          id: nextId++,
          regions,
          attempts: 0,
          resolve,
          reject,
          timer: setTimeout(() => {
            const slot = slots.find((s) => s.inflight.has(req.id));
            slot?.inflight.delete(req.id);
            reject(new InferencePoolError(`recognition timed out after ${timeoutMs} ms`));
            if (slot) {
              log?.warn({ thread: slot.index }, 'inference thread stuck; terminating it');
              void slot.worker.terminate();
            }
          }, timeoutMs),
        };
      });
      req.settled = result.then(
        () => {},
        () => {},
      );
      dispatch(req);
      return result;
    },
    async close() {
      if (closing) return;
      closing = true;
      // Let the requests already accepted finish (they have deadlines), then stop each thread.
      await Promise.all(
        slots.map(async (s) => {
          if (s.dead) return;
          const exited = new Promise<void>((res) => s.worker.once('exit', () => res()));
          await s.ready.catch(() => {});
          while (s.inflight.size > 0 && !s.dead) await new Promise((r) => setTimeout(r, 5));
          s.worker.postMessage({ type: 'close' } satisfies ToThread);
          const t = setTimeout(() => void s.worker.terminate(), 5000);
          await exited;
          clearTimeout(t);
        }),
      );
    },
  };
}
