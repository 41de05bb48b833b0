/**
 * Live ink relay: the `stroke.points` batches that reach this server for a board are collected for one
 * short tick and sent to the board's room as ONE `strokes.live` message (to everyone, authors included:
 * clients skip their own strokes by `author`). With thirty writers per room a batch each every 50 ms, this
 * turns hundreds of room broadcasts per second into a few dozen, and the socket writes with them.
 *
 * Ordering: batches keep their arrival order within a tick, and a board's buffer is flushed before any
 * other message to that room goes out through `flush` (the server flushes before every board broadcast,
 * so a stroke's commit never overtakes its own live points). The message goes through `io`, so in
 * distributed mode the adapter carries it to the room's clients on other servers too.
 */
import { EVENTS, type LiveBatch } from '../../shared/protocol.ts';
import { boardRoom } from '../../shared/rooms.ts';
import type { InkServer } from './types.ts';

/**
 * How long batches are collected per room before they go out, ms. Clients send a batch every ~50 ms
 * while drawing, so a 40 ms tick merges roughly one batch per drawing client, adds at most 40 ms (20 on
 * average) to live ink, which nobody notices, and never delays a commit or a label (flushed first).
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
  points: number;
  timer: NodeJS.Timeout;
}

export function createLiveRelay(io: InkServer, opts: LiveRelayOptions = {}) {
  const tickMs = opts.tickMs ?? LIVE_TICK_MS;
  const flushPoints = opts.flushPoints ?? LIVE_FLUSH_POINTS;
  const rooms = new Map<string, RoomBuffer>();
  let closed = false;

  /** Sends the board's buffered batches now, if any. */
  function flush(boardId: string): void {
    const buf = rooms.get(boardId);
    if (!buf) return;
    rooms.delete(boardId);
    clearTimeout(buf.timer);
    io.to(boardRoom(boardId)).emit(EVENTS.toClient, { type: 'strokes.live', batches: buf.batches });
  }

  /** Queues one validated batch for the board's room. */
  function push(boardId: string, batch: LiveBatch): void {
    if (closed) return;
    let buf = rooms.get(boardId);
    if (!buf) {
      buf = { batches: [], points: 0, timer: setTimeout(flush, tickMs, boardId) };
      rooms.set(boardId, buf);
    }
    buf.batches.push(batch);
    buf.points += batch.points.length;
    if (buf.points >= flushPoints) flush(boardId);
  }

  return {
    push,
    flush,
    /** Sends everything buffered and stops collecting. */
    close(): void {
      for (const boardId of [...rooms.keys()]) flush(boardId);
      closed = true;
    },
  };
}
export type LiveRelay = ReturnType<typeof createLiveRelay>;
