/**
 * Hostile and broken input, in both modes: every bad message gets its error code, and another client on
 * the same board keeps working throughout.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InkboardServer } from '../../server/app.ts';
import { EVENTS, LIMITS, PROTOCOL_VERSION } from '../../shared/protocol.ts';
import {
  TestClient,
  createBoard,
  drawStroke,
  startServer,
  tempDir,
  userKey,
  type Mode,
} from '../helpers/server-harness.ts';

describe.each<Mode>(['embedded', 'distributed'])('%s mode', (mode) => {
  let server: InkboardServer;
  const tmp = tempDir('bad');
  const clients: TestClient[] = [];
  const connect = async () => {
    const c = await TestClient.connect(server.url);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const env = { DATA_DIR: tmp.dir, RATE_LIMIT: '20' };
    if (mode === 'distributed')
      Object.assign(env, { REDIS_URL: inject('redisUrl'), REDIS_PREFIX: `bad${Date.now()}` });
    server = await startServer(env);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close();
    tmp.remove();
  });

  /** A well-behaved client drawing on the same board, checked after each abuse. */
  async function bystander(board: Awaited<ReturnType<typeof createBoard>>) {
    const c = await connect();
    await c.join(board, 'Good');
    let n = 0;
    return async () => {
      const id = `good${n++}`;
      expect(
        await drawStroke(c, id, [
          [0, 0],
          [5, 50],
        ]),
      ).toEqual({ ok: true });
    };
  }

  it('rejects a handshake without the right protocol version', async () => {
    for (const auth of [{ protocolVersion: PROTOCOL_VERSION + 1 }, {}]) {
      const err = await TestClient.connect(server.url, auth).then(
        () => undefined,
        (e: Error & { data?: { code?: string } }) => e,
      );
      expect(err?.data?.code).toBe('PROTOCOL_VERSION');
    }
  });

  it('answers malformed, oversized, out-of-order and unauthorised messages with codes', async () => {
    const board = await createBoard(server.url);
    const ok = await bystander(board);
    const bad = await connect();
    expect(await bad.send({ type: 'undo' })).toMatchObject({ ok: false, error: { code: 'NOT_JOINED' } });
    expect(
      await bad.send({
        type: 'join',
        protocolVersion: PROTOCOL_VERSION,
        boardId: 'nosuchboard',
        userKey: userKey('x'),
        name: 'X',
        color: '#000000',
      }),
    ).toMatchObject({ error: { code: 'BOARD_NOT_FOUND' } });
    expect(
      await bad.send({
        type: 'join',
        protocolVersion: 99,
        boardId: board.boardId,
        userKey: userKey('x'),
        name: 'X',
        color: '#000000',
      }),
    ).toMatchObject({ error: { code: 'PROTOCOL_VERSION' } });
    // A wrong owner key just makes a member.
    const joined = await bad.send({
      type: 'join',
      protocolVersion: PROTOCOL_VERSION,
      boardId: board.boardId,
      userKey: userKey('x'),
      name: 'X',
      color: '#000000',
      ownerKey: 'not-the-owner-key-at-all',
    });
    expect(joined).toMatchObject({ ok: true, data: { role: 'member' } });
    await ok();

    for (const [msg, code] of [
      [{ type: 'nope' }, 'BAD_MESSAGE'],
      [
        { type: 'stroke.commit', stroke: { id: 'x', color: 'red', width: 3, points: [[0, 0]] } },
        'BAD_MESSAGE',
      ],
      [
        { type: 'stroke.commit', stroke: { id: 'x', color: '#000000', width: 3, points: [[0, null]] } },
        'BAD_MESSAGE',
      ],
      [{ type: 'stroke.commit', stroke: { id: 'x', color: '#000000', width: 3, points: [] } }, 'BAD_MESSAGE'],
      [{ type: 'erase', strokeIds: 'x' }, 'BAD_MESSAGE'],
      [{ type: 'cursor', cursor: [1e300, 0] }, 'TOO_LARGE'],
      [
        {
          type: 'stroke.points',
          strokeId: 'x',
          seq: 0,
          color: '#000000',
          width: 3,
          points: Array(LIMITS.maxPointsPerBatch + 1).fill([1, 1]),
        },
        'TOO_LARGE',
      ],
      ['just a string', 'BAD_MESSAGE'],
    ] as const) {
      const ack = await bad.send(msg as never);
      expect(ack, JSON.stringify(msg).slice(0, 80)).toMatchObject({ ok: false, error: { code } });
    }
    await ok();

    // Without an ack callback the error comes as a message.
    bad.post({ type: 'nope' });
    expect((await bad.waitFor('error')).error.code).toBe('BAD_MESSAGE');

    // Streaming order: seq must grow; nothing after the commit.
    const pts = {
      type: 'stroke.points',
      strokeId: 'o1',
      color: '#000000',
      width: 3,
      points: [[1, 1]],
    } as const;
    expect(await bad.send({ ...pts, seq: 1 })).toEqual({ ok: true });
    expect(await bad.send({ ...pts, seq: 1 })).toMatchObject({ error: { code: 'OUT_OF_ORDER' } });
    expect(await bad.send({ ...pts, seq: 0 })).toMatchObject({ error: { code: 'OUT_OF_ORDER' } });
    expect(
      await bad.send({
        type: 'stroke.commit',
        stroke: { id: 'o1', color: '#000000', width: 3, points: [[1, 1]] },
      }),
    ).toEqual({ ok: true });
    expect(await bad.send({ ...pts, seq: 2 })).toMatchObject({ error: { code: 'OUT_OF_ORDER' } });
    await ok();
  });

  it('disconnects a sender of a message over the size limit; others carry on', async () => {
    const board = await createBoard(server.url);
    const ok = await bystander(board);
    const big = await connect();
    await big.join(board, 'Big');
    const closed = new Promise<string>((r) => big.socket.once('disconnect', r));
    big.socket.emit(EVENTS.toServer, {
      type: 'cursor',
      cursor: [0, 0],
      pad: 'x'.repeat(LIMITS.maxMessageBytes + 10),
    } as never);
    expect(await closed).toBeTruthy();
    await ok();
  });

  it('rate-limits a flooding connection with RATE_LIMITED', async () => {
    const board = await createBoard(server.url);
    const ok = await bystander(board);
    const flood = await connect();
    await flood.join(board, 'Flood');
    const acks = await Promise.all(
      Array.from({ length: 100 }, () => flood.send({ type: 'cursor', cursor: [1, 2] })),
    );
    const limited = acks.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(40);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThan(0);
    await ok();
  });
});
