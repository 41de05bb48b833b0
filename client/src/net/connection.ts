/**
 * The socket.io connection to one board: joins on every connect (the first and each reconnect) and
 * replaces local state with the snapshot, then resends the outbox. Messages that arrive while a join
 * is in flight are held and replayed after the snapshot (all of them are idempotent), so nothing is
 * lost or doubled. Reports connection status and coded errors.
 */
import { io, type Socket } from 'socket.io-client';
import {
  EVENTS,
  PROTOCOL_VERSION,
  type Ack,
  type BoardStroke,
  type ClientMessage,
  type ClientToServerEvents,
  type HandshakeAuth,
  type ProtocolError,
  type ServerMessage,
  type ServerToClientEvents,
} from '../../../shared/protocol.ts';
import type { BoardState, PendingStroke } from '../board-state.ts';
import { Emitter } from '../emitter.ts';
import { Outbox } from './outbox.ts';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'failed';

export interface JoinIdentity {
  userKey: string;
  name: string;
  color: string;
  ownerKey?: string;
  /** Join as a viewer (a projector): read only. */
  viewer?: boolean;
}

export interface ConnectionEvents extends Record<string, unknown> {
  status: ConnectionStatus;
  /** A coded error worth showing (from an ack or an `error` message). */
  error: ProtocolError;
  /** Join was refused for good (e.g. the board does not exist). */
  fatal: ProtocolError;
  /** A snapshot was applied (after the first join and every rejoin). */
  synced: { first: boolean };
}

/** Commits without an ack after this long are sent again (idempotent). */
const COMMIT_RETRY_MS = 8000;
const ACK_TIMEOUT_MS = 10_000;
/** Errors that mean the commit can never succeed: drop it rather than retry forever. */
const PERMANENT_COMMIT_ERRORS = new Set([
  'BAD_MESSAGE',
  'TOO_LARGE',
  'LIMIT_REACHED',
  'FORBIDDEN',
  'ID_TAKEN',
  'LOCKED',
  'READ_ONLY',
  'REMOVED',
]);

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class Connection {
  readonly events = new Emitter<ConnectionEvents>();
  readonly outbox = new Outbox();
  status: ConnectionStatus = 'connecting';
  /** True between a successful join and the next disconnect. */
  joined = false;
  private readonly socket: ClientSocket;
  private joining = false;
  private held: ServerMessage[] = [];
  private syncedOnce = false;
  private retryTimer: ReturnType<typeof setInterval> | undefined;
  /** The board state each of our unacknowledged strokes was drawn on (a class has several). */
  private readonly pendingOn = new Map<string, BoardState>();

  constructor(
    private readonly state: BoardState,
    private identity: JoinIdentity,
    url: string = location.origin,
  ) {
    const auth: HandshakeAuth = { protocolVersion: PROTOCOL_VERSION };
    // WebSocket first (lowest latency); long-polling if a school proxy blocks WebSockets.
    this.socket = io(url, {
      auth: { ...auth },
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
    });
    this.socket.on('connect', () => void this.join());
    this.socket.on('disconnect', (reason) => {
      this.joined = false;
      this.joining = false;
      this.state.clearTransient();
      for (const sp of this.state.spaces.values()) sp.clearTransient();
      // 'io server disconnect' means the server dropped us on purpose; socket.io does not retry then.
      if (reason === 'io server disconnect') this.socket.connect();
      this.setStatus('reconnecting');
    });
    this.socket.on('connect_error', (err) => {
      if (/protocol/i.test(err.message)) {
        this.events.emit('fatal', {
          code: 'PROTOCOL_VERSION',
          message: 'This page is out of date. Reload to get the new version.',
        });
        this.setStatus('failed');
        this.socket.disconnect();
        return;
      }
      this.setStatus(this.syncedOnce ? 'reconnecting' : 'connecting');
    });
    this.socket.io.on('reconnect_failed', () => this.setStatus('offline'));
    this.socket.on(EVENTS.toClient, (msg) => this.onMessage(msg));
    // The server recovered: send what waited rather than at the next retry tick, and resync, because
    // broadcasts between servers (Redis pub/sub) are not replayed: anything sent while Redis was away is lost.
    let wasDegraded = false;
    this.state.events.on('degraded', ({ degraded }) => {
      const recovered = wasDegraded && !degraded;
      wasDegraded = degraded;
      if (!recovered || !this.joined) return;
      this.flushOutbox(0);
      void this.resync();
    });
    // A teacher told of a student whose answer space this page does not hold (it was added while we
    // joined): a resync brings it, and the server adds us to its room.
    let resyncTimer: ReturnType<typeof setTimeout> | undefined;
    this.state.events.on('class', () => {
      const c = this.state.classroom;
      if (!this.state.isOwner || !c || resyncTimer) return;
      if (c.students.every((s) => this.state.spaces.has(s.spaceId))) return;
      resyncTimer = setTimeout(() => {
        resyncTimer = undefined;
        const now = this.state.classroom;
        if (now?.students.some((s) => !this.state.spaces.has(s.spaceId))) void this.resync();
      }, 1000);
    });
    this.retryTimer = setInterval(() => {
      if (this.joined) this.flushOutbox(COMMIT_RETRY_MS);
      this.state.expireLive();
      for (const sp of this.state.spaces.values()) sp.expireLive();
    }, 2000);
  }

  get connected(): boolean {
    return this.socket.connected && this.joined;
  }

  /** Sends a message if joined; resolves with the server's ack (or a local error when offline). */
  request(msg: ClientMessage): Promise<Ack> {
    if (!this.connected) {
      return Promise.resolve({ ok: false, error: { code: 'NOT_JOINED', message: 'Not connected' } });
    }
    return this.emitWithAck(msg);
  }

  /** Emits and waits for the ack; a timeout or lost connection becomes a local INTERNAL error. */
  private async emitWithAck(msg: ClientMessage): Promise<Ack> {
    try {
      const res = (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(EVENTS.toServer, msg)) as
        Ack | undefined;
      // The server lost track of our join (it should not happen; if it does, join again).
      if (res && !res.ok && res.error.code === 'NOT_JOINED' && msg.type !== 'join' && !this.joining)
        void this.join();
      return res ?? { ok: false, error: { code: 'INTERNAL', message: 'Empty answer from the server' } };
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: 'No answer from the server' } };
    }
  }

  /**
   * Fire-and-forget for high-rate messages (points, cursor): dropped when offline, never buffered for a
   * reconnect. Not socket.io `volatile`: that drops a packet whenever the transport is mid-write, e.g.
   * a points batch sent in the same tick as a cursor update.
   */
  send(msg: ClientMessage): void {
    if (this.connected) this.socket.emit(EVENTS.toServer, msg);
  }

  /** Commits a finished stroke: shown at once, kept in the outbox until acknowledged. */
  commit(stroke: PendingStroke): void {
    const target = this.state.inkState;
    target.addPending(stroke);
    this.pendingOn.set(stroke.id, target);
    this.outbox.add(stroke);
    if (this.joined) this.sendCommit(stroke);
  }

  /** Updates name and colour for everyone (and for the next join). */
  setProfile(name: string, color: string): void {
    this.identity = { ...this.identity, name, color };
    this.send({ type: 'profile', name, color });
  }

  /** Asks for a fresh snapshot, e.g. after an operation was refused and local state may be off. */
  async resync(): Promise<void> {
    if (!this.connected) return;
    this.joining = true;
    const res = await this.request({ type: 'resync' });
    this.finishSync(res, false);
  }

  close(): void {
    clearInterval(this.retryTimer);
    this.socket.disconnect();
  }

  private async join(): Promise<void> {
    this.joining = true;
    this.held = [];
    const { userKey, name, color, ownerKey, viewer } = this.identity;
    const msg: ClientMessage = {
      type: 'join',
      protocolVersion: PROTOCOL_VERSION,
      boardId: this.state.boardId,
      userKey,
      name,
      color,
      ...(ownerKey ? { ownerKey } : {}),
      ...(viewer ? { viewer } : {}),
    };
    const res = await this.emitWithAck(msg);
    if (!res.ok) {
      this.joining = false;
      const code = res.error.code;
      if (
        code === 'BOARD_NOT_FOUND' ||
        code === 'FORBIDDEN' ||
        code === 'PROTOCOL_VERSION' ||
        code === 'REMOVED' ||
        code === 'BAD_MESSAGE'
      ) {
        this.events.emit('fatal', res.error);
        this.setStatus('failed');
        this.socket.disconnect();
      } else {
        this.events.emit('error', res.error);
        // Transient (rate limit, degraded store): try again shortly if still connected.
        setTimeout(() => {
          if (this.socket.connected && !this.joined) void this.join();
        }, 1500);
      }
      return;
    }
    this.joined = true;
    const data = res.data as { spaceId?: string } | undefined;
    this.state.mySpaceId = data?.spaceId;
    this.state.events.emit('spaces', undefined);
    this.finishSync(res, true);
  }

  private finishSync(res: Ack, isJoin: boolean): void {
    const held = this.held;
    this.held = [];
    this.joining = false;
    if (!res.ok) {
      this.events.emit('error', res.error);
      for (const m of held) this.route(m);
      return;
    }
    const snap = res.data as ServerMessage | undefined;
    if (snap && typeof snap === 'object' && snap.type === 'snapshot') this.state.applySnapshot(snap);
    for (const m of held) this.route(m);
    if (isJoin) {
      this.setStatus('connected');
      this.flushOutbox(0);
    }
    this.events.emit('synced', { first: !this.syncedOnce });
    this.syncedOnce = true;
  }

  private onMessage(msg: ServerMessage): void {
    if (msg.type === 'error') {
      this.events.emit('error', msg.error);
      return;
    }
    if (msg.type === 'snapshot') {
      this.state.applySnapshot(msg);
      return;
    }
    if (this.joining) this.held.push(msg);
    else this.route(msg);
  }

  /** Applies a message to the board it is about: this board or one of the answer spaces we see. */
  private route(msg: ServerMessage): void {
    const id = 'boardId' in msg ? msg.boardId : undefined;
    if (!id || id === this.state.boardId) this.state.apply(msg);
    else this.state.space(id).apply(msg);
  }

  private flushOutbox(olderThanMs: number): void {
    for (const s of this.outbox.due(olderThanMs)) this.sendCommit(s);
  }

  private sendCommit(stroke: PendingStroke): void {
    this.outbox.markSent(stroke.id);
    const msg: ClientMessage = {
      type: 'stroke.commit',
      stroke: { id: stroke.id, color: stroke.color, width: stroke.width, points: stroke.points },
    };
    void this.request(msg).then((res) => {
      if (!this.outbox.has(stroke.id)) return;
      if (res.ok) {
        this.outbox.remove(stroke.id);
        const data = res.data as Partial<BoardStroke> | { stroke?: BoardStroke } | undefined;
        const stored = data && 'stroke' in data ? data.stroke : (data as Partial<BoardStroke> | undefined);
        const on = this.pendingOn.get(stroke.id) ?? this.state;
        this.pendingOn.delete(stroke.id);
        on.confirmPending(stroke.id, stored?.author ?? this.state.you?.userId ?? 'me', stored?.createdAt);
      } else if (PERMANENT_COMMIT_ERRORS.has(res.error.code)) {
        this.outbox.remove(stroke.id);
        (this.pendingOn.get(stroke.id) ?? this.state).removeStrokes([stroke.id]);
        this.pendingOn.delete(stroke.id);
        this.events.emit('error', res.error);
      }
      // Otherwise (offline, timeout, rate limited, degraded) it stays in the outbox for the next flush.
    });
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    if (this.status === 'failed') return;
    this.status = status;
    this.events.emit('status', status);
  }
}
