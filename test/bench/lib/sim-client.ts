/**
 * A simulated classroom participant for benchmarks: a real socket.io client that joins a board, writes
 * real pen digits at human speed (points streamed while drawing, commit on pen-up) and records when
 * every label arrives.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import {
  EVENTS,
  PROTOCOL_VERSION,
  type Ack,
  type ClientMessage,
  type ClientToServerEvents,
  type ServerMessage,
  type ServerToClientEvents,
} from '../../../shared/protocol.ts';
import type { Stroke } from '../../../shared/ink/types.ts';

export interface SimClientOptions {
  url: string;
  boardId: string;
  name: string;
  /** Called for every label message with the arrival time (performance.now() based ms). */
  onLabel?: (strokeIds: string[], at: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SimClient {
  private static count = process.pid;
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private strokeCounter = 0;
  private readonly prefix = randomBytes(4).toString('hex');
  received = 0;

  constructor(private readonly opts: SimClientOptions) {
    this.socket = io(opts.url, {
      transports: ['websocket'],
      auth: { protocolVersion: PROTOCOL_VERSION },
      reconnection: true,
      // Each simulated student on an address of its own (127.0.0.2-251), as real ones are: the server's
      // per-address limits and fair turns would otherwise treat the whole bench as one client.
      localAddress: `127.0.0.${2 + (SimClient.count++ % 250)}`,
    } as Parameters<typeof io>[1]);
    this.socket.on(EVENTS.toClient, (msg: ServerMessage) => {
      this.received++;
      if (msg.type === 'label') opts.onLabel?.(msg.label.strokeIds, performance.now());
    });
  }

  send(msg: ClientMessage): Promise<Ack> {
    return this.socket.timeout(30_000).emitWithAck(EVENTS.toServer, msg);
  }

  async join(): Promise<void> {
    if (!this.socket.connected) await new Promise<void>((r) => this.socket.once('connect', () => r()));
    const ack = await this.send({
      type: 'join',
      protocolVersion: PROTOCOL_VERSION,
      boardId: this.opts.boardId,
      userKey: randomBytes(16).toString('base64url'),
      name: this.opts.name,
      color: '#1e66f5',
    });
    if (!ack.ok) throw new Error(`join failed: ${ack.error.code} ${ack.error.message}`);
  }

  /**
   * Draws one digit (strokes already in board units) in real time: one point every `pointMs`, a batch of
   * points every `batchMs`, commit on each pen-up. `onLastPenUp` gets the digit's last stroke id and pen-up
   * time just before that stroke's commit is sent, so a label can never arrive before it is expected.
   */
  async drawDigit(
    strokes: Stroke[],
    pointMs: number,
    batchMs: number,
    onLastPenUp: (strokeId: string, penUpAt: number) => void,
  ): Promise<void> {
    for (const [k, stroke] of strokes.entries()) {
      const id = `${this.prefix}-${this.strokeCounter++}`;
      const perBatch = Math.max(1, Math.round(batchMs / pointMs));
      for (let i = 0, seq = 0; i < stroke.length; i += perBatch, seq++) {
        this.socket.emit(EVENTS.toServer, {
          type: 'stroke.points',
          strokeId: id,
          seq,
          color: '#1e66f5',
          width: 3,
          points: stroke.slice(i, i + perBatch),
        });
        await sleep(pointMs * perBatch);
      }
      if (k === strokes.length - 1) onLastPenUp(id, performance.now());
      const ack = await this.send({
        type: 'stroke.commit',
        stroke: { id, color: '#1e66f5', width: 3, points: stroke },
      });
      if (!ack.ok) throw new Error(`commit failed: ${ack.error.code} ${ack.error.message}`);
      if (k < strokes.length - 1) await sleep(150); // lift the pen between strokes of one digit
    }
  }

  close(): void {
    this.socket.close();
  }
}
