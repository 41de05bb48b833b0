/**
 * `npm run bench:live`: pen-up-to-label latency under classroom load, in embedded and distributed modes.
 *
 * Simulated clients (socket.io-client) in several rooms write real pen digits at human speed; the time from
 * each digit's pen-up to its label arriving at every client of the room is reported as p50/p95/p99, with the
 * server's (and worker's) CPU use. All processes run on this machine, clients included: the rooms are
 * split over `--client-procs` child processes (default: one per core, at most one per room), so one
 * process's event loop does not set the pace of every client.
 *
 *   npm run bench:live -- [--rooms 1,5,10] [--clients 30] [--seconds 30] [--modes embedded,distributed]
 *                         [--client-procs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startRedis } from '../helpers/redis-server.ts';
import { quantile, runClassroom } from './lib/classroom.ts';
import { runClassroomInProcesses } from './lib/classroom-procs.ts';
import { cpuSeconds, startService, waitForHttp, type Service } from './lib/services.ts';
import { bucketQuantile, bucketsSince, formatBound, histogramBuckets } from './lib/prom-histogram.ts';

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '1,5,10' },
    clients: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '30' },
    modes: { type: 'string', default: 'embedded,distributed' },
    'point-ms': { type: 'string', default: '25' },
    'client-procs': { type: 'string', default: String(availableParallelism()) },
  },
});
const roomCounts = values.rooms.split(',').map(Number);
const clientsPerRoom = Number(values.clients);
const seconds = Number(values.seconds);
const modes = values.modes.split(',') as ('embedded' | 'distributed')[];
const clientProcs = Number(values['client-procs']);

interface Row {
  mode: string;
  rooms: number;
  clients: number;
  digits: number;
  labels: number;
  missing: number;
  p50: number;
  p95: number;
  p99: number;
  serverCpu: number;
  workerCpu: number | null;
  /** CPU of all the client processes together, % of one core (over 100 % when they use several). */
  clientsCpu: number;
  /** Processes the simulated clients ran in. */
  clientProcs: number;
  /** Distributed mode: the worker's own view of the run (bucket quantiles of its histograms). */
  workerSide?: Record<string, { count: number; p50: string; p99: string }>;
}

/** Worker histograms reported beside the clients' latencies (where a label's time goes). */
const WORKER_HISTOGRAMS = {
  'queue wait': 'inkboard_worker_queue_wait_seconds',
  recognition: 'inkboard_worker_recognition_seconds',
  'pen-up to stored and broadcast': 'inkboard_worker_penup_to_result_seconds',
} as const;

async function scenario(mode: 'embedded' | 'distributed', rooms: number): Promise<Row> {
  const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-bench-'));
  const services: Service[] = [];
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  try {
    const port = await freePort();
    const env: Record<string, string> = {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(dir, 'data'),
    };
    if (mode === 'distributed') {
      redis = await startRedis(dir);
      Object.assign(env, { REDIS_URL: redis.url, REDIS_PREFIX: `bench${Date.now()}` });
    }
    const server = startService('server', 'server/main.ts', env);
    services.push(server);
    const workerPort = mode === 'distributed' ? await freePort() : undefined;
    const worker =
      workerPort !== undefined
        ? startService('worker', 'workers/main.ts', { ...env, WORKER_PORT: String(workerPort) })
        : undefined;
    if (worker) services.push(worker);
    const workerMetrics = async () =>
      workerPort === undefined
        ? ''
        : await fetch(`http://127.0.0.1:${workerPort}/metrics`)
            .then((r) => r.text())
            .catch(() => '');
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`);
    // Warm up: the first recognition loads the model.
    await runClassroom({ urls: [url], rooms: 1, clientsPerRoom: 1, seconds: 3, drainMs: 30_000 });

    // CPU and wall time count from the moment every client has joined and writing starts.
    let cpu0 = { server: 0, worker: 0 };
    let t0 = 0;
    let metrics0: Promise<string> = Promise.resolve('');
    const res = await runClassroomInProcesses({
      urls: [url],
      rooms,
      clientsPerRoom,
      seconds,
      pointMs: Number(values['point-ms']),
      processes: clientProcs,
      onStart: () => {
        cpu0 = { server: cpuSeconds(server.child.pid!), worker: worker ? cpuSeconds(worker.child.pid!) : 0 };
        t0 = performance.now();
        metrics0 = workerMetrics();
      },
    });
    const [before, after] = [await metrics0, await workerMetrics()];
    const workerSide = worker
      ? Object.fromEntries(
          Object.entries(WORKER_HISTOGRAMS).map(([label, name]) => {
            const b = bucketsSince(histogramBuckets(before, name), histogramBuckets(after, name));
            return [
              label,
              {
                count: b.get(Infinity) ?? 0,
                p50: formatBound(bucketQuantile(b, 0.5)),
                p99: formatBound(bucketQuantile(b, 0.99)),
              },
            ];
          }),
        )
      : undefined;
    const wall = (performance.now() - t0) / 1000;
    const clientsCpu = (res.clientsCpuSeconds / wall) * 100;
    const serverCpu = ((cpuSeconds(server.child.pid!) - cpu0.server) / wall) * 100;
    const workerCpu = worker ? ((cpuSeconds(worker.child.pid!) - cpu0.worker) / wall) * 100 : null;
    return {
      mode,
      rooms,
      clients: rooms * clientsPerRoom,
      digits: res.digits,
      labels: res.latenciesMs.length,
      missing: res.missing,
      p50: quantile(res.latenciesMs, 0.5),
      p95: quantile(res.latenciesMs, 0.95),
      p99: quantile(res.latenciesMs, 0.99),
      serverCpu,
      workerCpu,
      clientsCpu,
      clientProcs: res.processes,
      ...(workerSide ? { workerSide } : {}),
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    redis?.process.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const mode of modes) {
  for (const rooms of roomCounts) {
    process.stderr.write(
      `bench:live ${mode}, ${rooms} room(s) x ${clientsPerRoom} clients, ${seconds} s, clients in ${Math.min(rooms, clientProcs)} process(es) ...\n`,
    );
    rows.push(await scenario(mode, rooms));
  }
}

const f = (x: number | null) => (x === null ? '-' : x.toFixed(1));
console.log(
  '| mode | rooms | clients | digits | label arrivals | missing | p50 ms | p95 ms | p99 ms | server CPU % | worker CPU % | clients CPU % |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.mode} | ${r.rooms} | ${r.clients} | ${r.digits} | ${r.labels} | ${r.missing} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${f(r.serverCpu)} | ${f(r.workerCpu)} | ${f(r.clientsCpu)} |`,
  );
}
const withWorker = rows.filter((r) => r.workerSide);
if (withWorker.length) {
  console.log('');
  console.log('Worker side (distributed; bucket bounds of its histograms over the same run):');
  console.log('');
  console.log('| rooms | measure | jobs | p50 | p99 |');
  console.log('|---|---|---|---|---|');
  for (const r of withWorker)
    for (const [label, v] of Object.entries(r.workerSide!))
      console.log(`| ${r.rooms} | ${label} | ${v.count} | ${v.p50} | ${v.p99} |`);
}
console.log(JSON.stringify({ bench: 'live', clientsPerRoom, seconds, rows }));
process.exit(0);
