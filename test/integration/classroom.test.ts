/**
 * Classroom mode on the server, in both modes (distributed: two servers in this process, one worker
 * process, a real Redis), with real socket.io clients and the real recognizer on real pen digits:
 * roles (teacher by key from any device, viewer, students), join codes, answer spaces (a student never
 * sees another's), teacher controls (lock, read-only, pen, remove/readmit, clear with notice, answer key),
 * corrections (broadcast, stored, surviving a restart, exported as training data), the CSV export, distinct
 * colours, and undo after a partial erase restoring the same reading.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InkboardServer } from '../../server/app.ts';
import { correctionsFromDataDir, correctionsFromRedis } from '../../server/classroom/training-export.ts';
import type { CreateBoardResponse } from '../../shared/protocol.ts';
import type { InferencePool } from '../../workers/pool.ts';
import { killAll, type TestProcess } from '../helpers/process-spawn.ts';
import {
  TestClient,
  drawStroke,
  penDigit,
  placeAt,
  startServer,
  tempDir,
  userKey,
  type Mode,
} from '../helpers/server-harness.ts';
import { startPool, startWorker } from '../helpers/server-recognition.ts';

const run = promisify(execFile);
const FOUR = 6;
const TWO = 1;

describe.each<Mode>(['embedded', 'distributed'])('classroom, %s mode', (mode) => {
  let pool: InferencePool;
  let worker: TestProcess | undefined;
  let servers: InkboardServer[] = [];
  const clients: TestClient[] = [];
  const tmp = tempDir('class');
  const prefix = `cl${Date.now().toString(36)}${mode[0]}`;
  const env = () =>
    mode === 'embedded'
      ? { DATA_DIR: tmp.dir }
      : { REDIS_URL: inject('redisUrl'), REDIS_PREFIX: prefix, DATA_DIR: tmp.dir };
  const urlA = () => servers[0]!.url;
  const urlB = () => servers.at(-1)!.url;

  async function startServers(): Promise<void> {
    servers = [await startServer(env(), { recognizer: pool })];
    if (mode === 'distributed') servers.push(await startServer(env(), { recognizer: pool }));
  }

  beforeAll(async () => {
    pool = await startPool();
    await startServers();
    if (mode === 'distributed') worker = await startWorker(inject('redisUrl'), prefix);
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

  async function createClass(url: string): Promise<CreateBoardResponse> {
    const res = await fetch(`${url}/api/v1/boards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ classroom: true }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as CreateBoardResponse;
  }

  type Joined = { userId: string; role: string; color: string; spaceId?: string };
  async function join(
    c: TestClient,
    board: CreateBoardResponse,
    name: string,
    opts: { key?: string; owner?: boolean; viewer?: boolean; color?: string } = {},
  ) {
    const ack = await c.send({
      type: 'join',
      protocolVersion: 3,
      boardId: board.boardId,
      userKey: opts.key ?? userKey(name.replace(/\W/g, '')),
      name,
      color: opts.color ?? '#336699',
      ...(opts.owner ? { ownerKey: board.ownerKey } : {}),
      ...(opts.viewer ? { viewer: true } : {}),
    });
    return ack;
  }
  async function joinOk(...args: Parameters<typeof join>): Promise<Joined> {
    const ack = await join(...args);
    if (!ack.ok) throw new Error(`join failed: ${ack.error.code} ${ack.error.message}`);
    return ack.data as Joined;
  }
  const control = (c: TestClient, ctl: Record<string, unknown>) =>
    c.send({ type: 'class.control', control: ctl });

  async function writeDigit(c: TestClient, idx: number, prefixId: string, x = 100) {
    const strokes = placeAt(penDigit(idx), x, 100);
    for (const [k, s] of strokes.entries())
      expect(await drawStroke(c, `${prefixId}${k}`, s)).toEqual({ ok: true });
    return strokes;
  }

  it('teacher by key from any device, viewer, join code, answer spaces kept apart, distinct colours', async () => {
    const board = await createClass(urlA());
    expect(board.classroom).toBe(true);
    expect(board.joinCode).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(board.teacherUrl).toBe(`${board.url}#teacher=${board.ownerKey}`);
    const code = await fetch(`${urlB()}/api/v1/codes/${board.joinCode.toLowerCase()}`);
    expect(code.status).toBe(200);
    expect(((await code.json()) as { boardId: string }).boardId).toBe(board.boardId);
    expect((await fetch(`${urlB()}/api/v1/codes/ZZZZZZ`)).status).toBe(404);

    // The teacher on a "projector": a fresh user key, the teacher key from the link.
    const teacher = await connect(urlA());
    const t = await joinOk(teacher, board, 'Ms Rivera', { owner: true });
    expect(t.role).toBe('owner');
    const viewer = await connect(urlB());
    expect((await joinOk(viewer, board, 'Projector', { viewer: true })).role).toBe('viewer');

    const ann = await connect(urlA());
    const bob = await connect(urlB());
    const a = await joinOk(ann, board, 'Ann', { color: '#dc2626' });
    const b = await joinOk(bob, board, 'Bob', { color: '#dc2626' });
    expect(a.spaceId).toBe(`${board.boardId}-${a.userId}`);
    expect(b.spaceId).toBeDefined();
    // Same colour asked for: the second person in the room gets another one.
    expect(a.color).toBe('#dc2626');
    expect(b.color).not.toBe('#dc2626');
    await teacher.waitFor('class.state', (m) => m.classroom.students.length === 2);
    await teacher.waitFor('space.added', (m) => m.student.userId === b.userId);
    const bobSnap = await bob.waitFor('snapshot');
    expect(bobSnap.spaces.map((s) => s.id)).toEqual([b.spaceId]);
    expect(bobSnap.classroom.answerKey).toBeUndefined();

    // Ann answers in her space: the teacher sees ink and label; Bob and the viewer see nothing of it.
    const since = bob.messages.length;
    await writeDigit(ann, FOUR, 'ann');
    const label = await teacher.waitFor(
      'label',
      (m) => m.boardId === a.spaceId && m.label.strokeIds.length === 2,
    );
    expect(label.label.text).toBe('4');
    await ann.waitFor('label', (m) => m.boardId === a.spaceId && m.label.text === '4');
    const added = await teacher.waitFor('strokes.added', (m) => m.boardId === a.spaceId);
    expect(added.strokes[0]!.author).toBe(a.userId);
    // Bob writes too: his own ink reaches him, so Ann's would have by now.
    await writeDigit(bob, TWO, 'bob');
    await bob.waitFor('label', (m) => m.boardId === b.spaceId && m.label.text === '2');
    // Bob is on the other server (distributed): his space reached the teacher's connection too.
    await teacher.waitFor('label', (m) => m.boardId === b.spaceId && m.label.text === '2');
    const bobSaw = bob.messages.slice(since);
    expect(bobSaw.some((m) => 'boardId' in m && m.boardId === a.spaceId)).toBe(false);
    expect(viewer.messages.some((m) => 'boardId' in m && m.boardId === a.spaceId)).toBe(false);
    expect(
      (
        await viewer.send({
          type: 'stroke.commit',
          stroke: { id: 'v1', color: '#000000', width: 3, points: [[1, 1]] },
        })
      ).ok,
    ).toBe(false);
    const vr = await viewer.send({ type: 'undo' });
    expect(!vr.ok && vr.error.code).toBe('READ_ONLY');

    // The answer key reaches the teacher only; the CSV needs the teacher key.
    expect(await control(teacher, { action: 'answerKey', answerKey: '4' })).toEqual({ ok: true });
    await teacher.waitFor('class.state', (m) => m.classroom.answerKey === '4');
    const st = await bob.waitFor('class.state', (m) => m.classroom.students.length === 2, 15_000, since);
    expect(st.classroom.answerKey).toBeUndefined();
    const csvUrl = `${urlB()}/api/v1/boards/${board.boardId}/answers.csv`;
    expect((await fetch(csvUrl)).status).toBe(403);
    const csv = await (
      await fetch(csvUrl, { headers: { authorization: `Bearer ${board.ownerKey}` } })
    ).text();
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('name,answer,answered_at,corrected,result,answer_key,user_id');
    expect(rows.find((r) => r.startsWith('Ann,'))).toMatch(/^Ann,4,\d{4}-.*,no,right,4,/);
    expect(rows.find((r) => r.startsWith('Bob,'))).toMatch(/^Bob,2,.*,no,wrong,4,/);
    const json = (await (
      await fetch(`${urlA()}/api/v1/boards/${board.boardId}/export.json?key=${board.ownerKey}`)
    ).json()) as { spaces: { board: { strokes: unknown[] } }[] };
    expect(json.spaces.map((s) => s.board.strokes.length).sort()).toEqual([1, 2]);
  }, 90_000);

  it('lock, read-only, pen, remove and readmit, clear with notice', async () => {
    const board = await createClass(urlA());
    const teacher = await connect(urlA());
    await joinOk(teacher, board, 'Teacher', { owner: true });
    const ann = await connect(urlB());
    const bob = await connect(urlA());
    const annKey = userKey('ann');
    const bobKey = userKey('bob');
    const a = await joinOk(ann, board, 'Ann', { key: annKey });
    const b = await joinOk(bob, board, 'Bob', { key: bobKey });
    const dot = (id: string, x = 10) => ({
      type: 'stroke.commit',
      stroke: {
        id,
        color: '#000000',
        width: 3,
        points: [
          [x, 10],
          [x + 5, 15],
        ],
      },
    });

    expect(await control(ann, { action: 'lock', locked: true })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await control(teacher, { action: 'lock', locked: true })).toEqual({ ok: true });
    await ann.waitFor('class.state', (m) => m.classroom.locked);
    expect(await ann.send(dot('a1'))).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    // Live points too: a coded error message (no ack), nothing relayed.
    await new Promise((r) => setTimeout(r, 350));
    ann.post({ type: 'stroke.points', strokeId: 'a2', seq: 0, color: '#000000', width: 3, points: [[1, 1]] });
    const err = await ann.waitFor('error', (m) => m.ref === 'stroke.points');
    expect(err.error.code).toBe('LOCKED');
    // The teacher still writes.
    expect(await teacher.send(dot('t1'))).toEqual({ ok: true });
    expect(await control(teacher, { action: 'lock', locked: false })).toEqual({ ok: true });
    expect(await ann.send(dot('a3'))).toEqual({ ok: true });

    expect(await control(teacher, { action: 'readOnly', userId: b.userId, readOnly: true })).toEqual({
      ok: true,
    });
    expect(await bob.send(dot('b1'))).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
    expect(await ann.send(dot('a4', 40))).toEqual({ ok: true });
    expect(await control(teacher, { action: 'readOnly', userId: b.userId, readOnly: false })).toEqual({
      ok: true,
    });
    expect(await bob.send(dot('b2'))).toEqual({ ok: true });

    // The pen: Ann now writes on the teacher's board, where everyone sees it.
    expect(await control(teacher, { action: 'pen', userId: a.userId })).toEqual({ ok: true });
    expect(await ann.send(dot('a5', 200))).toEqual({ ok: true });
    const onBoard = await bob.waitFor('strokes.added', (m) => m.strokes.some((s) => s.id === 'a5'));
    expect(onBoard.boardId).toBe(board.boardId);
    expect(await control(teacher, { action: 'pen', userId: null })).toEqual({ ok: true });

    // Remove Bob: told, disconnected, cannot come back with the same identity until readmitted.
    expect(await control(teacher, { action: 'remove', userId: b.userId })).toEqual({ ok: true });
    await bob.waitFor('class.notice', (m) => m.kind === 'removed');
    await new Promise<void>((resolve) =>
      bob.socket.connected ? bob.socket.once('disconnect', () => resolve()) : resolve(),
    );
    const bob2 = await connect(urlB());
    expect(await join(bob2, board, 'Bob', { key: bobKey })).toMatchObject({
      ok: false,
      error: { code: 'REMOVED' },
    });
    expect(await control(teacher, { action: 'readmit', userId: b.userId })).toEqual({ ok: true });
    expect((await joinOk(bob2, board, 'Bob', { key: bobKey })).userId).toBe(b.userId);
    await bob2.waitFor('snapshot', (m) => m.spaces[0]?.strokes.some((s) => s.id === 'b2') ?? false);

    // Hide and reveal answers: stored and sent to everyone.
    expect(await control(teacher, { action: 'answers', hidden: true })).toEqual({ ok: true });
    await ann.waitFor('class.state', (m) => m.classroom.answersHidden);
    expect(await control(teacher, { action: 'answers', hidden: false })).toEqual({ ok: true });
    await ann.waitFor('class.state', (m) => !m.classroom.answersHidden, 15_000, ann.messages.length - 1);

    // Clear: every space and the board emptied, everyone told.
    expect(await control(teacher, { action: 'clear', notice: 'Next question' })).toEqual({ ok: true });
    for (const c of [ann, bob2, teacher])
      await c.waitFor('class.notice', (m) => m.kind === 'cleared' && m.text === 'Next question');
    await teacher.waitFor('strokes.removed', (m) => m.boardId === a.spaceId && m.strokeIds.includes('a3'));
    await bob2.send({ type: 'resync' });
    const snap = await bob2.waitFor(
      'snapshot',
      (m) => m.spaces[0]?.strokes.length === 0 && m.board.strokes.length === 0,
    );
    expect(snap.board.strokes).toEqual([]);
  }, 90_000);

  it('a correction reaches the room, survives a restart and is exported as training data', async () => {
    const board = await createClass(urlA());
    const teacherKey = userKey('teacher');
    const annKey = userKey('ann');
    let teacher = await connect(urlA());
    await joinOk(teacher, board, 'Teacher', { owner: true, key: teacherKey });
    const ann = await connect(urlB());
    const bob = await connect(urlA());
    const a = await joinOk(ann, board, 'Ann', { key: annKey });
    await joinOk(bob, board, 'Bob');
    const strokes = await writeDigit(ann, TWO, 'c');
    const { label } = await teacher.waitFor('label', (m) => m.boardId === a.spaceId && m.label.text === '2');
    const fix = {
      type: 'label.correct',
      boardId: a.spaceId!,
      regionId: label.regionId,
      version: label.version,
    };
    // Bob cannot correct Ann's answer; nobody can correct an old version or with letters.
    expect(await bob.send({ ...fix, text: '3' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ann.send({ ...fix, version: label.version + 5, text: '3' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await ann.send({ ...fix, text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_MESSAGE' },
    });
    expect(await teacher.send({ ...fix, text: '3' })).toEqual({ ok: true });
    for (const c of [ann, teacher]) {
      const m = await c.waitFor('label.corrected', (x) => x.correction.regionId === label.regionId);
      expect(m.correction).toMatchObject({ text: '3', version: label.version });
      expect(m.boardId).toBe(a.spaceId);
    }
    expect(bob.of('label.corrected')).toHaveLength(0);

    // Restart every server (embedded: the journal; distributed: Redis).
    for (const c of clients) c.close();
    for (const s of servers) await s.close();
    await startServers();
    teacher = await connect(urlB());
    await joinOk(teacher, board, 'Teacher', { owner: true, key: teacherKey });
    const snap = await teacher.waitFor('snapshot');
    const space = snap.spaces.find((s) => s.id === a.spaceId)!;
    expect(space.corrections).toEqual([expect.objectContaining({ regionId: label.regionId, text: '3' })]);
    const csv = await (
      await fetch(`${urlA()}/api/v1/boards/${board.boardId}/answers.csv?key=${board.ownerKey}`)
    ).text();
    expect(csv).toMatch(/\r\nAnn,3,[^,]+,yes,,/);

    const lines =
      mode === 'embedded'
        ? await correctionsFromDataDir(tmp.dir)
        : await correctionsFromRedis(inject('redisUrl'), prefix);
    const line = lines.find((l) => l.region === label.regionId)!;
    expect(line).toMatchObject({ label: 3, text: '3', writer: a.userId, board: a.spaceId });
    expect(line.strokes).toEqual(strokes);
    // The command prints the same lines (`npm run --silent export:corrections`).
    const { stdout } = await run('npx', ['tsx', 'server/export-corrections.ts'], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...env() },
    });
    const printed = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { region: string; text: string; strokes: unknown; label: number });
    expect(printed.find((l) => l.region === label.regionId)).toMatchObject({ text: '3', label: 3, strokes });
  }, 120_000);

  it('on a plain board the controls hold too: lock, and the pen (only its holder writes)', async () => {
    const board = (await (
      await fetch(`${urlA()}/api/v1/boards`, { method: 'POST' })
    ).json()) as CreateBoardResponse;
    const teacher = await connect(urlA());
    await joinOk(teacher, board, 'Teacher', { owner: true });
    const ann = await connect(urlB());
    const bob = await connect(urlA());
    const a = await joinOk(ann, board, 'Ann');
    await joinOk(bob, board, 'Bob');
    expect(a.spaceId).toBeUndefined();
    const dot = (id: string) => ({
      type: 'stroke.commit',
      stroke: { id, color: '#000000', width: 3, points: [[1, 1]] },
    });
    expect(await ann.send(dot('p1'))).toEqual({ ok: true });
    await bob.waitFor('strokes.added', (m) => m.boardId === board.boardId && m.strokes[0]?.id === 'p1');
    expect(await control(teacher, { action: 'lock', locked: true })).toEqual({ ok: true });
    expect(await ann.send(dot('p2'))).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    expect(await ann.send({ type: 'undo' })).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    expect(await control(teacher, { action: 'lock', locked: false })).toEqual({ ok: true });
    expect(await control(teacher, { action: 'pen', userId: a.userId })).toEqual({ ok: true });
    expect(await bob.send(dot('p3'))).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
    expect(await ann.send(dot('p4'))).toEqual({ ok: true });
    expect(await teacher.send(dot('p5'))).toEqual({ ok: true });
  }, 60_000);

  it('undo after a partial erase restores the same reading (strokes keep their drawing order)', async () => {
    const res = await fetch(`${urlA()}/api/v1/boards`, { method: 'POST' });
    const board = (await res.json()) as CreateBoardResponse;
    expect(board.classroom).toBe(false);
    const ann = await connect(urlA());
    await joinOk(ann, board, 'Ann');
    await writeDigit(ann, FOUR, 'u');
    const first = await ann.waitFor('label', (m) => m.label.strokeIds.length === 2);
    // Erase the first stroke of the two: the region is read again from the second alone.
    expect(await ann.send({ type: 'erase', strokeIds: ['u0'] })).toEqual({ ok: true });
    await ann.waitFor(
      'label',
      (m) => m.label.regionId === first.label.regionId && m.label.strokeIds.length === 1,
    );
    expect(await ann.send({ type: 'undo' })).toEqual({ ok: true });
    const again = await ann.waitFor(
      'label',
      (m) =>
        m.label.regionId === first.label.regionId &&
        m.label.strokeIds.length === 2 &&
        m.label.version > first.label.version + 1,
    );
    expect(again.label.strokeIds).toEqual(first.label.strokeIds);
    expect(again.label.text).toBe(first.label.text);
    expect(again.label.digits.map((d) => d.strokeIds)).toEqual(first.label.digits.map((d) => d.strokeIds));
  }, 60_000);
});
