import { describe, expect, it } from 'vitest';
import { composeNumbers, readPenDigits, type PenDigit } from '../../models/lib/pen-data.ts';
import { segment, segmentationText } from '../../shared/ink/segment.ts';
import type { Point, Stroke } from '../../shared/ink/types.ts';

const digits = readPenDigits();
const groupsOf = (strokes: Stroke[]): string =>
  segment(strokes)
    .lines.flatMap((l) => l.digits.map((d) => d.strokes.join(',')))
    .join('|');
const move = (strokes: Stroke[], dx: number, dy: number, k = 1): Stroke[] =>
  strokes.map((s) => s.map(([x, y]): Point => [x * k + dx, y * k + dy]));

/** Exact stroke-group accuracy of the segmenter on composed numbers. */
function numberAccuracy(pool: PenDigit[], count: number, seed: number): number {
  const numbers = composeNumbers(pool, { count, seed });
  const ok = numbers.filter((n) => groupsOf(n.strokes) === n.groups.map((g) => g.join(',')).join('|'));
  return ok.length / numbers.length;
}

describe('segment', () => {
  it('returns no lines for empty or non-finite input and skips empty strokes', () => {
    expect(segment([]).lines).toEqual([]);
    expect(segment([[], [[NaN, 1]]]).lines).toEqual([]);
    const seg = segment([
      [],
      [
        [0, 0],
        [0, 10],
      ],
      [],
    ]);
    expect(seg.lines.flatMap((l) => l.digits.map((d) => d.strokes))).toEqual([[1]]);
  });

  it('keeps a real two-stroke 4, 5 and 7 together (>= 98% of each)', () => {
    for (const label of [4, 5, 7]) {
      const two = digits.filter((d) => d.label === label && d.strokes.length === 2);
      const whole = two.filter((d) => groupsOf(d.strokes) === '0,1');
      expect(whole.length / two.length, `label ${label}`).toBeGreaterThanOrEqual(0.98);
    }
  });

  it('reads every real pen digit as one digit in >= 99.6% of cases', () => {
    const one = digits.filter((d) => segment(d.strokes).lines.flatMap((l) => l.digits).length === 1);
    expect(one.length / digits.length).toBeGreaterThanOrEqual(0.996);
  });

  it('is invariant to units and position', () => {
    const n = composeNumbers(digits, { count: 30, seed: 3 });
    for (const { strokes } of n) {
      expect(groupsOf(move(strokes, 1e4, -5e3, 0.01))).toBe(groupsOf(strokes));
    }
  });

  it('splits composed numbers of held-out writers 21-30 exactly right >= 97.5% of the time', () => {
    const heldOut = digits.filter((d) => d.writer > 20);
    expect(numberAccuracy(heldOut, 600, 21)).toBeGreaterThanOrEqual(0.975);
  });

  it('orders digits left to right even when written right to left', () => {
    const [a, b] = composeNumbers(digits, { count: 1, seed: 5, minDigits: 2, maxDigits: 2 });
    expect(a).toBeDefined();
    const n = a ?? b!;
    const reversed = [...n.groups].reverse().flatMap((g) => g.map((i) => n.strokes[i] as Stroke));
    const seg = segment(reversed);
    const boxes = seg.lines[0]!.digits.map((d) => d.bbox[0]);
    expect(boxes).toEqual([...boxes].sort((x, y) => x - y));
    expect(seg.lines[0]!.digits).toHaveLength(2);
  });

  it('puts lines top to bottom and wide gaps as spaces', () => {
    const [n1, n2, n3] = composeNumbers(digits, { count: 3, seed: 8, minDigits: 3, maxDigits: 3 });
    const width = (s: Stroke[]) => Math.max(...s.flat().map((p) => p[0]));
    // line 1: n1, a 1.5 H gap, n2; line 2 (1.4 H lower): n3
    const strokes = [
      ...n1!.strokes,
      ...move(n2!.strokes, width(n1!.strokes) + 150, 0),
      ...move(n3!.strokes, 0, 140),
    ];
    const seg = segment(strokes);
    expect(seg.lines).toHaveLength(2);
    expect(seg.lines[0]!.digits).toHaveLength(6);
    expect(seg.lines[1]!.digits).toHaveLength(3);
    expect(seg.lines[0]!.spaceBefore).toEqual([false, false, false, true, false, false]);
    expect(segmentationText(seg, [1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe('123 456\n789');
  });

  it('sends a late crossbar back to its 7', () => {
    const seven: Stroke = [
      [0, 0],
      [60, 0],
      [30, 100],
    ];
    const one: Stroke = [
      [100, 0],
      [100, 100],
    ];
    const bar: Stroke = [
      [25, 50],
      [55, 50],
    ];
    const seg = segment([seven, one, bar]);
    expect(seg.lines[0]!.digits.map((d) => d.strokes)).toEqual([[0, 2], [1]]);
    expect(seg.lines[0]!.digits[0]!.rules).toEqual(['late']);
  });

  it('joins a dot to a nearby digit and leaves an isolated dot out', () => {
    const one: Stroke = [
      [0, 0],
      [0, 100],
    ];
    const near: Stroke = [[4, 110]];
    const far: Stroke = [
      [300, 400],
      [302, 401],
    ];
    const seg = segment([one, near, far]);
    expect(seg.lines).toHaveLength(1);
    expect(seg.lines[0]!.digits.map((d) => d.strokes)).toEqual([[0, 1]]);
    expect(seg.lines[0]!.digits[0]!.rules).toEqual(['dot']);
    // a lone point is still read (as one digit): there is nothing else to measure it against
    expect(segment([[[5, 5]]]).lines[0]!.digits).toHaveLength(1);
  });
});
