/**
 * Distributed mode with Redis going away: the servers stay up, tell their clients the board is degraded,
 * refuse writes with DEGRADED, and recover by themselves when Redis returns (with its data).
 */
import { afterAll, expect, it } from 'vitest';
import type { InkboardServer } from '../../server/app.ts';
import { startRedis } from '../helpers/redis-server.ts';
import { TestClient, createBoard, drawStroke, startServer, tempDir } from '../helpers/server-harness.ts';

const tmp = tempDir('degraded');
const servers: InkboardServer[] = [];
const clients: TestClient[] = [];
let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.close();
  redis?.process.kill('SIGKILL');
  tmp.remove();
});

it('degrades while Redis is down and recovers when it returns', async () => {
  const persist = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
  redis = await startRedis(tmp.dir, persist);
  const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'deg' };
  const a = await startServer(env);
  const b = await startServer(env);
  servers.push(a, b);
  const board = await createBoard(a.url);
  const ann = await TestClient.connect(a.url);
  const bob = await TestClient.connect(b.url);
  clients.push(ann, bob);
  await ann.join(board, 'Ann');
  await bob.join(board, 'Bob');
  expect(
    await drawStroke(ann, 'before', [
      [0, 0],
      [0, 90],
    ]),
  ).toEqual({ ok: true });
  await bob.waitFor('strokes.added');

  const port = redis.port;
  redis.process.kill('SIGKILL');
  await Promise.all([ann.waitFor('status', (m) => m.degraded), bob.waitFor('status', (m) => m.degraded)]);
  expect(
    await drawStroke(ann, 'during', [
      [0, 0],
      [0, 90],
    ]),
  ).toMatchObject({ ok: false, error: { code: 'DEGRADED' } });
  const health = await fetch(`${a.url}/healthz`);
  expect(health.status).toBe(503);
  expect(await health.json()).toMatchObject({ status: 'degraded', redis: 'down' });
  expect((await fetch(`${a.url}/api/v1/boards`, { method: 'POST' })).status).toBe(503);

  redis = await startRedis(tmp.dir, persist, port);
  const n = ann.messages.length;
  await ann.waitFor('status', (m) => !m.degraded, 15_000, n);
  await bob.waitFor('status', (m) => !m.degraded, 15_000);
  expect(
    await drawStroke(ann, 'after', [
      [500, 0],
      [500, 90],
    ]),
  ).toEqual({ ok: true });
  await bob.waitFor('strokes.added', (m) => m.strokes.some((s) => s.id === 'after'), 15_000);
  expect(await bob.send({ type: 'resync' })).toEqual({ ok: true });
  expect(
    bob
      .of('snapshot')
      .at(-1)
      ?.board.strokes.map((s) => s.id),
  ).toEqual(['before', 'after']);
}, 60_000);
