/** Small geometry helpers on pen ink (pure TypeScript, browser-safe). */
import type { BBox, Point, Stroke } from './types.ts';

/** Drops points with a non-finite coordinate. */
export function finitePoints(stroke: Stroke): Point[] {
  return stroke.filter((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]));
}

/** Finite points with consecutive repeats removed (what rasterising and simplifying both start from). */
export function cleanStroke(stroke: Stroke): Point[] {
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

/** Bounding box of points; `undefined` when there are none. */
export function bboxOf(points: Iterable<Point>): BBox | undefined {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x0 <= x1 ? [x0, y0, x1, y1] : undefined;
}

/** Union of boxes. */
export function unionBBox(a: BBox, b: BBox): BBox {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** Distance from p to the segment a-b. */
export function pointSegmentDistance(p: Point, a: Point, b: Point): number {
  const ex = b[0] - a[0];
  const ey = b[1] - a[1];
  const len2 = ex * ex + ey * ey;
  let t = len2 > 0 ? ((p[0] - a[0]) * ex + (p[1] - a[1]) * ey) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return Math.hypot(p[0] - a[0] - t * ex, p[1] - a[1] - t * ey);
}

function cross(o: Point, p: Point, q: Point): number {
  return (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]);
}

function segmentsIntersect(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/** Smallest distance between two polylines (0 when they cross). A one-point polyline is a dot. */
export function polylineDistance(s: readonly Point[], t: readonly Point[]): number {
  let best = Infinity;
  const ns = Math.max(1, s.length - 1);
  const nt = Math.max(1, t.length - 1);
  for (let i = 0; i < ns; i++) {
    const a = s[i] as Point;
    const b = (s[i + 1] ?? a) as Point;
    const ax0 = Math.min(a[0], b[0]);
    const ax1 = Math.max(a[0], b[0]);
    const ay0 = Math.min(a[1], b[1]);
    const ay1 = Math.max(a[1], b[1]);
    for (let j = 0; j < nt; j++) {
      const c = t[j] as Point;
      const d = (t[j + 1] ?? c) as Point;
      // Boxes farther apart than the best distance so far cannot improve it.
      const gx = Math.max(Math.min(c[0], d[0]) - ax1, ax0 - Math.max(c[0], d[0]), 0);
      const gy = Math.max(Math.min(c[1], d[1]) - ay1, ay0 - Math.max(c[1], d[1]), 0);
      if (gx * gx + gy * gy >= best * best) continue;
      if (segmentsIntersect(a, b, c, d)) return 0;
      best = Math.min(
        best,
        pointSegmentDistance(a, c, d),
        pointSegmentDistance(b, c, d),
        pointSegmentDistance(c, a, b),
        pointSegmentDistance(d, a, b),
      );
    }
  }
  return best;
}

/** Where two polylines come closest: the distance and, on each, the position as a share of its points (0 = first, 1 = last). */
export interface Approach {
  distance: number;
  /** Position on the first polyline, in [0, 1]. */
  at: number;
  /** Position on the second polyline, in [0, 1]. */
  otherAt: number;
}

/** Closest approach of two polylines, measured between their points and segments. */
export function closestApproach(s: readonly Point[], t: readonly Point[]): Approach {
  const best: Approach = { distance: Infinity, at: 0, otherAt: 0 };
  scanApproach(s, t, false, best);
  scanApproach(t, s, true, best);
  return best;
}

const share = (i: number, n: number): number => (n > 1 ? i / (n - 1) : 0);

function scanApproach(u: readonly Point[], v: readonly Point[], flip: boolean, best: Approach): void {
  for (let i = 0; i < u.length; i++) {
    const p = u[i] as Point;
    for (let j = 0; j < v.length; j++) {
      const d = pointSegmentDistance(p, v[Math.max(0, j - 1)] as Point, v[j] as Point);
      if (d < best.distance) {
        best.distance = d;
        const pu = share(i, u.length);
        const pv = share(Math.max(0, j - 0.5), v.length);
        best.at = flip ? pv : pu;
        best.otherAt = flip ? pu : pv;
      }
    }
  }
}

/** Median of a non-empty list (0 for an empty one). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * True when two polylines come within `limit` of each other. Stops at the first pair of segments that
 * does, and skips segments whose boxes are farther apart than `limit`: cheaper than
 * {@link polylineDistance} when only the threshold matters.
 */
export function nearerThan(s: readonly Point[], t: readonly Point[], limit: number): boolean {
  const ns = Math.max(1, s.length - 1);
  const nt = Math.max(1, t.length - 1);
  for (let i = 0; i < ns; i++) {
    const a = s[i] as Point;
    const b = (s[i + 1] ?? a) as Point;
    const ax0 = Math.min(a[0], b[0]) - limit;
    const ax1 = Math.max(a[0], b[0]) + limit;
    const ay0 = Math.min(a[1], b[1]) - limit;
    const ay1 = Math.max(a[1], b[1]) + limit;
    for (let j = 0; j < nt; j++) {
      const c = t[j] as Point;
      const d = (t[j + 1] ?? c) as Point;
      if (Math.max(c[0], d[0]) < ax0 || Math.min(c[0], d[0]) > ax1) continue;
      if (Math.max(c[1], d[1]) < ay0 || Math.min(c[1], d[1]) > ay1) continue;
      if (segmentsIntersect(a, b, c, d)) return true;
      if (
        Math.min(
          pointSegmentDistance(a, c, d),
          pointSegmentDistance(b, c, d),
          pointSegmentDistance(c, a, b),
          pointSegmentDistance(d, a, b),
        ) <= limit
      )
        return true;
    }
  }
  return false;
}
