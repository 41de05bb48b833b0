/**
 * A board client for fault tests: a real socket.io client that joins a board, keeps the board as the app
 * does (snapshot, then live strokes and labels, highest label version per region), and after any
 * disconnect reconnects (to the next server URL in its list, round robin), re-joins and resyncs. Commits
 * are kept in an outbox until acknowledged and re-sent after a reconnect (commits are idempotent by id).
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import {
  EVENTS,
  PROTOCOL_VERSION,
  type Ack,
  type BoardStroke,
  type ClientMessage,
  type ClientToServerEvents,
  type RegionLabel,
  type ServerMessage,
  type ServerToClientEvents,
} from '../../shared/protocol.ts';
import type { Point } from '../../shared/ink/types.ts';

type IoSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BoardClient {
  readonly strokes = new Map<string, BoardStroke>();
  readonly labels = new Map<string, RegionLabel>();
  /** Every `status` message, in order. */
  readonly statuses: { degraded: boolean; at: number }[] = [];
  /** Stroke ids of the last snapshot, in order (duplicates would show here). */
  lastSnapshotIds: string[] = [];
  snapshots = 0;
  connects = 0;
  /** Index into `urls` of the server in use. */
  current = 0;
  private socket: IoSocket | undefined;
  private readonly userKey = randomBytes(16).toString('base64url');
  private readonly outbox = new Map<string, ClientMessage>();
  private closed = false;
  private seq = 0;

  constructor(
    readonly urls: string[],
    readonly boardId: string,
    readonly name = 'tester',
  ) {}

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Connects to urls[start] and joins; resolves after the first snapshot. */
  async start(start = 0): Promise<void> {
    this.current = start;
    this.open();
    await this.waitFor(() => this.snapshots > 0, 15_000, 'first snapshot');
  }

  private open(): void {
    const url = this.urls[this.current % this.urls.length] as string;
    const s: IoSocket = io(url, {
      transports: ['websocket'],
      auth: { protocolVersion: PROTOCOL_VERSION },
      reconnection: false,
      timeout: 2000,
      forceNew: true,
    });
    this.socket = s;
    s.on(EVENTS.toClient, (m) => this.onMessage(m));
    s.on('connect', () => {
      this.connects++;
      void this.joinAndFlush(s);
    });
    const retry = () => {
      s.removeAllListeners();
      s.close();
      if (this.closed || this.socket !== s) return;
      this.current++;
      setTimeout(() => !this.closed && this.open(), 200);
    };
    s.on('disconnect', retry);
    s.on('connect_error', retry);
  }

  private async joinAndFlush(s: IoSocket): Promise<void> {
    const ack = await this.emit(s, {
      type: 'join',
      protocolVersion: PROTOCOL_VERSION,
      boardId: this.boardId,
      userKey: this.userKey,
      name: this.name,
      color: '#1e66f5',
    });
    if (!ack?.ok) return;
    for (const msg of [...this.outbox.values()]) void this.deliver(msg);
  }

  private emit(s: IoSocket, msg: ClientMessage): Promise<Ack | undefined> {
    return s
      .timeout(5000)
      .emitWithAck(EVENTS.toServer, msg)
      .catch(() => undefined);
  }

  private onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'snapshot':
        this.snapshots++;
        this.strokes.clear();
        this.labels.clear();
        this.lastSnapshotIds = m.board.strokes.map((s) => s.id);
        for (const s of m.board.strokes) this.strokes.set(s.id, s);
        for (const l of m.board.labels) this.labels.set(l.regionId, l);
        if (m.degraded) this.statuses.push({ degraded: true, at: Date.now() });
        break;
      case 'strokes.added':
        for (const s of m.strokes) this.strokes.set(s.id, s);
        break;
      case 'strokes.removed':
        for (const id of m.strokeIds) this.strokes.delete(id);
        break;
      case 'label': {
        const old = this.labels.get(m.label.regionId);
        if (!old || old.version <= m.label.version) this.labels.set(m.label.regionId, m.label);
        break;
      }
      case 'label.removed':
        this.labels.delete(m.regionId);
        break;
      case 'status':
        this.statuses.push({ degraded: m.degraded, at: Date.now() });
        break;
      default:
        break;
    }
  }

  /** Sends until acknowledged (through reconnects); resolves with the ack. */
  private async deliver(msg: ClientMessage): Promise<Ack> {
    for (;;) {
      if (this.closed) throw new Error('client closed');
      const s = this.socket;
      if (s?.connected && this.snapshots > 0) {
        const ack = await this.emit(s, msg);
        if (ack?.ok) return ack;
        if (
          ack &&
          ack.error.code !== 'DEGRADED' &&
          ack.error.code !== 'INTERNAL' &&
          ack.error.code !== 'NOT_JOINED'
        )
          throw new Error(`${msg.type} rejected: ${ack.error.code} ${ack.error.message}`);
      }
      await sleep(200);
    }
  }

  /** Commits a stroke (pen-up); resolves once the server acknowledged it, retrying through reconnects. */
  async commit(points: Point[]): Promise<string> {
    const id = `${this.name}-${this.seq++}-${randomBytes(3).toString('hex')}`;
    const msg: ClientMessage = { type: 'stroke.commit', stroke: { id, color: '#1e66f5', width: 3, points } };
    this.outbox.set(id, msg);
    await this.deliver(msg);
    this.outbox.delete(id);
    return id;
  }

  /** Commits the strokes of one digit, offset to (dx, dy); resolves with their ids. */
  async drawDigit(strokes: Point[][], dx = 0, dy = 0): Promise<string[]> {
    const ids: string[] = [];
    for (const s of strokes) ids.push(await this.commit(s.map(([x, y]): Point => [x + dx, y + dy])));
    return ids;
  }

  /** Asks for a fresh snapshot; resolves once it arrived. */
  async resync(): Promise<void> {
    const n = this.snapshots;
    await this.deliver({ type: 'resync' });
    await this.waitFor(() => this.snapshots > n, 10_000, 'resync snapshot');
  }

  /** The label covering a stroke, if any. */
  labelOf(strokeId: string): RegionLabel | undefined {
    return [...this.labels.values()].find((l) => l.strokeIds.includes(strokeId));
  }

  async waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<number> {
    const t0 = Date.now();
    while (!cond()) {
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(20);
    }
    return Date.now() - t0;
  }

  close(): void {
    this.closed = true;
    this.socket?.removeAllListeners();
    this.socket?.close();
  }
}
