/** The live relay: one `live` message per room and tick, sent early when large; commits drop theirs. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLiveRelay } from '../../server/realtime/live-relay.ts';
import type { InkServer } from '../../server/realtime/types.ts';
import type { LiveBatch, ServerMessage } from '../../shared/protocol.ts';

function fakeIo() {
  const sent: { room: string; msg: ServerMessage }[] = [];
  const io = {
    to: (room: string) => ({ emit: (_e: string, msg: ServerMessage) => sent.push({ room, msg }) }),
  };
  return { io: io as unknown as InkServer, sent };
}

const batch = (strokeId: string, seq: number, n = 1, author = 'u'): LiveBatch => ({
  author,
  strokeId,
  seq,
  color: '#000000',
  width: 2,
  points: Array.from({ length: n }, (_, i) => [i, seq] as [number, number]),
});

describe('live relay', () => {
  afterEach(() => vi.useRealTimers());

  it('sends one message per room per tick, batches in arrival order', () => {
    vi.useFakeTimers();
    const { io, sent } = fakeIo();
    const relay = createLiveRelay(io, { tickMs: 40 });
    relay.push('b1', batch('x', 0));
    relay.push('b2', batch('y', 0));
    relay.push('b1', batch('x', 1));
    vi.advanceTimersByTime(39);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent.map((s) => s.room).sort()).toEqual(['board:b1', 'board:b2'].sort());
    const b1 = sent.find((s) => s.msg.type === 'live' && s.msg.batches[0]?.strokeId === 'x');
    expect(b1?.msg).toEqual({
      type: 'live',
      boardId: 'b1',
      batches: [batch('x', 0), batch('x', 1)],
      cursors: [],
    });
    vi.advanceTimersByTime(200);
    expect(sent).toHaveLength(2);
  });

  it('flushes at once when asked (before a commit) and when the buffer is large', () => {
    vi.useFakeTimers();
    const { io, sent } = fakeIo();
    const relay = createLiveRelay(io, { tickMs: 40, flushPoints: 10 });
    relay.push('b1', batch('x', 0, 3));
    relay.flush('b1');
    expect(sent).toHaveLength(1);
    relay.flush('b1'); // nothing waiting: nothing sent
    relay.push('b1', batch('x', 1, 6));
    relay.push('b1', batch('x', 2, 4));
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(2);
    relay.push('b1', batch('x', 3));
    relay.close();
    expect(sent).toHaveLength(3);
    relay.push('b1', batch('x', 4));
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(3);
  });

  it("keeps each user's latest cursor of the tick, in the same message as the batches", () => {
    vi.useFakeTimers();
    const { io, sent } = fakeIo();
    const relay = createLiveRelay(io, { tickMs: 40 });
    relay.cursor('b1', 'ann', [1, 1]);
    relay.push('b1', batch('x', 0));
    relay.cursor('b1', 'bob', [5, 5]);
    relay.cursor('b1', 'ann', [2, 2]);
    relay.cursor('b1', 'bob', null);
    // A commit dropping every batch keeps the cursors waiting.
    relay.committed('b1', [{ id: 'x', author: 'u' }]);
    vi.advanceTimersByTime(40);
    expect(sent.map((s) => s.msg)).toEqual([
      {
        type: 'live',
        boardId: 'b1',
        batches: [],
        cursors: [
          { userId: 'ann', cursor: [2, 2] },
          { userId: 'bob', cursor: null },
        ],
      },
    ]);
  });

  it("drops a committed stroke's waiting batches and keeps the others", () => {
    vi.useFakeTimers();
    const { io, sent } = fakeIo();
    const relay = createLiveRelay(io, { tickMs: 40 });
    relay.push('b1', batch('x', 0));
    relay.push('b1', batch('y', 0));
    relay.push('b1', batch('x', 0, 1, 'v')); // same stroke id, another author: not the committed stroke
    relay.push('b1', batch('x', 1));
    relay.committed('b1', [{ id: 'x', author: 'u' }]);
    vi.advanceTimersByTime(40);
    expect(sent.map((s) => s.msg)).toEqual([
      { type: 'live', boardId: 'b1', batches: [batch('y', 0), batch('x', 0, 1, 'v')], cursors: [] },
    ]);
    // Nothing left: no message at all.
    relay.push('b1', batch('z', 0));
    relay.committed('b1', [{ id: 'z', author: 'u' }]);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(1);
  });
});
