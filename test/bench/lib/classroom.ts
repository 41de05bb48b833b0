/**
 * A simulated classroom: R rooms of C clients on one Inkboard deployment. Every client writes real pen
 * numbers (UCI pen digits, one writer per number) at human speed in its own part of the board; every label
 * that reaches any client of the room is timed against the pen-up of the digit it first contains.
 */
import { composeNumbers, loadPenDigits, type ComposedNumber } from '../../../models/lib/pen-data.ts';
import type { Stroke } from '../../../shared/ink/types.ts';
import type { CreateBoardResponse } from '../../../shared/protocol.ts';
import { SimClient } from './sim-client.ts';

export interface ClassroomOptions {
  /** Server URLs; clients are spread over them round-robin. */
  urls: string[];
  rooms: number;
  clientsPerRoom: number;
  /** How long clients keep writing. */
  seconds: number;
  /** Time between pen samples while drawing. Default 25 ms (a digit in about a second). */
  pointMs?: number;
  /** Time between streamed point batches. Default 50 ms. */
  batchMs?: number;
  /** Pause between digits of a number, ms. Default [200, 500]. */
  digitPauseMs?: [number, number];
  /** Pause between numbers, ms. Default [1500, 3000]. */
  numberPauseMs?: [number, number];
  /** How long to wait for the last labels after writing stops. Default 5000 ms. */
  drainMs?: number;
  /** Index of the first composed number to write (so several processes write different ones). Default 0. */
  numberOffset?: number;
  /** Called once every client has joined; writing starts when it resolves (lets processes start together). */
  ready?: () => Promise<void>;
}

export interface ClassroomResult {
  digits: number;
  /** Label arrivals expected: digits x clients in the room. */
  expected: number;
  latenciesMs: number[];
  missing: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([a, b]: [number, number]) => a + Math.random() * (b - a);

interface Pending {
  penUpAt: number;
  seen: Set<number>;
}

export async function runClassroom(o: ClassroomOptions): Promise<ClassroomResult> {
  const pointMs = o.pointMs ?? 25;
  const batchMs = o.batchMs ?? 50;
  const numbers = composeNumbers(loadPenDigits(), {
    count: 2000,
    minDigits: 2,
    maxDigits: 4,
    height: 60,
    seed: 7,
  });
  const boards: string[] = [];
  for (let r = 0; r < o.rooms; r++) {
    const res = await fetch(`${o.urls[r % o.urls.length]}/api/v1/boards`, { method: 'POST' });
    if (!res.ok) throw new Error(`POST /api/v1/boards: ${res.status} ${await res.text()}`);
    boards.push(((await res.json()) as CreateBoardResponse).boardId);
  }

  const pending = new Map<string, Pending>();
  const latencies: number[] = [];
  const clients: SimClient[][] = [];
  let n = 0;
  for (let r = 0; r < o.rooms; r++) {
    const room: SimClient[] = [];
    for (let c = 0; c < o.clientsPerRoom; c++) {
      const url = o.urls[n++ % o.urls.length] as string;
      const idx = c;
      room.push(
        new SimClient({
          url,
          boardId: boards[r] as string,
          name: `student ${c + 1}`,
          onLabel: (strokeIds, at) => {
            for (const id of strokeIds) {
              const p = pending.get(id);
              if (p && !p.seen.has(idx)) {
                p.seen.add(idx);
                latencies.push(at - p.penUpAt);
              }
            }
          },
        }),
      );
    }
    clients.push(room);
  }
  await Promise.all(clients.flat().map((c) => c.join()));
  await o.ready?.();

  const deadline = performance.now() + o.seconds * 1000;
  let digits = 0;
  let next = o.numberOffset ?? 0;
  const writer = async (client: SimClient, slot: number) => {
    const ox = (slot % 6) * 420;
    let oy = Math.floor(slot / 6) * 900;
    await sleep(Math.random() * 2000); // students don't start in lockstep
    while (performance.now() < deadline) {
      const num = numbers[next++ % numbers.length] as ComposedNumber;
      for (const group of num.groups) {
        if (performance.now() >= deadline) break;
        const strokes: Stroke[] = group.map((i) =>
          (num.strokes[i] as Stroke).map(([x, y]) => [x + ox, y + oy]),
        );
        await client.drawDigit(strokes, pointMs, batchMs, (strokeId, penUpAt) => {
          pending.set(strokeId, { penUpAt, seen: new Set() });
          digits++;
        });
        await sleep(between(o.digitPauseMs ?? [200, 500]));
      }
      oy += 100;
      await sleep(between(o.numberPauseMs ?? [1500, 3000]));
    }
  };
  await Promise.all(clients.flatMap((room) => room.map((c, i) => writer(c, i))));

  const expected = digits * o.clientsPerRoom;
  const drainUntil = performance.now() + (o.drainMs ?? 5000);
  while (latencies.length < expected && performance.now() < drainUntil) await sleep(100);
  for (const c of clients.flat()) c.close();
  return { digits, expected, latenciesMs: latencies, missing: expected - latencies.length };
}

/** The q-th quantile (0..1) of the values, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
