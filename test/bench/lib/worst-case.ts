/**
 * Worst-case regions within the protocol's limits (shared/protocol.ts LIMITS), for the bounded-cost
 * check of recognition: dense scribbles where every stroke has the most points allowed, overlapping so
 * that every pair of strokes is near. Used by `npm run bench:recognize` (worst-case table) and by the
 * tests. Deterministic (seeded).
 */
import { Rng } from '../../../models/lib/rng.ts';
import { LIMITS } from '../../../shared/protocol.ts';
import type { Point, Stroke } from '../../../shared/ink/types.ts';

/** A stroke of `points` points: a jittered zig-zag spiral across a box of side `size` at (x0, y0). */
export function denseStroke(rng: Rng, points: number, size: number, x0 = 0, y0 = 0): Stroke {
  const out: Point[] = [];
  const turns = rng.uniform(3, 12);
  for (let i = 0; i < points; i++) {
    const t = i / Math.max(1, points - 1);
    const a = t * turns * 2 * Math.PI;
    const r = (0.15 + 0.35 * Math.abs(Math.sin(t * 7 + turns))) * size;
    out.push([
      x0 + size / 2 + r * Math.cos(a) + rng.uniform(-2, 2),
      y0 + size / 2 + r * Math.sin(a) + rng.uniform(-2, 2),
    ]);
  }
  return out;
}

/** Named worst cases: strokes x points per stroke, all overlapping in one place or spread along a line. */
export interface WorstCase {
  name: string;
  strokes: Stroke[];
}

/** The regions measured: 25 x 4,000 points overlapping (100,000 points), 200 strokes (the request limit) of 500 points in a row, and 200 short strokes overlapping. */
export function worstCases(seed = 9): WorstCase[] {
  const rng = new Rng(seed);
  const max = LIMITS.maxPointsPerStroke;
  const many = LIMITS.maxStrokesPerRecognize;
  return [
    {
      name: `25 strokes x ${max} points, overlapping`,
      strokes: Array.from({ length: 25 }, () => denseStroke(rng, max, 300)),
    },
    {
      name: `${many} strokes x 500 points, in a row`,
      strokes: Array.from({ length: many }, (_, i) =>
        denseStroke(rng, 500, 100, i * 60 + rng.uniform(-20, 20), rng.uniform(-10, 10)),
      ),
    },
    {
      name: `${many} strokes x 40 points, overlapping`,
      strokes: Array.from({ length: many }, () =>
        denseStroke(rng, 40, 100, rng.uniform(-30, 30), rng.uniform(-30, 30)),
      ),
    },
  ];
}

/** One measured worst case. */
export interface WorstCaseRow {
  name: string;
  points: number;
  medianMs: number;
  maxMs: number;
  /** Median CPU ms of this process (user + system). */
  cpuMs: number;
}

/** Points in a region. */
export const pointCount = (strokes: Stroke[]): number => strokes.reduce((n, s) => n + s.length, 0);

/**
 * Times `recognize` on each worst case (one region per call, after three warm-up rounds): median and maximum wall
 * ms, and median CPU ms of this process (user + system), which other processes on a shared machine
 * do not inflate the way they do wall time.
 */
export async function benchWorstCases(
  recognize: (regions: Stroke[][]) => Promise<unknown>,
  runs = 9,
): Promise<WorstCaseRow[]> {
  const out = [];
  const cases = worstCases();
  // Warm-up: the JIT compiles the geometry and rasteriser code on the first calls.
  for (let i = 0; i < 3; i++) for (const c of cases) await recognize([c.strokes]);
  for (const c of cases) {
    const ms: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const u = process.cpuUsage();
      await recognize([c.strokes]);
      const du = process.cpuUsage(u);
      ms.push(performance.now() - t);
      cpu.push((du.user + du.system) / 1000);
    }
    ms.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    out.push({
      name: c.name,
      points: pointCount(c.strokes),
      medianMs: Number((ms[Math.floor(ms.length / 2)] as number).toFixed(2)),
      maxMs: Number((ms[ms.length - 1] as number).toFixed(2)),
      cpuMs: Number((cpu[Math.floor(cpu.length / 2)] as number).toFixed(2)),
    });
  }
  return out;
}

/** The table printed by the bench. */
export function worstCaseTable(rows: WorstCaseRow[]): string {
  return [
    '| worst-case region (one per call) | points | median ms | max ms | median CPU ms |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.points} | ${r.medianMs} | ${r.maxMs} | ${r.cpuMs} |`),
  ].join('\n');
}
