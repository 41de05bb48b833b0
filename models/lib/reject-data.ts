/**
 * Training examples for the 11th class, "not one digit" ({@link REJECT}): what recognition-driven
 * segmentation asks the classifier about besides whole digits. Numbers of 2-3 digits are composed
 * (models/lib/pen-data.ts composeNumbers) and every run of 1-4 consecutive strokes (drawing order) that
 * is not exactly one digit becomes a candidate:
 * - `merge`: strokes of two digits (a digit plus the first stroke of the next, two whole digits);
 * - `fragment`: some but not all strokes of one digit (a 4's "L" without its stem, a 5 without its flag).
 *   A fragment that the 10-class model reads confidently (p >= 0.9) as ANOTHER digit (a 4's stem is a
 *   fine 1) is dropped, not taught as "not a digit": the lattice tells those apart by comparing paths.
 *   One read confidently as its own digit is kept only when it holds under 70% of the digit's ink (a
 *   4's "L": an unfinished 4) and the digit is not a 1 or a 7 (a 1 without its serif, a 7 without its
 *   crossbar are whole digits).
 * Plus `scribble`s: random zig-zags and loops.
 */
import type { tf } from './backend.ts';
import { argmaxRows, predictProbs } from './predict.ts';
import { bboxOf } from '../../shared/ink/geometry.ts';
import { rasterise } from '../../shared/ink/rasterise.ts';
import type { Point, Stroke } from '../../shared/ink/types.ts';
import { composeNumbers, type PenDigit } from './pen-data.ts';
import { Rng } from './rng.ts';

/** Class index of "not one digit". */
export const REJECT = 10;

/** A candidate that is not one digit. */
export interface RejectSample {
  strokes: Stroke[];
  kind: 'merge' | 'fragment' | 'scribble';
}

/** Options of {@link rejectSamples}. */
export interface RejectOptions {
  /** Numbers to compose. Default `20000`. */
  numbers?: number;
  /** Seed. Default `7`. */
  seed?: number;
  /** Scribbles to add. Default `2000`. */
  scribbles?: number;
  /** Longest run of strokes (the lattice's limit). Default `4`. */
  maxStrokes?: number;
  /** Runs wider than this x the digit height are skipped (the lattice never asks about them). Default `2`. */
  maxWidth?: number;
}

/** A random scribble: 1-3 strokes of jittered zig-zags or loops, 100 units tall. */
export function scribble(rng: Rng): Stroke[] {
  const n = 1 + rng.int(3);
  const out: Stroke[] = [];
  for (let k = 0; k < n; k++) {
    const pts: Point[] = [];
    const m = 6 + rng.int(30);
    let x = rng.uniform(0, 100);
    let y = rng.uniform(0, 100);
    const loop = rng.next() < 0.4;
    for (let i = 0; i < m; i++) {
      if (loop) {
        const a = (i / m) * Math.PI * 2 * rng.uniform(1.5, 4);
        x = 50 + Math.cos(a) * rng.uniform(20, 50) + rng.uniform(-8, 8);
        y = 50 + Math.sin(a) * rng.uniform(20, 50) + rng.uniform(-8, 8);
      } else {
        x = Math.min(150, Math.max(-50, x + rng.uniform(-40, 40)));
        y = Math.min(100, Math.max(0, y + rng.uniform(-40, 40)));
      }
      pts.push([x, y]);
    }
    out.push(pts);
  }
  return out;
}

function inkLength(strokes: Stroke[]): number {
  let n = 0;
  for (const s of strokes)
    for (let i = 1; i < s.length; i++)
      n += Math.hypot(
        (s[i] as Point)[0] - (s[i - 1] as Point)[0],
        (s[i] as Point)[1] - (s[i - 1] as Point)[1],
      );
  return n;
}

/** The base model's reading of a fragment: its likeliest digit and that digit's probability. */
export interface Reading {
  label: number;
  p: number;
}

/**
 * Candidates that are not one digit, cut from numbers composed of `digits`. `read` gets all fragments
 * at once and returns the base model's reading of each (see the module comment for what is dropped).
 */
export async function rejectSamples(
  digits: readonly PenDigit[],
  read: (fragments: Stroke[][]) => Promise<Reading[]>,
  options: RejectOptions = {},
): Promise<RejectSample[]> {
  const { numbers = 20000, seed = 7, scribbles = 2000, maxStrokes = 4, maxWidth = 2 } = options;
  const rng = new Rng(seed);
  const composed = composeNumbers(digits, { count: numbers, minDigits: 2, maxDigits: 3, seed });
  const merges: Stroke[][] = [];
  const fragments: Stroke[][] = [];
  const fragmentInfo: { label: number; share: number }[] = [];
  for (const n of composed) {
    const groupOf: number[] = [];
    n.groups.forEach((g, k) => g.forEach((s) => (groupOf[s] = k)));
    // One run per number of each kind, at random, so every number contributes evenly.
    const merge: Stroke[][] = [];
    const frag: { run: Stroke[]; label: number; share: number }[] = [];
    for (let i = 0; i < n.strokes.length; i++) {
      for (let j = i; j < Math.min(n.strokes.length, i + maxStrokes); j++) {
        const run = n.strokes.slice(i, j + 1);
        const b = bboxOf(run.flat());
        if (b && b[2] - b[0] > maxWidth * 100) continue;
        const first = groupOf[i] as number;
        const last = groupOf[j] as number;
        if (first !== last) merge.push(run);
        else if ((n.groups[first] as number[]).length !== run.length) {
          const whole = (n.groups[first] as number[]).map((k) => n.strokes[k] as Stroke);
          frag.push({
            run,
            label: Number(n.text[first]),
            share: inkLength(run) / Math.max(inkLength(whole), 1e-9),
          });
        }
      }
    }
    if (merge.length > 0) merges.push(merge[rng.int(merge.length)] as Stroke[]);
    for (const f of frag)
      if (rng.next() < 0.5) {
        fragments.push(f.run);
        fragmentInfo.push(f);
      }
  }
  const readings = await read(fragments);
  const drop = readings.map((r, k) => {
    const f = fragmentInfo[k] as { label: number; share: number };
    if (r.p < 0.9) return false;
    if (r.label !== f.label) return true;
    return f.share >= 0.7 || f.label === 1 || f.label === 7;
  });
  const out: RejectSample[] = merges.map((strokes) => ({ strokes, kind: 'merge' as const }));
  fragments.forEach((strokes, k) => {
    if (!drop[k]) out.push({ strokes, kind: 'fragment' });
  });
  for (let k = 0; k < scribbles; k++) out.push({ strokes: scribble(rng), kind: 'scribble' });
  return out;
}

/** The reading `rejectSamples` needs, from a 10-class image model: each fragment rasterised and classified. */
export function modelReading(model: tf.LayersModel): (fragments: Stroke[][]) => Promise<Reading[]> {
  return async (fragments) => {
    const images = new Float32Array(fragments.length * 784);
    fragments.forEach((f, k) => images.set(rasterise(f), k * 784));
    const p = predictProbs(model, images);
    return fragments.map((_, k) => {
      const row = p.subarray(k * 10, k * 10 + 10);
      const label = argmaxRows(row, 10)[0] as number;
      return { label, p: row[label] as number };
    });
  };
}

/** Counts of {@link rejectPool}: numbers composed from each source, scribbles added to each, the seed. */
export interface RejectPoolOptions {
  penNumbers: number;
  strokeNumbers: number;
  scribbles: number;
  /** Seed for the pen numbers; the MNIST-stroke numbers use `seed + 1`. */
  seed: number;
  /** Longest run of strokes. Default `4` (as {@link rejectSamples}). */
  maxStrokes?: number;
}

/** "Not one digit" candidates cut from numbers composed of pen digits, then of MNIST-stroke digits. */
export async function rejectPool(
  pen: readonly PenDigit[],
  strokes: readonly PenDigit[],
  read: (fragments: Stroke[][]) => Promise<Reading[]>,
  o: RejectPoolOptions,
): Promise<RejectSample[]> {
  const common = { scribbles: o.scribbles, maxStrokes: o.maxStrokes };
  return [
    ...(await rejectSamples(pen, read, { ...common, numbers: o.penNumbers, seed: o.seed })),
    ...(await rejectSamples(strokes, read, { ...common, numbers: o.strokeNumbers, seed: o.seed + 1 })),
  ];
}
