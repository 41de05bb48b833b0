import { describe, expect, it } from 'vitest';
import type { BBox } from '../../shared/ink/types.ts';
import { isNear, RegionWorkingSet } from '../../server/regions/grouping.ts';
import { DEFAULT_REGION_RULES, type RegionStroke } from '../../server/regions/types.ts';

const rules = { ...DEFAULT_REGION_RULES, timeMs: 4000 };
const s = (id: string, bbox: BBox, author = 'ann'): RegionStroke => ({ id, author, bbox });

describe('isNear', () => {
  it('joins boxes within 0.6 heights horizontally on the same line', () => {
    expect(isNear([0, 0, 50, 100], [100, 0, 150, 100], rules)).toBe(true); // gap 50 <= 60
    expect(isNear([0, 0, 50, 100], [120, 0, 170, 100], rules)).toBe(false); // gap 70 > 60
  });
  it('keeps lines apart', () => {
    expect(isNear([0, 0, 50, 100], [0, 140, 50, 240], rules)).toBe(false);
    expect(isNear([0, 0, 50, 100], [0, 120, 50, 220], rules)).toBe(true); // gap 20 <= 25
  });
  it('uses the taller height, so a flat crossbar still joins its 7', () => {
    expect(isNear([0, 0, 60, 100], [10, 50, 70, 52], rules)).toBe(true);
  });
});

describe('RegionWorkingSet', () => {
  it('puts a first stroke in a new region at version 1', () => {
    const ws = new RegionWorkingSet(rules);
    const r = ws.addStroke(s('a', [0, 0, 50, 100]), 1000, true);
    const { changed, removed, moved } = ws.changes();
    expect(changed).toEqual([r]);
    expect(r.version).toBe(1);
    expect(removed).toEqual([]);
    expect(moved.get('a')).toBe(r.id);
  });

  it('joins a near stroke of the same author within the time window, and bumps the version', () => {
    const ws = new RegionWorkingSet(rules);
    const r = ws.addStroke(s('a', [0, 0, 50, 100]), 1000, true);
    const region = structuredClone(r);
    const ws2 = new RegionWorkingSet(rules);
    ws2.load([region]);
    const r2 = ws2.addStroke(s('b', [80, 0, 130, 100]), 2000, true);
    expect(r2.id).toBe(region.id);
    expect(r2.version).toBe(2);
    expect(r2.bbox).toEqual([0, 0, 130, 100]);
  });

  it('starts a new region when too late, too far, or another author', () => {
    const base = new RegionWorkingSet(rules).addStroke(s('a', [0, 0, 50, 100]), 1000, true);
    for (const [stroke, now] of [
      [s('b', [80, 0, 130, 100]), 6000], // too late
      [s('b', [300, 0, 350, 100]), 2000], // too far
      [s('b', [80, 0, 130, 100], 'bob'), 2000], // another author
    ] as const) {
      const ws = new RegionWorkingSet(rules);
      ws.load([structuredClone(base)]);
      expect(ws.addStroke(stroke, now, true).id).not.toBe(base.id);
    }
    const shared = new RegionWorkingSet({ ...rules, sharedRegions: true });
    shared.load([structuredClone(base)]);
    expect(shared.addStroke(s('b', [80, 0, 130, 100], 'bob'), 2000, true).id).toBe(base.id);
  });

  it('counts time from the pen-down of the new stroke, so a slowly drawn stroke still joins', () => {
    const base = new RegionWorkingSet(rules).addStroke(s('a', [0, 0, 50, 100]), 1000, true);
    const ws = new RegionWorkingSet(rules);
    ws.load([structuredClone(base)]);
    const joined = ws.addStroke(s('b', [80, 0, 130, 100]), 9000, true, 4500);
    expect(joined.id).toBe(base.id);
    expect(joined.updatedAt).toBe(9000);
  });

  it('restored strokes (not live) ignore time', () => {
    const base = new RegionWorkingSet(rules).addStroke(s('a', [0, 0, 50, 100]), 1000, true);
    const ws = new RegionWorkingSet(rules);
    ws.load([structuredClone(base)]);
    expect(ws.addStroke(s('b', [80, 0, 130, 100]), 999_999, false).id).toBe(base.id);
  });

  it('merges the regions a stroke bridges; the absorbed ones are removed', () => {
    const ws0 = new RegionWorkingSet(rules);
    const left = ws0.addStroke(s('a', [0, 0, 50, 100]), 1000, true);
    const right = ws0.addStroke(s('b', [200, 0, 250, 100]), 1000, true);
    const ws = new RegionWorkingSet(rules);
    ws.load([structuredClone(left), structuredClone(right)]);
    const merged = ws.addStroke(s('c', [90, 0, 160, 100]), 1500, true);
    const { changed, removed, moved } = ws.changes();
    expect(changed.map((r) => r.id)).toEqual([merged.id]);
    expect(merged.strokes.map((x) => x.id).sort()).toEqual(['a', 'b', 'c']);
    expect(merged.version).toBe(2);
    expect(removed).toEqual([{ regionId: right.id, version: 2 }]);
    expect(moved.get('b')).toBe(merged.id);
  });

  it('splits a region whose bridge is erased; removes an emptied region', () => {
    const ws0 = new RegionWorkingSet(rules);
    ws0.addStroke(s('a', [0, 0, 50, 100]), 1000, true);
    ws0.addStroke(s('c', [90, 0, 160, 100]), 1000, true);
    const r = ws0.addStroke(s('b', [200, 0, 250, 100]), 1000, true);
    expect(r.strokes).toHaveLength(3);

    const ws = new RegionWorkingSet(rules);
    ws.load([structuredClone(r)]);
    ws.removeStrokes(new Set(['c']));
    const { changed, moved } = ws.changes();
    expect(changed).toHaveLength(2);
    const kept = changed.find((x) => x.id === r.id)!;
    expect(kept.strokes.map((x) => x.id)).toEqual(['a']);
    expect(kept.version).toBe(2);
    const piece = changed.find((x) => x.id !== r.id)!;
    expect(piece.strokes.map((x) => x.id)).toEqual(['b']);
    expect(piece.version).toBe(1);
    expect(moved.get('b')).toBe(piece.id);

    const ws2 = new RegionWorkingSet(rules);
    ws2.load([structuredClone(kept)]);
    ws2.removeStrokes(new Set(['a']));
    expect(ws2.changes()).toMatchObject({ changed: [], removed: [{ regionId: r.id, version: 3 }] });
  });

  it('caps a region at maxStrokes: more overlapping strokes start new regions, and never merge past it', () => {
    const small = { ...rules, maxStrokes: 3 };
    const ws = new RegionWorkingSet(small);
    for (let i = 0; i < 8; i++) ws.addStroke(s(`o${i}`, [0, 0, 50, 100]), 1000, true);
    const { changed } = ws.changes();
    expect(changed.map((r) => r.strokes.length).sort()).toEqual([2, 3, 3]);
  });
});

describe('drawing order', () => {
  it('a stroke restored by undo goes back to its place in the region, not to the end', () => {
    const ws = new RegionWorkingSet(rules);
    const r = ws.addStroke({ ...s('a', [0, 0, 50, 100]), at: 1000 }, 1000, true);
    ws.addStroke({ ...s('b', [40, 0, 90, 100]), at: 1500 }, 1500, true);
    ws.addStroke({ ...s('c', [80, 0, 130, 100]), at: 2000 }, 2000, true);
    const region = structuredClone(r);
    // Erase the first stroke (the rest stays one region), then restore it as undo does (not live).
    const erase = new RegionWorkingSet(rules);
    erase.load([region]);
    erase.removeStrokes(new Set(['a']));
    const [after] = erase.changes().changed;
    expect(after!.strokes.map((x) => x.id)).toEqual(['b', 'c']);
    const undo = new RegionWorkingSet(rules);
    undo.load([structuredClone(after!)]);
    const back = undo.addStroke({ ...s('a', [0, 0, 50, 100]), at: 1000 }, 9000, false);
    expect(back.strokes.map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });
});
