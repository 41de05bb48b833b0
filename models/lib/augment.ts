/**
 * Data augmentation for 28x28 MNIST-style images (Float32Array, values in [0, 1], row-major):
 * a random affine warp about the centre of mass (rotation, scale, aspect, shear, shift) and a
 * stroke-thickness change (grey-level dilation or erosion, blended by a random amount).
 */
import type { Rng } from './rng.ts';

export const SIDE = 28;
const N = SIDE * SIDE;

/** One affine warp. Angles in degrees; shift in pixels. */
export interface AffineParams {
  rotate: number;
  scale: number;
  /** Horizontal over vertical scale factor (1 = unchanged). */
  aspect: number;
  /** Horizontal shear (x += shear * y). */
  shear: number;
  dx: number;
  dy: number;
}

/** Ranges of the random augmentation; each is sampled uniformly. */
export interface AugmentOptions {
  /** Max rotation in degrees, either way. Default 15. */
  rotate?: number;
  /** Scale range. Default [0.85, 1.15]. */
  scale?: [number, number];
  /** Aspect (x/y scale) range. Default [0.85, 1.15]. */
  aspect?: [number, number];
  /** Max horizontal shear, either way. Default 0.2. */
  shear?: number;
  /** Max shift in pixels along each axis. Default 2. */
  shift?: number;
  /** Probability of a thickness change. Default 0.5. */
  thicknessProb?: number;
  /** Probability that an image is returned unchanged. Default 0.1. */
  identityProb?: number;
}

const DEFAULTS: Required<AugmentOptions> = {
  rotate: 15,
  scale: [0.85, 1.15],
  aspect: [0.85, 1.15],
  shear: 0.2,
  shift: 2,
  thicknessProb: 0.5,
  identityProb: 0.1,
};

/**
 * A milder warp for the last epochs of a fine-tune: close to the test images (rendered ink is already
 * centred and sized like MNIST), so the model fits them rather than far-off variants.
 */
export const LIGHT_AUGMENT: AugmentOptions = {
  rotate: 6,
  scale: [0.94, 1.06],
  aspect: [0.93, 1.07],
  shear: 0.08,
  shift: 1,
  thicknessProb: 0.25,
  identityProb: 0.35,
};

/** Total ink and centre of mass (x, y) of an image; centre (13.5, 13.5) when empty. */
export function centreOfMass(img: Float32Array): { mass: number; x: number; y: number } {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = img[y * SIDE + x]!;
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return m > 0 ? { mass: m, x: sx / m, y: sy / m } : { mass: 0, x: 13.5, y: 13.5 };
}

function pixel(img: Float32Array, x: number, y: number): number {
  return x < 0 || y < 0 || x >= SIDE || y >= SIDE ? 0 : img[y * SIDE + x]!;
}

function sample(img: Float32Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  if (x0 < -1 || y0 < -1 || x0 >= SIDE || y0 >= SIDE) return 0;
  const fx = x - x0;
  const fy = y - y0;
  const top = (1 - fx) * pixel(img, x0, y0) + fx * pixel(img, x0 + 1, y0);
  const bottom = (1 - fx) * pixel(img, x0, y0 + 1) + fx * pixel(img, x0 + 1, y0 + 1);
  return (1 - fy) * top + fy * bottom;
}

/**
 * Warps `img` about its centre of mass: output = shift + A * (input - com), A = rotate * shear *
 * diag(scale * sqrt(aspect), scale / sqrt(aspect)). Bilinear sampling; result clamped to [0, 1].
 */
export function affine(img: Float32Array, p: AffineParams, out = new Float32Array(N)): Float32Array {
  const c = centreOfMass(img);
  const t = (p.rotate * Math.PI) / 180;
  const sx = p.scale * Math.sqrt(p.aspect);
  const sy = p.scale / Math.sqrt(p.aspect);
  // A = R * H * S, with H = [[1, shear], [0, 1]].
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const a00 = cos * sx;
  const a01 = (cos * p.shear - sin) * sy;
  const a10 = sin * sx;
  const a11 = (sin * p.shear + cos) * sy;
  const det = a00 * a11 - a01 * a10;
  const i00 = a11 / det;
  const i01 = -a01 / det;
  const i10 = -a10 / det;
  const i11 = a00 / det;
  const ox = c.x + p.dx;
  const oy = c.y + p.dy;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const u = x - ox;
      const v = y - oy;
      const v2 = sample(img, c.x + i00 * u + i01 * v, c.y + i10 * u + i11 * v);
      out[y * SIDE + x] = v2 < 0 ? 0 : v2 > 1 ? 1 : v2;
    }
  }
  return out;
}

/**
 * Thickness change: `amount` > 0 blends towards a 3x3 (cross) grey dilation, < 0 towards an
 * erosion; |amount| <= 1.
 */
export function thickness(img: Float32Array, amount: number, out = new Float32Array(N)): Float32Array {
  const grow = amount > 0;
  const a = Math.min(1, Math.abs(amount));
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const i = y * SIDE + x;
      const l = x > 0 ? img[i - 1]! : 0;
      const r = x < SIDE - 1 ? img[i + 1]! : 0;
      const u = y > 0 ? img[i - SIDE]! : 0;
      const d = y < SIDE - 1 ? img[i + SIDE]! : 0;
      const m = grow ? Math.max(img[i]!, l, r, u, d) : Math.min(img[i]!, l, r, u, d);
      out[i] = (1 - a) * img[i]! + a * m;
    }
  }
  return out;
}

/** Draws random affine parameters from the option ranges. */
export function randomAffine(rng: Rng, opts: AugmentOptions = {}): AffineParams {
  const o = { ...DEFAULTS, ...opts };
  return {
    rotate: rng.uniform(-o.rotate, o.rotate),
    scale: rng.uniform(o.scale[0], o.scale[1]),
    aspect: rng.uniform(o.aspect[0], o.aspect[1]),
    shear: rng.uniform(-o.shear, o.shear),
    dx: rng.uniform(-o.shift, o.shift),
    dy: rng.uniform(-o.shift, o.shift),
  };
}

/** One random augmentation of `img` (never modified); deterministic for a given RNG state. */
export function augment(img: Float32Array, rng: Rng, opts: AugmentOptions = {}): Float32Array {
  const o = { ...DEFAULTS, ...opts };
  if (rng.next() < o.identityProb) return img.slice();
  let out = affine(img, randomAffine(rng, o));
  if (rng.next() < o.thicknessProb) {
    out = thickness(out, rng.next() < 0.5 ? rng.uniform(0.3, 1) : -rng.uniform(0.2, 0.7));
  }
  return out;
}

/** Augments every 784-value image of a batch into `out` (same length). */
export function augmentBatch(
  images: Float32Array,
  rng: Rng,
  opts: AugmentOptions = {},
  out = new Float32Array(images.length),
) {
  for (let k = 0; k + N <= images.length; k += N) out.set(augment(images.subarray(k, k + N), rng, opts), k);
  return out;
}
