/** Small geometry helpers of the view, in board units (bounding boxes and distances come from shared/ink). */
import { pointSegmentDistance, unionBBox } from '../../../shared/ink/geometry.ts';
import type { Point } from '../board-state.ts';
import type { Box } from './viewport.ts';

/** Union of two optional boxes (null or undefined: none). */
export function unionBox(a: Box | null | undefined, b: Box | null | undefined): Box | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return unionBBox(a, b);
}

/** Does the polyline pass within `radius` of point p? */
export function polylineNear(points: readonly Point[], p: Point, radius: number): boolean {
  if (points.length === 1) return pointSegmentDistance(p, points[0]!, points[0]!) <= radius;
  for (let i = 1; i < points.length; i++) {
    if (pointSegmentDistance(p, points[i - 1]!, points[i]!) <= radius) return true;
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
