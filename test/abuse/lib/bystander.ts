/**
 * A well-behaved user on a board of their own, drawing one single-stroke pen digit every `everyMs` while an
 * attack runs elsewhere. Per phase: every stroke must be acknowledged, every label must arrive, and the
 * label latency (commit sent -> label received, as the user sees it) is measured.
 */
import { EVENTS, type ServerMessage } from '../../../shared/protocol.ts';
import { TestClient, createBoard, penDigit, placeAt } from '../../helpers/server-harness.ts';

export interface PhaseFigures {
  phase: string;
  strokes: number;
  acked: number;
  labelled: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 of commit sent -> ack (the server's commit path), ms. */
  ackP99Ms: number;
  /** Acknowledged strokes missing from a fresh snapshot after the phase (must be 0). */
  lost: number;
}

export const BYSTANDER_ADDRESS = '127.0.0.2';

const SINGLE = Array.from({ length: 200 }, (_, i) => i).filter((i) => penDigit(i).strokes.length === 1);

const quantile = (xs: number[], q: number): number => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

export class Bystander {
  private sentAt = new Map<string, number>();
  private labelAt = new Map<string, number>();
  private acked = new Set<string>();
  private ackAt = new Map<string, number>();
  private n = 0;

  private constructor(private readonly c: TestClient) {
    c.socket.on(EVENTS.toClient, (m: ServerMessage) => {
      if (m.type !== 'label') return;
      const now = performance.now();
      for (const id of m.label.strokeIds) if (!this.labelAt.has(id)) this.labelAt.set(id, now);
    });
  }

  static async start(url: string): Promise<Bystander> {
    const board = await createBoard(url);
    // Another loopback address than the attackers' (127.0.0.1): per-address limits and fair turns count
    // the bystander as the different client it would be.
    const c = await TestClient.connect(url, undefined, { localAddress: BYSTANDER_ADDRESS } as object);
    await c.join(board, 'Bystander');
    return new Bystander(c);
  }

  /** Draws until the returned `end` is called; `end` waits for the labels and returns the figures. */
  phase(name: string, everyMs = 200): { end: () => Promise<PhaseFigures> } {
    const ids: string[] = [];
    let running = true;
    const drawing = (async () => {
      while (running) {
        const i = this.n++;
        const digit = penDigit(SINGLE[i % SINGLE.length]!);
        // Far apart (a new region each), on a grid.
        const [points] = placeAt(digit, (i % 40) * 400, Math.floor(i / 40) * 400);
        const id = `by${i}`;
        ids.push(id);
        this.sentAt.set(id, performance.now());
        void this.c
          .send({ type: 'stroke.commit', stroke: { id, color: '#000000', width: 3, points: points! } })
          .then((ack) => {
            this.ackAt.set(id, performance.now());
            if (ack.ok) this.acked.add(id);
          })
          .catch(() => {});
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
    return {
      end: async () => {
        running = false;
        await drawing;
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && ids.some((id) => !this.labelAt.has(id) || !this.acked.has(id)))
          await new Promise((r) => setTimeout(r, 50));
        const lat = ids
          .filter((id) => this.labelAt.has(id))
          .map((id) => this.labelAt.get(id)! - this.sentAt.get(id)!);
        const since = this.c.messages.length;
        await this.c.send({ type: 'resync' });
        const snap = await this.c.waitFor('snapshot', () => true, 10_000, since);
        const stored = new Set(snap.board.strokes.map((s) => s.id));
        return {
          phase: name,
          strokes: ids.length,
          acked: ids.filter((id) => this.acked.has(id)).length,
          labelled: lat.length,
          p50Ms: Math.round(quantile(lat, 0.5)),
          p99Ms: Math.round(quantile(lat, 0.99)),
          maxMs: Math.round(Math.max(0, ...lat)),
          ackP99Ms: Math.round(
            quantile(
              ids.filter((id) => this.ackAt.has(id)).map((id) => this.ackAt.get(id)! - this.sentAt.get(id)!),
              0.99,
            ),
          ),
          lost: [...this.acked].filter((id) => !stored.has(id)).length,
        };
      },
    };
  }

  close(): void {
    this.c.close();
  }
}
