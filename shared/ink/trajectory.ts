/**
 * Pen-path features for an online (trajectory) model: the strokes in drawing order, centred, scaled so the
 * longer side of their box is 1 (aspect kept), and resampled to `TRAJECTORY_POINTS` points spread over
 * the strokes in proportion to their length (at least one each). Per point: x, y, the unit direction of
 * the segment it lies on, and two flags: first point of a stroke (pen down) and last point (pen up).
 */
import { bboxOf } from '../../shared/ink/geometry.ts';
import type { Point, Stroke } from '../../shared/ink/types.ts';

export const TRAJECTORY_POINTS = 64;
export const TRAJECTORY_FEATURES = 6;

const dist = (a: Point, b: Point) => Math.hypot(b[0] - a[0], b[1] - a[1]);

/** The feature matrix (points x features, row-major); zero rows pad short inputs. */
export function trajectoryFeatures(strokes: readonly Stroke[]): Float32Array {
  const out = new Float32Array(TRAJECTORY_POINTS * TRAJECTORY_FEATURES);
  const inked = strokes.filter((s) => s.length > 0);
  if (inked.length === 0) return out;
  const [x0, y0, x1, y1] = bboxOf(inked.flat()) as [number, number, number, number];
  const scale = Math.max(x1 - x0, y1 - y0, 1e-9);
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const norm = inked.map((s) => s.map(([x, y]): Point => [(x - cx) / scale, (y - cy) / scale]));
  const lengths = norm.map((s) => s.slice(1).reduce((L, p, i) => L + dist(s[i] as Point, p), 0));
  const total = lengths.reduce((a, b) => a + b, 0) + 1e-9;
  const counts = lengths.map((L) => Math.max(1, Math.round((L / total) * TRAJECTORY_POINTS)));
  while (counts.reduce((a, b) => a + b, 0) > TRAJECTORY_POINTS)
    counts[counts.indexOf(Math.max(...counts))]! -= 1;
  let k = 0;
  norm.forEach((s, si) => {
    const n = counts[si] as number;
    const L = lengths[si] as number;
    let seg = 0;
    let along = 0;
    for (let j = 0; j < n && k < TRAJECTORY_POINTS; j++, k++) {
      const t = n === 1 ? 0 : (L * j) / (n - 1);
      while (seg < s.length - 2 && along + dist(s[seg] as Point, s[seg + 1] as Point) < t) {
        along += dist(s[seg] as Point, s[seg + 1] as Point);
        seg++;
      }
      const a = s[seg] as Point;
      const b = s[Math.min(seg + 1, s.length - 1)] as Point;
      const l = dist(a, b);
      const f = l > 0 ? Math.min(1, (t - along) / l) : 0;
      const row = k * TRAJECTORY_FEATURES;
      out[row] = a[0] + f * (b[0] - a[0]);
      out[row + 1] = a[1] + f * (b[1] - a[1]);
      out[row + 2] = l > 0 ? (b[0] - a[0]) / l : 0;
      out[row + 3] = l > 0 ? (b[1] - a[1]) / l : 0;
      out[row + 4] = j === 0 ? 1 : 0;
      out[row + 5] = j === n - 1 ? 1 : 0;
    }
  });
  return out;
}
