/**
 * The pure region rules: which region a new stroke joins, how regions merge and split.
 * Works on an in-memory working set; the caller loads candidate regions and writes the changes back.
 */
import { randomBytes } from 'node:crypto';
import type { BBox } from '../../shared/ink/types.ts';
import { bboxGap, bboxHeight, unionBBox } from './geometry.ts';
import type { Region, RegionRules, RegionStroke } from './types.ts';

/** True when two boxes are close enough to belong to one region (ignores time and author). */
export function isNear(a: BBox, b: BBox, rules: RegionRules): boolean {
  const h = Math.max(bboxHeight(a), bboxHeight(b), rules.minHeight);
  const { dx, dy } = bboxGap(a, b);
  return dx <= rules.gapX * h && dy <= rules.gapY * h;
}

export const newRegionId = (): string => randomBytes(9).toString('base64url');

/**
 * Sorts a region's strokes into drawing order (commit time; ties and strokes without a time keep their order).
 * A stroke restored by undo, or a merged region's strokes, would otherwise come last, and the digits of a
 * region would be read from a different stroke order than before the erase.
 */
export function sortByDrawing(strokes: RegionStroke[]): void {
  // Array sort is stable: strokes committed in the same millisecond keep the order they were added in.
  strokes.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
}

/** A deep copy of a region (as structuredClone, but a commit loads dozens of them: much cheaper). */
function copyRegion(r: Region): Region {
  return {
    ...r,
    bbox: [...r.bbox],
    strokes: r.strokes.map((s) => ({ ...s, bbox: [...s.bbox] })),
  };
}

/** The outcome of a batch of stroke changes on a working set of regions. */
export interface RegionChanges {
  /** Regions created or changed (new version), in the working set's final state. */
  changed: Region[];
  /** Regions that no longer exist, with the version their removal carries (last version + 1). */
  removed: { regionId: string; version: number }[];
  /** stroke id -> region id for every stroke that was added or moved. */
  moved: Map<string, string>;
}

/**
 * A working set of regions. `load` the regions a change may touch, then `addStroke` / `removeStrokes`,
 * then `changes()`.
 */
export class RegionWorkingSet {
  private readonly regions = new Map<string, Region>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Map<string, number>();
  private readonly moved = new Map<string, string>();

  constructor(private readonly rules: RegionRules) {}

  load(regions: Iterable<Region>): void {
    for (const r of regions) {
      if (!this.regions.has(r.id) && !this.removed.has(r.id)) this.regions.set(r.id, copyRegion(r));
    }
  }

  /**
   * Puts a stroke into the region it is near (merging regions it bridges) or a new one.
   * `live`: a stroke just drawn, so only regions last written at most `timeMs` before the stroke's pen-down
   * (`penDownAt`, default `now`) qualify; otherwise (undo/redo
   * restoring strokes) time is ignored.
   */
  addStroke(stroke: RegionStroke, now: number, live: boolean, penDownAt = now): Region {
    const near = [...this.regions.values()].filter(
      (r) =>
        (this.rules.sharedRegions || r.author === stroke.author) &&
        (!live || penDownAt - r.updatedAt <= this.rules.timeMs) &&
        isNear(r.bbox, stroke.bbox, this.rules),
    );
    // A full region takes no more strokes, and merging stops at the cap: no job ever carries more.
    let target = near.find((r) => r.strokes.length < this.rules.maxStrokes);
    if (!target) {
      target = {
        id: newRegionId(),
        version: 0,
        author: stroke.author,
        strokes: [],
        bbox: stroke.bbox,
        updatedAt: now,
      };
      this.regions.set(target.id, target);
    }
    for (const other of near) {
      if (other === target || target.strokes.length + other.strokes.length >= this.rules.maxStrokes) continue;
      target.strokes.push(...other.strokes);
      target.version = Math.max(target.version, other.version);
      for (const s of other.strokes) this.moved.set(s.id, target.id);
      this.drop(other);
    }
    target.strokes.push(stroke);
    sortByDrawing(target.strokes);
    this.moved.set(stroke.id, target.id);
    if (live) target.updatedAt = now;
    this.touch(target);
    return target;
  }

  /** Removes strokes from their regions; a region left in pieces splits, an empty one is removed. */
  removeStrokes(ids: ReadonlySet<string>): void {
    for (const region of [...this.regions.values()]) {
      if (!region.strokes.some((s) => ids.has(s.id))) continue;
      const left = region.strokes.filter((s) => !ids.has(s.id));
      if (left.length === 0) {
        this.drop(region);
        continue;
      }
      const [first, ...rest] = this.components(left);
      region.strokes = first ?? [];
      this.touch(region);
      for (const part of rest) {
        const piece: Region = {
          id: newRegionId(),
          version: 0,
          author: part[0]?.author ?? region.author,
          strokes: part,
          bbox: region.bbox,
          updatedAt: region.updatedAt,
        };
        this.regions.set(piece.id, piece);
        for (const s of part) this.moved.set(s.id, piece.id);
        this.touch(piece);
      }
    }
  }

  changes(): RegionChanges {
    const changed = [...this.dirty].map((id) => this.regions.get(id)).filter((r): r is Region => !!r);
    const removed = [...this.removed].map(([regionId, version]) => ({ regionId, version }));
    return { changed, removed, moved: this.moved };
  }

  private touch(r: Region): void {
    if (!this.dirty.has(r.id)) r.version += 1;
    r.bbox = unionBBox(r.strokes.map((s) => s.bbox));
    this.dirty.add(r.id);
  }

  private drop(r: Region): void {
    this.regions.delete(r.id);
    this.dirty.delete(r.id);
    if (r.version > 0) this.removed.set(r.id, r.version + 1);
  }

  /** Groups strokes into connected pieces by nearness; the piece holding the first stroke comes first. */
  private components(strokes: RegionStroke[]): RegionStroke[][] {
    const parent = strokes.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
      return i;
    };
    for (let i = 0; i < strokes.length; i++)
      for (let j = i + 1; j < strokes.length; j++)
        if (isNear(strokes[i]!.bbox, strokes[j]!.bbox, this.rules)) parent[find(i)] = find(j);
    const groups = new Map<number, RegionStroke[]>();
    strokes.forEach((s, i) => {
      const root = find(i);
      const g = groups.get(root) ?? [];
      g.push(s);
      groups.set(root, g);
    });
    return [...groups.values()];
  }
}
