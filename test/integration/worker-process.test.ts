/**
 * The distributed worker as a real process: BullMQ job in, label stored in Redis and broadcast to the board's
 * room through the Redis emitter (received here by a socket.io server with the Redis adapter and a client).
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { boardKeys } from '../../shared/redis-keys.ts';
import { EVENTS, type ServerMessage } from '../../shared/protocol.ts';
import { boardRoom } from '../../shared/rooms.ts';
import type { RecognitionJob } from '../../shared/recognition-contract.ts';
import { RECOGNITION_QUEUE, adapterKey, bullPrefix, jobIdOf } from '../../shared/redis-names.ts';
import { writeUntrainedModel } from '../helpers/process-model.ts';
import { killAll, type TestProcess } from '../helpers/process-spawn.ts';
import { startWorkerProcess } from '../helpers/process-worker.ts';

const url = inject('redisUrl');
const prefix = `wp${Date.now().toString(36)}`;
const board = 'b1';
let worker: TestProcess | undefined;
let io: Server;
let client: Socket;
let queue: Queue<RecognitionJob>;
let redis: Redis;
const labels: ServerMessage[] = [];

beforeAll(async () => {
  const modelDir = await writeUntrainedModel();
  redis = new Redis(url);
  const sub = redis.duplicate();
  const http = createServer();
  io = new Server(http);
  io.adapter(createAdapter(redis, sub, { key: adapterKey(prefix) }));
  io.on('connection', (s) => void s.join(boardRoom(board)));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
  client.on(EVENTS.toClient, (m: ServerMessage) => labels.push(m));
  await new Promise<void>((r) => client.once('connect', () => r()));
  queue = new Queue<RecognitionJob>(RECOGNITION_QUEUE, {
    connection: new Redis(url, { maxRetriesPerRequest: null }),
    prefix: bullPrefix(prefix),
  });
  worker = await startWorkerProcess({ redisUrl: url, prefix, modelDir, env: { WORKER_PORT: '0' } });
}, 90_000);

afterAll(async () => {
  await killAll([worker]);
  client?.close();
  await io?.close();
  await queue?.close();
  redis?.disconnect();
});

const job = (regionId: string, version: number): RecognitionJob => ({
  boardId: board,
  regionId,
  version,
  strokes: [
    {
      id: `${regionId}s1`,
      points: [
        [10, 10],
        [10, 40],
        [10, 80],
      ],
    },
  ],
  penUpAt: Date.now(),
});

async function until<T>(f: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('distributed worker process', () => {
  it('logs its inference backend at start', () => {
    expect(worker?.logs()).toMatch(/inference backend: onnx/);
  });

  it('recognises a queued region, stores the label and broadcasts it to the room', async () => {
    await redis.hset(boardKeys(prefix, board).regionVersion, 'r1', '3');
    await queue.add('recognize', job('r1', 3), { jobId: jobIdOf(job('r1', 3)) });
    const msg = await until(() => labels.find((m) => m.type === 'label' && m.label.regionId === 'r1'));
    expect(msg).toMatchObject({ type: 'label', label: { regionId: 'r1', version: 3, strokeIds: ['r1s1'] } });
    const stored = JSON.parse((await redis.hget(boardKeys(prefix, board).labels, 'r1')) ?? '{}') as {
      version: number;
    };
    expect(stored.version).toBe(3);
  });

  it('skips a job whose version is no longer current (idempotent, no broadcast)', async () => {
    await redis.hset(boardKeys(prefix, board).regionVersion, 'r2', '5');
    const stale = await queue.add('recognize', job('r2', 4), { jobId: jobIdOf(job('r2', 4)) });
    const current = await queue.add('recognize', job('r2', 5), { jobId: jobIdOf(job('r2', 5)) });
    await until(() =>
      labels.some((m) => m.type === 'label' && m.label.regionId === 'r2') ? true : undefined,
    );
    const [s, c] = await Promise.all([queue.getJob(stale.id ?? ''), queue.getJob(current.id ?? '')]);
    expect(await s?.getState()).toBe('completed');
    expect(s?.returnvalue).toEqual({ skipped: 'stale' });
    expect(c?.returnvalue).toHaveProperty('text');
    expect(
      labels
        .filter((m) => m.type === 'label' && m.label.regionId === 'r2')
        .map((m) => m.type === 'label' && m.label.version),
    ).toEqual([5]);
  });

  it('serves /healthz and /metrics with batch sizes', async () => {
    const line = await worker!.waitForLog(/health server/);
    const port = Number(/"port":(\d+)/.exec(line)?.[1]);
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<
      string,
      unknown
    >;
    expect(health).toMatchObject({ ok: true, role: 'worker', backend: 'onnx', secondOpinion: 'trajectory' });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/inkboard_worker_batch_size_count [1-9]/);
    expect(metrics).toMatch(/inkboard_worker_jobs_total\{outcome="stale"\} 1/);
  });

  it('SIGTERM: finishes and exits 0', async () => {
    worker!.kill('SIGTERM');
    expect(await worker!.exited).toBe(0);
    expect(worker!.logs()).toMatch(/worker stopped/);
  });
});
