import { describe, expect, it } from 'vitest';
import {
  affine,
  augment,
  augmentBatch,
  centreOfMass,
  thickness,
  type AffineParams,
} from '../../models/lib/augment.ts';
import { Rng } from '../../models/lib/rng.ts';

const ID: AffineParams = { rotate: 0, scale: 1, aspect: 1, shear: 0, dx: 0, dy: 0 };

/** A blob image: a filled rectangle with soft edges, inside the 28x28 field. */
function rect(x0: number, y0: number, x1: number, y1: number): Float32Array {
  const img = new Float32Array(784);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) img[y * 28 + x] = 1;
  return img;
}

/** Spread (second moment) of the ink along x and y around its centre of mass. */
function spread(img: Float32Array): { sx: number; sy: number } {
  const c = centreOfMass(img);
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      sx += img[y * 28 + x]! * (x - c.x) ** 2;
      sy += img[y * 28 + x]! * (y - c.y) ** 2;
    }
  }
  return { sx: sx / c.mass, sy: sy / c.mass };
}

describe('Rng', () => {
  it('is deterministic for a seed and resumable from its state', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const seq = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seq);
    const c = new Rng(0);
    c.state = new Rng(7).state;
    expect(c.next()).toBe(seq[0]);
    expect(new Rng(8).next()).not.toBe(seq[0]);
    for (const v of seq) expect(v >= 0 && v < 1).toBe(true);
  });
});

describe('augment', () => {
  it('leaves the image unchanged with identity parameters', () => {
    const img = rect(10, 8, 16, 20);
    const out = affine(img, ID);
    for (let i = 0; i < 784; i++) expect(out[i]).toBeCloseTo(img[i]!, 5);
  });

  it('moves the centre of mass by the shift', () => {
    const img = rect(10, 8, 16, 20);
    const before = centreOfMass(img);
    const after = centreOfMass(affine(img, { ...ID, dx: 3, dy: -2 }));
    expect(after.x - before.x).toBeCloseTo(3, 1);
    expect(after.y - before.y).toBeCloseTo(-2, 1);
    expect(after.mass).toBeCloseTo(before.mass, 0);
  });

  it('rotates about the centre of mass: 90 degrees turns a horizontal bar vertical', () => {
    const bar = rect(6, 13, 21, 15);
    const s0 = spread(bar);
    expect(s0.sx).toBeGreaterThan(5 * s0.sy);
    const rotated = affine(bar, { ...ID, rotate: 90 });
    const s1 = spread(rotated);
    expect(s1.sy).toBeGreaterThan(5 * s1.sx);
    const c0 = centreOfMass(bar);
    const c1 = centreOfMass(rotated);
    expect(Math.hypot(c1.x - c0.x, c1.y - c0.y)).toBeLessThan(0.6);
  });

  it('scales the ink area by about scale squared', () => {
    const img = rect(10, 9, 17, 18);
    const m = centreOfMass(img).mass;
    expect(centreOfMass(affine(img, { ...ID, scale: 1.2 })).mass / m).toBeCloseTo(1.44, 1);
    expect(centreOfMass(affine(img, { ...ID, scale: 0.8 })).mass / m).toBeCloseTo(0.64, 1);
    const wide = spread(affine(img, { ...ID, aspect: 1.3 }));
    const base = spread(img);
    expect(wide.sx / base.sx).toBeGreaterThan(1.2);
    expect(wide.sy / base.sy).toBeLessThan(0.85);
  });

  it('thickens and thins strokes', () => {
    const img = rect(12, 6, 14, 21);
    const m = centreOfMass(img).mass;
    expect(centreOfMass(thickness(img, 1)).mass).toBeGreaterThan(1.4 * m);
    expect(centreOfMass(thickness(img, -1)).mass).toBeLessThan(0.6 * m);
    expect(centreOfMass(thickness(img, 0)).mass).toBeCloseTo(m, 5);
  });

  it('is deterministic with a seed, varies between seeds, and stays in [0, 1]', () => {
    const img = new Float32Array(784);
    const r = new Rng(3);
    for (let y = 6; y < 22; y++) for (let x = 8; x < 20; x++) img[y * 28 + x] = r.next();
    const a = augment(img, new Rng(42), { identityProb: 0 });
    const b = augment(img, new Rng(42), { identityProb: 0 });
    const c = augment(img, new Rng(43), { identityProb: 0 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const batch = augmentBatch(
      new Float32Array(784 * 20).map((_, i) => img[i % 784]! * 1.0),
      new Rng(5),
    );
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of batch) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.5);
    expect(Math.abs(centreOfMass(a).mass - centreOfMass(img).mass) / centreOfMass(img).mass).toBeLessThan(
      0.8,
    );
  });

  it('never modifies its input', () => {
    const img = rect(10, 8, 16, 20);
    const copy = img.slice();
    augment(img, new Rng(1), { identityProb: 0, thicknessProb: 1 });
    expect(Array.from(img)).toEqual(Array.from(copy));
  });
});
