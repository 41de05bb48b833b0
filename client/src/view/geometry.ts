/** Small geometry helpers in board units. */
import type { Point } from '../board-state.ts';
import type { Box } from './viewport.ts';

/** Bounding box of points, or null for none. */
export function boundsOf(points: Iterable<Point>): Box | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return x0 === Infinity ? null : [x0, y0, x1, y1];
}

export function unionBox(a: Box | null, b: Box | null): Box | null {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** Squared distance from point p to segment ab. */
export function distToSegmentSq(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = dx * dx + dy * dy;
  let t = len === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len;
  t = Math.max(0, Math.min(1, t));
  const x = a[0] + t * dx - p[0];
  const y = a[1] + t * dy - p[1];
  return x * x + y * y;
}

/** Does the polyline pass within `radius` of point p? */
export function polylineNear(points: readonly Point[], p: Point, radius: number): boolean {
  const r2 = radius * radius;
  if (points.length === 1) {
    const q = points[0]!;
    return (q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2 <= r2;
  }
  for (let i = 1; i < points.length; i++) {
    if (distToSegmentSq(p, points[i - 1]!, points[i]!) <= r2) return true;
  }
  return false;
}

/** Flattens points for Konva.Line. */
export function flat(points: readonly Point[]): number[] {
  const out = new Array<number>(points.length * 2);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    out[2 * i] = p[0];
    out[2 * i + 1] = p[1];
  }
  return out;
}
