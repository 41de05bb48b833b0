/** Test helpers: Inkboard servers in this process, real socket.io clients, real pen digits. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { createInkboardServer, type InkboardDeps, type InkboardServer } from '../../server/app.ts';
import { loadConfig } from '../../shared/config.ts';
import {
  EVENTS,
  PROTOCOL_VERSION,
  type Ack,
  type ClientMessage,
  type ClientToServerEvents,
  type CreateBoardResponse,
  type LiveBatch,
  type ServerMessage,
  type ServerToClientEvents,
} from '../../shared/protocol.ts';

export type Mode = 'embedded' | 'distributed';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(tag: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `inkboard-${tag}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a server on a free loopback port; `env` overrides the configuration. */
export function startServer(
  env: Record<string, string | undefined>,
  deps: InkboardDeps = {},
): Promise<InkboardServer> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  return createInkboardServer(config, { fsync: false, ...deps });
}

export async function createBoard(url: string): Promise<CreateBoardResponse> {
  const res = await fetch(`${url}/api/v1/boards`, { method: 'POST' });
  if (res.status !== 201) throw new Error(`POST /api/v1/boards: ${res.status}`);
  return (await res.json()) as CreateBoardResponse;
}

let keyCounter = 0;
/** A url-safe secret user key. */
export const userKey = (name: string): string => `${name}-key-${process.pid}-${++keyCounter}-abcdefgh`;

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io client that records every server message. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly socket: ClientSocket) {
    socket.on(EVENTS.toClient, (m) => {
      this.messages.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(
    url: string,
    auth: Record<string, unknown> = { protocolVersion: PROTOCOL_VERSION },
    /** More socket.io client options, e.g. `extraHeaders`. */
    more: Partial<ManagerOptions & SocketOptions> = {},
  ) {
    const socket: ClientSocket = io(url, {
      transports: ['websocket'],
      auth,
      reconnection: false,
      forceNew: true,
      ...more,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new TestClient(socket);
  }

  /** Sends a message and resolves with its ack. Accepts any payload, to test bad ones. */
  send(msg: ClientMessage | Record<string, unknown>): Promise<Ack> {
    return this.socket.timeout(10_000).emitWithAck(EVENTS.toServer, msg as ClientMessage) as Promise<Ack>;
  }

  /** Sends without an ack callback (errors then come as `error` messages). */
  post(msg: ClientMessage | Record<string, unknown>): void {
    this.socket.emit(EVENTS.toServer, msg as ClientMessage);
  }

  async join(board: CreateBoardResponse, name: string, opts: { owner?: boolean; key?: string } = {}) {
    const ack = await this.send({
      type: 'join',
      protocolVersion: PROTOCOL_VERSION,
      boardId: board.boardId,
      userKey: opts.key ?? userKey(name),
      name,
      color: '#336699',
      ...(opts.owner ? { ownerKey: board.ownerKey } : {}),
    });
    if (!ack.ok) throw new Error(`join failed: ${ack.error.code} ${ack.error.message}`);
    return ack.data as { userId: string; role: string };
  }

  /** Resolves with the first recorded message (from `since`) matching `pred`. */
  async waitFor<T extends ServerMessage['type']>(
    type: T,
    pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 15_000,
    since = 0,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages
        .slice(since)
        .find((m): m is Extract<ServerMessage, { type: T }> => m.type === type && pred(m as never));
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${type}; got ${this.messages.map((m) => m.type).join(',')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  /** Every live batch received so far (from `live` messages), in order. */
  liveBatches(): LiveBatch[] {
    return this.of('live').flatMap((m) => m.batches);
  }

  close(): void {
    this.socket.close();
  }
}

// ---------------------------------------------------------------- pen digits

export interface PenDigit {
  i: number;
  label: number;
  strokes: [number, number][][];
}

let digits: PenDigit[] | undefined;
/** Sample `i` of ../shared/data/pendigits-tra.jsonl (UCI pen digits, CC BY 4.0). */
export function penDigit(i: number): PenDigit {
  digits ??= readFileSync('/work/shared/data/pendigits-tra.jsonl', 'utf8')
    .trim()
    .split('\n')
    .slice(0, 200)
    .map((l) => JSON.parse(l) as PenDigit);
  const d = digits[i];
  if (!d) throw new Error(`no pen digit ${i}`);
  return d;
}

/** Moves a digit so its bounding box starts at (x, y). */
export function placeAt(d: PenDigit, x: number, y: number): [number, number][][] {
  const pts = d.strokes.flat();
  const x0 = Math.min(...pts.map((p) => p[0]));
  const y0 = Math.min(...pts.map((p) => p[1]));
  return d.strokes.map((s) => s.map(([px, py]) => [px - x0 + x, py - y0 + y] as [number, number]));
}

export const widthOf = (strokes: [number, number][][]): number => {
  const xs = strokes.flat().map((p) => p[0]);
  return Math.max(...xs) - Math.min(...xs);
};

/** Streams a stroke in batches of `batch` points (as a client does while drawing), then commits it. */
export async function drawStroke(
  c: TestClient,
  id: string,
  points: [number, number][],
  opts: { batch?: number; delayMs?: number } = {},
): Promise<Ack> {
  const batch = opts.batch ?? 8;
  for (let seq = 0; seq * batch < points.length; seq++) {
    c.post({
      type: 'stroke.points',
      strokeId: id,
      seq,
      color: '#000000',
      width: 3,
      points: points.slice(seq * batch, (seq + 1) * batch),
    });
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
  }
  return c.send({ type: 'stroke.commit', stroke: { id, color: '#000000', width: 3, points } });
}
