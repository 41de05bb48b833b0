/**
 * MNIST training digits as synthetic pen strokes: E. D. de Jong, "MNIST digits stroke sequence data"
 * (CC BY-SA 3.0; arXiv:1611.03068). One JSON object a line, line i = MNIST training image i, points in
 * pixel units (0..27), y down. Lines 55000..59999 are the validation images of models/best, so they are
 * held out of all training and tuning here ({@link MNIST_STROKES_HELDOUT}).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PenDigit } from './pen-data.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Default location (outside the repository). */
export const MNIST_STROKES_FILE = path.resolve(ROOT, '../shared/data/mnist-strokes-train.jsonl');
/** Lines that may be used for training and tuning: [0, 55000). */
export const MNIST_STROKES_TRAIN: readonly [number, number] = [0, 55000];
/** Lines held out for evaluation only: [55000, 60000). */
export const MNIST_STROKES_HELDOUT: readonly [number, number] = [55000, 60000];

/** True when the file is present. */
export function mnistStrokesAvailable(file = MNIST_STROKES_FILE): boolean {
  return existsSync(file);
}

/**
 * Reads lines [from, to) as pen digits. `writer` is a pseudo-writer, `1000 + floor(i / 100)`, so that
 * numbers composed by `composeNumbers` mix digits of one block of 100 (its digits are from many
 * people, unlike pendigits' writers; the block only keeps the composer's per-writer index small).
 */
export function readMnistStrokes(range: readonly [number, number], file = MNIST_STROKES_FILE): PenDigit[] {
  const out: PenDigit[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let n = range[0]; n < Math.min(range[1], lines.length); n++) {
    const line = lines[n];
    if (!line?.trim()) continue;
    const o = JSON.parse(line) as { i?: number; label: number; strokes: PenDigit['strokes'] };
    if (!Number.isInteger(o.label) || o.label < 0 || o.label > 9 || !Array.isArray(o.strokes)) {
      throw new Error(`${file}:${n + 1}: not a digit {label, strokes}`);
    }
    const i = o.i ?? n;
    out.push({ i, label: o.label, writer: 1000 + Math.floor(i / 100), strokes: o.strokes });
  }
  return out;
}

/** Parses a line range such as `55000-59999` (inclusive) into [from, to). */
export function parseLineRange(spec: string): [number, number] {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new Error(`bad line range "${spec}": use e.g. 55000-59999`);
  return [Number(m[1]), Number(m[2]) + 1];
}
