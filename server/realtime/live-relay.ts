/**
 * Live relay: what moves in a room (the `stroke.points` batches and cursor positions that reach this
 * server for a board) is collected for one short tick and sent to the board's room as ONE `live` message
 * (to everyone, senders included: clients skip their own by user id). With thirty writers per room each
 * sending a batch every 50 ms and a cursor at 20 Hz, this turns many hundreds of room broadcasts (each a
 * socket write per client) per second into about 25.
 *
 * Ordering: batches keep their arrival order; of each user's cursor only the latest in the tick is kept.
 * When a stroke's commit is broadcast (`strokes.added`), its batches still waiting here are dropped: the
 * commit carries every point, so its live points can never arrive after it (the batches sent earlier were
 * sent before it). The message goes through `io`, so in distributed mode the adapter carries it to the
 * room's clients on other servers too; a stroke's batches and its commit always come through the author's
 * own server.
 */
import { EVENTS, type LiveBatch, type LiveCursor } from '../../shared/protocol.ts';
import { boardRoom } from '../../shared/rooms.ts';
import type { InkServer } from './types.ts';

/**
 * How long a room's live updates are collected before they go out, ms. Clients send a batch every ~40-50
 * ms while drawing, so a 40 ms tick merges roughly one batch per drawing client, adds at most 40 ms (20 on
 * average) to live ink and cursors, which nobody notices, and never delays a commit or a label.
 */
export const LIVE_TICK_MS = 40;
/** A room's buffer is sent at once when it holds this many points (keeps messages small, ~60 KB). */
export const LIVE_FLUSH_POINTS = 3000;

export interface LiveRelayOptions {
  /** Default `LIVE_TICK_MS`. */
  tickMs?: number;
  /** Default `LIVE_FLUSH_POINTS`. */
  flushPoints?: number;
}

interface RoomBuffer {
  batches: LiveBatch[];
  /** Latest cursor per user id. */
  cursors: Map<string, LiveCursor['cursor']>;
  points: number;
  timer: NodeJS.Timeout;
}

export function createLiveRelay(io: InkServer, opts: LiveRelayOptions = {}) {
  const tickMs = opts.tickMs ?? LIVE_TICK_MS;
  const flushPoints = opts.flushPoints ?? LIVE_FLUSH_POINTS;
  const rooms = new Map<string, RoomBuffer>();
  let closed = false;

  /** Sends the board's buffered updates now, if any. */
  function flush(boardId: string): void {
    const buf = rooms.get(boardId);
    if (!buf) return;
    rooms.delete(boardId);
    clearTimeout(buf.timer);
    const cursors = [...buf.cursors].map(([userId, cursor]) => ({ userId, cursor }));
    io.to(boardRoom(boardId)).emit(EVENTS.toClient, { type: 'live', boardId, batches: buf.batches, cursors });
  }

  function bufferOf(boardId: string): RoomBuffer {
    let buf = rooms.get(boardId);
    if (!buf) {
      buf = { batches: [], cursors: new Map(), points: 0, timer: setTimeout(flush, tickMs, boardId) };
      rooms.set(boardId, buf);
    }
    return buf;
  }

  /** Queues one validated batch for the board's room. */
  function push(boardId: string, batch: LiveBatch): void {
    if (closed) return;
    const buf = bufferOf(boardId);
    buf.batches.push(batch);
    buf.points += batch.points.length;
    if (buf.points >= flushPoints) flush(boardId);
  }

  /** Queues a user's cursor position for the board's room (replacing one still waiting). */
  function cursor(boardId: string, userId: string, at: LiveCursor['cursor']): void {
    if (closed) return;
    bufferOf(boardId).cursors.set(userId, at);
  }

  /** A commit of these strokes is about to be broadcast: their waiting batches are not needed any more. */
  function committed(boardId: string, strokes: readonly { id: string; author: string }[]): void {
    const buf = rooms.get(boardId);
    if (!buf) return;
    const done = (b: LiveBatch) => strokes.some((s) => s.id === b.strokeId && s.author === b.author);
    if (!buf.batches.some(done)) return;
    buf.batches = buf.batches.filter((b) => !done(b));
    buf.points = buf.batches.reduce((n, b) => n + b.points.length, 0);
    if (buf.batches.length === 0 && buf.cursors.size === 0) {
      clearTimeout(buf.timer);
      rooms.delete(boardId);
    }
  }

  return {
    push,
    cursor,
    flush,
    committed,
    /** Sends everything buffered and stops collecting. */
    close(): void {
      for (const boardId of [...rooms.keys()]) flush(boardId);
      closed = true;
    },
  };
}
export type LiveRelay = ReturnType<typeof createLiveRelay>;
