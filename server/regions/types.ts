/** Ink regions: groups of committed strokes that are recognised together (one number, usually). */
import type { BBox } from '../../shared/ink/types.ts';
import { LIMITS } from '../../shared/protocol.ts';

/** What a region keeps about each of its strokes (no points: those live with the strokes). */
export interface RegionStroke {
  id: string;
  author: string;
  bbox: BBox;
  /** Commit time of the stroke: a region keeps its strokes in drawing order (undo puts one back in place). */
  at?: number;
}

export interface Region {
  id: string;
  /** Goes up on every change; recognition results carry it so stale ones are dropped. */
  version: number;
  /** The user who started the region. */
  author: string;
  /** In drawing order (`at`, then id), whatever order they were added or restored in. */
  strokes: RegionStroke[];
  bbox: BBox;
  /** Server time a stroke was last written into the region (erasing does not count), ms since epoch. */
  updatedAt: number;
}

/** Region grouping rules; see docs/regions.md. */
export interface RegionRules {
  /** Strokes by different authors may share a region. Default false (config SHARED_REGIONS). */
  sharedRegions: boolean;
  /** Max time in ms since the region was last written for a live stroke to join it. Default 4000 (REGION_TIME_MS). */
  timeMs: number;
  /** Max horizontal gap, as a fraction of the taller of the two heights. Default 0.6. */
  gapX: number;
  /** Max vertical gap, as a fraction of the taller of the two heights. Default 0.25. */
  gapY: number;
  /** Heights below this (board units) count as this, so dots and dashes still have a scale. Default 8. */
  minHeight: number;
  /**
   * Strokes in one region at most: a stroke near full regions starts a new one, and regions never merge
   * past it, so a recognition job never carries more. Default `LIMITS.maxStrokesPerRegion` (32).
   */
  maxStrokes: number;
}

export const DEFAULT_REGION_RULES: RegionRules = {
  sharedRegions: false,
  timeMs: 4000,
  gapX: 0.6,
  gapY: 0.25,
  minHeight: 8,
  maxStrokes: LIMITS.maxStrokesPerRegion,
};
