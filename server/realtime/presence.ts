/**
 * Presence: who is on a board, across every server (fetchSockets goes through the adapter).
 * Broadcasts are coalesced per board so thirty joins in a burst cost a few lookups, not thirty.
 */
import { EVENTS, type Peer } from '../../shared/protocol.ts';
import { boardRoom } from '../../shared/rooms.ts';
import type { Logger } from '../../shared/logger.ts';
import type { InkServer, SocketData } from './types.ts';

export function peerOf(d: SocketData): Peer | undefined {
  if (!d.userId || !d.name || !d.color || !d.role) return undefined;
  return { userId: d.userId, name: d.name, color: d.color, role: d.role };
}

export function createPresence(io: InkServer, log: Logger, delayMs = 30) {
  const timers = new Map<string, NodeJS.Timeout>();
  let closed = false;

  async function peers(boardId: string): Promise<Peer[]> {
    const sockets = await io.in(boardRoom(boardId)).fetchSockets();
    const byUser = new Map<string, Peer>();
    for (const s of sockets) {
      const p = peerOf(s.data);
      if (p && s.data.boardId === boardId) byUser.set(p.userId, p);
    }
    return [...byUser.values()];
  }

  function schedule(boardId: string): void {
    if (closed || timers.has(boardId)) return;
    timers.set(
      boardId,
      setTimeout(() => {
        timers.delete(boardId);
        peers(boardId)
          .then((list) => io.to(boardRoom(boardId)).emit(EVENTS.toClient, { type: 'presence', peers: list }))
          .catch((err: unknown) => log.warn({ err: String(err), boardId }, 'presence lookup failed'));
      }, delayMs),
    );
  }

  return {
    peers,
    schedule,
    close: () => {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
export type Presence = ReturnType<typeof createPresence>;
