/**
 * Bounded cost: every stroke is reduced to at most `maxPoints` points before any geometry or
 * rasterisation, so the work per region depends on the number of strokes, not on how densely a pen
 * sampled them (a 4,000-point stroke costs what a 96-point one does). Sparse strokes (pen data: about
 * 40 points a digit) pass through unchanged; dense ones are resampled at equal arc-length steps of at
 * least 1/48 of the stroke's own box diagonal (0.4 px once a digit is drawn 20 px tall), which keeps
 * the shape to well under a pixel. Pure TypeScript, browser-safe.
 */
import type { Point, Stroke } from './types.ts';

/** Options of {@link simplifyStroke}. */
export interface SimplifyOptions {
  /** Most points a stroke keeps. Default `96`. */
  maxPoints?: number;
  /** Smallest resampling step as a share of the stroke's box diagonal. Default `1 / 48`. */
  minStep?: number;
}

/** Finite points with consecutive repeats removed. */
function cleanPoints(stroke: Stroke): Point[] {
  const out: Point[] = [];
  for (const p of stroke) {
    if (!Array.isArray(p)) continue;
    const x = p[0];
    const y = p[1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const last = out[out.length - 1];
    if (last && last[0] === x && last[1] === y) continue;
    out.push([x, y]);
  }
  return out;
}

/**
 * The stroke with at most `maxPoints` points: unchanged (bar non-finite and repeated points) when it
 * already is that short, else resampled at equal arc-length steps, first and last points kept. O(n).
 */
export function simplifyStroke(stroke: Stroke, options: SimplifyOptions = {}): Point[] {
  const maxPoints = Math.max(2, options.maxPoints ?? 96);
  const pts = cleanPoints(stroke);
  if (pts.length <= maxPoints) return pts;
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  let length = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x, y] = pts[i] as Point;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (i > 0) {
      const [px, py] = pts[i - 1] as Point;
      length += Math.sqrt((x - px) * (x - px) + (y - py) * (y - py));
    }
  }
  const diagonal = Math.sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
  const step = Math.max(diagonal * (options.minStep ?? 1 / 48), length / (maxPoints - 1));
  if (!(step > 0) || !Number.isFinite(step)) return [pts[0] as Point, pts[pts.length - 1] as Point];
  const out: Point[] = [pts[0] as Point];
  let next = step;
  let travelled = 0;
  for (let i = 1; i < pts.length && out.length < maxPoints - 1; i++) {
    const a = pts[i - 1] as Point;
    const b = pts[i] as Point;
    const seg = Math.sqrt((b[0] - a[0]) * (b[0] - a[0]) + (b[1] - a[1]) * (b[1] - a[1]));
    while (seg > 0 && travelled + seg >= next && out.length < maxPoints - 1) {
      const t = (next - travelled) / seg;
      out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
      next += step;
    }
    travelled += seg;
  }
  out.push(pts[pts.length - 1] as Point);
  return out;
}

/** {@link simplifyStroke} on every stroke of a region (same order; a stroke may become empty). */
export function simplifyStrokes(strokes: Stroke[], options: SimplifyOptions = {}): Point[][] {
  return strokes.map((s) => (Array.isArray(s) ? simplifyStroke(s, options) : []));
}
