import { beforeAll, describe, expect, it } from 'vitest';
import { readMnistStrokes } from '../../models/lib/mnist-strokes.ts';
import { composeNumbers, readPenDigits } from '../../models/lib/pen-data.ts';
import { Recognizer } from '../../workers/inference/recognizer.ts';

const quiet = () => {};

// Needs models/best-reject and ../shared/data/mnist-strokes-train.jsonl: a missing one fails, not skips.
describe('recognition-driven segmentation with best-reject', () => {
  let lattice: Recognizer;
  let geometric: Recognizer;
  beforeAll(async () => {
    lattice = await Recognizer.load({ model: 'best-reject', log: quiet });
    geometric = await Recognizer.load({ model: 'best-reject', segmenter: 'geometric', log: quiet });
  });

  it('has 11 classes and never labels a digit with "not one digit"', async () => {
    const [p] = await lattice.classify([new Float32Array(784)]);
    expect(p).toHaveLength(11);
    const results = await lattice.recognize(
      readPenDigits()
        .slice(0, 50)
        .map((d) => d.strokes),
    );
    for (const r of results)
      for (const d of r.digits) {
        expect(d.label).toBeLessThanOrEqual(9);
        for (const a of d.alternatives) expect(a.label).toBeLessThanOrEqual(9);
      }
  });

  it('keeps multi-stroke MNIST-stroke digits whole far more often than the geometric rules', async () => {
    // Training lines (not the held-out 55,000-59,999): digits of two or more strokes.
    const digits = readMnistStrokes([54000, 55000])
      .filter((d) => d.strokes.length >= 2)
      .slice(0, 300);
    const one = async (r: Recognizer) =>
      (await r.recognize(digits.map((d) => d.strokes))).filter((x) => x.digits.length === 1).length /
      digits.length;
    const [byLattice, byRules] = [await one(lattice), await one(geometric)];
    expect(byLattice).toBeGreaterThanOrEqual(0.95);
    expect(byLattice).toBeGreaterThan(byRules + 0.05);
  });

  it('reads composed numbers of held-out pen writers (>= 95% exact)', async () => {
    const pen = readPenDigits().filter((d) => d.writer > 20);
    const numbers = composeNumbers(pen, { count: 200, seed: 11 });
    const results = await lattice.recognize(numbers.map((n) => n.strokes));
    const exact = results.filter((r, i) => r.text === numbers[i]!.text).length;
    expect(exact / numbers.length).toBeGreaterThanOrEqual(0.95);
  });
});
