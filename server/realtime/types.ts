/** socket.io types of the Inkboard server. */
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, Role, ServerToClientEvents } from '../../shared/protocol.ts';

/** Per-connection data; serialisable, since other nodes read it through `fetchSockets()`. */
export interface SocketData {
  boardId?: string;
  userId?: string;
  name?: string;
  color?: string;
  role?: Role;
  /** A student in a class: their answer space (a board id). */
  spaceId?: string;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type InkServer = Server<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type InkSocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
