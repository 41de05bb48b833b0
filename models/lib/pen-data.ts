/**
 * Real pen-written digits and multi-digit numbers composed from them.
 *
 * Data: UCI "Pen-Based Recognition of Handwritten Digits" (E. Alpaydin, F. Alimoglu, 1998),
 * https://archive.ics.uci.edu/dataset/81, CC BY 4.0 — the original pen trajectories of 30 writers,
 * one JSON object a line: `{"i", "label", "writer", "strokes": [[[x, y], ...], ...]}`, tablet units
 * 0..500, y growing downward. Training uses writers 1..20 only; writers 21..30 are kept out entirely
 * for evaluation.
 *
 * The composer writes a number the way a person does: one writer's own digits, scaled to a common
 * height with a little jitter, side by side with small gaps (some nearly touching) on a baseline that
 * wanders slightly. It is seeded, so the same options always give the same numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Point, Stroke } from '../../shared/ink/types.ts';
import { Rng } from './rng.ts';

/** One pen-written digit. */
export interface PenDigit {
  i: number;
  label: number;
  writer: number;
  strokes: Stroke[];
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Default location of the pen digits (outside the repository). */
export const PEN_FILE = path.resolve(ROOT, '../shared/data/pendigits-tra.jsonl');

/** Writers whose digits may be used for training. */
export const PEN_TRAIN_WRITERS: readonly number[] = Array.from({ length: 20 }, (_, i) => i + 1);
/** Writers never used for training (evaluation only). */
export const PEN_HELDOUT_WRITERS: readonly number[] = Array.from({ length: 10 }, (_, i) => i + 21);

/** Reads the JSON-lines file; throws with the line number on malformed input. */
export function readPenDigits(file = PEN_FILE): PenDigit[] {
  const out: PenDigit[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, n) => {
      if (!line.trim()) return;
      const o = JSON.parse(line) as PenDigit;
      if (!Number.isInteger(o.label) || o.label < 0 || o.label > 9 || !Array.isArray(o.strokes)) {
        throw new Error(`${file}:${n + 1}: not a pen digit {label, writer, strokes}`);
      }
      out.push({ ...o, i: o.i ?? n });
    });
  return out;
}

/** Reads the pen digits of the given writers only (all writers when `writers` is undefined). */
export function loadPenDigits(file = PEN_FILE, writers?: ReadonlySet<number>): PenDigit[] {
  const all = readPenDigits(file);
  return writers ? all.filter((d) => writers.has(d.writer)) : all;
}

/** True when both the pen data and the shared rasteriser are available. */
export function penDataAvailable(file = PEN_FILE): boolean {
  return existsSync(file) && existsSync(path.join(ROOT, 'shared/ink/rasterise.ts'));
}

/** Parses a writer list such as `21-30` or `1,3,5-7` into a set. */
export function parseWriters(spec: string): Set<number> {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`bad writer list "${spec}": use e.g. 21-30 or 1,3,5-7`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let w = Math.min(a, b); w <= Math.max(a, b); w++) out.add(w);
  }
  return out;
}

/** Options of {@link composeNumbers}; all lengths are in units of the common digit height. */
export interface ComposeOptions {
  /** How many numbers to compose. Default `1000`. */
  count?: number;
  /** Shortest number, in digits. Default `2`. */
  minDigits?: number;
  /** Longest number, in digits. Default `5`. */
  maxDigits?: number;
  /** PRNG seed. Default `1`. */
  seed?: number;
  /** Common digit height in output units. Default `100`. */
  height?: number;
  /** Relative per-digit height jitter (uniform ±). Default `0.08`. */
  heightJitter?: number;
  /** Baseline jitter, ± share of the height. Default `0.06`. */
  baselineJitter?: number;
  /**
   * Clearance between neighbouring digits' ink, measured along horizontal rows as a writer judges it
   * (so slanted digits may overlap in their boxes): uniform in [min, max] x height. Default `[0.1, 0.4]`.
   */
  gap?: [number, number];
  /** Share of gaps that are nearly touching. Default `0.25`. */
  tightShare?: number;
  /** Clearance range of nearly-touching neighbours, x height. Default `[0.01, 0.06]`. */
  tightGap?: [number, number];
  /** Labels allowed for the leading digit (people rarely write a leading 0). Default `1..9`. */
  leading?: readonly number[];
}

/** A composed number: its strokes in writing order and, per digit, the indices of its strokes. */
export interface ComposedNumber {
  text: string;
  writer: number;
  strokes: Stroke[];
  groups: number[][];
  /** Source digit ids (`PenDigit.i`), one per digit. */
  sources: number[];
}

function bboxOf(strokes: Stroke[]): [number, number, number, number] {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const s of strokes) {
    for (const [x, y] of s) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return [x0, y0, x1, y1];
}

/**
 * The ink placed so far as a horizontal profile: the rightmost ink per row band. Tells how far to shift
 * new ink right so that no band (or its neighbours) collides.
 */
class RowProfile {
  private readonly right = new Map<number, number>();
  constructor(private readonly band: number) {}

  private static samples(strokes: Stroke[], step: number): Point[] {
    const out: Point[] = [];
    for (const s of strokes) {
      for (let i = 0; i < s.length; i++) {
        const a = s[Math.max(0, i - 1)] as Point;
        const b = s[i] as Point;
        const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / step));
        for (let t = 1; t <= n; t++)
          out.push([a[0] + ((b[0] - a[0]) * t) / n, a[1] + ((b[1] - a[1]) * t) / n]);
      }
    }
    return out;
  }

  add(stroke: Stroke): void {
    for (const [x, y] of RowProfile.samples([stroke], this.band / 2)) {
      const b = Math.floor(y / this.band);
      this.right.set(b, Math.max(this.right.get(b) ?? -Infinity, x));
    }
  }

  /** Smallest shift that puts every point of `strokes` right of the placed ink in its own and adjacent bands. */
  clearanceShift(strokes: Stroke[]): number {
    let shift = -Infinity;
    for (const [x, y] of RowProfile.samples(strokes, this.band / 2)) {
      const b = Math.floor(y / this.band);
      for (const nb of [b - 1, b, b + 1]) {
        const r = this.right.get(nb);
        if (r !== undefined) shift = Math.max(shift, r - x);
      }
    }
    if (shift === -Infinity) shift = Math.max(...this.right.values());
    return shift;
  }
}

/** Index of pen digits by writer and label. */
function byWriterLabel(digits: readonly PenDigit[]): Map<number, PenDigit[][]> {
  const map = new Map<number, PenDigit[][]>();
  for (const d of digits) {
    let perLabel = map.get(d.writer);
    if (!perLabel) {
      perLabel = Array.from({ length: 10 }, () => []);
      map.set(d.writer, perLabel);
    }
    perLabel[d.label]?.push(d);
  }
  return map;
}

/**
 * Composes numbers of `minDigits..maxDigits` digits, each from a single writer's digits, laid out
 * left to right (see {@link ComposeOptions}). Deterministic for a given seed and input.
 */
export function composeNumbers(digits: readonly PenDigit[], options: ComposeOptions = {}): ComposedNumber[] {
  const {
    count = 1000,
    minDigits = 2,
    maxDigits = 5,
    seed = 1,
    height = 100,
    heightJitter = 0.08,
    baselineJitter = 0.06,
    gap = [0.1, 0.4],
    tightShare = 0.25,
    tightGap = [0.01, 0.06],
    leading = [1, 2, 3, 4, 5, 6, 7, 8, 9],
  } = options;
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] as T;
  const index = byWriterLabel(digits);
  const writers = [...index.keys()].sort((a, b) => a - b);
  if (writers.length === 0) throw new Error('composeNumbers: no digits given');

  const out: ComposedNumber[] = [];
  for (let n = 0; n < count; n++) {
    const writer = pick(writers);
    const perLabel = index.get(writer) as PenDigit[][];
    const available = perLabel.map((xs, label) => (xs.length > 0 ? label : -1)).filter((l) => l >= 0);
    const len = minDigits + rng.int(maxDigits - minDigits + 1);
    const strokes: Stroke[] = [];
    const groups: number[][] = [];
    const sources: number[] = [];
    let text = '';
    const placed = new RowProfile(height / 20);
    for (let k = 0; k < len; k++) {
      const allowed = k === 0 ? available.filter((l) => leading.includes(l)) : available;
      const label = pick(allowed.length > 0 ? allowed : available);
      const digit = pick(perLabel[label] as PenDigit[]);
      const [x0, y0, , y1] = bboxOf(digit.strokes);
      const h = height * rng.uniform(1 - heightJitter, 1 + heightJitter);
      const scale = h / Math.max(y1 - y0, 1e-9);
      const top = height - h + rng.uniform(-baselineJitter, baselineJitter) * height;
      const local = digit.strokes.map((s) =>
        s.map(([x, y]): Point => [(x - x0) * scale, top + (y - y0) * scale]),
      );
      let shift = 0;
      if (k > 0) {
        const g =
          rng.next() < tightShare ? rng.uniform(tightGap[0], tightGap[1]) : rng.uniform(gap[0], gap[1]);
        shift = placed.clearanceShift(local) + g * height;
      }
      const group: number[] = [];
      for (const s of local) {
        const moved = s.map(([x, y]): Point => [x + shift, y]);
        group.push(strokes.length);
        strokes.push(moved);
        placed.add(moved);
      }
      groups.push(group);
      sources.push(digit.i);
      text += String(label);
    }
    out.push({ text, writer, strokes, groups, sources });
  }
  return out;
}
