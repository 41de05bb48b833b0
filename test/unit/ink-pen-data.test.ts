import { describe, expect, it } from 'vitest';
import { polylineDistance } from '../../shared/ink/geometry.ts';
import { composeNumbers, loadPenDigits, parseWriters, readPenDigits } from '../../models/lib/pen-data.ts';

const digits = readPenDigits();

describe('pen digits', () => {
  it('loads all 7,494 digits of 30 writers, and writer subsets', () => {
    expect(digits).toHaveLength(7494);
    expect(new Set(digits.map((d) => d.writer)).size).toBe(30);
    const held = loadPenDigits(undefined, parseWriters('21-30'));
    expect(new Set(held.map((d) => d.writer))).toEqual(new Set([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]));
  });

  it('parses writer lists and rejects bad ones', () => {
    expect([...parseWriters('1,3,5-7')]).toEqual([1, 3, 5, 6, 7]);
    expect(() => parseWriters('a-b')).toThrow(/writer list/);
  });
});

describe('composeNumbers', () => {
  const numbers = composeNumbers(digits, { count: 300, seed: 9 });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(composeNumbers(digits, { count: 300, seed: 9 })).toEqual(numbers);
    expect(composeNumbers(digits, { count: 300, seed: 10 }).map((n) => n.text)).not.toEqual(
      numbers.map((n) => n.text),
    );
  });

  it('writes 2-5 digits of one writer with no leading zero, each digit from that writer', () => {
    const byId = new Map(digits.map((d) => [d.i, d]));
    const lengths = new Set(numbers.map((n) => n.text.length));
    expect(lengths).toEqual(new Set([2, 3, 4, 5]));
    for (const n of numbers) {
      expect(n.text[0]).not.toBe('0');
      n.sources.forEach((id, k) => {
        const src = byId.get(id)!;
        expect(src.writer).toBe(n.writer);
        expect(String(src.label)).toBe(n.text[k]);
        expect(n.groups[k]).toHaveLength(src.strokes.length);
      });
      expect(n.groups.flat()).toEqual(n.strokes.map((_, i) => i));
    }
  });

  it('lays digits out left to right at a common height, apart but sometimes nearly touching', () => {
    let nearlyTouching = 0;
    for (const n of numbers) {
      const boxes = n.groups.map((g) => {
        const pts = g.flatMap((i) => n.strokes[i]!);
        const ys = pts.map((p) => p[1]);
        const xs = pts.map((p) => p[0]);
        return {
          cx: (Math.min(...xs) + Math.max(...xs)) / 2,
          h: Math.max(...ys) - Math.min(...ys),
          bottom: Math.max(...ys),
        };
      });
      for (const b of boxes) {
        expect(b.h).toBeGreaterThan(100 * 0.91);
        expect(b.h).toBeLessThan(100 * 1.09);
        expect(Math.abs(b.bottom - 100)).toBeLessThanOrEqual(6.01);
      }
      for (let k = 1; k < boxes.length; k++) {
        expect(boxes[k]!.cx).toBeGreaterThan(boxes[k - 1]!.cx);
        let gap = Infinity;
        for (const i of n.groups[k - 1]!)
          for (const j of n.groups[k]!) gap = Math.min(gap, polylineDistance(n.strokes[i]!, n.strokes[j]!));
        expect(gap).toBeGreaterThan(0);
        if (gap < 8) nearlyTouching++;
      }
    }
    expect(nearlyTouching).toBeGreaterThan(50);
  });
});
