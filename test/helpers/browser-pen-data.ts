/**
 * Real pen-written digits for browser tests, from ../shared/data/pendigits-tra.jsonl (UCI "Pen-Based
 * Recognition of Handwritten Digits", CC BY 4.0), mapped from tablet units (0..500, y down) onto the page.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PenDigit {
  i: number;
  label: number;
  writer: number;
  strokes: [number, number][][];
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PENDIGITS_PATH =
  process.env.PENDIGITS_PATH ?? path.resolve(HERE, '../../../shared/data/pendigits-tra.jsonl');

/** The digit with index `i` in the data set. */
export function penDigit(i: number): PenDigit {
  const lines = readFileSync(PENDIGITS_PATH, 'utf8').split('\n');
  for (const line of lines) {
    if (!line.trim()) continue;
    const d = JSON.parse(line) as PenDigit;
    if (d.i === i) return d;
  }
  throw new Error(`no digit with i=${i} in ${PENDIGITS_PATH}`);
}

/** Scales a digit so its longest side spans `size` page pixels, with its box's top-left at (x, y). */
export function placeDigit(d: PenDigit, x: number, y: number, size: number): [number, number][][] {
  const all = d.strokes.flat();
  const x0 = Math.min(...all.map((p) => p[0]));
  const y0 = Math.min(...all.map((p) => p[1]));
  const w = Math.max(...all.map((p) => p[0])) - x0;
  const h = Math.max(...all.map((p) => p[1])) - y0;
  const k = size / Math.max(w, h, 1);
  return d.strokes.map((s) =>
    s.map(([px, py]) => [x + (px - x0) * k, y + (py - y0) * k] as [number, number]),
  );
}
