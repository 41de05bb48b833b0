/**
 * One client connection: every message is rate-limited (per connection and per address, in messages and
 * in bytes, before its schema is checked), validated and handled in order; bad ones get a coded error (in
 * the ack if there is one, else an `error` message) and nothing else is disturbed. A connection holds at
 * most `MAX_PENDING` messages waiting for their turn; more are refused at once (RATE_LIMITED), so a client
 * cannot pile up memory behind a slow write.
 */
import type { Logger } from '../../shared/logger.ts';
import {
  EVENTS,
  PROTOCOL_VERSION,
  parseClientMessage,
  protocolError,
  type Ack,
  type ClientMessage,
  type ClientMessageOf,
  type ServerMessage,
} from '../../shared/protocol.ts';
import { boardRoom } from '../../shared/rooms.ts';
import { keyMatches, userIdOf } from '../auth/keys.ts';
import { clear, commitStroke, erase, undoRedo, type Actor } from '../board/actions.ts';
import type { BoardService } from '../board/board-service.ts';
import type { Outcome } from '../board/outcome.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { BoardStore } from '../store/board-store.ts';
import { Rejection, toProtocolError } from './errors.ts';
import { peerOf, type Presence } from './presence.ts';
import { StrokeStreams } from './stroke-streams.ts';
import type { LiveRelay } from './live-relay.ts';
import type { InkSocket } from './types.ts';
import type { AddressLimits } from '../limits/address-limits.ts';
import { isOverBudget } from './socket-server.ts';
import type { StrokeClaims } from './stroke-claims.ts';

/** Messages of one connection waiting for their turn at most. */
export const MAX_PENDING = 64;

export interface ConnectionDeps {
  store: BoardStore;
  service: BoardService;
  presence: Presence;
  /** Per-connection and per-address message and byte limits. */
  limits: AddressLimits;
  /** The client address this connection counts against (TRUST_PROXY applied). */
  address: string;
  /** Stroke ids scoped to their author. */
  claims: StrokeClaims;
  metrics: ServerMetrics;
  log: Logger;
  /** Merges the room's live points and cursors per tick (`live`; of each user's cursor only the latest). */
  live: LiveRelay;
}

const reject = (code: Parameters<typeof protocolError>[0], message: string): never => {
  throw new Rejection(protocolError(code, message));
};

export function handleConnection(deps: ConnectionDeps, socket: InkSocket): void {
  const { store, service, presence, metrics, log } = deps;
  const streams = new StrokeStreams();
  const send = (msg: ServerMessage) => socket.emit(EVENTS.toClient, msg);
  metrics.connections.inc();
  let chain = Promise.resolve();
  let pending = 0;

  socket.on(EVENTS.toServer, (raw: unknown, maybeAck?: unknown) => {
    const ack = typeof maybeAck === 'function' ? (maybeAck as (res: Ack) => void) : undefined;
    if (pending >= MAX_PENDING || isOverBudget(socket.conn)) {
      const error = protocolError('RATE_LIMITED', 'too much sent on this connection; slow down');
      metrics.rejected.inc({ code: error.code });
      if (ack) ack({ ok: false, error });
      else send({ type: 'error', error });
      return;
    }
    pending++;
    chain = chain.then(() => handle(raw, ack)).finally(() => void pending--);
  });

  socket.on('disconnect', () => {
    metrics.connections.dec();
    if (socket.data.boardId) presence.schedule(socket.data.boardId);
  });

  async function handle(raw: unknown, ack?: (res: Ack) => void): Promise<void> {
    let ref: string | undefined;
    try {
      if (!(await deps.limits.message(socket.id, deps.address)))
        reject('RATE_LIMITED', 'too many messages; slow down');
      const parsed = parseClientMessage(raw);
      if (!parsed.ok) throw new Rejection(parsed.error);
      const msg = parsed.msg;
      ref = msg.type;
      metrics.messages.inc({ type: msg.type });
      const data = await dispatch(msg);
      ack?.({ ok: true, ...(data === undefined ? {} : { data }) });
    } catch (err) {
      let error = toProtocolError(err);
      if (!error) {
        log.error({ err, socket: socket.id }, 'message handler failed');
        error = protocolError('INTERNAL', 'internal error');
      }
      metrics.rejected.inc({ code: error.code });
      if (ack) ack({ ok: false, error });
      else send({ type: 'error', error, ...(ref ? { ref } : {}) });
    }
  }

  function actor(): Actor & { boardId: string } {
    const { boardId, userId, role } = socket.data;
    if (!boardId || !userId || !role) return reject('NOT_JOINED', 'send join first');
    return { boardId, userId, role };
  }

  async function write(run: (a: Actor) => Parameters<BoardService['run']>[1]): Promise<Outcome> {
    const a = actor();
    if (store.degraded) reject('DEGRADED', 'the board store is unreachable; try again shortly');
    return service.run(a.boardId, run(a), `addr:${deps.address}`);
  }

  async function snapshot(): Promise<void> {
    const { boardId } = socket.data;
    const you = peerOf(socket.data);
    if (!boardId || !you) return reject('NOT_JOINED', 'send join first');
    const board = await store.snapshot(boardId);
    if (!board) return reject('BOARD_NOT_FOUND', 'no such board');
    const peers = await presence.peers(boardId).catch(() => [you]);
    send({ type: 'snapshot', board, you, peers, degraded: store.degraded });
  }

  async function join(msg: ClientMessageOf<'join'>): Promise<unknown> {
    if (msg.protocolVersion !== PROTOCOL_VERSION)
      reject('PROTOCOL_VERSION', `server speaks protocol ${PROTOCOL_VERSION}, client ${msg.protocolVersion}`);
    const meta = await store.getMeta(msg.boardId);
    if (!meta) return reject('BOARD_NOT_FOUND', 'no such board: create one with POST /api/v1/boards');
    const previous = socket.data.boardId;
    if (previous && previous !== msg.boardId) {
      await socket.leave(boardRoom(previous));
      presence.schedule(previous);
    }
    const role = keyMatches(msg.ownerKey, meta.ownerKeyHash) ? 'owner' : 'member';
    socket.data = {
      boardId: msg.boardId,
      userId: userIdOf(msg.userKey),
      name: msg.name,
      color: msg.color,
      role,
    };
    await socket.join(boardRoom(msg.boardId));
    await snapshot();
    presence.schedule(msg.boardId);
    return { userId: socket.data.userId, role };
  }

  async function dispatch(msg: ClientMessage): Promise<unknown> {
    switch (msg.type) {
      case 'join':
        return join(msg);
      case 'resync':
        return snapshot();
      case 'stroke.points': {
        const { boardId, userId } = actor();
        const first = streams.startedAt(msg.strokeId) === undefined;
        const bad = streams.accept(msg.strokeId, msg.seq);
        if (bad) reject('OUT_OF_ORDER', bad);
        if (first && !(await deps.claims.claim(boardId, msg.strokeId, userId))) {
          streams.forget(msg.strokeId);
          reject('ID_TAKEN', `stroke id ${msg.strokeId} is another user's stroke`);
        }
        const { strokeId, seq, color, width, points } = msg;
        deps.live.push(boardId, { author: userId, strokeId, seq, color, width, points });
        return undefined;
      }
      case 'stroke.commit': {
        const { boardId, userId } = actor();
        if (!(await deps.claims.claim(boardId, msg.stroke.id, userId)))
          reject('ID_TAKEN', `stroke id ${msg.stroke.id} is another user's stroke`);
        const penDownAt = streams.startedAt(msg.stroke.id);
        const out = await write((a) => (tx, ctx) => commitStroke(tx, a, msg.stroke, ctx, penDownAt));
        streams.committed(msg.stroke.id);
        return out.duplicate ? { duplicate: true } : undefined;
      }
      case 'erase':
        await write((a) => (tx, ctx) => erase(tx, a, msg.strokeIds, ctx));
        return undefined;
      case 'clear':
        await write((a) => (tx, ctx) => clear(tx, a, msg.scope, ctx));
        return undefined;
      case 'undo':
      case 'redo':
        await write((a) => (tx, ctx) => undoRedo(tx, a, msg.type, ctx));
        return undefined;
      case 'cursor': {
        const { boardId, userId } = actor();
        deps.live.cursor(boardId, userId, msg.cursor);
        return undefined;
      }
      case 'profile': {
        const { boardId } = actor();
        socket.data = { ...socket.data, name: msg.name, color: msg.color };
        presence.schedule(boardId);
        return undefined;
      }
    }
  }
}
