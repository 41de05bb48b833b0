import { describe, expect, it } from 'vitest';
import { readPenDigits } from '../../models/lib/pen-data.ts';
import { Rng } from '../../models/lib/rng.ts';
import { pointSegmentDistance } from '../../shared/ink/geometry.ts';
import { simplifyStroke, simplifyStrokes } from '../../shared/ink/simplify.ts';
import type { Point, Stroke } from '../../shared/ink/types.ts';
import { denseStroke } from '../bench/lib/worst-case.ts';

/** Largest distance from a point of `a` to the polyline `b`. */
function deviation(a: Point[], b: Point[]): number {
  let worst = 0;
  for (const p of a) {
    let best = Infinity;
    for (let i = 0; i + 1 < b.length; i++) best = Math.min(best, pointSegmentDistance(p, b[i]!, b[i + 1]!));
    worst = Math.max(worst, best);
  }
  return worst;
}

describe('simplifyStroke', () => {
  it('leaves sparse pen strokes as they are', () => {
    const strokes = readPenDigits()
      .slice(0, 500)
      .flatMap((d) => d.strokes)
      .filter((s) => s.length <= 96);
    for (const s of strokes)
      expect(simplifyStroke(s)).toEqual(s.filter((p, i) => i === 0 || p.join() !== s[i - 1]!.join()));
  });

  it('caps a 4,000-point stroke at 96 points, keeping its ends and its shape within 1/48 of its size', () => {
    const s = denseStroke(new Rng(1), 4000, 300);
    const out = simplifyStroke(s);
    expect(out.length).toBeLessThanOrEqual(96);
    expect(out[0]).toEqual(s[0]);
    expect(out.at(-1)).toEqual(s.at(-1));
    // A smooth dense stroke (a slow circle) keeps its shape to a small share of its size.
    const circle: Stroke = Array.from({ length: 4000 }, (_, i) => [
      100 * Math.cos((i / 3999) * 2 * Math.PI),
      100 * Math.sin((i / 3999) * 2 * Math.PI),
    ]);
    const c = simplifyStroke(circle);
    expect(c.length).toBeLessThanOrEqual(96);
    expect(deviation(circle, c)).toBeLessThan(200 / 48);
  });

  it('drops non-finite and repeated points, and never returns more than maxPoints', () => {
    const s: Stroke = [
      [0, 0],
      [0, 0],
      [NaN, 1],
      [1, Infinity],
      [2, 2],
    ];
    expect(simplifyStroke(s)).toEqual([
      [0, 0],
      [2, 2],
    ]);
    const many = denseStroke(new Rng(2), 1000, 50);
    for (const maxPoints of [2, 3, 10, 50])
      expect(simplifyStroke(many, { maxPoints }).length).toBeLessThanOrEqual(maxPoints);
    expect(simplifyStrokes([[], [[1, 1]]])).toEqual([[], [[1, 1]]]);
  });
});
