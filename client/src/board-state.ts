/**
 * The client's copy of one board: committed strokes, our own strokes waiting for the server (outbox),
 * others' strokes in progress, labels (highest version per region), people and cursors.
 * The network layer feeds it server messages; views subscribe to its change events.
 */
import type {
  BoardSnapshot,
  BoardStroke,
  ClassroomView,
  LabelCorrection,
  LiveBatch,
  Peer,
  RegionLabel,
  ServerMessage,
} from '../../shared/protocol.ts';
import { Emitter } from './emitter.ts';

export type Point = [number, number];

/** A stroke someone is drawing right now (seen through the batches of `live` messages). */
export interface LiveStroke {
  strokeId: string;
  author: string;
  color: string;
  width: number;
  points: Point[];
  nextSeq: number;
  updatedAt: number;
}

/** A stroke drawn here and sent, not yet acknowledged by the server. */
export interface PendingStroke {
  id: string;
  color: string;
  width: number;
  points: Point[];
}

export interface CursorInfo {
  userId: string;
  at: Point;
  updatedAt: number;
}

export interface BoardEvents extends Record<string, unknown> {
  /** Strokes (committed or pending) were added or removed; `reset` after a snapshot. */
  strokes: { added: string[]; removed: string[]; reset: boolean };
  live: { strokeId: string; removed: boolean };
  labels: undefined;
  peers: undefined;
  cursors: undefined;
  degraded: { degraded: boolean; reason?: string };
  /** The class (teacher controls, students) changed. */
  class: undefined;
  /** An answer space was added (the teacher sees them all). */
  spaces: undefined;
  /** A notice for everyone (the board was cleared, you were removed). */
  notice: { kind: 'cleared' | 'removed'; text: string };
}

/** Live strokes nobody has touched for this long are dropped (their author went away mid-stroke). */
const LIVE_STROKE_TTL_MS = 20_000;

export class BoardState {
  readonly events = new Emitter<BoardEvents>();
  readonly boardId: string;
  readonly strokes = new Map<string, BoardStroke>();
  readonly pending = new Map<string, PendingStroke>();
  readonly live = new Map<string, LiveStroke>();
  readonly labels = new Map<string, RegionLabel>();
  /** Corrections by region id (shown instead of the recognised text for that version). */
  readonly corrections = new Map<string, LabelCorrection>();
  /** The class of this board (main board only). */
  classroom: ClassroomView | null = null;
  /** Answer spaces this page sees, by board id (main board only): yours as a student, all as the teacher. */
  readonly spaces = new Map<string, BoardState>();
  /** The student's own answer space (main board only). */
  mySpaceId: string | undefined;
  /** Highest removed version per region, so a late label of an older version is not resurrected. */
  private readonly removedRegions = new Map<string, number>();
  readonly peers = new Map<string, Peer>();
  readonly cursors = new Map<string, CursorInfo>();
  you: Peer | null = null;
  degraded = false;
  degradedReason: string | undefined;
  createdAt = 0;

  constructor(boardId: string) {
    this.boardId = boardId;
  }

  /** Is this peer the board's owner, i.e. may we clear the whole board and erase anyone's ink? */
  get isOwner(): boolean {
    return this.you?.role === 'owner';
  }

  /** Every stroke to draw: committed ones plus our pending ones. */
  *visibleStrokes(): Iterable<PendingStroke | BoardStroke> {
    yield* this.strokes.values();
    for (const p of this.pending.values()) if (!this.strokes.has(p.id)) yield p;
  }

  getStroke(id: string): PendingStroke | BoardStroke | undefined {
    return this.strokes.get(id) ?? this.pending.get(id);
  }

  /** May we erase this stroke? Our own always; anyone's when we own the board. */
  canErase(id: string): boolean {
    if (this.pending.has(id)) return true;
    const s = this.strokes.get(id);
    return !!s && (this.isOwner || s.author === this.you?.userId);
  }

  /** Replaces everything with a snapshot (after join and every reconnect); pending strokes are kept. */
  applySnapshot(msg: Extract<ServerMessage, { type: 'snapshot' }>): void {
    this.applyBoard(msg.board);
    for (const space of msg.spaces ?? []) this.space(space.id).applyBoard(space);
    this.you = msg.you;
    this.setPeers(msg.peers);
    this.setDegraded(msg.degraded);
    if (msg.classroom) this.setClassroom(msg.classroom);
    this.events.emit('spaces', undefined);
  }

  /** Replaces strokes, labels and corrections with a board's snapshot; pending strokes are kept. */
  applyBoard(board: BoardSnapshot): void {
    this.createdAt = board.createdAt;
    this.strokes.clear();
    for (const s of board.strokes) this.strokes.set(s.id, s);
    for (const id of this.strokes.keys()) this.pending.delete(id);
    for (const id of [...this.live.keys()]) {
      this.live.delete(id);
      this.events.emit('live', { strokeId: id, removed: true });
    }
    this.labels.clear();
    this.removedRegions.clear();
    for (const l of board.labels) this.labels.set(l.regionId, l);
    this.corrections.clear();
    for (const c of board.corrections ?? []) this.corrections.set(c.regionId, c);
    this.events.emit('strokes', { added: [], removed: [], reset: true });
    this.events.emit('labels', undefined);
  }

  /** The state of an answer space (created on first use). */
  space(boardId: string): BoardState {
    let s = this.spaces.get(boardId);
    if (!s) {
      s = new BoardState(boardId);
      s.you = this.you;
      this.spaces.set(boardId, s);
    }
    return s;
  }

  /** The board our ink goes to: our answer space in a class, unless we hold the pen; else this board. */
  get inkState(): BoardState {
    const me = this.you;
    if (this.mySpaceId && me?.role === 'member' && this.classroom?.pen !== me.userId)
      return this.space(this.mySpaceId);
    return this;
  }

  /** Is this board's ink ours to write on now (not locked, read-only or handed to someone else)? */
  get writeBlocked(): string | null {
    const me = this.you;
    const c = this.classroom;
    if (!me || me.role === 'owner') return null;
    if (me.role === 'viewer') return 'You are watching: viewers do not write';
    if (!c) return null;
    if (c.locked) return 'Locked by the teacher';
    if (c.readOnly.includes(me.userId)) return 'The teacher made you read-only';
    if (!c.classroom && c.pen && c.pen !== me.userId) return 'The teacher handed the pen to someone else';
    return null;
  }

  setClassroom(c: ClassroomView): void {
    this.classroom = c;
    this.events.emit('class', undefined);
  }

  applyCorrection(c: LabelCorrection): void {
    this.corrections.set(c.regionId, c);
    this.events.emit('labels', undefined);
  }

  /** Applies one server message (everything but the snapshot, which comes through join/resync). */
  apply(msg: ServerMessage): void {
    switch (msg.type) {
      case 'snapshot':
        this.applySnapshot(msg);
        break;
      case 'live':
        // The room's batches and cursors of one server tick, in arrival order (ours among them: skipped).
        for (const batch of msg.batches) this.applyLivePoints(batch);
        for (const c of msg.cursors) this.setCursor(c.userId, c.cursor);
        break;
      case 'strokes.added':
        this.addStrokes(msg.strokes);
        break;
      case 'strokes.removed':
        this.removeStrokes(msg.strokeIds);
        break;
      case 'label':
        this.applyLabel(msg.label);
        break;
      case 'label.removed':
        this.removeLabel(msg.regionId, msg.version);
        break;
      case 'presence':
        this.setPeers(msg.peers);
        break;
      case 'status':
        this.setDegraded(msg.degraded, msg.reason);
        break;
      case 'label.corrected':
        this.applyCorrection(msg.correction);
        break;
      case 'class.state':
        this.setClassroom(msg.classroom);
        break;
      case 'space.added':
        this.space(msg.space.id).applyBoard(msg.space);
        this.events.emit('spaces', undefined);
        break;
      case 'class.notice':
        this.events.emit('notice', { kind: msg.kind, text: msg.text });
        break;
      case 'error':
        // Shown by the connection layer.
        break;
    }
  }

  private applyLivePoints(msg: LiveBatch): void {
    if (msg.author === this.you?.userId || this.strokes.has(msg.strokeId)) return;
    let live = this.live.get(msg.strokeId);
    if (!live) {
      live = {
        strokeId: msg.strokeId,
        author: msg.author,
        color: msg.color,
        width: msg.width,
        points: [],
        nextSeq: 0,
        updatedAt: 0,
      };
      this.live.set(msg.strokeId, live);
    }
    // Batches arrive in order on one connection; a gap (e.g. we joined mid-stroke) just joins the pieces.
    if (msg.seq < live.nextSeq) return;
    live.points.push(...msg.points);
    live.nextSeq = msg.seq + 1;
    live.updatedAt = Date.now();
    this.events.emit('live', { strokeId: msg.strokeId, removed: false });
  }

  addStrokes(strokes: BoardStroke[]): void {
    const added: string[] = [];
    for (const s of strokes) {
      this.strokes.set(s.id, s);
      this.pending.delete(s.id);
      if (this.live.delete(s.id)) this.events.emit('live', { strokeId: s.id, removed: true });
      added.push(s.id);
    }
    if (added.length) this.events.emit('strokes', { added, removed: [], reset: false });
  }

  removeStrokes(ids: string[]): void {
    const removed: string[] = [];
    for (const id of ids) {
      const a = this.strokes.delete(id);
      const b = this.pending.delete(id);
      if (a || b) removed.push(id);
    }
    if (removed.length) this.events.emit('strokes', { added: [], removed, reset: false });
  }

  /** Our own stroke, shown at once and kept until the server confirms it. */
  addPending(stroke: PendingStroke): void {
    this.pending.set(stroke.id, stroke);
    this.events.emit('strokes', { added: [stroke.id], removed: [], reset: false });
  }

  /** The server acknowledged a commit: it is a board stroke now. */
  confirmPending(id: string, author: string, createdAt = Date.now()): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (!this.strokes.has(id)) this.strokes.set(id, { ...p, author, createdAt });
  }

  applyLabel(label: RegionLabel): void {
    const current = this.labels.get(label.regionId);
    if (current && current.version > label.version) return;
    const removedAt = this.removedRegions.get(label.regionId);
    if (removedAt !== undefined && removedAt >= label.version) return;
    this.labels.set(label.regionId, label);
    this.events.emit('labels', undefined);
  }

  removeLabel(regionId: string, version: number): void {
    const current = this.labels.get(regionId);
    this.removedRegions.set(regionId, Math.max(version, this.removedRegions.get(regionId) ?? -1));
    if (current && current.version <= version) {
      this.labels.delete(regionId);
      this.events.emit('labels', undefined);
    }
  }

  private setPeers(peers: Peer[]): void {
    this.peers.clear();
    for (const p of peers) this.peers.set(p.userId, p);
    const me = this.you && this.peers.get(this.you.userId);
    if (me) this.you = me;
    for (const s of this.spaces.values()) s.you = this.you;
    // Cursors and live ink of people who left go with them.
    let cursorsChanged = false;
    for (const id of this.cursors.keys()) {
      if (!this.peers.has(id)) {
        this.cursors.delete(id);
        cursorsChanged = true;
      }
    }
    for (const [id, live] of this.live) {
      if (!this.peers.has(live.author)) {
        this.live.delete(id);
        this.events.emit('live', { strokeId: id, removed: true });
      }
    }
    this.events.emit('peers', undefined);
    if (cursorsChanged) this.events.emit('cursors', undefined);
  }

  private setCursor(userId: string, cursor: Point | null): void {
    if (userId === this.you?.userId) return;
    if (cursor) this.cursors.set(userId, { userId, at: cursor, updatedAt: Date.now() });
    else this.cursors.delete(userId);
    this.events.emit('cursors', undefined);
  }

  setDegraded(degraded: boolean, reason?: string): void {
    this.degraded = degraded;
    this.degradedReason = reason;
    this.events.emit('degraded', { degraded, reason });
  }

  /** Drops live strokes whose author stopped sending without committing. */
  expireLive(now = Date.now()): void {
    for (const [id, live] of this.live) {
      if (now - live.updatedAt > LIVE_STROKE_TTL_MS) {
        this.live.delete(id);
        this.events.emit('live', { strokeId: id, removed: true });
      }
    }
  }

  /** Forgets cursors (and live ink) when the connection is lost: the snapshot after reconnect restores. */
  clearTransient(): void {
    this.cursors.clear();
    for (const id of [...this.live.keys()]) {
      this.live.delete(id);
      this.events.emit('live', { strokeId: id, removed: true });
    }
    this.events.emit('cursors', undefined);
  }
}
