/**
 * Live ink and cursors through the per-room relay (embedded mode, real socket.io clients): the `stroke.points`
 * batches of a room reach everyone merged into `live` messages, in order, the senders' own
 * included (and skipped by the client's board state); a stroke's live points never follow its commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardState } from '../../client/src/board-state.ts';
import type { InkboardServer } from '../../server/app.ts';
import type { ServerMessage } from '../../shared/protocol.ts';
import {
  TestClient,
  createBoard,
  drawStroke,
  penDigit,
  placeAt,
  startServer,
  tempDir,
} from '../helpers/server-harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Replays a client's recorded messages into the browser client's board state. */
function replay(messages: ServerMessage[], upTo = messages.length): BoardState {
  const snap = messages.find((m) => m.type === 'snapshot');
  if (!snap) throw new Error('no snapshot');
  const state = new BoardState(snap.board.id);
  for (const m of messages.slice(0, upTo)) {
    if (m.type === 'snapshot') state.applySnapshot(m);
    else state.apply(m);
  }
  return state;
}

describe('live ink relay (embedded)', () => {
  let server: InkboardServer;
  const clients: TestClient[] = [];
  const tmp = tempDir('live');

  beforeAll(async () => {
    server = await startServer({ DATA_DIR: tmp.dir });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.close();
    tmp.remove();
  });

  const connect = async () => {
    const c = await TestClient.connect(server.url);
    clients.push(c);
    return c;
  };

  it('merges the room batches per tick: peers get each other in order, the sender skips its own', async () => {
    const board = await createBoard(server.url);
    const ann = await connect();
    const bob = await connect();
    const { userId: annId } = await ann.join(board, 'Ann');
    const { userId: bobId } = await bob.join(board, 'Bob');
    await ann.waitFor('presence', (m) => m.peers.length === 2);

    const a = placeAt(penDigit(1), 0, 0)[0]!;
    const b = placeAt(penDigit(8), 300, 0)[0]!;
    const batch = 4;
    const batches = Math.max(Math.ceil(a.length / batch), Math.ceil(b.length / batch));
    // Both draw at once, a batch every 10 ms each: several batches share a relay tick.
    for (let seq = 0; seq < batches; seq++) {
      for (const [c, id, pts] of [
        [ann, 'a0', a],
        [bob, 'b0', b],
      ] as const) {
        const points = pts.slice(seq * batch, (seq + 1) * batch);
        if (points.length)
          c.post({ type: 'stroke.points', strokeId: id, seq, color: '#000000', width: 3, points });
      }
      await sleep(10);
    }
    const done = (c: TestClient) =>
      c.waitFor('live', () => {
        const got = c.liveBatches();
        return (
          got.filter((x) => x.strokeId === 'a0').length === Math.ceil(a.length / batch) &&
          got.filter((x) => x.strokeId === 'b0').length === Math.ceil(b.length / batch)
        );
      });
    await Promise.all([done(ann), done(bob)]);

    for (const [c, other, otherId, otherPts, own, ownId] of [
      [bob, 'a0', annId, a, 'b0', bobId],
      [ann, 'b0', bobId, b, 'a0', annId],
    ] as const) {
      const live = c.liveBatches();
      // Merged: fewer messages than batches, everyone (sender included) gets every batch once, in order.
      expect(c.of('live').length).toBeLessThan(live.length);
      const theirs = live.filter((x) => x.strokeId === other);
      expect(theirs.map((x) => x.seq)).toEqual(theirs.map((_, i) => i));
      expect(theirs.every((x) => x.author === otherId)).toBe(true);
      expect(theirs.flatMap((x) => x.points)).toEqual(otherPts);
      expect(live.filter((x) => x.strokeId === own).every((x) => x.author === ownId)).toBe(true);
      // The browser client's state shows the other's live ink, and not its own stroke as someone else's.
      const state = replay(c.messages);
      expect(state.live.get(other)?.points).toEqual(otherPts);
      expect(state.live.has(own)).toBe(false);
    }
    expect(ann.of('error')).toEqual([]);
    expect(bob.of('error')).toEqual([]);
  });

  it('a commit reaches peers after its live points: live ink, then the committed stroke', async () => {
    const board = await createBoard(server.url);
    const ann = await connect();
    const bob = await connect();
    const { userId: annId } = await ann.join(board, 'Ann');
    await bob.join(board, 'Bob');
    await ann.waitFor('presence', (m) => m.peers.length === 2);

    const strokes = placeAt(penDigit(6), 50, 50);
    // The first stroke is drawn slowly (batches go out in several ticks), the second at once (its
    // batches are still waiting for the tick when its commit comes, and are dropped: the commit has them).
    for (const [k, s] of strokes.entries()) {
      const delayMs = k === 0 ? 25 : 0;
      expect(await drawStroke(ann, `c${k}`, s, { batch: 5, delayMs })).toEqual({ ok: true });
    }
    const last = `c${strokes.length - 1}`;
    await bob.waitFor('strokes.added', (m) => m.strokes.some((s) => s.id === last));
    await sleep(100); // anything still to come would come now

    for (const [k, s] of strokes.entries()) {
      const id = `c${k}`;
      const added = bob.messages.findIndex(
        (m) => m.type === 'strokes.added' && m.strokes.some((x) => x.id === id),
      );
      const liveAt = bob.messages.flatMap((m, i) =>
        m.type === 'live' && m.batches.some((x) => x.strokeId === id) ? [i] : [],
      );
      if (k === 0) expect(liveAt.length).toBeGreaterThan(1);
      expect(liveAt.every((i) => i < added)).toBe(true);
      // Just before the commit arrives, Bob shows a growing prefix of the stroke (in order, no gaps) ...
      const batches = bob.liveBatches().filter((x) => x.strokeId === id);
      expect(batches.every((x) => x.author === annId)).toBe(true);
      expect(batches.map((x) => x.seq)).toEqual(batches.map((_, i) => i));
      const shown = replay(bob.messages, added).live.get(id)?.points ?? [];
      expect(shown).toEqual(s.slice(0, shown.length));
      if (k === 0) expect(shown.length).toBeGreaterThan(0);
      // ... and after it the committed stroke, whole, and no live ink of it any more.
      const after = replay(bob.messages, added + 1);
      expect(after.live.has(id)).toBe(false);
      expect(after.strokes.get(id)?.points).toEqual(s);
    }
    const final = replay(bob.messages);
    expect(final.live.size).toBe(0);
    expect([...final.strokes.keys()].sort()).toEqual(strokes.map((_, k) => `c${k}`));
  });

  it('relays cursors in the same merged messages: the latest of each user, the own one skipped', async () => {
    const board = await createBoard(server.url);
    const ann = await connect();
    const bob = await connect();
    const { userId: annId } = await ann.join(board, 'Ann');
    const { userId: bobId } = await bob.join(board, 'Bob');
    await ann.waitFor('presence', (m) => m.peers.length === 2);
    for (const x of [1, 2, 3]) ann.post({ type: 'cursor', cursor: [x, x] });
    bob.post({ type: 'cursor', cursor: [7, 7] });
    const last = (c: TestClient, userId: string) =>
      c
        .of('live')
        .flatMap((m) => m.cursors)
        .filter((x) => x.userId === userId)
        .at(-1)?.cursor;
    await bob.waitFor('live', () => String(last(bob, annId)) === '3,3');
    await ann.waitFor('live', () => String(last(ann, bobId)) === '7,7');
    expect(
      bob.of('live').every((m) => new Set(m.cursors.map((c) => c.userId)).size === m.cursors.length),
    ).toBe(true);
    const state = replay(bob.messages);
    expect([...state.cursors.values()].map((c) => [c.userId, c.at])).toEqual([[annId, [3, 3]]]);
    ann.post({ type: 'cursor', cursor: null });
    await bob.waitFor('live', () => last(bob, annId) === null);
    expect(replay(bob.messages).cursors.size).toBe(0);
  });

  it('keeps validating every batch: out-of-order batches are refused and not relayed', async () => {
    const board = await createBoard(server.url);
    const ann = await connect();
    const bob = await connect();
    await ann.join(board, 'Ann');
    await bob.join(board, 'Bob');
    const pts = { type: 'stroke.points', strokeId: 'o1', color: '#000000', width: 3 } as const;
    expect(await ann.send({ ...pts, seq: 0, points: [[1, 1]] })).toEqual({ ok: true });
    expect(await ann.send({ ...pts, seq: 0, points: [[2, 2]] })).toMatchObject({
      ok: false,
      error: { code: 'OUT_OF_ORDER' },
    });
    expect(await ann.send({ ...pts, seq: 1, points: [[3, 3]] })).toEqual({ ok: true });
    await bob.waitFor('live', () => bob.liveBatches().length === 2);
    await sleep(100);
    expect(bob.liveBatches().map((x) => [x.seq, x.points])).toEqual([
      [0, [[1, 1]]],
      [1, [[3, 3]]],
    ]);
  });
});
