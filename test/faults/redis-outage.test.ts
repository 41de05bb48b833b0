/**
 * Redis unreachable for a while: servers and workers stay up, clients are told the board is degraded, and
 * everything recovers by itself when Redis returns.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBoard } from '../helpers/process-server.ts';
import { Cluster } from './lib/cluster.ts';

// Clean shutdowns of Redis (SIGTERM rewrites the AOF), so the outage tests availability, not durability.
const cluster = new Cluster(['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']);
beforeAll(() => cluster.start().then(() => undefined), 60_000);
afterAll(() => cluster.stop(), 30_000);

// On a failure the servers' and the worker's logs are attached (the label path crosses three processes).
it('degrades while Redis is away and recovers without help', async () => {
  const [s1, s2, worker] = await Promise.all([cluster.server(), cluster.server(), cluster.worker()]);
  const { boardId } = await createBoard(s1.url);
  const alice = await cluster.client([s1.url, s2.url], boardId, 'alice', 0);
  const bob = await cluster.client([s1.url, s2.url], boardId, 'bob', 1);
  const before = await alice.drawDigit(cluster.singleStrokeDigit(0).strokes);
  await bob.waitFor(() => bob.labelOf(before[0] as string) !== undefined, 30_000, 'label before the outage');

  await cluster.stopRedis('SIGTERM');
  const downAt = Date.now();
  for (const c of [alice, bob])
    await c.waitFor(() => c.statuses.at(-1)?.degraded === true, 30_000, `${c.name}: degraded`);
  // A stroke drawn during the outage waits in the client's outbox (the server answers DEGRADED).
  const during = alice.drawDigit(cluster.singleStrokeDigit(1).strokes, 300);
  await new Promise((r) => setTimeout(r, 5000));
  for (const p of [s1, s2, worker]) expect(p.child.exitCode).toBeNull(); // all still up

  await cluster.restartRedis();
  const upAt = Date.now();
  for (const c of [alice, bob])
    await c.waitFor(() => c.statuses.at(-1)?.degraded === false, 30_000, `${c.name}: recovered`);
  const recoveredMs = Date.now() - upAt;
  const ids = await during;
  try {
    for (const c of [alice, bob]) {
      await c.waitFor(
        () => c.labelOf(ids[0] as string) !== undefined,
        30_000,
        `${c.name}: label after the outage`,
      );
      expect(c.labelOf(before[0] as string)).toBeDefined();
    }
  } catch (err) {
    const logs = [s1, s2, worker].map((p) => `--- ${p.name}\n${p.logs().slice(-6000)}`).join('\n');
    throw new Error(`${String(err)}\nstroke ${ids[0]}\n${logs}`, { cause: err });
  }
  console.log(
    `redis down ${upAt - downAt} ms; clients told degraded, status back to normal ${recoveredMs} ms after redis returned; stroke from the outage recognised`,
  );
}, 180_000);
