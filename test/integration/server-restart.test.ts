/**
 * Embedded mode durability: a server killed with SIGKILL and started again from the same DATA_DIR has
 * every acknowledged stroke, label and undo step; a graceful SIGTERM exits 0.
 */
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../helpers/redis-server.ts';
import { killAll, startProcess, type TestProcess } from '../helpers/process-spawn.ts';
import {
  TestClient,
  createBoard,
  drawStroke,
  penDigit,
  placeAt,
  tempDir,
} from '../helpers/server-harness.ts';
import { modelDir } from '../helpers/server-recognition.ts';

const tmp = tempDir('restart');
const procs: TestProcess[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  await killAll(procs);
  tmp.remove();
});

async function start(port: number) {
  const p = await startProcess('server', 'server/main.ts', {
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: tmp.dir,
      INKBOARD_MODEL: modelDir(),
      INKBOARD_BACKEND: 'onnx',
    },
    ready: /Inkboard running at/,
    readyTimeoutMs: 60_000,
  });
  procs.push(p);
  return p;
}

it('loses nothing committed across kill -9 and restart', async () => {
  const port = await freePort();
  const first = await start(port);
  const url = `http://127.0.0.1:${port}`;
  const board = await createBoard(url);
  const ann = await TestClient.connect(url);
  clients.push(ann);
  const key = 'ann-restart-key-0123456789';
  await ann.join(board, 'Ann', { key });
  const strokes = placeAt(penDigit(6), 0, 0);
  for (const [k, s] of strokes.entries()) expect(await drawStroke(ann, `s${k}`, s)).toEqual({ ok: true });
  const label = await ann.waitFor('label', (m) => m.label.strokeIds.length === 2);
  expect(
    await drawStroke(ann, 'far', [
      [3000, 0],
      [3000, 100],
    ]),
  ).toEqual({ ok: true });
  expect(await ann.send({ type: 'erase', strokeIds: ['far'] })).toEqual({ ok: true });

  first.kill('SIGKILL');
  await first.exited;
  ann.close();

  const second = await start(port);
  const bob = await TestClient.connect(url);
  clients.push(bob);
  await bob.join(board, 'Ann again', { key });
  const snap = await bob.waitFor('snapshot');
  expect(snap.board.strokes.map((s) => s.id)).toEqual(['s0', 's1']);
  expect(snap.board.strokes[1]?.points).toEqual(strokes[1]);
  expect(snap.board.labels).toEqual([label.label]);
  // Same user key, same user: the undo history survived too (undo the erase).
  expect(await bob.send({ type: 'undo' })).toEqual({ ok: true });
  await bob.waitFor('strokes.added', (m) => m.strokes.some((s) => s.id === 'far'));

  second.kill('SIGTERM');
  expect(await second.exited).toBe(0);
}, 120_000);
