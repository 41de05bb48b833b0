import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { centreOfMass, rasterise } from '../../shared/ink/rasterise.ts';
import type { Stroke } from '../../shared/ink/types.ts';

const PEN_FILE = '/work/shared/data/pendigits-tra.jsonl';

/** Extent of pixels brighter than `min`: [x0, y0, x1, y1] in pixel indices. */
function extent(img: Float32Array, min = 0.05): [number, number, number, number] {
  let x0 = 28,
    y0 = 28,
    x1 = -1,
    y1 = -1;
  img.forEach((v, i) => {
    if (v <= min) return;
    const x = i % 28;
    const y = Math.floor(i / 28);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  });
  return [x0, y0, x1, y1];
}

const sum = (img: Float32Array): number => img.reduce((a, b) => a + b, 0);

describe('rasterise', () => {
  it('returns 784 zeros for empty, stroke-less and non-finite input', () => {
    for (const input of [[], [[]], [[[NaN, 1] as [number, number], [Infinity, 2] as [number, number]]]]) {
      const img = rasterise(input as Stroke[]);
      expect(img).toHaveLength(784);
      expect(sum(img)).toBe(0);
    }
  });

  it('draws a single point as a small centred dot', () => {
    const img = rasterise([[[123, 456]]]);
    const [cx, cy] = centreOfMass(img);
    expect(cx).toBeCloseTo(14, 1);
    expect(cy).toBeCloseTo(14, 1);
    const [x0, y0, x1, y1] = extent(img);
    expect(x1 - x0).toBeLessThanOrEqual(4);
    expect(y1 - y0).toBeLessThanOrEqual(4);
    expect(sum(img)).toBeGreaterThan(2);
  });

  it('keeps a narrow "1" narrow: 20 px tall, a few px wide', () => {
    const img = rasterise([
      [
        [100, 0],
        [101, 300],
      ],
    ]);
    const [x0, y0, x1, y1] = extent(img);
    expect(y1 - y0 + 1).toBeGreaterThanOrEqual(19);
    expect(y1 - y0 + 1).toBeLessThanOrEqual(21);
    expect(x1 - x0 + 1).toBeLessThanOrEqual(5);
  });

  it('fits a wide stroke to 20 px wide', () => {
    const img = rasterise([
      [
        [0, 5],
        [50, 6],
      ],
    ]);
    const [x0, , x1] = extent(img);
    expect(x1 - x0 + 1).toBeGreaterThanOrEqual(19);
    expect(x1 - x0 + 1).toBeLessThanOrEqual(21);
  });

  it('is invariant to units and position', () => {
    const s: Stroke[] = [
      [
        [1, 1],
        [3, 1],
        [1, 4],
      ],
      [
        [1.5, 2.5],
        [2.5, 2.5],
      ],
    ];
    const big = s.map((st) => st.map(([x, y]): [number, number] => [x * 1000 + 7e5, y * 1000 - 3e4]));
    const a = rasterise(s);
    const b = rasterise(big);
    for (let i = 0; i < 784; i++) expect(b[i]).toBeCloseTo(a[i] as number, 4);
  });

  it('keeps y downward: a 7 has its bar in the top rows', () => {
    const img = rasterise([
      [
        [0, 0],
        [10, 0],
        [4, 15],
      ],
    ]);
    const [, y0] = extent(img);
    const bright = (row: number): number => img.slice(row * 28, row * 28 + 28).filter((v) => v > 0.5).length;
    // the bar's centre row lies within 2 px of the top edge and is bright across most of the width
    expect(Math.max(bright(y0), bright(y0 + 1), bright(y0 + 2))).toBeGreaterThanOrEqual(10);
    const [, , , y1] = extent(img);
    expect(Math.max(bright(y1), bright(y1 - 1), bright(y1 - 2))).toBeLessThanOrEqual(5);
  });

  it('draws round caps: ink reaches past the end points by about half the pen width', () => {
    const img = rasterise([
      [
        [0, 0],
        [0, 10],
      ],
    ]);
    // skeleton is 20 - pen - softness long; the ink covers about 20 px
    const [, y0, , y1] = extent(img, 0.01);
    expect(y1 - y0 + 1).toBeGreaterThan(18);
  });

  it('turns real pen digits into MNIST-like images: values in [0,1], mass centred, MNIST-like ink', () => {
    const lines = fs.readFileSync(PEN_FILE, 'utf8').split('\n').slice(0, 300).filter(Boolean);
    let ink = 0;
    for (const line of lines) {
      const { strokes } = JSON.parse(line) as { strokes: Stroke[] };
      const img = rasterise(strokes);
      expect(Math.min(...img)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...img)).toBeLessThanOrEqual(1);
      const [cx, cy] = centreOfMass(img);
      expect(Math.abs(cx - 14)).toBeLessThan(0.1);
      expect(Math.abs(cy - 14)).toBeLessThan(0.1);
      const [x0, y0, x1, y1] = extent(img, 0);
      expect(Math.max(x1 - x0, y1 - y0) + 1).toBeLessThanOrEqual(21);
      ink += sum(img);
    }
    // MNIST's training images hold 102.4 units of ink on average (measured from the idx files).
    expect(ink / lines.length).toBeGreaterThan(85);
    expect(ink / lines.length).toBeLessThan(120);
  });
});
