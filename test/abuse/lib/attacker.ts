/**
 * Attacks that send a lot over sockets, run in a child process so their CPU is not the server's event loop
 * (as a real attacker's is not): `tsx attacker.ts ATTACK URL JSON-ARGS` prints one JSON line of results.
 *   poison {boardId, ownerKey}: 588 overlapping strokes by one user over five connections.
 *   bytes {}: one connection sends 200 KB messages as fast as it can for 2 s.
 */
import type { CreateBoardResponse } from '../../../shared/protocol.ts';
import { TestClient, userKey } from '../../helpers/server-harness.ts';

type Pt = [number, number];
const [attack, url, rawArgs] = process.argv.slice(2) as [string, string, string];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const circle = (cx: number, cy: number, r: number, n: number, phase = 0): Pt[] =>
  Array.from({ length: n }, (_, i) => {
    const a = phase + (i / n) * 2 * Math.PI;
    return [Math.round((cx + r * Math.cos(a)) * 10) / 10, Math.round((cy + r * Math.sin(a)) * 10) / 10];
  });

async function poison(): Promise<unknown> {
  const board = JSON.parse(rawArgs) as CreateBoardResponse;
  const key = userKey('poison');
  const cs = await Promise.all(
    Array.from({ length: 5 }, async (_, i) => {
      const c = await TestClient.connect(url);
      await c.join(board, `p${i}`, { key, owner: true });
      return c;
    }),
  );
  let acked = 0;
  await Promise.all(
    Array.from({ length: 588 }, async (_, i) => {
      const c = cs[i % 5]!;
      for (;;) {
        const stroke = {
          id: `poison${i}`,
          color: '#aa0000',
          width: 3,
          points: circle(100, 100, 30 + (i % 7), 40, i / 10),
        };
        const ack = await c.send({ type: 'stroke.commit', stroke });
        if (ack.ok) return void acked++;
        if (ack.error.code !== 'RATE_LIMITED') throw new Error(`${ack.error.code}: ${ack.error.message}`);
        await sleep(200);
      }
    }),
  );
  cs.forEach((c) => c.close());
  return { acked };
}

async function bytes(): Promise<unknown> {
  const c = await TestClient.connect(url);
  const junk = { type: 'cursor', cursor: [1, 2], pad: 'x'.repeat(200_000) };
  let sent = 0;
  const end = Date.now() + 2000;
  while (Date.now() < end && c.socket.connected) {
    c.post(junk);
    sent++;
    if (sent % 10 === 0) await sleep(1);
  }
  await sleep(300);
  const codes: Record<string, number> = {};
  for (const m of c.of('error')) codes[m.error.code] = (codes[m.error.code] ?? 0) + 1;
  const disconnected = !c.socket.connected;
  c.close();
  return { sent, codes, disconnected };
}

const run = attack === 'poison' ? poison : bytes;
run().then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
