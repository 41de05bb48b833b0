/**
 * Two clients on a board, in both modes (distributed: two servers in this process, one worker process,
 * a real Redis): live ink, labels from the real recognizer on real pen digits, late joiners, erase, undo,
 * redo, clear and roles.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InkboardServer } from '../../server/app.ts';
import type { InferencePool } from '../../workers/pool.ts';
import { killAll, type TestProcess } from '../helpers/process-spawn.ts';
import {
  TestClient,
  createBoard,
  drawStroke,
  penDigit,
  placeAt,
  startServer,
  tempDir,
  widthOf,
  type Mode,
} from '../helpers/server-harness.ts';
import { startPool, startWorker } from '../helpers/server-recognition.ts';

// Pen digits the recognizer reads with high confidence: sample 6 is a two-stroke 4, 1 a 2, 8 a 5.
const FOUR = 6;
const TWO = 1;
const FIVE = 8;

describe.each<Mode>(['embedded', 'distributed'])('%s mode', (mode) => {
  let pool: InferencePool;
  let worker: TestProcess | undefined;
  const servers: InkboardServer[] = [];
  const clients: TestClient[] = [];
  const tmp = tempDir('rt');
  let urlA: string;
  let urlB: string;

  beforeAll(async () => {
    pool = await startPool();
    const prefix = `rt${Date.now().toString(36)}${mode[0]}`;
    const env =
      mode === 'embedded'
        ? { DATA_DIR: tmp.dir }
        : { REDIS_URL: inject('redisUrl'), REDIS_PREFIX: prefix, DATA_DIR: tmp.dir };
    servers.push(await startServer(env, { recognizer: pool }));
    if (mode === 'distributed') {
      servers.push(await startServer(env, { recognizer: pool }));
      worker = await startWorker(inject('redisUrl'), prefix);
    }
    urlA = servers[0]!.url;
    urlB = servers.at(-1)!.url;
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.close();
    await killAll([worker]);
    await pool?.close();
    tmp.remove();
  });

  const connect = async (url: string) => {
    const c = await TestClient.connect(url);
    clients.push(c);
    return c;
  };

  it('streams ink live to the other client; both get the label; a late joiner gets strokes and labels', async () => {
    const board = await createBoard(urlA);
    const ann = await connect(urlA);
    const bob = await connect(urlB);
    const { userId: annId } = await ann.join(board, 'Ann', { owner: true });
    await bob.join(board, 'Bob');
    const snap = await bob.waitFor('snapshot');
    expect(snap.you.role).toBe('member');
    await bob.waitFor('presence', (m) => m.peers.length === 2);
    await ann.waitFor('presence', (m) => m.peers.length === 2);

    const strokes = placeAt(penDigit(FOUR), 100, 100);
    expect(strokes).toHaveLength(2);
    // Bob sees the points while they are drawn (merged per relay tick), not only the commit.
    const first = strokes[0]!;
    const batches = Math.ceil(first.length / 8);
    for (let seq = 0; seq < batches; seq++) {
      const points = first.slice(seq * 8, (seq + 1) * 8);
      ann.post({ type: 'stroke.points', strokeId: 'four0', seq, color: '#000000', width: 3, points });
    }
    await bob.waitFor('live', (m) => m.batches.some((b) => b.strokeId === 'four0' && b.seq === batches - 1));
    const live = bob.liveBatches().filter((m) => m.strokeId === 'four0');
    expect(live.length).toBe(batches);
    expect(live[0]).toMatchObject({ author: annId, seq: 0 });
    expect(live.flatMap((m) => m.points)).toEqual(first);
    expect(
      await ann.send({
        type: 'stroke.commit',
        stroke: { id: 'four0', color: '#000000', width: 3, points: first },
      }),
    ).toEqual({ ok: true });
    expect(await drawStroke(ann, 'four1', strokes[1]!, { delayMs: 2 })).toEqual({ ok: true });
    await bob.waitFor('strokes.added', (m) => m.strokes.some((s) => s.id === 'four1'));

    const full = (m: { label: { strokeIds: string[] } }) => m.label.strokeIds.length === 2;
    const [la, lb] = await Promise.all([ann.waitFor('label', full), bob.waitFor('label', full)]);
    expect(la.label.text).toBe('4');
    expect(lb.label).toEqual(la.label);
    expect(la.label.digits[0]).toMatchObject({ label: 4, strokeIds: ['four0', 'four1'] });
    expect(la.label.recognizedAt).toBeGreaterThanOrEqual(la.label.penUpAt);

    // Cursor and presence reach the other node.
    ann.post({ type: 'cursor', cursor: [5, 6] });
    const moved = await bob.waitFor('live', (m) => m.cursors.some((c) => c.userId === annId));
    expect(moved.cursors).toEqual([{ userId: annId, cursor: [5, 6] }]);

    const carl = await connect(urlB);
    await carl.join(board, 'Carl');
    const late = await carl.waitFor('snapshot');
    expect(late.board.strokes.map((s) => s.id)).toEqual(['four0', 'four1']);
    expect(late.board.labels.map((l) => l.text)).toEqual(['4']);
    expect(late.peers.map((p) => p.name).sort()).toEqual(['Ann', 'Bob', 'Carl']);
    carl.close();
    await ann.waitFor('presence', (m) => m.peers.length === 2, 15_000, ann.messages.length - 1);
  });

  it('erase and undo update the label on every screen; undo and redo', async () => {
    const board = await createBoard(urlA);
    const ann = await connect(urlA);
    const bob = await connect(urlB);
    await ann.join(board, 'Ann');
    await bob.join(board, 'Bob');
    const strokes = placeAt(penDigit(FOUR), 0, 0);
    for (const [k, s] of strokes.entries()) await drawStroke(ann, `s${k}`, s);
    const first = await bob.waitFor('label', (m) => m.label.strokeIds.length === 2);
    expect(first.label.text).toBe('4');

    expect(await ann.send({ type: 'erase', strokeIds: ['s1'] })).toEqual({ ok: true });
    await bob.waitFor('strokes.removed', (m) => m.strokeIds.includes('s1'));
    const erased = await bob.waitFor('label', (m) => m.label.version > first.label.version);
    expect(erased.label.strokeIds).toEqual(['s0']);

    expect(await ann.send({ type: 'undo' })).toEqual({ ok: true });
    await bob.waitFor('strokes.added', (m) => m.strokes.some((s) => s.id === 's1'));
    const restored = await bob.waitFor('label', (m) => m.label.version > erased.label.version);
    expect(restored.label.strokeIds.sort()).toEqual(['s0', 's1']);
    expect(restored.label.text).toBe('4');

    // Undo the erase-undo's predecessor: the commits, newest first; then redo one.
    expect(await ann.send({ type: 'undo' })).toEqual({ ok: true }); // s1 commit
    expect(await ann.send({ type: 'undo' })).toEqual({ ok: true }); // s0 commit
    await bob.waitFor('label.removed', (m) => m.regionId === first.label.regionId);
    expect(await ann.send({ type: 'undo' })).toMatchObject({ ok: false, error: { code: 'NOTHING_TO_UNDO' } });
    expect(await ann.send({ type: 'redo' })).toEqual({ ok: true });
    await bob.waitFor('strokes.added', (m) => m.strokes.some((s) => s.id === 's0'));
  });

  it('a two-digit number written digit after digit is one region read as "25"', async () => {
    const board = await createBoard(urlA);
    const ann = await connect(urlA);
    const bob = await connect(urlB);
    await ann.join(board, 'Ann');
    await bob.join(board, 'Bob');
    const two = placeAt(penDigit(TWO), 0, 600);
    const five = placeAt(penDigit(FIVE), widthOf(two) + 80, 600);
    const ids: string[] = [];
    for (const [k, s] of [...two, ...five].entries()) {
      ids.push(`n${k}`);
      await drawStroke(bob, `n${k}`, s);
    }
    const num = await ann.waitFor('label', (m) => m.label.strokeIds.length === ids.length);
    expect(num.label.text).toBe('25');
    expect(num.label.digits.map((d) => d.label)).toEqual([2, 5]);
  });

  it('members change only their own strokes; the owner may clear the board', async () => {
    const board = await createBoard(urlA);
    const owner = await connect(urlA);
    const bob = await connect(urlB);
    await owner.join(board, 'Teacher', { owner: true });
    await bob.join(board, 'Bob');
    const [s] = placeAt(penDigit(TWO), 0, 0);
    await drawStroke(owner, 'o1', s!);
    await drawStroke(bob, 'b1', placeAt(penDigit(TWO), 900, 0)[0]!);
    await bob.waitFor('strokes.added', (m) => m.strokes.some((x) => x.id === 'o1'));
    expect(await bob.send({ type: 'erase', strokeIds: ['o1'] })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    expect(await bob.send({ type: 'clear', scope: 'all' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await bob.send({ type: 'erase', strokeIds: ['nope'] })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
    // Resending a commit (after a reconnect, say) never doubles the stroke.
    expect(
      await bob.send({
        type: 'stroke.commit',
        stroke: { id: 'b1', color: '#000000', width: 3, points: [[1, 1]] },
      }),
    ).toEqual({ ok: true, data: { duplicate: true } });
    expect(await owner.send({ type: 'clear', scope: 'all' })).toEqual({ ok: true });
    const removed = await bob.waitFor('strokes.removed', (m) => m.strokeIds.length === 2);
    expect(removed.strokeIds.sort()).toEqual(['b1', 'o1']);
    expect(await bob.send({ type: 'resync' })).toEqual({ ok: true });
    const snaps = bob.of('snapshot');
    expect(snaps.at(-1)?.board.strokes).toEqual([]);
    expect(await owner.send({ type: 'undo' })).toEqual({ ok: true });
    await bob.waitFor('strokes.added', (m) => m.strokes.length === 2);
  });
});
