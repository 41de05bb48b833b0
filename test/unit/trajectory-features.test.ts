import { describe, expect, it } from 'vitest';
import { TRAJECTORY_FEATURES, TRAJECTORY_POINTS, trajectoryFeatures } from '../../shared/ink/trajectory.ts';
import type { Stroke } from '../../shared/ink/types.ts';

const row = (f: Float32Array, k: number) =>
  Array.from(f.subarray(k * TRAJECTORY_FEATURES, (k + 1) * TRAJECTORY_FEATURES));

describe('trajectoryFeatures', () => {
  // A "T": a bar 100 long, then a stem 100 long drawn downwards.
  const t: Stroke[] = [
    [
      [0, 0],
      [100, 0],
    ],
    [
      [50, 0],
      [50, 100],
    ],
  ];

  it('spreads the points over the strokes by length, centred and scaled to a unit box, with pen flags', () => {
    const f = trajectoryFeatures(t);
    expect(f).toHaveLength(TRAJECTORY_POINTS * TRAJECTORY_FEATURES);
    const half = TRAJECTORY_POINTS / 2;
    // First point of the bar: left end, heading right, pen down.
    expect(row(f, 0)).toEqual([-0.5, -0.5, 1, 0, 1, 0]);
    // Last point of the bar: right end, pen up.
    expect(row(f, half - 1)[0]).toBeCloseTo(0.5);
    expect(row(f, half - 1)[5]).toBe(1);
    // The stem starts with pen down at the top middle, heading down, and ends at the bottom.
    expect(row(f, half)).toEqual([0, -0.5, 0, 1, 1, 0]);
    expect(row(f, TRAJECTORY_POINTS - 1)[1]).toBeCloseTo(0.5);
  });

  it('does not depend on position or size, and gives zeros for no ink', () => {
    const moved = t.map((s) => s.map(([x, y]) => [3 * x + 700, 3 * y - 20] as [number, number]));
    const a = trajectoryFeatures(t);
    const b = trajectoryFeatures(moved);
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
    expect(trajectoryFeatures([]).every((v) => v === 0)).toBe(true);
    expect(trajectoryFeatures([[]]).every((v) => v === 0)).toBe(true);
  });
});
