/**
 * Turns drawn ink into an MNIST-style 28x28 image (pure TypeScript: runs in Node and in the browser).
 *
 * MNIST digits were fitted into a 20x20 box keeping their aspect ratio, anti-aliased, then placed in a
 * 28x28 field so that their centre of mass sits in the middle. We do the same with vector ink:
 * 1. drop non-finite points, smooth the sparse pen samples with a centripetal Catmull-Rom spline (not
 *    strokes of more than 64 samples, nor segments under half a pixel: they are dense already);
 * 2. scale uniformly so the longest side of the ink (stroke width included) is `box` pixels — a narrow
 *    "1" stays narrow;
 * 3. draw every segment as a capsule (round caps and joins) of diameter `penWidth`, anti-aliased by the
 *    distance from each pixel centre to the nearest segment;
 * 4. shift (sub-pixel) so the centre of mass lands on pixel (14, 14), MNIST's measured mean.
 */
import { cleanStroke } from './geometry.ts';
import type { Point, Stroke } from './types.ts';

/** Tuning knobs of {@link rasterise}; every field is optional. */
export interface RasteriseOptions {
  /** Side of the square output image in pixels. Default `28`. */
  size?: number;
  /** Longest side of the ink, stroke width included, in pixels. Default `20` (as MNIST). */
  box?: number;
  /** Pen diameter in output pixels. Default {@link MNIST_PEN_WIDTH}. */
  penWidth?: number;
  /** Width of the anti-aliased edge ramp in pixels. Default {@link MNIST_EDGE_SOFTNESS}. */
  softness?: number;
  /** Spline points inserted between consecutive pen samples (0 = straight segments). Default `3`. */
  smoothing?: number;
}

/** Pen diameter (output pixels) chosen so drawn digits carry as much ink as MNIST's (see docs/recognition.md). */
export const MNIST_PEN_WIDTH = 2.7;
/** Edge ramp width (pixels) that matches the share of grey pixels in MNIST. */
export const MNIST_EDGE_SOFTNESS = 1.2;
/** Strokes with more samples than this get no spline points. */
const DENSE_STROKE = 64;
/** Side of an MNIST image. */
export const IMAGE_SIZE = 28;

type Seg = [number, number, number, number];

/**
 * Rasterises strokes (any units, y down) into `size*size` floats in [0, 1], row-major, ink bright on dark.
 * Empty or entirely non-finite input gives an all-zero image; a single point gives a dot.
 */
export function rasterise(strokes: Stroke[], options: RasteriseOptions = {}): Float32Array {
  const size = options.size ?? IMAGE_SIZE;
  const box = options.box ?? 20;
  const pen = options.penWidth ?? MNIST_PEN_WIDTH;
  const soft = options.softness ?? MNIST_EDGE_SOFTNESS;
  const smoothing = options.smoothing ?? 3;
  const out = new Float32Array(size * size);

  const cleaned = strokes.map(cleanStroke);
  // Segments under half a pixel long (dense input) get no spline points: they would change nothing
  // visible and only cost time. The scale is estimated from the samples' box.
  let sx0 = Infinity,
    sy0 = Infinity,
    sx1 = -Infinity,
    sy1 = -Infinity;
  for (const c of cleaned)
    for (const [x, y] of c) {
      if (x < sx0) sx0 = x;
      if (x > sx1) sx1 = x;
      if (y < sy0) sy0 = y;
      if (y > sy1) sy1 = y;
    }
  const extent = Math.max(sx1 - sx0, sy1 - sy0);
  const minSegment = extent > 0 ? (0.5 * extent) / Math.max(box - pen - soft, 1) : 0;
  // Strokes of more than DENSE_STROKE samples are dense enough already (pen digits: at most 0.06 of a
  // pixel value changes without their spline points), and skipping them bounds the cost of scribbles.
  const paths = cleaned
    .map((s) => smooth(s, s.length > DENSE_STROKE ? 0 : smoothing, minSegment))
    .filter((s) => s.length > 0);
  if (paths.length === 0) return out;

  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const path of paths) {
    for (const [x, y] of path) {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const longest = Math.max(x1 - x0, y1 - y0);
  // The anti-aliased ink reaches pen/2 + soft/2 beyond the skeleton on each side.
  const scale = longest > 0 ? Math.max(box - pen - soft, 1) / longest : 0;
  const mid = (size - 1) / 2;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const segs: Seg[] = [];
  for (const path of paths) {
    const mapped = path.map(([x, y]): Point => [(x - cx) * scale + mid, (y - cy) * scale + mid]);
    if (mapped.length === 1) {
      const [p] = mapped as [Point];
      segs.push([p[0], p[1], p[0], p[1]]);
    }
    for (let i = 1; i < mapped.length; i++) {
      const a = mapped[i - 1] as Point;
      const b = mapped[i] as Point;
      segs.push([a[0], a[1], b[0], b[1]]);
    }
  }

  draw(out, size, segs, pen / 2, soft, 0, 0);
  const [mx, my] = centreOfMass(out, size);
  const target = size / 2;
  const dx = target - mx;
  const dy = target - my;
  if (Math.abs(dx) > 1e-3 || Math.abs(dy) > 1e-3) {
    out.fill(0);
    draw(out, size, segs, pen / 2, soft, dx, dy);
  }
  return out;
}

/** Centre of mass of an image in pixel-index coordinates; the image centre when it is blank. */
export function centreOfMass(img: Float32Array, size = IMAGE_SIZE): [number, number] {
  let s = 0,
    sx = 0,
    sy = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = img[y * size + x] as number;
      s += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return s > 0 ? [sx / s, sy / s] : [size / 2, size / 2];
}

/**
 * Centripetal Catmull-Rom through the samples (no overshoot loops at sharp corners); segments shorter
 * than `minSegment` (input units) are kept straight.
 */
function smooth(pts: Point[], steps: number, minSegment = 0): Point[] {
  if (steps <= 0 || pts.length < 3) return pts;
  const out: Point[] = [pts[0] as Point];
  for (let i = 0; i + 1 < pts.length; i++) {
    const p1 = pts[i] as Point;
    const p2 = pts[i + 1] as Point;
    if (Math.abs(p2[0] - p1[0]) + Math.abs(p2[1] - p1[1]) < minSegment) {
      out.push(p2);
      continue;
    }
    const p0 = pts[i - 1] ?? reflect(p2, p1);
    const p3 = pts[i + 2] ?? reflect(p1, p2);
    const t1 = knot(p0, p1);
    const t2 = t1 + knot(p1, p2);
    const t3 = t2 + knot(p2, p3);
    for (let k = 1; k <= steps; k++) {
      const t = t1 + ((t2 - t1) * k) / (steps + 1);
      out.push(catmull(p0, p1, p2, p3, 0, t1, t2, t3, t));
    }
    out.push(p2);
  }
  return out;
}

function reflect(a: Point, about: Point): Point {
  return [2 * about[0] - a[0], 2 * about[1] - a[1]];
}

function knot(a: Point, b: Point): number {
  return Math.max(Math.sqrt(Math.hypot(b[0] - a[0], b[1] - a[1])), 1e-6);
}

function lerp(a: Point, b: Point, ta: number, tb: number, t: number): Point {
  const u = (tb - t) / (tb - ta);
  const v = (t - ta) / (tb - ta);
  return [u * a[0] + v * b[0], u * a[1] + v * b[1]];
}

function catmull(
  p0: Point,
  p1: Point,
  p2: Point,
  p3: Point,
  t0: number,
  t1: number,
  t2: number,
  t3: number,
  t: number,
): Point {
  const a1 = lerp(p0, p1, t0, t1, t);
  const a2 = lerp(p1, p2, t1, t2, t);
  const a3 = lerp(p2, p3, t2, t3, t);
  const b1 = lerp(a1, a2, t0, t2, t);
  const b2 = lerp(a2, a3, t1, t3, t);
  return lerp(b1, b2, t1, t2, t);
}

/**
 * Max-composites anti-aliased capsules into `out`, each shifted by (dx, dy). Each row visits only the
 * columns the capsule can reach on that row (not its whole box), so a long diagonal segment costs its
 * length times the pen width, not its box's area.
 */
function draw(
  out: Float32Array,
  size: number,
  segs: Seg[],
  radius: number,
  soft: number,
  dx: number,
  dy: number,
): void {
  const reach = radius + soft / 2;
  for (const [ax0, ay0, bx0, by0] of segs) {
    const ax = ax0 + dx,
      ay = ay0 + dy,
      bx = bx0 + dx,
      by = by0 + dy;
    const ex = bx - ax,
      ey = by - ay;
    const len2 = ex * ex + ey * ey;
    const xa = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
    const xb = Math.min(size - 1, Math.ceil(Math.max(ax, bx) + reach));
    const ya = Math.max(0, Math.floor(Math.min(ay, by) - reach));
    const yb = Math.min(size - 1, Math.ceil(Math.max(ay, by) + reach));
    for (let y = ya; y <= yb; y++) {
      // The nearest point of the segment to any pixel of this row within reach has |y' - y| <= reach:
      // its parameter lies in [t0, t1], so the pixel's x lies within reach of x(t0)..x(t1).
      let rx0 = xa;
      let rx1 = xb;
      if (Math.abs(ey) > 1e-9) {
        let t0 = (y - reach - ay) / ey;
        let t1 = (y + reach - ay) / ey;
        if (t0 > t1) [t0, t1] = [t1, t0];
        t0 = t0 < 0 ? 0 : t0 > 1 ? 1 : t0;
        t1 = t1 < 0 ? 0 : t1 > 1 ? 1 : t1;
        const xt0 = ax + t0 * ex;
        const xt1 = ax + t1 * ex;
        rx0 = Math.max(xa, Math.floor(Math.min(xt0, xt1) - reach));
        rx1 = Math.min(xb, Math.ceil(Math.max(xt0, xt1) + reach));
      }
      for (let x = rx0; x <= rx1; x++) {
        const px = x - ax,
          py = y - ay;
        let t = len2 > 0 ? (px * ex + py * ey) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const qx = px - t * ex,
          qy = py - t * ey;
        const d = Math.sqrt(qx * qx + qy * qy);
        let v = (radius - d) / soft + 0.5;
        if (v <= 0) continue;
        if (v > 1) v = 1;
        const i = y * size + x;
        if (v > (out[i] as number)) out[i] = v;
      }
    }
  }
}
