/** The attacks of issue #11, each bounded in time; each returns a line of figures for the report. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { InkboardServer } from '../../../server/app.ts';
import { emptyBoard, serializeBoard } from '../../../server/store/board-state.ts';
import { LIMITS, PROTOCOL_VERSION, type Ack, type CreateBoardResponse } from '../../../shared/protocol.ts';
import { TestClient, userKey, type Mode } from '../../helpers/server-harness.ts';
import { REPO_ROOT } from '../../helpers/process-spawn.ts';
import { openFiles } from './rss.ts';

export interface AttackContext {
  mode: Mode;
  server: InkboardServer;
  url: string;
  dataDir: string;
  /** Warn and error log records of the server. */
  logs: Record<string, unknown>[];
  redisUrl?: string;
  prefix?: string;
  connect: (more?: Parameters<typeof TestClient.connect>[2]) => Promise<TestClient>;
  createBoard: () => Promise<CreateBoardResponse>;
}

export interface Attack {
  name: string;
  /** Default: both modes. */
  modes?: Mode[];
  run: (ctx: AttackContext) => Promise<string | undefined>;
}

type Pt = [number, number];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const circle = (cx: number, cy: number, r: number, n: number, phase = 0): Pt[] =>
  Array.from({ length: n }, (_, i) => {
    const a = phase + (i / n) * 2 * Math.PI;
    return [Math.round((cx + r * Math.cos(a)) * 10) / 10, Math.round((cy + r * Math.sin(a)) * 10) / 10];
  });
const commit = (c: TestClient, id: string, points: Pt[]) =>
  c.send({ type: 'stroke.commit', stroke: { id, color: '#aa0000', width: 3, points } });

/** Runs a script of this folder in a child process (the attacker's CPU is not the server's event loop). */
function child(script: string, ...args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'test/abuse/lib', script), ...args],
      { cwd: REPO_ROOT, timeout: 40_000 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${script}: ${String(err)} ${stderr}`))
          : resolve(JSON.parse(stdout) as Record<string, unknown>),
    );
  });
}

/** Sends until acknowledged, waiting while rate-limited (as a patient client would). */
async function commitPatiently(c: TestClient, id: string, points: Pt[]): Promise<Ack> {
  for (;;) {
    const ack = await commit(c, id, points);
    if (ack.ok || ack.error.code !== 'RATE_LIMITED') return ack;
    await sleep(200);
  }
}

async function joined(ctx: AttackContext, board: CreateBoardResponse, name: string, key = userKey(name)) {
  const c = await ctx.connect();
  await c.join(board, name, { key, owner: true });
  return c;
}

export const ATTACKS: Attack[] = [
  {
    // The noise floor: the bystander alone, for comparison with the attacks.
    name: 'baseline (no attack)',
    async run() {
      await sleep(2000);
      return 'nothing else running';
    },
  },
  {
    name: 'recognize flood',
    async run(ctx) {
      // From a child process: 45 requests/s (inside the 50/s rate limit) for 3 s, then 200 at once.
      const out = JSON.stringify(await child('http-flood.ts', ctx.url));
      const { paced, burst } = JSON.parse(out) as Record<'paced' | 'burst', Record<string, number>>;
      for (const s of Object.keys({ ...paced, ...burst })) expect(['200', '429', '503']).toContain(s);
      expect(paced['200'] ?? 0).toBeGreaterThan(0);
      return `45/s x 3 s: ${JSON.stringify(paced)}; 200 at once: ${JSON.stringify(burst)}`;
    },
  },
  {
    name: 'poison region',
    async run(ctx) {
      // 588 overlapping strokes by one user (five connections): once one region, re-sent whole each time.
      const board = await ctx.createBoard();
      const { acked } = await child('attacker.ts', 'poison', ctx.url, JSON.stringify(board));
      expect(acked).toBe(588);
      const cs = [await joined(ctx, board, 'watcher')];
      await sleep(1500);
      const since = cs[0]!.messages.length;
      await cs[0]!.send({ type: 'resync' });
      const snap = await cs[0]!.waitFor('snapshot', () => true, 10_000, since);
      const biggest = Math.max(...snap.board.labels.map((l) => l.strokeIds.length));
      expect(biggest).toBeLessThanOrEqual(LIMITS.maxStrokesPerRegion);
      expect(snap.board.strokes.length).toBe(588);
      cs.forEach((c) => c.close());
      return `588 strokes acked; ${snap.board.labels.length} region labels, largest region ${biggest} strokes`;
    },
  },
  {
    name: 'board flood',
    async run(ctx) {
      // ~1,100 boards, each written once: boards stay in memory and each keeps a journal open otherwise.
      const fd0 = await openFiles();
      const first = await ctx.createBoard();
      const owner = await joined(ctx, first, 'flood0');
      expect(await commit(owner, 'keep1', circle(50, 50, 20, 30))).toEqual({ ok: true });
      let made = 1;
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          const c = await ctx.connect();
          while (made < 1100) {
            made++;
            const b = await ctx.createBoard();
            await c.join(b, `flood${w}`);
            const ack = await commitPatiently(c, `f${made}`, circle(50, 50, 20, 30));
            expect(ack).toEqual({ ok: true });
          }
          c.close();
        }),
      );
      const fd1 = await openFiles();
      const loaded = ctx.server.store.loadedBoards?.();
      if (ctx.mode === 'embedded') expect(loaded).toBeLessThanOrEqual(100 + 16);
      expect(fd1 - fd0).toBeLessThan(150);
      // The first board was unloaded long ago: it comes back from its journal with its stroke.
      const since = owner.messages.length;
      await owner.send({ type: 'resync' });
      const snap = await owner.waitFor('snapshot', () => true, 10_000, since);
      expect(snap.board.strokes.map((s) => s.id)).toEqual(['keep1']);
      owner.close();
      return `${made} boards written; open files ${fd0} -> ${fd1}; boards in memory ${loaded ?? 'n/a (redis)'}`;
    },
  },
  {
    name: 'board bytes and history',
    async run(ctx) {
      const board = await ctx.createBoard();
      const c = await joined(ctx, board, 'big');
      // 4000-point strokes until the board's point budget is spent.
      const long = (i: number): Pt[] =>
        Array.from({ length: LIMITS.maxPointsPerStroke }, (_, j) => [
          (i % 10) * 400 + (j % 200),
          Math.floor(i / 10) * 400 + Math.floor(j / 200) * 10,
        ]);
      let ok = 0;
      let refused: Ack | undefined;
      for (let i = 0; i < 80 && !refused; i++) {
        const ack = await commitPatiently(c, `big${i}`, long(i));
        if (ack.ok) ok++;
        else refused = ack;
      }
      expect(refused).toMatchObject({ ok: false, error: { code: 'LIMIT_REACHED' } });
      expect(ok).toBe(Math.floor(LIMITS.maxPointsPerBoard / LIMITS.maxPointsPerStroke));
      expect(await c.send({ type: 'clear', scope: 'all' })).toEqual({ ok: true });
      // After the clear (its undo entry holds every cleared point), small commits must write little.
      const written = await bytesWritten(ctx, board.boardId, async () => {
        for (let i = 0; i < 20; i++)
          expect(
            await commit(c, `small${i}`, [
              [i * 50, 0],
              [i * 50 + 5, 5],
              [i * 50, 10],
            ]),
          ).toEqual({ ok: true });
      });
      // Written whole, each would cost the cleared board's 5 MB again (issue #11: 12.5 MiB per commit).
      expect(written).toBeLessThan(512 * 1024);
      // Undo still works: the 20 small commits, then the clear.
      for (let i = 0; i < 21; i++) expect(await c.send({ type: 'undo' })).toEqual({ ok: true });
      const since = c.messages.length;
      await c.send({ type: 'resync' });
      const snap = await c.waitFor('snapshot', () => true, 10_000, since);
      expect(snap.board.strokes.length).toBe(ok);
      c.close();
      return `${ok} strokes of 4000 points, then LIMIT_REACHED; 20 small commits after the clear wrote ${Math.round(written / 1024)} KiB`;
    },
  },
  {
    name: 'socket flood',
    async run(ctx) {
      // 260 sockets from one address, each claiming another address in X-Forwarded-For (not trusted).
      const tries = await Promise.all(
        Array.from({ length: 260 }, (_, i) =>
          ctx.connect({ extraHeaders: { 'x-forwarded-for': `10.${i >> 8}.${i & 255}.7` } }).then(
            (c) => c,
            () => undefined,
          ),
        ),
      );
      const open = tries.filter((c): c is TestClient => !!c);
      expect(open.length).toBeLessThanOrEqual(200);
      expect(open.length).toBeGreaterThan(100);
      for (const c of open) c.close();
      for (let i = 0; i < 100 && ctx.server.io.engine.clientsCount > 20; i++) await sleep(50);
      // Bytes: one connection sends 200 KB messages as fast as it can for 2 s.
      const { sent, codes, disconnected } = (await child('attacker.ts', 'bytes', ctx.url)) as {
        sent: number;
        codes: Record<string, number>;
        disconnected: boolean;
      };
      expect((codes.RATE_LIMITED ?? 0) > 0 || disconnected).toBe(true);
      return `${open.length}/260 sockets accepted; byte flood: ${sent} x 200 KB sent, errors ${JSON.stringify(codes)}, disconnected ${disconnected}`;
    },
  },
  {
    name: 'stroke-id hijack',
    async run(ctx) {
      const board = await ctx.createBoard();
      const victim = await joined(ctx, board, 'victim');
      const attacker = await ctx.connect();
      await attacker.join(board, 'attacker');
      const mine: Pt[] = circle(300, 300, 30, 40);
      const batch = (c: TestClient, seq: number, points: Pt[]) =>
        c.send({ type: 'stroke.points', strokeId: 'v1', seq, color: '#000000', width: 3, points });
      expect(await batch(victim, 0, mine.slice(0, 20))).toEqual({ ok: true });
      // The attacker saw `v1` in the room's live messages and tries to take it over.
      expect(await batch(attacker, 0, [[0, 0]])).toMatchObject({ ok: false, error: { code: 'ID_TAKEN' } });
      expect(await commit(attacker, 'v1', [[0, 0]])).toMatchObject({
        ok: false,
        error: { code: 'ID_TAKEN' },
      });
      expect(await batch(victim, 1, mine.slice(20))).toEqual({ ok: true });
      expect(await commit(victim, 'v1', mine)).toEqual({ ok: true });
      expect(await commit(attacker, 'v1', [[0, 0]])).toMatchObject({
        ok: false,
        error: { code: 'ID_TAKEN' },
      });
      const since = victim.messages.length;
      await victim.send({ type: 'resync' });
      const snap = await victim.waitFor('snapshot', () => true, 10_000, since);
      const v1 = snap.board.strokes.find((s) => s.id === 'v1');
      expect(v1?.points).toEqual(mine);
      expect(v1?.author).toBe(snap.you.userId);
      victim.close();
      attacker.close();
      return "ID_TAKEN for points and commits of another user's stroke id; the owner's pen-up stored";
    },
  },
  {
    name: 'corrupt journals',
    modes: ['embedded'],
    async run(ctx) {
      const dir = path.join(ctx.dataDir, 'boards');
      mkdirSync(dir, { recursive: true });
      const meta = (id: string) => ({ id, createdAt: Date.now(), ownerKeyHash: 'x' });
      const stroke = (id: string) => ({
        id,
        author: 'someone',
        color: '#000000',
        width: 3,
        points: circle(40, 40, 10, 12),
        createdAt: Date.now(),
      });
      // A: a bad first line (the board's state). B: a bad line in the middle.
      const a = randomBytes(16).toString('base64url');
      const b = randomBytes(16).toString('base64url');
      const fa = path.join(dir, `${a}.jsonl`);
      const fb = path.join(dir, `${b}.jsonl`);
      const textA = `{"state": {"meta": oops\n${JSON.stringify({ ops: [{ t: 'putStroke', stroke: stroke('a1') }] })}\n`;
      writeFileSync(fa, textA);
      writeFileSync(
        fb,
        [
          JSON.stringify({ state: serializeBoard(emptyBoard(meta(b))) }),
          JSON.stringify({ ops: [{ t: 'putStroke', stroke: stroke('b1') }] }),
          '{"ops": [{"t": "putStroke", "stroke": garbage',
          JSON.stringify({ ops: [{ t: 'putStroke', stroke: stroke('b2') }] }),
          '',
        ].join('\n'),
      );
      const c = await ctx.connect();
      const join = (boardId: string) =>
        c.send({
          type: 'join',
          protocolVersion: PROTOCOL_VERSION,
          boardId,
          userKey: userKey('j'),
          name: 'J',
          color: '#000000',
        });
      const ja = await join(a);
      expect(ja).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(readFileSync(fa, 'utf8')).toBe(textA); // never silently rewritten
      // Asking again is refused the same way without another copy (no disk filled by retries).
      expect(await join(a)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(readdirSync(dir).filter((f) => f.startsWith(`${a}.jsonl.corrupt-`))).toHaveLength(1);
      expect(ctx.logs.some((l) => l.boardId === a && l.level === 50 && Array.isArray(l.lines))).toBe(true);
      expect(await join(b)).toMatchObject({ ok: true });
      const snap = c.of('snapshot').at(-1)!;
      expect(snap.board.strokes.map((s) => s.id).sort()).toEqual(['b1', 'b2']);
      const errB = ctx.logs.find((l) => l.boardId === b && l.level === 50);
      expect(errB?.lines).toEqual([3]);
      const copies = readdirSync(dir).filter((f) => f.includes('.corrupt-'));
      expect(copies.some((f) => f.startsWith(a))).toBe(true);
      expect(copies.some((f) => f.startsWith(b))).toBe(true);
      c.close();
      return `bad first line: join refused (INTERNAL), file kept, copy ${copies.length ? 'made' : 'missing'}; bad middle line: quarantined copy, line 3 logged, rest loaded`;
    },
  },
  {
    name: 'headers and origin',
    async run(ctx) {
      const page = await fetch(`${ctx.url}/b/whatever`);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      const evil = { origin: 'http://evil.example' };
      const post = await fetch(`${ctx.url}/api/v1/boards`, { method: 'POST', headers: evil });
      expect(post.status).toBe(403);
      const own = await fetch(`${ctx.url}/api/v1/boards`, { method: 'POST', headers: { origin: ctx.url } });
      expect(own.status).toBe(201);
      const refused = await ctx.connect({ extraHeaders: evil }).then(
        (c) => (c.close(), false),
        () => true,
      );
      expect(refused).toBe(true);
      const ok = await ctx.connect({ extraHeaders: { origin: ctx.url } });
      ok.close();
      return 'CSP, nosniff, frame headers present; foreign Origin refused (HTTP 403, socket handshake)';
    },
  },
];

/** Bytes the board's writes cost: journal growth (embedded) or bytes sent to Redis (distributed). */
async function bytesWritten(ctx: AttackContext, boardId: string, fn: () => Promise<void>): Promise<number> {
  if (ctx.mode === 'embedded') {
    const file = path.join(ctx.dataDir, 'boards', `${boardId}.jsonl`);
    const size = () => (existsSync(file) ? statSync(file).size : 0);
    const before = size();
    await fn();
    return size() - before;
  }
  const redis = new Redis(ctx.redisUrl!);
  const netIn = async () => Number(/total_net_input_bytes:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
  try {
    const before = await netIn();
    await fn();
    return (await netIn()) - before;
  } finally {
    redis.disconnect();
  }
}
