import { describe, expect, it } from 'vitest';
import { readMnistStrokes } from '../../models/lib/mnist-strokes.ts';
import { composeNumbers, readPenDigits } from '../../models/lib/pen-data.ts';
import {
  candidateScore,
  decodeLattice,
  latticeImages,
  planLattice,
  type LatticePlan,
} from '../../shared/ink/lattice.ts';
import { simplifyStrokes } from '../../shared/ink/simplify.ts';
import type { Stroke } from '../../shared/ink/types.ts';
import { worstCases } from '../bench/lib/worst-case.ts';

const digits = readPenDigits();

/** Probabilities saying "digit `d` with probability p" (10 classes, or 11 with the rest on "not one digit"). */
function probs(d: number, p: number, classes = 11): Float32Array {
  const out = new Float32Array(classes).fill((1 - p) / (classes - 1));
  out[d] = p;
  return out;
}

/** An 11-class reading that says "not one digit" with probability p (the rest spread over the digits). */
function reject(p: number): Float32Array {
  const out = new Float32Array(11).fill((1 - p) / 10);
  out[10] = p;
  return out;
}

/** Decodes with a fake reading: candidates whose stroke set is in `sure` are digits (p 0.99), others not (reject 0.95). */
function decodeWith(plan: LatticePlan, sure: Set<string>) {
  const images = latticeImages(plan);
  return decodeLattice(
    plan,
    images.map((ids) => (sure.has(ids.join()) ? probs(ids.length % 10, 0.99) : reject(0.95))),
  );
}

describe('planLattice', () => {
  it('offers every stroke alone and runs of up to 6 consecutive strokes, each a compact cluster', () => {
    for (const n of composeNumbers(digits, { count: 50, seed: 2 })) {
      const plan = planLattice(n.strokes);
      for (const line of plan.lines) {
        const singles = line.candidates.filter((c) => c.to - c.from === 1);
        expect(singles).toHaveLength(line.inks.length);
        for (const c of line.candidates) {
          expect(c.to - c.from).toBeLessThanOrEqual(6);
          if (c.to - c.from > 1) expect(c.width).toBeLessThanOrEqual(2);
        }
      }
      // The true digits of a composed number are (nearly always) among the candidates.
    }
    const numbers = composeNumbers(digits, { count: 300, seed: 3 });
    const covered = numbers.filter((n) => {
      const keys = new Set(latticeImages(planLattice(n.strokes)).map((ids) => ids.join()));
      return n.groups.every((g) => keys.has(g.join()));
    }).length;
    expect(covered / numbers.length).toBeGreaterThan(0.97);
  });

  it('offers a digit traced in 5 or 6 pieces inside a number as one candidate', () => {
    // Training lines only; MNIST-stroke digits come in up to 11 pieces, and ~0.5% have 5 or more.
    const many = readMnistStrokes([40000, 50000]).filter(
      (d) => d.strokes.length >= 5 && d.strokes.length <= 6,
    );
    expect(many.length).toBeGreaterThan(20);
    const numbers = composeNumbers(many, { count: 40, seed: 4 });
    // Each digit's strokes, less its dots (tiny pieces join a digit after the cut), must be a candidate.
    const whole = (o: { maxStrokes?: number }) =>
      numbers.filter((n) => {
        const plan = planLattice(n.strokes, o);
        const dots = new Set(plan.dots.map((d) => d.index));
        const keys = new Set(latticeImages(plan).map((ids) => ids.join()));
        return n.groups.every((g) => keys.has(g.filter((k) => !dots.has(k)).join()));
      }).length / numbers.length;
    expect(whole({})).toBeGreaterThan(0.8);
    // At the old limit of 4 strokes a run, far fewer are.
    expect(whole({ maxStrokes: 4 })).toBeLessThan(whole({}) - 0.3);
  });

  it('keeps short pieces (over 0.05 H) in the candidates; only smaller ones are dots', () => {
    // A stem 100 tall and a piece 10 long touching it (0.1 H: a dot for the geometric rules' 0.15 H).
    const ink: Stroke[] = [
      [
        [0, 0],
        [0, 100],
      ],
      [
        [0, 50],
        [10, 50],
      ],
    ];
    const plan = planLattice(ink);
    expect(plan.dots).toHaveLength(0);
    expect(latticeImages(plan)).toContainEqual([0, 1]);
    expect(planLattice(ink, { dotSize: 0.15 }).dots.map((d) => d.index)).toEqual([1]);
  });

  it('offers a wide, flat digit with a small piece of its own as one candidate (no wider than its widest stroke)', () => {
    // A long-tailed 2, 160 wide and 60 tall (2.7 H), and a 20-long piece of its base: the run is too
    // wide for maxWidth (2 H) but no wider than its first stroke, so it may still be one digit.
    const ink: Stroke[] = [
      [
        [0, 10],
        [20, 0],
        [40, 20],
        [10, 60],
        [160, 60],
      ],
      [
        [40, 58],
        [60, 58],
      ],
    ];
    expect(latticeImages(planLattice(ink))).toContainEqual([0, 1]);
    expect(latticeImages(planLattice(ink, { withinWidest: false }))).not.toContainEqual([0, 1]);
    // Two digits side by side stay apart: their run is wider than either stroke.
    const two: Stroke[] = [
      [
        [0, 0],
        [0, 100],
      ],
      [
        [150, 0],
        [210, 0],
        [150, 100],
      ],
    ];
    expect(latticeImages(planLattice(two))).not.toContainEqual([0, 1]);
  });

  it('stays within its budget on the worst regions the protocol allows', () => {
    for (const c of worstCases()) {
      const plan = planLattice(simplifyStrokes(c.strokes));
      const images = latticeImages(plan);
      expect(images.length).toBeLessThanOrEqual(96);
      // At most 4,000 points in all, except that the first group of a line over budget is always read
      // (it can hold every stroke: at most 200 x 96 points after simplification).
      const all = plan.lines.flatMap((l) => l.candidates);
      const points = all.reduce((n, k) => n + k.points, 0);
      expect(points).toBeLessThanOrEqual(4000 + (all[0]?.points ?? 0));
      expect(points).toBeLessThanOrEqual(200 * 96);
    }
  });
});

describe('decodeLattice', () => {
  const two: Stroke[] = [
    [
      [0, 0],
      [0, 100],
    ],
    [
      [20, 0],
      [20, 100],
    ],
  ];

  it('takes the path the classifier supports: one digit or two', () => {
    const plan = planLattice(two);
    expect(latticeImages(plan)).toEqual([[0], [0, 1], [1]]);
    const merged = decodeWith(plan, new Set(['0,1']));
    expect(merged.seg.lines[0]?.digits.map((d) => d.strokes)).toEqual([[0, 1]]);
    const split = decodeWith(plan, new Set(['0', '1']));
    expect(split.seg.lines[0]?.digits.map((d) => d.strokes)).toEqual([[0], [1]]);
    expect(split.probs).toHaveLength(2);
  });

  it('puts digits left to right even when written right to left, and reads 10-class models too', () => {
    const reversed = [two[1]!.map(([x, y]) => [x + 200, y] as [number, number]), two[0]!];
    const plan = planLattice(reversed);
    const images = latticeImages(plan);
    const out = decodeLattice(
      plan,
      images.map((ids) => (ids.length === 1 ? probs(ids[0]!, 0.99, 10) : probs(0, 0.2, 10))),
    );
    expect(out.seg.lines[0]?.digits.map((d) => d.strokes)).toEqual([[1], [0]]);
  });

  it('scores "not one digit" low: a confident reject loses to any digit reading', () => {
    const c = planLattice(two).lines[0]!.candidates[0]!;
    expect(candidateScore(c, reject(0.99))).toBeLessThan(candidateScore(c, probs(3, 0.5)));
  });

  it('gives reading the whole region as one digit a bonus (wholeBonus), so doubtful pieces do not split it', () => {
    // Both strokes are digits of the geometric rules (each gets geometricBonus); the run of both is not.
    const plan = planLattice(two);
    const reading = (pieceReject: number) =>
      latticeImages(plan).map((ids) => {
        const p = new Float32Array(11);
        const r = ids.length === 2 ? 0.001 : pieceReject;
        p[ids.length === 2 ? 4 : 1] = 1 - r;
        p[10] = r;
        return p;
      });
    const groups = (pieceReject: number, options = {}) =>
      decodeLattice(plan, reading(pieceReject), options).seg.lines[0]?.digits.map((d) => d.strokes);
    expect(groups(0.1)).toEqual([[0, 1]]);
    expect(groups(0.1, { wholeBonus: 0 })).toEqual([[0], [1]]);
    // Two confident digits stay two ("11").
    expect(groups(0.01)).toEqual([[0], [1]]);
  });

  it('keeps two tall digits written close together apart when each reads as a digit (pairPenalty)', () => {
    // A tight "11" then a 7: the classifier reads the pair [0, 1] as one confident 1 too.
    const stem = (x: number, top = 0): Stroke => [
      [x, top],
      [x + 5, 100],
    ];
    const ink: Stroke[] = [stem(0), stem(22), stem(150)];
    const plan = planLattice(ink);
    const images = latticeImages(plan);
    expect(images).toContainEqual([0, 1]);
    const reading = images.map((ids) => {
      const key = ids.join();
      if (key === '0' || key === '1' || key === '0,1') return probs(1, 0.995);
      if (key === '2') return probs(7, 0.995);
      return reject(0.95);
    });
    // geometricBonus 0: the geometric rules' cut is not what is tested here.
    const groups = (options = {}) =>
      decodeLattice(plan, reading, { geometricBonus: 0, ...options }).seg.lines[0]?.digits.map(
        (d) => d.strokes,
      );
    expect(groups({ pairPenalty: 0 })).toEqual([[0, 1], [2]]);
    expect(groups()).toEqual([[0], [1], [2]]);
    // A short part (a serif, under pairHeight x H) is no evidence of two digits.
    const serif: Stroke[] = [stem(0, 60), stem(22), stem(150)];
    const p2 = planLattice(serif);
    const r2 = latticeImages(p2).map((ids) =>
      ids.join() === '2' ? probs(7, 0.995) : ids.length > 2 ? reject(0.95) : probs(1, 0.995),
    );
    expect(decodeLattice(p2, r2, { geometricBonus: 0 }).seg.lines[0]?.digits.map((d) => d.strokes)).toEqual([
      [0, 1],
      [2],
    ]);
  });

  it('reads an isolated digit split over two lines as one digit when the classifier says so', () => {
    // Two halves stacked with a gap: the line finder puts them on two lines.
    const halves: Stroke[] = [
      [
        [0, 0],
        [40, 0],
        [40, 40],
      ],
      [
        [40, 90],
        [40, 130],
        [0, 130],
      ],
    ];
    const plan = planLattice(halves);
    expect(plan.lines.length).toBe(2);
    expect(plan.whole?.strokes).toEqual([0, 1]);
    const out = decodeWith(plan, new Set(['0,1']));
    expect(out.seg.lines).toHaveLength(1);
    expect(out.seg.lines[0]?.digits.map((d) => d.strokes)).toEqual([[0, 1]]);
  });

  it('offers a one-line region traced in pieces as one candidate too (H from the pieces is too small)', () => {
    // A "U" in three pieces, twice as wide as tall: no run of strokes is narrow enough (here 1.6 H; and
    // withinWidest off, which would otherwise let the run through as no wider than its base).
    const pieces: Stroke[] = [
      [
        [0, 0],
        [0, 60],
      ],
      [
        [0, 60],
        [120, 60],
      ],
      [
        [120, 60],
        [120, 0],
      ],
    ];
    const plan = planLattice(pieces, { maxWidth: 1.6, withinWidest: false });
    expect(plan.lines).toHaveLength(1);
    expect(plan.lines[0]?.candidates.some((c) => c.strokes.length === 3)).toBe(false);
    expect(plan.whole?.strokes).toEqual([0, 1, 2]);
    const out = decodeWith(plan, new Set(['0,1,2']));
    expect(out.seg.lines[0]?.digits.map((d) => d.strokes)).toEqual([[0, 1, 2]]);
    expect(
      planLattice(pieces, { maxWidth: 1.6, withinWidest: false, wholeRegion: false }).whole,
    ).toBeUndefined();
  });

  it('sends a late crossbar (drawn after the next digit) back to its 7', () => {
    const strokes: Stroke[] = [
      [
        [0, 0],
        [60, 0],
        [30, 100],
      ],
      [
        [100, 0],
        [100, 100],
      ],
      [
        [25, 50],
        [55, 50],
      ],
    ];
    // The classifier: 7 and 1 whole digits, the bar alone a poor digit, every merged run "not one digit".
    const plan = planLattice(strokes);
    const reading = (ids: number[]) =>
      ids.length > 1 ? reject(0.99) : ids[0] === 2 ? reject(0.7) : probs(ids[0] === 0 ? 7 : 1, 0.99);
    const out = decodeLattice(plan, latticeImages(plan).map(reading));
    expect(out.seg.lines[0]?.digits.map((d) => d.strokes)).toEqual([[0, 2], [1]]);
    expect(out.seg.lines[0]?.digits[0]?.rules).toEqual(['late']);
  });

  it('is unchanged by moving and scaling the region', () => {
    const n = composeNumbers(digits, { count: 1, seed: 9 })[0]!;
    const moved = n.strokes.map((s) => s.map(([x, y]) => [x * 3.7 - 500, y * 3.7 + 80] as [number, number]));
    const a = latticeImages(planLattice(n.strokes));
    const b = latticeImages(planLattice(moved));
    expect(b).toEqual(a);
  });
});
