/** Paced board broadcasts: big `strokes.added` in parts across event-loop turns, each board's order kept. */
import { describe, expect, it } from 'vitest';
import type { BoardStroke, ServerMessage } from '../../shared/protocol.ts';
import { chunkStrokes, pacedBroadcast } from '../../server/realtime/paced-broadcast.ts';

const stroke = (id: string, n: number): BoardStroke => ({
  id,
  color: '#000000',
  width: 3,
  author: 'u',
  createdAt: 1,
  points: Array.from({ length: n }, (_, i) => [i, i] as [number, number]),
});
const turn = () => new Promise((r) => setImmediate(r));
const describeMsg = (m: ServerMessage) =>
  m.type === 'strokes.added'
    ? `added ${m.strokes.map((s) => s.id).join(',')}`
    : m.type === 'strokes.removed'
      ? `removed ${m.strokeIds.join(',')}`
      : m.type;

describe('paced broadcast', () => {
  it('splits strokes into runs of at most the points given (a longer stroke alone)', () => {
    const runs = chunkStrokes([stroke('a', 6), stroke('b', 4), stroke('c', 12), stroke('d', 1)], 10);
    expect(runs.map((r) => r.map((s) => s.id))).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('sends a small change at once', () => {
    const sent: string[] = [];
    const send = pacedBroadcast((b, m) => sent.push(`${b}: ${describeMsg(m)}`));
    send('x', { type: 'strokes.added', strokes: [stroke('a', 5)] });
    expect(sent).toEqual(['x: added a']);
  });

  it('sends a big change over several turns; later messages of the board wait, other boards do not', async () => {
    const sent: string[] = [];
    const send = pacedBroadcast((b, m) => sent.push(`${b}: ${describeMsg(m)}`), {
      chunkPoints: 10,
      tickPoints: 20,
    });
    const big = Array.from({ length: 6 }, (_, i) => stroke(`s${i}`, 10));
    send('x', { type: 'strokes.added', strokes: big });
    send('x', { type: 'strokes.removed', strokeIds: ['s0'] });
    send('y', { type: 'strokes.added', strokes: [stroke('t', 3)] });
    expect(sent).toEqual(['x: added s0', 'x: added s1', 'y: added t']);
    await turn();
    expect(sent.slice(3)).toEqual(['x: added s2', 'x: added s3']);
    await turn();
    await turn();
    expect(sent.slice(5)).toEqual(['x: added s4', 'x: added s5', 'x: removed s0']);
    // Drained: the next small change goes out at once again.
    send('x', { type: 'strokes.removed', strokeIds: ['s1'] });
    expect(sent[sent.length - 1]).toBe('x: removed s1');
  });

  it('a send that throws does not hold up the board', async () => {
    const sent: string[] = [];
    const errors: unknown[] = [];
    let fail = true;
    const send = pacedBroadcast(
      (b, m) => {
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
        sent.push(describeMsg(m));
      },
      { onError: (err) => errors.push(err) },
    );
    send('x', { type: 'strokes.removed', strokeIds: ['a'] });
    send('x', { type: 'strokes.removed', strokeIds: ['b'] });
    expect(errors).toHaveLength(1);
    expect(sent).toEqual(['removed b']);
  });
});
