/**
 * Board broadcasts in order, paced. A change can carry a whole board's ink (the undo of a clear restores up
 * to `maxPointsPerBoard` points): sent as one message, encoding it (JSON for the sockets; in distributed
 * mode msgpack for the Redis adapter, which also decodes its own echo) would hold the event loop for
 * hundreds of ms, and every other board's commits and labels with it. So `strokes.added` is split into
 * messages of at most `chunkPoints` points, and once `tickPoints` points went out, the rest waits for the
 * next turn of the event loop. A board's messages keep their order: while some wait, later ones queue
 * behind them (small changes with nothing waiting go out at once, as before).
 */
import type { BoardStroke, ServerMessage } from '../../shared/protocol.ts';
import { chunkBy } from '../board/chunk-by.ts';

export interface PacedBroadcastOptions {
  /** Points per `strokes.added` message at most (a single longer stroke goes alone). Default 16000. */
  chunkPoints?: number;
  /** Points sent per turn of the event loop before the rest waits. Default 32000. */
  tickPoints?: number;
  /** Called when sending a message throws (the board's later messages still go out). Default: none. */
  onError?: (err: unknown, boardId: string) => void;
}

type Send = (boardId: string, msg: ServerMessage) => void;

const pointsOf = (strokes: readonly BoardStroke[]) => strokes.reduce((n, s) => n + s.points.length, 0);

/** Splits strokes into runs of at most `max` points (each run holds at least one stroke). */
export const chunkStrokes = (strokes: readonly BoardStroke[], max: number): BoardStroke[][] =>
  chunkBy(strokes, (s) => s.points.length, max);

export function pacedBroadcast(send: Send, opts: PacedBroadcastOptions = {}): Send {
  const chunkPoints = opts.chunkPoints ?? 16_000;
  const tickPoints = opts.tickPoints ?? 32_000;
  const waiting = new Map<string, { msg: ServerMessage; points: number }[]>();

  const partsOf = (msg: ServerMessage) => {
    if (msg.type !== 'strokes.added' || !msg.strokes.length) return [{ msg, points: 1 }];
    return chunkStrokes(msg.strokes, chunkPoints).map((strokes) => ({
      msg: { ...msg, strokes },
      points: pointsOf(strokes),
    }));
  };

  function drain(boardId: string): void {
    const q = waiting.get(boardId);
    if (!q) return;
    let budget = tickPoints;
    while (q.length && budget > 0) {
      const part = q.shift()!;
      budget -= part.points;
      try {
        send(boardId, part.msg);
      } catch (err) {
        opts.onError?.(err, boardId);
      }
    }
    if (q.length) setImmediate(drain, boardId);
    else waiting.delete(boardId);
  }

  return (boardId, msg) => {
    const parts = partsOf(msg);
    const q = waiting.get(boardId);
    if (q) return void q.push(...parts);
    waiting.set(boardId, parts);
    drain(boardId);
  };
}
