/**
 * The inference pool: a RegionRecognizer that runs recognition in worker threads, off the caller's event
 * loop. Each thread owns a backend and a model and batches the digits of all requests it holds into shared
 * forward passes (workers/batcher.ts).
 *
 * Admission and fairness: requests wait in the pool (not in a thread), in lanes; each thread holds at most
 * `perThread` of them at once. Board work (foreground) goes first; background work (HTTP recognize) takes
 * turns by lane and never holds the last slot of a thread, so a flood of it cannot delay board labels. More
 * than `maxQueued` waiting requests: new ones fail at once with `PoolBusyError` (HTTP 503 BUSY).
 *
 * Deadlines count run time: a request's clock starts when a thread takes it. A request past its deadline
 * fails; its thread is replaced only if it then does not answer a ping within `stuckMs` (a busy but healthy
 * thread is left alone). A thread that dies is replaced; its requests are retried on another thread
 * (`retries` times, one at a time) and then fail with an error that says so.
 */
import { Worker } from 'node:worker_threads';
import type { Point, RecognitionResult } from '../shared/ink/types.ts';
import type { Config, InferenceBackend } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import type { RecognizeOptions, RegionRecognizer } from '../shared/recognition-contract.ts';
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
  /** A request running longer than this (ms, from when a thread took it) fails. Default `30000`. */
  requestTimeoutMs?: number;
  /** A thread past a deadline that does not answer a ping within this many ms is replaced. Default `5000`. */
  stuckMs?: number;
  /** Requests one thread holds at once (their digits share forward passes). Default `16`. */
  perThread?: number;
  /**
   * Points (of all strokes) one thread holds at once; a thread with less takes one more request. This
   * bounds the work queued ahead of a newcomer in a thread (about 50 ms: a full region), while small requests still
   * share forward passes. Default `1000`.
   */
  perThreadPoints?: number;
  /**
   * Extra threads for background work only (HTTP recognize), so it never shares a thread with board work.
   * Without any, background work runs on the other threads but never takes a thread's last slot.
   * Default `0`.
   */
  backgroundThreads?: number;
  /** Requests waiting in the pool at most; more fail with `PoolBusyError`. Default `256`. */
  maxQueued?: number;
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
  /** Requests waiting for a thread now. */
  readonly queued: number;
}

interface Request {
  id: number;
  regions: Point[][][];
  /** Points of all its strokes: its cost for the thread's budget. */
  points: number;
  lane: string;
  background: boolean;
  attempts: number;
  resolve: (r: RecognitionResult[]) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  done: boolean;
  settled?: Promise<void>;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: Promise<string>;
  inflight: Map<number, Request>;
  /** Points of the requests in flight. */
  load: number;
  dead: boolean;
  started: boolean;
  /** Ping ids waiting for their pong. */
  pings: Map<number, () => void>;
  probing: boolean;
  /** Reserved for background work. */
  background: boolean;
}

export class InferencePoolError extends Error {
  override name = 'InferencePoolError';
}

/** The pool's queue is full: try again later (HTTP 503 BUSY). */
export class PoolBusyError extends InferencePoolError {
  override name = 'PoolBusyError';
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
  const stuckMs = options.stuckMs ?? 5000;
  const perThread = Math.max(1, options.perThread ?? 16);
  const perThreadPoints = options.perThreadPoints ?? 1000;
  const backgroundThreads = Math.max(0, options.backgroundThreads ?? 0);
  const maxQueued = options.maxQueued ?? 256;
  const log = options.logger;
  const engineModule = new URL(options.engineModule ?? new URL('./inference/engine.ts', import.meta.url))
    .href;
  const sizes = new Map<number, number>();
  const slots: Slot[] = [];
  /** Waiting requests per lane; lanes take turns (a lane is moved to the back once served). */
  const lanes = new Map<string, Request[]>();
  let queued = 0;
  let backend: string = options.backend ?? 'unknown';
  let backendFallback: string | undefined;
  let secondOpinion: string | undefined;
  let nextId = 1;
  let restarts = 0;
  let closing = false;
  let initError: Error | undefined;
  // Orphans of a dead thread are retried one at a time, so a request that kills its thread (a poison pill)
  // takes no innocent request down with it a second time.
  let retryChain: Promise<void> = Promise.resolve();

  function spawn(index: number): Slot {
    const background = index >= threads;
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
    const slot: Slot = {
      index,
      worker,
      ready,
      inflight: new Map(),
      load: 0,
      dead: false,
      started: false,
      pings: new Map(),
      probing: false,
      background,
    };

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
          secondOpinion = msg.secondOpinion;
          slot.started = true;
          markReady(msg.backend);
          pump();
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
          slot.load -= req.points;
          if (msg.type === 'result') settle(req, undefined, msg.results);
          else settle(req, new InferencePoolError(`recognition failed: ${msg.message}`));
          pump();
          break;
        }
        case 'pong':
          slot.pings.get(msg.id)?.();
          slot.pings.delete(msg.id);
          break;
        case 'closed':
          break;
      }
    });
    worker.on('error', (err) => died(slot, `error: ${err.message}`));
    worker.on('exit', (code) => died(slot, `exit code ${code}`));
    return slot;
  }

  function settle(r: Request, err: Error | undefined, results?: RecognitionResult[]): void {
    if (r.done) return;
    r.done = true;
    clearTimeout(r.timer);
    if (err) r.reject(err);
    else r.resolve(results ?? []);
  }

  function died(slot: Slot, reason: string): void {
    if (slot.dead) return;
    slot.dead = true;
    const orphans = [...slot.inflight.values()].filter((r) => !r.done);
    slot.inflight.clear();
    if (closing) {
      for (const r of orphans) settle(r, new InferencePoolError(`inference pool closed (${reason})`));
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
      pump();
    };
    if (delay) setTimeout(replace, delay).unref();
    else replace();
    for (const r of orphans) {
      clearTimeout(r.timer);
      if (r.attempts > retries) {
        settle(r, new InferencePoolError(`inference thread died (${reason}) after ${r.attempts} attempt(s)`));
        continue;
      }
      retryChain = retryChain.then(async () => {
        if (closing) return settle(r, new InferencePoolError('inference pool closed'));
        // Wait for a replacement to start; a retry may use a thread's last slot.
        const live = slots.filter((s) => !s.dead && s.background === slot.background);
        const next = await Promise.any(live.map((s) => s.ready.then(() => s))).catch(() => undefined);
        if (!next || next.dead)
          return settle(r, initError ?? new InferencePoolError('no inference thread available'));
        start(next, r);
        return r.settled;
      });
    }
  }

  /**
   * A live thread with room. Board work runs on the board threads; background work on the background
   * threads if there are any, else on the board threads without taking a thread's last slot.
   */
  function pick(background: boolean): Slot | undefined {
    const own = background && backgroundThreads > 0;
    const room = background && !own ? Math.max(1, perThread - 1) : perThread;
    let best: Slot | undefined;
    for (const s of slots) {
      if (s.background !== own || s.dead || !s.started || s.inflight.size >= room) continue;
      if (s.inflight.size > 0 && s.load >= perThreadPoints) continue;
      if (!best || s.inflight.size < best.inflight.size) best = s;
    }
    return best;
  }

  /** Hands a request to a thread; its deadline starts now. */
  function start(slot: Slot, req: Request): void {
    req.attempts++;
    slot.inflight.set(req.id, req);
    slot.load += req.points;
    req.timer = setTimeout(() => overdue(slot, req), timeoutMs);
    slot.worker.postMessage({ type: 'recognize', id: req.id, regions: req.regions } satisfies ToThread);
  }

  function overdue(slot: Slot, req: Request): void {
    if (slot.inflight.delete(req.id)) slot.load -= req.points;
    settle(req, new InferencePoolError(`recognition timed out after ${timeoutMs} ms`));
    pump();
    if (slot.probing || slot.dead) return;
    // Slow is not stuck: replace the thread only if its event loop does not answer.
    slot.probing = true;
    const id = nextId++;
    const t = setTimeout(() => {
      slot.pings.delete(id);
      slot.probing = false;
      if (slot.dead) return;
      log?.warn({ thread: slot.index }, 'inference thread stuck; terminating it');
      void slot.worker.terminate();
    }, stuckMs);
    slot.pings.set(id, () => {
      clearTimeout(t);
      slot.probing = false;
    });
    slot.worker.postMessage({ type: 'ping', id } satisfies ToThread);
  }

  /** The next waiting request that may run (foreground lanes first), taking turns between lanes. */
  function next(background: boolean): Request | undefined {
    for (const [lane, reqs] of lanes) {
      const r = reqs[0];
      if (!r || r.background !== background) continue;
      reqs.shift();
      lanes.delete(lane);
      if (reqs.length) lanes.set(lane, reqs); // to the back: the next lane goes first next time
      queued--;
      return r;
    }
    return undefined;
  }

  function pump(): void {
    if (closing && queued === 0) return;
    for (const background of [false, true]) {
      for (;;) {
        const slot = pick(background);
        if (!slot) break;
        const req = next(background);
        if (!req) break;
        start(slot, req);
      }
    }
  }

  for (let i = 0; i < threads + backgroundThreads; i++) slots.push(spawn(i));

  return {
    get backend() {
      return backend;
    },
    get backendFallback() {
      return backendFallback;
    },
    get secondOpinion() {
      return secondOpinion;
    },
    get restarts() {
      return restarts;
    },
    get queued() {
      return queued;
    },
    ready: async () => {
      await Promise.all(slots.map((s) => s.ready));
    },
    batchSizes: () => new Map(sizes),
    recognize(regions, opts: RecognizeOptions = {}) {
      if (closing) return Promise.reject(new InferencePoolError('inference pool is closed'));
      if (regions.length === 0) return Promise.resolve([]);
      if (initError && slots.every((s) => !s.started)) return Promise.reject(initError);
      if (queued >= maxQueued)
        return Promise.reject(new PoolBusyError(`recognition is busy: ${queued} requests waiting`));
      let req!: Request;
      const result = new Promise<RecognitionResult[]>((resolve, reject) => {
        req = {
          id: nextId++,
          regions,
          points: regions.reduce((n, r) => n + r.reduce((m, s) => m + s.length, 0), 0),
          lane: opts.lane ?? 'default',
          background: opts.background ?? false,
          attempts: 0,
          resolve,
          reject,
          done: false,
        };
      });
      req.settled = result.then(
        () => {},
        () => {},
      );
      const key = `${req.background ? 'b' : 'f'}:${req.lane}`;
      const lane = lanes.get(key);
      if (lane) lane.push(req);
      else lanes.set(key, [req]);
      queued++;
      pump();
      // Threads that fail to start reject what waits for them.
      if (!slots.some((s) => s.started))
        void Promise.any(slots.map((s) => s.ready)).catch((err: Error) => {
          for (const reqs of lanes.values())
            for (const r of reqs.splice(0)) {
              queued--;
              settle(r, err);
            }
        });
      return result;
    },
    async close() {
      if (closing) return;
      closing = true;
      // Let the requests already accepted finish (they have deadlines), then stop each thread.
      while (queued > 0 && slots.some((s) => !s.dead && s.started))
        await new Promise((r) => setTimeout(r, 5));
      for (const reqs of lanes.values())
        for (const r of reqs.splice(0)) settle(r, new InferencePoolError('inference pool closed'));
      queued = 0;
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
