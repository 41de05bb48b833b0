/**
 * `npm run bench:scale`: how distributed Inkboard scales with processes, on this machine.
 *
 * 0. The inference ceiling: the same regions through an in-process pool (no Redis), BATCH_MAX 1 vs 64.
 * 1. Worker throughput: a private Redis, real BullMQ, N regions of real pen numbers (UCI pen digits, composed
 *    into 1-4 digit numbers) queued at once; recognitions per second with 1 and 2 worker processes, and the
 *    batch sizes the workers actually ran (from their /healthz).
 * 2. Dynamic batching: one worker with BATCH_MAX=1 vs 64, at high load (the saturated queue of 1.) and at
 *    low load (one region every `--low-interval` ms): throughput and queue-to-done latency p50/p95.
 * 3. Pen-up-to-label latency p50/p95/p99 with 1 and 2 server processes (2 workers) under a classroom load:
 *    simulated socket.io clients writing pen digits at human speed (test/bench/lib/classroom.ts, as bench:live).
 *
 *   npm run bench:scale -- [--regions 600] [--rooms 5] [--clients 30] [--seconds 20] [--low-interval 200]
 *                          [--skip pool,throughput,batching,latency] [--backend onnx|wasm]
 *
 * Prints a table per part and a final JSON line. All processes, clients included, share this machine's cores.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { composeNumbers, loadPenDigits } from '../../models/lib/pen-data.ts';
import { RECOGNITION_QUEUE, bullPrefix, jobIdOf } from '../../shared/redis-names.ts';
import type { RecognitionJob } from '../../shared/recognition-contract.ts';
import { boardKeys } from '../../shared/redis-keys.ts';
import { resolveModelDir } from '../../models/lib/model-dir.ts';
import { INFERENCE_BACKENDS, type InferenceBackend } from '../../shared/config.ts';
import { createInferencePool } from '../../workers/pool.ts';
import { killAll, type TestProcess } from '../helpers/process-spawn.ts';
import { startServerProcess } from '../helpers/process-server.ts';
import { startWorkerProcess } from '../helpers/process-worker.ts';
import { startRedis } from '../helpers/redis-server.ts';
import { quantile, runClassroom } from './lib/classroom.ts';
import { cpuSeconds } from './lib/services.ts';

const { values: args } = parseArgs({
  options: {
    regions: { type: 'string', default: '600' },
    rooms: { type: 'string', default: '5' },
    clients: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '20' },
    'low-interval': { type: 'string', default: '200' },
    'low-count': { type: 'string', default: '50' },
    skip: { type: 'string', default: '' },
    backend: { type: 'string', default: 'onnx' },
  },
});
const skip = new Set(args.skip.split(',').filter(Boolean));
if (!(INFERENCE_BACKENDS as readonly string[]).includes(args.backend)) {
  throw new Error(`--backend: expected one of ${INFERENCE_BACKENDS.join(', ')}, got "${args.backend}"`);
}
const BACKEND = args.backend as InferenceBackend;
const REGIONS = Number(args.regions);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-scale-'));
const redis = await startRedis(dir);
const modelDir = resolveModelDir();
const numbers = composeNumbers(loadPenDigits(), {
  count: 2000,
  minDigits: 1,
  maxDigits: 4,
  height: 60,
  seed: 11,
});
const procs: TestProcess[] = [];
let run = 0;

function jobsFor(board: string, count: number, offset = 0): RecognitionJob[] {
  return Array.from({ length: count }, (_, i) => {
    const num = numbers[(i + offset) % numbers.length]!;
    return {
      boardId: board,
      regionId: `r${i}`,
      version: 1,
      strokes: num.strokes.map((points, s) => ({ id: `r${i}s${s}`, points })),
      penUpAt: Date.now(),
    };
  });
}
const digitsIn = (jobs: RecognitionJob[], offset = 0) =>
  jobs.reduce((n, _, i) => n + numbers[(i + offset) % numbers.length]!.groups.length, 0);

async function workers(
  n: number,
  prefix: string,
  env: Record<string, string>,
): Promise<{ procs: TestProcess[]; ports: number[] }> {
  const ps = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      startWorkerProcess({
        redisUrl: redis.url,
        prefix,
        modelDir,
        env: { WORKER_PORT: '0', INKBOARD_BACKEND: BACKEND, ...env },
        name: `worker${i}`,
      }),
    ),
  );
  procs.push(...ps);
  const ports = await Promise.all(
    ps.map(async (p) => Number(/"port":(\d+)/.exec(await p.waitForLog(/health server/))?.[1])),
  );
  return { procs: ps, ports };
}

async function batchSizes(ports: number[]): Promise<Record<string, number>> {
  const all: Record<string, number> = {};
  for (const port of ports) {
    const h = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
      batchSizes: Record<string, number>;
    };
    for (const [k, v] of Object.entries(h.batchSizes)) all[k] = (all[k] ?? 0) + v;
  }
  return all;
}
/** Means (ms) of the workers' histograms: queue wait, recognition, pen-up to stored+broadcast. */
async function stageMeans(ports: number[]): Promise<Record<string, number>> {
  const sums: Record<string, [number, number]> = {};
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const name of ['queue_wait', 'recognition', 'penup_to_result']) {
      const sum = Number(new RegExp(`inkboard_worker_${name}_seconds_sum (\\S+)`).exec(text)?.[1] ?? 0);
      const count = Number(new RegExp(`inkboard_worker_${name}_seconds_count (\\S+)`).exec(text)?.[1] ?? 0);
      const acc = (sums[name] ??= [0, 0]);
      acc[0] += sum;
      acc[1] += count;
    }
  }
  return Object.fromEntries(
    Object.entries(sums).map(([k, [s, n]]) => [`${k}Ms`, n ? round((s / n) * 1000) : 0]),
  );
}

function meanBatch(sizes: Record<string, number>): number {
  let n = 0,
    s = 0;
  for (const [k, v] of Object.entries(sizes)) {
    n += v;
    s += Number(k) * v;
  }
  return n ? s / n : 0;
}

async function queueFor(prefix: string) {
  const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue<RecognitionJob>(RECOGNITION_QUEUE, {
    connection: conn,
    prefix: bullPrefix(prefix),
  });
  return { conn, queue };
}

async function markCurrent(conn: Redis, prefix: string, jobs: RecognitionJob[]): Promise<void> {
  const byBoard = new Map<string, string[]>();
  for (const j of jobs)
    byBoard.set(j.boardId, [...(byBoard.get(j.boardId) ?? []), j.regionId, String(j.version)]);
  for (const [b, kv] of byBoard) await conn.hset(boardKeys(prefix, b).regionVersion, ...kv);
}

/** The same regions straight into an in-process inference pool (no Redis, no BullMQ): the inference ceiling. */
async function poolOnly(batchMax: number) {
  const pool = createInferencePool({ modelDir, backend: BACKEND, batchMax, batchWaitMs: 2 });
  await pool.ready();
  const regions = jobsFor('pool', REGIONS).map((j) => j.strokes.map((s) => s.points));
  await Promise.all(regions.slice(0, 20).map((r) => pool.recognize([r]))); // warm-up
  const before = pool.batchSizes();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // 32 regions in flight, as a worker with WORKER_CONCURRENCY=32 would have.
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < regions.length) await pool.recognize([regions[next++]!]);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sizes: Record<string, number> = {};
  for (const [k, v] of pool.batchSizes())
    if (v - (before.get(k) ?? 0) > 0) sizes[k] = v - (before.get(k) ?? 0);
  await pool.close();
  return {
    batchMax,
    regions: regions.length,
    seconds: round(seconds, 2),
    regionsPerSecond: round(regions.length / seconds),
    meanBatch: round(meanBatch(sizes)),
    cpuMsPerRegion: round((cpu.user + cpu.system) / 1000 / regions.length, 2),
  };
}

/** Queues `count` regions at once to `n` ready workers; regions per second until all are done. */
async function throughput(n: number, env: Record<string, string>) {
  const prefix = `scale${run++}`;
  const w = await workers(n, prefix, env);
  const { conn, queue } = await queueFor(prefix);
  // Warm-up (first jobs pay for lazy paths), not counted.
  const warm = jobsFor('warm', 20);
  await markCurrent(conn, prefix, warm);
  await queue.addBulk(warm.map((j) => ({ name: 'recognize', data: j, opts: { jobId: jobIdOf(j) } })));
  while (((await queue.getJobCounts('completed')).completed ?? 0) < warm.length) await sleep(20);
  const before = await batchSizes(w.ports);

  const jobs = jobsFor('bench', REGIONS);
  await markCurrent(conn, prefix, jobs);
  const cpu = () => ({
    workers: w.procs.reduce((t, p) => t + cpuSeconds(p.pid), 0),
    redis: cpuSeconds(redis.process.pid ?? 0),
  });
  const cpu0 = cpu();
  const t0 = performance.now();
  await queue.addBulk(jobs.map((j) => ({ name: 'recognize', data: j, opts: { jobId: jobIdOf(j) } })));
  for (;;) {
    const c = await queue.getJobCounts('completed', 'failed');
    if ((c.completed ?? 0) + (c.failed ?? 0) >= warm.length + jobs.length) break;
    await sleep(10);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpu();
  const after = await batchSizes(w.ports);
  const sizes: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) sizes[k] = v - (before[k] ?? 0);
  const failed = (await queue.getJobCounts('failed')).failed ?? 0;
  await queue.close();
  conn.disconnect();
  await killAll(w.procs);
  return {
    workers: n,
    batchMax: Number(env.BATCH_MAX),
    regions: jobs.length,
    digits: digitsIn(jobs),
    seconds: round(seconds, 2),
    regionsPerSecond: round(jobs.length / seconds),
    digitsPerSecond: round(digitsIn(jobs) / seconds),
    failed,
    meanBatch: round(meanBatch(sizes)),
    /** CPU used by all worker processes / by Redis, in % of one core, during the run. */
    workersCpuPct: round(((cpu1.workers - cpu0.workers) / seconds) * 100, 0),
    /** Worker CPU time per region, ms: what a region costs whatever else the machine is doing. */
    cpuMsPerRegion: round(((cpu1.workers - cpu0.workers) * 1000) / jobs.length, 2),
    redisCpuPct: round(((cpu1.redis - cpu0.redis) / seconds) * 100, 0),
    batchSizes: sizes,
  };
}

/** One region every `interval` ms to one worker: queue-to-done latency (BullMQ timestamps). */
async function lowLoad(env: Record<string, string>) {
  const prefix = `scale${run++}`;
  const w = await workers(1, prefix, env);
  const { conn, queue } = await queueFor(prefix);
  const count = Number(args['low-count']);
  const jobs = jobsFor('low', count, 500);
  await markCurrent(conn, prefix, jobs);
  const before = await batchSizes(w.ports);
  for (const j of jobs) {
    await queue.add('recognize', j, { jobId: jobIdOf(j) });
    await sleep(Number(args['low-interval']));
  }
  while (((await queue.getJobCounts('completed')).completed ?? 0) < count) await sleep(20);
  const done = await queue.getCompleted(0, count);
  const lat = done.map((j) => (j.finishedOn ?? 0) - j.timestamp);
  const after = await batchSizes(w.ports);
  const sizes: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) sizes[k] = v - (before[k] ?? 0);
  await queue.close();
  conn.disconnect();
  await killAll(w.procs);
  return {
    batchMax: Number(env.BATCH_MAX),
    regions: count,
    intervalMs: Number(args['low-interval']),
    p50: quantile(lat, 0.5),
    p95: quantile(lat, 0.95),
    meanBatch: round(meanBatch(sizes)),
  };
}

/** Classroom load on `servers` server processes and 2 workers; pen-up-to-label at every client. */
async function classroom(servers: number) {
  const prefix = `scale${run++}`;
  const ss = await Promise.all(
    Array.from({ length: servers }, () =>
      startServerProcess({
        redisUrl: redis.url,
        prefix,
        env: { RATE_LIMIT: '1000', INKBOARD_BACKEND: BACKEND },
      }),
    ),
  );
  procs.push(...ss);
  const w = await workers(2, prefix, { BATCH_MAX: '64' });
  const urls = ss.map((s) => s.url);
  await runClassroom({ urls, rooms: 1, clientsPerRoom: 2, seconds: 3, drainMs: 10_000 }); // warm-up
  const rooms = Number(args.rooms);
  const clients = Number(args.clients);
  const res = await runClassroom({
    urls,
    rooms,
    clientsPerRoom: clients,
    seconds: Number(args.seconds),
  }).catch((err: Error) => {
    for (const s of ss)
      console.error(`--- ${s.name} (last lines)\n${s.logs().split('\n').slice(-15).join('\n')}`);
    throw err;
  });
  const sizes = await batchSizes(w.ports);
  const stages = await stageMeans(w.ports);
  await killAll([...ss, ...w.procs]);
  const l = res.latenciesMs;
  return {
    servers,
    workers: 2,
    rooms,
    clients: rooms * clients,
    digits: res.digits,
    labels: l.length,
    missing: res.missing,
    p50: round(quantile(l, 0.5)),
    p95: round(quantile(l, 0.95)),
    p99: round(quantile(l, 0.99)),
    meanBatch: round(meanBatch(sizes)),
    /** Worker-side means, ms: queue wait, recognition, pen-up to label stored and broadcast. */
    ...stages,
  };
}

function table(title: string, rows: Record<string, unknown>[]): void {
  console.log(`\n${title}`);
  console.table(
    rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => typeof v !== 'object'))),
  );
}

const result: Record<string, unknown> = {
  machine: {
    cores: cpus().length,
    loadavg1: round(loadavg()[0] ?? 0, 2),
    note: 'shared with other jobs: noisy',
  },
  model: modelDir,
  backend: BACKEND,
};
try {
  const base = { BATCH_WAIT_MS: '2', WORKER_CONCURRENCY: '32' };
  if (!skip.has('pool')) {
    const rows = [];
    for (const bm of [1, 64]) rows.push(await poolOnly(bm));
    table(
      'In-process inference pool, 1 thread, 32 regions in flight (no Redis): the inference ceiling',
      rows,
    );
    result.poolOnly = rows;
  }
  if (!skip.has('throughput')) {
    const rows = [];
    for (const n of [1, 2]) rows.push(await throughput(n, { ...base, BATCH_MAX: '64' }));
    rows.push(await throughput(1, { ...base, BATCH_MAX: '1' }));
    table(`Worker throughput (queue saturated; ${BACKEND}; 1 inference thread per worker)`, rows);
    for (const r of rows)
      console.log(
        `  batch sizes, ${r.workers} worker(s), BATCH_MAX=${r.batchMax}: ${JSON.stringify(r.batchSizes)}`,
      );
    result.throughput = rows;
  }
  if (!skip.has('batching')) {
    const rows = [];
    for (const bm of ['1', '64']) rows.push(await lowLoad({ ...base, BATCH_MAX: bm }));
    table(`Low load: one region every ${args['low-interval']} ms, 1 worker (queue-to-done ms)`, rows);
    result.lowLoad = rows;
  }
  if (!skip.has('latency')) {
    const rows = [];
    for (const s of [1, 2]) {
      // A failed run (e.g. DEGRADED answers when the store's Redis commands time out) is reported, not fatal.
      rows.push(await classroom(s).catch((err: Error) => ({ servers: s, error: err.message })));
    }
    table('Classroom: pen-up-to-label at every client (ms), 2 workers', rows);
    result.classroom = rows;
  }
} finally {
  await killAll(procs);
  redis.process.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
result.loadavgAfter = round(loadavg()[0] ?? 0, 2);
console.log(JSON.stringify(result));
process.exit(0);
