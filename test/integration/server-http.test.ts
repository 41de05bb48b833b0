/** HTTP: boards, recognize (the CLI's contract), errors, health, metrics, the client and its SPA fallback. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InkboardServer } from '../../server/app.ts';
import { LIMITS } from '../../shared/protocol.ts';
import type { InferencePool } from '../../workers/pool.ts';
import { TestClient, createBoard, penDigit, startServer, tempDir } from '../helpers/server-harness.ts';
import { startPool } from '../helpers/server-recognition.ts';

const tmp = tempDir('http');
let server: InkboardServer;
let pool: InferencePool;
const post = (p: string, body: unknown, raw = false) =>
  fetch(`${server.url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });

beforeAll(async () => {
  pool = await startPool();
  const clientDir = path.join(tmp.dir, 'dist');
  mkdirSync(path.join(clientDir, 'assets'), { recursive: true });
  writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>Inkboard test</title>');
  writeFileSync(path.join(clientDir, 'assets', 'app.js'), 'console.log(1)');
  server = await startServer({ DATA_DIR: path.join(tmp.dir, 'data') }, { recognizer: pool, clientDir });
}, 60_000);
afterAll(async () => {
  await server.close();
  await pool.close();
  tmp.remove();
});

it('creates boards with unguessable ids and an owner key', async () => {
  const a = await createBoard(server.url);
  const b = await createBoard(server.url);
  expect(a.boardId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(a.boardId).not.toBe(b.boardId);
  expect(a.ownerKey.length).toBeGreaterThanOrEqual(32);
  expect(a.url).toBe(`${server.url}/b/${a.boardId}`);
  const meta = await server.store.getMeta(a.boardId);
  expect(JSON.stringify(meta)).not.toContain(a.ownerKey);
});

it('recognises strokes with the CLI contract', async () => {
  const d = penDigit(6);
  const res = await post('/api/v1/recognize', { strokes: d.strokes });
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    text: string;
    digits: { label: number; strokes: number[]; bbox: number[] }[];
  };
  expect(body.text).toBe('4');
  expect(body.digits[0]).toMatchObject({ label: 4, strokes: [0, 1] });
  expect(body.digits[0]?.bbox).toHaveLength(4);
  expect(await (await post('/api/v1/recognize', { strokes: [] })).json()).toEqual({ text: '', digits: [] });
});

it('answers bad requests with coded errors and fitting statuses', async () => {
  const cases: [Response, number, string][] = [
    [await post('/api/v1/recognize', { strokes: 'no' }), 400, 'BAD_MESSAGE'],
    [await post('/api/v1/recognize', { strokes: [[[0, Infinity]]] }), 400, 'BAD_MESSAGE'],
    [await post('/api/v1/recognize', '{"strokes": [', true), 400, 'BAD_MESSAGE'],
    [
      await post('/api/v1/recognize', { strokes: Array(LIMITS.maxStrokesPerRecognize + 1).fill([[0, 0]]) }),
      413,
      'TOO_LARGE',
    ],
    [
      await post('/api/v1/recognize', { strokes: [Array(2_000_000 / 8).fill([100000, 100000])] }),
      413,
      'TOO_LARGE',
    ],
    [await post('/api/v1/nothing', {}), 404, 'NOT_FOUND'],
  ];
  for (const [res, status, code] of cases) {
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  }
});

it('reports health and Prometheus metrics', async () => {
  const board = await createBoard(server.url);
  const c = await TestClient.connect(server.url);
  await c.join(board, 'Ann');
  await c.send({ type: 'nope' });
  const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
  expect(health).toMatchObject({
    status: 'ok',
    mode: 'embedded',
    backend: 'onnx',
    secondOpinion: 'trajectory',
    queueDepth: 0,
    clients: 1,
  });
  const text = await (await fetch(`${server.url}/metrics`)).text();
  for (const name of [
    'inkboard_connections 1',
    'inkboard_messages_total{type="join"} 1',
    'inkboard_messages_rejected_total{code="BAD_MESSAGE"}',
    'inkboard_jobs_enqueued_total',
    'inkboard_recognition_duration_seconds_bucket',
    'inkboard_pen_up_to_label_seconds_bucket',
  ])
    expect(text).toContain(name);
  c.close();
});

it('serves the client, with index.html for board URLs', async () => {
  const page = await fetch(`${server.url}/b/abc123`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Inkboard test');
  expect(await (await fetch(`${server.url}/`)).text()).toContain('Inkboard test');
  expect(await (await fetch(`${server.url}/assets/app.js`)).text()).toBe('console.log(1)');
  const head = await fetch(`${server.url}/b/abc123`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.headers.get('content-type')).toContain('text/html');
});
