/**
 * Broadcasting from a worker process to the board rooms of every server: @socket.io/redis-emitter
 * publishes on the channel the servers' @socket.io/redis-adapter subscribes to (same key).
 */
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { EVENTS, type ServerMessage, type ServerToClientEvents } from '../shared/protocol.ts';
import { boardRoom } from '../shared/rooms.ts';

/** Sends a message to every client of a board, whichever server it is connected to. */
export type Broadcast = (boardId: string, msg: ServerMessage) => void;

/** `key` must equal the servers' adapter key. Default `socket.io` (the adapter's default). */
export function createEmitterBroadcast(redis: Redis, key = 'socket.io'): Broadcast {
  const emitter = new Emitter<ServerToClientEvents>(redis, { key });
  return (boardId, msg) => {
    emitter.to(boardRoom(boardId)).emit(EVENTS.toClient, msg);
  };
}
