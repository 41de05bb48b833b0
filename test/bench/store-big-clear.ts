/**
 * `npx tsx test/bench/store-big-clear.ts`: what a clear and an undo of a full board cost the Redis store
 * and everyone else on it (issue #11, the abuse suite's "board bytes and history" phase, store part only).
 *
 * A private redis-server; one store (as one server); an owner fills a board to its point budget with
 * 4000-point strokes, clears it, commits 20 small strokes, then undoes 21 steps (the small ones, then the
 * clear), and finally reads a snapshot. Meanwhile a bystander commits a small stroke on another board every
 * 10 ms through the same store. Per step: its time, the longest stall of this process's event loop, the
 * longest Redis command (SLOWLOG, every command logged) and the bystander's slowest commits.
 *
 *   npx tsx test/bench/store-big-clear.ts [--runs 3]
 *
 * Prints one JSON line per run and step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { clear, commitStroke, undoRedo, type Actor } from '../../server/board/actions.ts';
import { DEFAULT_REGION_RULES } from '../../server/regions/types.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import { LIMITS } from '../../shared/protocol.ts';
import { startRedis } from '../helpers/redis-server.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const rules = DEFAULT_REGION_RULES;
const owner: Actor = { userId: 'own', role: 'owner' };
const by: Actor = { userId: 'by', role: 'owner' };
type Pt = [number, number];
const long = (i: number): Pt[] =>
  Array.from({ length: LIMITS.maxPointsPerStroke }, (_, j) => [
    (i % 10) * 400 + (j % 200),
    Math.floor(i / 10) * 400 + Math.floor(j / 200) * 10,
  ]);
const stroke = (id: string, points: Pt[]) => ({ id, color: '#aa0000', width: 3, points });

const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-bigclear-'));
const server = await startRedis(dir);
const admin = new Redis(server.url);
await admin.config('SET', 'slowlog-log-slower-than', '0');
await admin.config('SET', 'slowlog-max-len', '100000');
const lag = monitorEventLoopDelay({ resolution: 1 });
lag.enable();

try {
  for (let run = 1; run <= Number(args.runs); run++) {
    const store = createRedisStore({ url: server.url, prefix: `bench${run}` });
    while (store.degraded) await new Promise((r) => setTimeout(r, 20));
    const board = 'big';
    const side = 'bystander';
    await store.createBoard({ id: board, createdAt: 1, ownerKeyHash: 'h' });
    await store.createBoard({ id: side, createdAt: 1, ownerKeyHash: 'h' });
    const ctx = () => ({ now: Date.now(), rules });
    let filled = 0;
    for (let i = 0; ; i++) {
      try {
        await store.update(board, (tx) => commitStroke(tx, owner, stroke(`big${i}`, long(i)), ctx()));
        filled++;
      } catch {
        break;
      }
    }

    // The bystander: one small commit on another board every 10 ms, latency recorded per step.
    let latencies: number[] = [];
    let n = 0;
    let stop = false;
    const bystander = (async () => {
      while (!stop) {
        const t = performance.now();
        const id = `b${n++}`;
        await store.update(side, (tx) =>
          commitStroke(
            tx,
            by,
            stroke(id, [
              [(n % 100) * 30, 0],
              [(n % 100) * 30 + 5, 8],
            ]),
            ctx(),
          ),
        );
        latencies.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    const step = async (name: string, fn: () => Promise<unknown>) => {
      await new Promise((r) => setTimeout(r, 50));
      await admin.slowlog('RESET');
      lag.reset();
      latencies = [];
      const t = performance.now();
      await fn();
      const ms = performance.now() - t;
      await new Promise((r) => setTimeout(r, 30));
      const slow = (await admin.slowlog('GET', 100000)) as [number, number, number, string[]][];
      const worst = slow.reduce((w, e) => (e[2] > w[2] ? e : w), [0, 0, 0, ['']]);
      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(
        JSON.stringify({
          run,
          step: name,
          ms: Math.round(ms),
          loopStallMs: Math.round(lag.max / 1e6),
          redisMaxMs: Math.round(worst[2] / 100) / 10,
          redisMaxCmd: String(worst[3][0]),
          redisArgs: worst[3].length,
          bystanderCommits: sorted.length,
          bystanderMaxMs: Math.round(sorted[sorted.length - 1] ?? 0),
          load: Math.round(loadavg()[0]! * 10) / 10,
        }),
      );
    };

    await step('clear', () => store.update(board, (tx) => clear(tx, owner, 'all', ctx())));
    await step('20 small commits', async () => {
      for (let i = 0; i < 20; i++)
        await store.update(board, (tx) =>
          commitStroke(
            tx,
            owner,
            stroke(`small${i}`, [
              [i * 50, 0],
              [i * 50 + 5, 5],
              [i * 50, 10],
            ]),
            ctx(),
          ),
        );
    });
    await step('20 undos', async () => {
      for (let i = 0; i < 20; i++) await store.update(board, (tx) => undoRedo(tx, owner, 'undo', ctx()));
    });
    await step('undo of the clear', () => store.update(board, (tx) => undoRedo(tx, owner, 'undo', ctx())));
    await step('snapshot', async () => {
      const snap = await store.snapshot(board);
      if (snap?.strokes.length !== filled) throw new Error(`snapshot has ${snap?.strokes.length} strokes`);
    });
    stop = true;
    await bystander;
    await store.close();
  }
} finally {
  lag.disable();
  admin.disconnect();
  server.process.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
