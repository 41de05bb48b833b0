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
  type BoardSnapshot,
  type ClientMessage,
  type ClientMessageOf,
  type ServerMessage,
} from '../../shared/protocol.ts';
import { distinctColor } from '../../shared/palette.ts';
import { boardRoom, teacherRoom, userRoom } from '../../shared/rooms.ts';
import { keyMatches, userIdOf } from '../auth/keys.ts';
import { clear, commitStroke, erase, undoRedo, type Actor } from '../board/actions.ts';
import type { BoardService } from '../board/board-service.ts';
import { ActionError, type Outcome } from '../board/outcome.ts';
import type { ClassCache } from '../classroom/class-cache.ts';
import {
  applyControl,
  emptyControls,
  upsertStudent,
  viewOf,
  writeDenial,
  type ClassControls,
} from '../classroom/controls.ts';
import { correctLabel, publicCorrection } from '../classroom/corrections.ts';
import { ensureSpace } from '../classroom/spaces.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { BoardMeta, BoardStore } from '../store/board-store.ts';
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
  /** Classroom controls, cached briefly for `stroke.points`. */
  classes: ClassCache;
  /** Sends a board-scoped message to a board's room on every server (stamped with its `boardId`). */
  broadcast: (boardId: string, msg: ServerMessage) => void;
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

  const nsp = socket.nsp;
  let meta: BoardMeta | undefined;

  /** Where this member's ink goes: their answer space in a class (unless they hold the pen), else the board. */
  const inkBoard = (c: ClassControls | undefined): string => {
    const { boardId, spaceId, userId } = socket.data;
    return spaceId && c?.pen !== userId ? spaceId : boardId!;
  };

  /**
   * The board this connection writes on now; rejects with LOCKED, READ_ONLY or REMOVED when it may not.
   * `inTx`: on a plain board the check is left to the write's own transaction (no extra read).
   */
  async function target(hot = false): Promise<{ boardId: string; actor: Actor; inTx?: boolean }> {
    const a = actor();
    if (a.role === 'owner') return { boardId: a.boardId, actor: a };
    if (!hot && !meta?.classroom && a.role === 'member') return { boardId: a.boardId, actor: a, inTx: true };
    const c = hot ? await deps.classes.get(a.boardId) : await deps.classes.fresh(a.boardId);
    const denied = writeDenial(c, a.role, a.userId, meta?.classroom ?? false);
    if (denied) reject(denied.code, denied.message);
    return { boardId: inkBoard(c), actor: a };
  }

  type Action = Parameters<BoardService['run']>[1];
  async function write(run: (a: Actor) => Action): Promise<Outcome> {
    const t = await target();
    if (store.degraded) reject('DEGRADED', 'the board store is unreachable; try again shortly');
    const action = run(t.actor);
    const lane = `addr:${deps.address}`;
    if (!t.inTx) return service.run(t.boardId, action, lane);
    return service.run(
      t.boardId,
      async (tx, ctx) => {
        const denied = writeDenial(await tx.getClassroom(), t.actor.role, t.actor.userId, false);
        if (denied) throw new ActionError(denied.code, denied.message);
        return action(tx, ctx);
      },
      lane,
    );
  }

  /** Sends the class to the board's room: the answer key to the teachers only. */
  function sendClass(c: ClassControls): void {
    if (!meta) return;
    const room = boardRoom(meta.id);
    nsp
      .to(room)
      .except(teacherRoom(meta.id))
      .emit(EVENTS.toClient, { type: 'class.state', classroom: viewOf(meta, c, false) });
    nsp
      .to(teacherRoom(meta.id))
      .emit(EVENTS.toClient, { type: 'class.state', classroom: viewOf(meta, c, true) });
  }

  /** Changes the stored controls in one transaction; undefined when `change` returns nothing. */
  async function updateClass(
    boardId: string,
    change: (c: ClassControls) => ClassControls | undefined,
  ): Promise<ClassControls | undefined> {
    if (store.degraded) reject('DEGRADED', 'the board store is unreachable; try again shortly');
    const next = await store.update(boardId, async (tx) => {
      const n = change((await tx.getClassroom()) ?? emptyControls());
      if (n) tx.write({ t: 'classroom', classroom: n });
      return n;
    });
    if (next) {
      deps.classes.set(boardId, next);
      sendClass(next);
    }
    return next;
  }

  async function snapshot(): Promise<void> {
    const { boardId, role, spaceId } = socket.data;
    const you = peerOf(socket.data);
    if (!boardId || !you || !meta) return reject('NOT_JOINED', 'send join first');
    const [board, c] = await Promise.all([store.snapshot(boardId), store.getClassroom(boardId)]);
    if (!board) return reject('BOARD_NOT_FOUND', 'no such board');
    const ids = role === 'owner' ? (c?.students ?? []).map((s) => s.spaceId) : spaceId ? [spaceId] : [];
    // A teacher is in every space's room (a resync also catches a space added while it was joining).
    if (role === 'owner' && ids.length) await socket.join(ids.map((id) => boardRoom(id)));
    const spaces = (await Promise.all(ids.map((id) => store.snapshot(id)))).filter(
      (s): s is BoardSnapshot => !!s,
    );
    const peers = await presence.peers(boardId).catch(() => [you]);
    send({
      type: 'snapshot',
      board,
      spaces,
      classroom: viewOf(meta, c, role === 'owner'),
      you,
      peers,
      degraded: store.degraded,
    });
  }

  async function join(msg: ClientMessageOf<'join'>): Promise<unknown> {
    if (msg.protocolVersion !== PROTOCOL_VERSION)
      reject('PROTOCOL_VERSION', `server speaks protocol ${PROTOCOL_VERSION}, client ${msg.protocolVersion}`);
    const m = await store.getMeta(msg.boardId);
    // Answer spaces are reached through their class, never joined by id.
    if (!m || m.parentId)
      return reject('BOARD_NOT_FOUND', 'no such board: create one with POST /api/v1/boards');
    const previous = socket.data.boardId;
    for (const room of socket.rooms) if (room !== socket.id) await socket.leave(room);
    if (previous && previous !== msg.boardId) presence.schedule(previous);
    socket.data = {};
    meta = m;
    const userId = userIdOf(msg.userKey);
    const role = keyMatches(msg.ownerKey, m.ownerKeyHash) ? 'owner' : msg.viewer ? 'viewer' : 'member';
    let c = await deps.classes.fresh(m.id);
    if (role === 'member' && c?.removed.includes(userId))
      reject('REMOVED', 'the teacher removed you from this board; ask them to let you back in');
    const peers = await presence.peers(m.id).catch(() => []);
    const color = distinctColor(
      msg.color,
      peers.filter((p) => p.userId !== userId).map((p) => p.color),
    );
    let spaceId: string | undefined;
    if (m.classroom && role === 'member') {
      spaceId = await ensureSpace(store, m, userId);
      const isNew = !c?.students.some((s) => s.userId === userId);
      const student = { userId, name: msg.name, color, spaceId, joinedAt: Date.now() };
      c = (await updateClass(m.id, (x) => upsertStudent(x, student))) ?? c;
      if (isNew) {
        // Every teacher connection (on any server) now also sees this space.
        nsp.in(teacherRoom(m.id)).socketsJoin(boardRoom(spaceId));
        const space = await store.snapshot(spaceId);
        if (space) nsp.to(teacherRoom(m.id)).emit(EVENTS.toClient, { type: 'space.added', space, student });
      }
    }
    socket.data = { boardId: m.id, userId, name: msg.name, color, role, ...(spaceId ? { spaceId } : {}) };
    const rooms = [boardRoom(m.id), userRoom(m.id, userId)];
    if (spaceId) rooms.push(boardRoom(spaceId));
    if (role === 'owner')
      rooms.push(teacherRoom(m.id), ...(c?.students ?? []).map((s) => boardRoom(s.spaceId)));
    await socket.join(rooms);
    await snapshot();
    presence.schedule(m.id);
    return { userId, role, color, ...(spaceId ? { spaceId } : {}) };
  }

  async function control(msg: ClientMessageOf<'class.control'>): Promise<unknown> {
    const a = actor();
    if (a.role !== 'owner') reject('FORBIDDEN', 'only the teacher (board owner) controls the class');
    const ctl = msg.control;
    if (ctl.action === 'clear') {
      const c = await store.getClassroom(a.boardId);
      for (const id of [a.boardId, ...(c?.students ?? []).map((s) => s.spaceId)])
        await service.run(id, (tx, ctx) => clear(tx, a, 'all', ctx));
      const text = ctl.notice || 'The teacher cleared the board';
      nsp.to(boardRoom(a.boardId)).emit(EVENTS.toClient, { type: 'class.notice', kind: 'cleared', text });
      return undefined;
    }
    await updateClass(a.boardId, (c) => applyControl(c, ctl));
    if (ctl.action === 'remove') {
      const room = userRoom(a.boardId, ctl.userId);
      nsp.to(room).emit(EVENTS.toClient, {
        type: 'class.notice',
        kind: 'removed',
        text: 'The teacher removed you from this board',
      });
      nsp.in(room).disconnectSockets(false);
    }
    return undefined;
  }

  async function correct(msg: ClientMessageOf<'label.correct'>): Promise<unknown> {
    const a = actor();
    const m = await store.getMeta(msg.boardId);
    if (!m || (m.id !== a.boardId && m.parentId !== a.boardId))
      return reject('NOT_FOUND', 'no such board in this class');
    if (a.role !== 'owner') {
      const t = await target();
      if (t.boardId !== msg.boardId)
        reject('FORBIDDEN', 'you may correct the labels of the board you write on; the teacher any');
    }
    if (store.degraded) reject('DEGRADED', 'the board store is unreachable; try again shortly');
    const now = Date.now();
    const stored = await store.update(msg.boardId, (tx) =>
      correctLabel(tx, { regionId: msg.regionId, version: msg.version, text: msg.text, by: a.userId, now }),
    );
    deps.broadcast(msg.boardId, {
      type: 'label.corrected',
      boardId: msg.boardId,
      correction: publicCorrection(stored),
    });
    return undefined;
  }

  async function dispatch(msg: ClientMessage): Promise<unknown> {
    switch (msg.type) {
      case 'join':
        return join(msg);
      case 'resync':
        return snapshot();
      case 'stroke.points': {
        const { actor: a, boardId } = await target(true);
        const first = streams.startedAt(msg.strokeId) === undefined;
        const bad = streams.accept(msg.strokeId, msg.seq);
        if (bad) reject('OUT_OF_ORDER', bad);
        // Stroke ids are claimed in the joined board's room, where they are seen (spaces included).
        if (first && !(await deps.claims.claim(actor().boardId, msg.strokeId, a.userId))) {
          streams.forget(msg.strokeId);
          reject('ID_TAKEN', `stroke id ${msg.strokeId} is another user's stroke`);
        }
        const { strokeId, seq, color, width, points } = msg;
        deps.live.push(boardId, { author: a.userId, strokeId, seq, color, width, points });
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
        const { userId } = actor();
        const c = socket.data.spaceId ? await deps.classes.get(socket.data.boardId!) : undefined;
        deps.live.cursor(inkBoard(c), userId, msg.cursor);
        return undefined;
      }
      case 'profile': {
        const { boardId, userId, role } = actor();
        socket.data = { ...socket.data, name: msg.name, color: msg.color };
        presence.schedule(boardId);
        const { spaceId } = socket.data;
        if (spaceId && role === 'member')
          await updateClass(boardId, (c) =>
            upsertStudent(c, { userId, name: msg.name, color: msg.color, spaceId, joinedAt: Date.now() }),
          );
        return undefined;
      }
      case 'class.control':
        return control(msg);
      case 'label.correct':
        return correct(msg);
    }
  }
}
