import { describe, expect, it } from 'vitest';
import { confusionMatrix, confusionSvg, formatReport, perClassReport } from '../../models/lib/metrics.ts';

describe('metrics', () => {
  const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2];
  const preds = [0, 0, 1, 1, 2, 2, 2, 2, 0];

  it('counts a confusion matrix with rows = truth', () => {
    expect(confusionMatrix(labels, preds, 3)).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [1, 0, 3],
    ]);
  });

  it('computes precision, recall and F1 per class', () => {
    const r = perClassReport(confusionMatrix(labels, preds, 3));
    expect(r.n).toBe(9);
    expect(r.correct).toBe(6);
    expect(r.accuracy).toBeCloseTo(6 / 9);
    expect(r.classes[0]!.precision).toBeCloseTo(2 / 3);
    expect(r.classes[0]!.recall).toBeCloseTo(2 / 3);
    expect(r.classes[1]!.precision).toBeCloseTo(1 / 2);
    expect(r.classes[1]!.recall).toBeCloseTo(1 / 2);
    expect(r.classes[2]!.precision).toBeCloseTo(3 / 4);
    expect(r.classes[2]!.recall).toBeCloseTo(3 / 4);
    expect(r.classes[2]!.f1).toBeCloseTo(3 / 4);
  });

  it('scores an absent class as 0 instead of NaN', () => {
    const r = perClassReport(confusionMatrix([0, 0], [0, 0], 2));
    expect(r.classes[1]).toEqual({ label: 1, support: 0, precision: 0, recall: 0, f1: 0 });
  });

  it('rejects bad input', () => {
    expect(() => confusionMatrix([0], [0, 1])).toThrow(/labels/);
    expect(() => confusionMatrix([10], [0])).toThrow(/\[0, 10\)/);
  });

  it('renders markdown and an SVG containing every count', () => {
    const cm = confusionMatrix(labels, preds, 3);
    const md = formatReport(cm, { title: 'T', facts: { model: 'x' }, svgFile: 'c.svg' });
    expect(md).toContain('66.67%');
    expect(md).toContain('| **2** | 1 | 0 | 3 |');
    expect(md).toContain('![confusion matrix](c.svg)');
    const svg = confusionSvg(cm, 'a < b');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &lt; b');
    expect(svg.match(/<rect /g)!.length).toBe(1 + 9);
  });
});
