/** Bounding-box helpers for ink regions. */
import { bboxOf } from '../../shared/ink/geometry.ts';
import type { BBox, Point } from '../../shared/ink/types.ts';

/** The bounding box of some points (a single point gives a zero-size box; none gives an empty box). */
export function bboxOfPoints(points: readonly Point[]): BBox {
  return bboxOf(points) ?? [Infinity, Infinity, -Infinity, -Infinity];
}

/** The smallest box holding all the given boxes. */
export function unionBBox(boxes: readonly BBox[]): BBox {
  let out: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of boxes)
    out = [Math.min(out[0], b[0]), Math.min(out[1], b[1]), Math.max(out[2], b[2]), Math.max(out[3], b[3])];
  return out;
}

/** Gap between two boxes along x and y (0 when they overlap on that axis). */
export function bboxGap(a: BBox, b: BBox): { dx: number; dy: number } {
  return {
    dx: Math.max(0, Math.max(a[0], b[0]) - Math.min(a[2], b[2])),
    dy: Math.max(0, Math.max(a[1], b[1]) - Math.min(a[3], b[3])),
  };
}

export const bboxHeight = (b: BBox): number => b[3] - b[1];
