/**
 * Bounded cost: every stroke is reduced to at most `maxPoints` points before any geometry or
 * rasterisation, so the work per region depends on the number of strokes, not on how densely a pen
 * sampled them (a 4,000-point stroke costs what a 96-point one does). Sparse strokes (pen data: about
 * 40 points a digit) pass through unchanged; dense ones are resampled at equal arc-length steps of at
 * least 1/48 of the stroke's own box diagonal (0.4 px once a digit is drawn 20 px tall), which keeps
 * the shape to well under a pixel. Pure TypeScript, browser-safe.
 */
import { cleanStroke } from './geometry.ts';
import type { Point, Stroke } from './types.ts';

/** Options of {@link simplifyStroke}. */
export interface SimplifyOptions {
  /** Most points a stroke keeps. Default `96`. */
  maxPoints?: number;
  /** Smallest resampling step as a share of the stroke's box diagonal. Default `1 / 48`. */
  minStep?: number;
}

/**
 * The stroke with at most `maxPoints` points: unchanged (bar non-finite and repeated points) when it
 * already is that short, else resampled at equal arc-length steps, first and last points kept. O(n).
 */
export function simplifyStroke(stroke: Stroke, options: SimplifyOptions = {}): Point[] {
  const maxPoints = Math.max(2, options.maxPoints ?? 96);
  if (stroke.length <= maxPoints) return cleanStroke(stroke);
  // One pass over the raw points (no copies): how many are usable, their box and the path length.
  let n = 0;
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  let length = 0;
  let px = NaN,
    py = NaN;
  let first: Point | undefined;
  let last: Point | undefined;
  for (const p of stroke) {
    if (!Array.isArray(p)) continue;
    const x = p[0];
    const y = p[1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x === px && y === py) continue;
    n++;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (first === undefined) first = [x, y];
    else length += Math.sqrt((x - px) * (x - px) + (y - py) * (y - py));
    last = p;
    px = x;
    py = y;
  }
  if (n <= maxPoints) return cleanStroke(stroke);
  const start = first as Point;
  const end: Point = [(last as Point)[0], (last as Point)[1]];
  const diagonal = Math.sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
  const step = Math.max(diagonal * (options.minStep ?? 1 / 48), length / (maxPoints - 1));
  if (!(step > 0) || !Number.isFinite(step)) return [start, end];
  const out: Point[] = [start];
  let next = step;
  let travelled = 0;
  px = start[0];
  py = start[1];
  for (const p of stroke) {
    if (out.length >= maxPoints - 1) break;
    if (!Array.isArray(p)) continue;
    const x = p[0];
    const y = p[1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const seg = Math.sqrt((x - px) * (x - px) + (y - py) * (y - py));
    while (seg > 0 && travelled + seg >= next && out.length < maxPoints - 1) {
      const t = (next - travelled) / seg;
      out.push([px + t * (x - px), py + t * (y - py)]);
      next += step;
    }
    travelled += seg;
    px = x;
    py = y;
  }
  out.push(end);
  return out;
}

/** {@link simplifyStroke} on every stroke of a region (same order; a stroke may become empty). */
export function simplifyStrokes(strokes: Stroke[], options: SimplifyOptions = {}): Point[][] {
  return strokes.map((s) => (Array.isArray(s) ? simplifyStroke(s, options) : []));
}
