/**
 * Splits a region of ink into lines, words and digits (pure TypeScript, browser-safe).
 * The rules and their thresholds are explained, with the measurements behind them, in
 * docs/recognition.md ("Segmentation"). All lengths are relative to the estimated digit height H,
 * so any input units work.
 */
import { bboxOf, closestApproach, finitePoints, median, polylineDistance, unionBBox } from './geometry.ts';
import type { BBox, Point, Stroke } from './types.ts';

/** Thresholds of {@link segment}; every length is a multiple of the digit height H. */
export interface SegmentOptions {
  /** Two strokes share a line when their vertical overlap is at least this share of the shorter one. Default `0.3`. */
  lineOverlap?: number;
  /** Strokes shorter than this (x H) are pieces (flags, bars, dots) that join the nearest line. Default `0.3`. */
  lineMinHeight?: number;
  /** A piece joins the nearest line if its centre is at most this far (x H) above or below it. Default `0.6`. */
  pieceReach?: number;
  /** Strokes stacked in the same columns (an 8's loops, a 5's flag) with a vertical gap under this (x H) share a line. Default `0.15`. */
  stackGap?: number;
  /** Strokes that cross each other belong to one digit if together they are at most this wide (x H). Default `1.3`. */
  crossWidth?: number;
  /** A stroke whose centre is at most this far right of the current digit's centre may join it. Default `0.32`. */
  joinShift?: number;
  /** A full-size stroke whose centre lies more than this (x H) left of the digit's centre starts a new digit. Default `0.35`. */
  leftShift?: number;
  /** ... provided it is shorter than this (x H) ... Default `0.92`. */
  tallStroke?: number;
  /** ... or does not reach past the digit's right edge by more than this (x H). Default `0.06`. */
  overhang?: number;
  /** Further right, a stroke still joins when this share of it lies within the digit's columns (or vice versa)... Default `0.62`. */
  contained?: number;
  /** ... and it is a short piece (flag, bar, serif: height at most this x H) ... Default `0.52`. */
  shortPiece?: number;
  /** ... or it touches the digit (ink distance at most this x H). Default `0.03`. */
  touch?: number;
  /** A stroke joins when it comes this close (x H) to an end of one of the digit's strokes (a 4's stem, a 5's flag). Default `0.15`. */
  junction?: number;
  /** A 4's stem is at most this wide for its height. Default `0.7`. */
  stemAspect?: number;
  /** A 4's stem reaches at least this far (x H) below the bottom of the stroke before it. Default `0.15`. */
  stemBelow?: number;
  /** Never join a stroke farther than this (x H) from the digit's ink. Default `0.35`. */
  maxJoinDistance?: number;
  /**
   * Strokes at most this big (x H, longest side) are dots: they join the digit nearest to them (within
   * `maxJoinDistance`) or, if none is that close, belong to no digit. Default `0.15`.
   */
  dotSize?: number;
  /** A gap between digits wider than this (x H) starts a new word (a space in the text). Default `0.8`. */
  wordGap?: number;
}

/** One digit: indices into the region's strokes (in drawing order) and its box in input units. */
export interface DigitSegment {
  strokes: number[];
  bbox: BBox;
  /** For each stroke after the first (in drawing order), the rule that joined it. */
  rules: JoinRule[];
}

/** One line of digits, left to right; `spaceBefore[k]` tells whether digit k starts a new word. */
export interface LineSegment {
  digits: DigitSegment[];
  spaceBefore: boolean[];
}

/** A segmented region: lines top to bottom, and the digit height H it measured. */
export interface Segmentation {
  lines: LineSegment[];
  height: number;
}

const DEFAULTS: Required<SegmentOptions> = {
  lineOverlap: 0.3,
  lineMinHeight: 0.3,
  pieceReach: 0.6,
  stackGap: 0.15,
  crossWidth: 1.3,
  joinShift: 0.32,
  leftShift: 0.35,
  tallStroke: 0.92,
  overhang: 0.06,
  contained: 0.62,
  shortPiece: 0.52,
  touch: 0.03,
  maxJoinDistance: 0.35,
  junction: 0.15,
  stemAspect: 0.7,
  stemBelow: 0.15,
  wordGap: 0.8,
  dotSize: 0.15,
};

/** One stroke's finite points and box; `index` is its position in the region. */
export interface Ink {
  index: number;
  points: Point[];
  bbox: BBox;
}

/** Strokes grouped as one digit. */
export interface Group {
  strokes: Ink[];
  bbox: BBox;
  rules: JoinRule[];
}

const width = (b: BBox): number => b[2] - b[0];
const height = (b: BBox): number => b[3] - b[1];
const centreX = (b: BBox): number => (b[0] + b[2]) / 2;
const centreY = (b: BBox): number => (b[1] + b[3]) / 2;

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r] as number;
    this.parent[i] = r;
    return r;
  }
  union(a: number, b: number): void {
    this.parent[this.find(a)] = this.find(b);
  }
}

/**
 * Digit height H: strokes stacked in the same columns with little vertical gap (the two loops of an 8,
 * a 5's flag over its body) are first united into parts; H is the median height of the tall parts (at
 * least half the tallest), but not less than 0.7 x the tallest.
 */
function digitHeight(inks: Ink[]): number {
  const uf = new UnionFind(inks.length);
  for (let i = 0; i < inks.length; i++) {
    for (let j = i + 1; j < inks.length; j++) {
      const a = (inks[i] as Ink).bbox;
      const b = (inks[j] as Ink).bbox;
      const columns = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
      const gap = Math.max(a[1], b[1]) - Math.min(a[3], b[3]);
      const stacked = gap >= -0.5 * Math.min(height(a), height(b));
      if (
        stacked &&
        columns >= 0.5 * Math.min(width(a), width(b)) &&
        gap <= 0.25 * Math.max(height(a), height(b))
      ) {
        uf.union(i, j);
      }
    }
  }
  const parts = new Map<number, BBox>();
  inks.forEach((s, i) => {
    const r = uf.find(i);
    const box = parts.get(r);
    parts.set(r, box ? unionBBox(box, s.bbox) : s.bbox);
  });
  const hs = [...parts.values()].map(height);
  const maxH = Math.max(...hs);
  const h = Math.max(median(hs.filter((x) => x >= 0.5 * maxH)), 0.7 * maxH);
  if (h > 0) return h;
  const extent = Math.max(...inks.map((s) => Math.max(width(s.bbox), height(s.bbox))));
  return extent > 0 ? extent : 1;
}

/** Share of the points of `s` whose x lies within the columns of `box`. */
function columnShare(s: readonly Point[], box: BBox): number {
  let n = 0;
  for (const [x] of s) if (x >= box[0] && x <= box[2]) n++;
  return s.length > 0 ? n / s.length : 0;
}

function groupPoints(g: Group): Point[] {
  return g.strokes.flatMap((s) => s.points);
}

function inkDistance(g: Group, s: Ink, limit: number): number {
  const b = g.bbox;
  const gapX = Math.max(b[0] - s.bbox[2], s.bbox[0] - b[2], 0);
  const gapY = Math.max(b[1] - s.bbox[3], s.bbox[1] - b[3], 0);
  if (Math.hypot(gapX, gapY) > limit) return Infinity;
  let best = Infinity;
  for (const t of g.strokes) best = Math.min(best, polylineDistance(t.points, s.points));
  return best;
}

/**
 * Lines. Strokes at least `lineMinHeight` x H tall share a line when they overlap vertically by
 * `lineOverlap` of the shorter one, or when they are stacked and (nearly) touch, as the two loops of an 8.
 * Shorter pieces (flags, bars, serifs, dots) then join the line nearest to their centre.
 */
function splitLines(inks: Ink[], H: number, o: Required<SegmentOptions>): Ink[][] {
  const main = inks.filter((s) => height(s.bbox) >= o.lineMinHeight * H);
  const pieces = inks.filter((s) => height(s.bbox) < o.lineMinHeight * H);
  const uf = new UnionFind(main.length);
  for (let i = 0; i < main.length; i++) {
    for (let j = i + 1; j < main.length; j++) {
      const a = (main[i] as Ink).bbox;
      const b = (main[j] as Ink).bbox;
      const overlap = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
      if (overlap >= o.lineOverlap * Math.min(height(a), height(b))) {
        uf.union(i, j);
        continue;
      }
      const columns = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
      const stacked = columns >= 0.3 * Math.min(width(a), width(b));
      if (stacked && overlap >= -o.stackGap * H) uf.union(i, j);
    }
  }
  const byRoot = new Map<number, Ink[]>();
  main.forEach((s, i) => {
    const r = uf.find(i);
    byRoot.set(r, [...(byRoot.get(r) ?? []), s]);
  });
  const lines = [...byRoot.values()];
  for (const p of pieces) {
    const cy = centreY(p.bbox);
    let best: Ink[] | undefined;
    let bestDist = Infinity;
    for (const line of lines) {
      const top = Math.min(...line.map((s) => s.bbox[1]));
      const bottom = Math.max(...line.map((s) => s.bbox[3]));
      const d = Math.max(top - cy, cy - bottom, 0);
      if (d < bestDist) [best, bestDist] = [line, d];
    }
    if (best && bestDist <= o.pieceReach * H) best.push(p);
    else lines.push([p]);
  }
  const mid = (line: Ink[]) => median(line.map((s) => centreY(s.bbox)));
  return lines.sort((a, b) => mid(a) - mid(b));
}

/**
 * Why a stroke joined a digit (see docs/recognition.md); `recognised` marks two neighbours merged by the
 * classifier (workers/recognition/refine.ts), `lattice` a digit chosen by recognition-driven segmentation
 * (shared/ink/lattice.ts).
 */
export type JoinRule =
  'overlap' | 'piece' | 'cross' | 'flag' | 'stem' | 'late' | 'dot' | 'recognised' | 'lattice';

/** Should stroke `s`, drawn after the strokes of digit `g`, belong to it? Returns the rule that says so. */
function joins(g: Group, s: Ink, H: number, o: Required<SegmentOptions>): JoinRule | undefined {
  const dist = inkDistance(g, s, o.maxJoinDistance * H);
  if (dist > o.maxJoinDistance * H) return undefined;
  const shift = (centreX(s.bbox) - centreX(g.bbox)) / H;
  const tall = height(s.bbox) / H;
  const pieceInvolved = Math.min(tall, height(g.bbox) / H) <= o.shortPiece;
  if (shift <= o.joinShift && (shift >= -o.leftShift || pieceInvolved)) {
    if (tall <= o.tallStroke) return 'overlap';
    if ((s.bbox[2] - g.bbox[2]) / H <= o.overhang) return 'overlap';
  }
  const share = Math.max(columnShare(s.points, g.bbox), columnShare(groupPoints(g), s.bbox));
  const short = Math.min(tall, height(g.bbox) / H);
  if (share >= o.contained && (short <= o.shortPiece || dist <= o.touch * H)) return 'piece';
  const narrow = width(unionBBox(g.bbox, s.bbox)) <= o.crossWidth * H;
  if (dist === 0 && narrow) return 'cross';
  if (narrow && dist <= o.junction * H && g.strokes.length === 1) {
    for (const t of g.strokes) {
      const a = closestApproach(t.points, s.points);
      if (a.distance > o.junction * H) continue;
      // Start meets start: a 5's flag drawn from the top of its body (or the body from the flag).
      if (a.at <= 0.1 && a.otherAt <= 0.15 && short <= o.shortPiece) return 'flag';
      // A flat piece touching (or crossing) the first quarter of a body stroke: a 5's flag drawn after its body.
      if (a.at <= 0.25 && a.distance <= o.touch * H && tall <= o.lineMinHeight) return 'flag';
      // The end of a stroke (a 4's "L") meets the middle of a tall, upright stroke that runs on above it
      // and below the first stroke's bottom: a 4's stem.
      const end = t.points[t.points.length - 1] as Point;
      const above = (end[1] - s.bbox[1]) / H;
      const below = (s.bbox[3] - t.bbox[3]) / H;
      const upright = width(s.bbox) <= o.stemAspect * height(s.bbox) && height(s.bbox) >= 0.5 * H;
      if (
        a.at >= 0.9 &&
        a.otherAt >= 0.15 &&
        a.otherAt <= 0.9 &&
        upright &&
        above >= 0.2 &&
        below >= o.stemBelow
      ) {
        return 'stem';
      }
    }
  }
  return undefined;
}

/** Digits of one line: strokes in drawing order join the digit being written or start a new one. */
function splitDigits(line: Ink[], H: number, o: Required<SegmentOptions>): Group[] {
  const groups: Group[] = [];
  let current: Group | undefined;
  for (const s of [...line].sort((a, b) => a.index - b.index)) {
    const rule = current && joins(current, s, H, o);
    if (current && rule) {
      current.strokes.push(s);
      current.bbox = unionBBox(current.bbox, s.bbox);
      current.rules.push(rule);
      continue;
    }
    // A late stroke (a crossbar or serif added afterwards) goes back to an earlier digit it clearly belongs to.
    const earlier = groups.find(
      (g) =>
        g !== current &&
        columnShare(s.points, g.bbox) >= 0.8 &&
        height(s.bbox) <= o.shortPiece * H &&
        inkDistance(g, s, o.touch * H) <= o.touch * H,
    );
    if (earlier) {
      earlier.strokes.push(s);
      earlier.bbox = unionBBox(earlier.bbox, s.bbox);
      earlier.rules.push('late');
      continue;
    }
    current = { strokes: [s], bbox: s.bbox, rules: [] };
    groups.push(current);
  }
  return groups.sort((a, b) => centreX(a.bbox) - centreX(b.bbox));
}

/** A region's ink made ready for grouping: its digit height, lines of body strokes, and dots. */
export interface PreparedRegion {
  H: number;
  /** Lines top to bottom; each holds its non-dot strokes (any order). */
  lines: Ink[][];
  /** Strokes at most `dotSize` x H big (when the region is not all dots). */
  dots: Ink[];
}

/** Finite ink of every stroke, the digit height, lines and dots (the steps every segmenter shares). */
export function prepareRegion(strokes: Stroke[], options: SegmentOptions = {}): PreparedRegion {
  const o = { ...DEFAULTS, ...options };
  const inks: Ink[] = [];
  strokes.forEach((stroke, index) => {
    const points = Array.isArray(stroke) ? finitePoints(stroke) : [];
    const bbox = bboxOf(points);
    if (bbox) inks.push({ index, points, bbox });
  });
  if (inks.length === 0) return { H: 0, lines: [], dots: [] };
  const H = digitHeight(inks);
  const isDot = (s: Ink) => Math.max(width(s.bbox), height(s.bbox)) <= o.dotSize * H;
  const dots = inks.filter(isDot);
  const body = dots.length < inks.length ? inks.filter((s) => !isDot(s)) : inks;
  return { H, lines: splitLines(body, H, o), dots: body === inks ? [] : dots };
}

/** Digits of one line by the geometric rules (strokes in drawing order join or start a digit). */
export function geometricDigits(line: Ink[], H: number, options: SegmentOptions = {}): Group[] {
  return splitDigits(line, H, { ...DEFAULTS, ...options });
}

/** A dot joins the digit whose ink is nearest, if within maxJoinDistance; otherwise it is no digit. */
export function attachDots(groups: Group[], dots: Ink[], H: number, options: SegmentOptions = {}): void {
  const o = { ...DEFAULTS, ...options };
  for (const dot of dots) {
    let best: Group | undefined;
    let bestDist = o.maxJoinDistance * H;
    for (const g of groups) {
      const d = inkDistance(g, dot, bestDist);
      if (d <= bestDist) [best, bestDist] = [g, d];
    }
    if (best) {
      best.strokes.push(dot);
      best.bbox = unionBBox(best.bbox, dot.bbox);
      best.rules.push('dot');
    }
  }
}

/** Lines of groups (each line's groups left to right) as a {@link Segmentation}, with word breaks. */
export function toSegmentation(lineGroups: Group[][], H: number, options: SegmentOptions = {}): Segmentation {
  const o = { ...DEFAULTS, ...options };
  const lines = lineGroups.map((groups): LineSegment => {
    const digits = groups.map((g): DigitSegment => ({
      strokes: g.strokes.map((s) => s.index).sort((a, b) => a - b),
      bbox: g.bbox,
      rules: g.rules,
    }));
    const spaceBefore = digits.map(
      (d, k) => k > 0 && d.bbox[0] - (digits[k - 1] as DigitSegment).bbox[2] > o.wordGap * H,
    );
    return { digits, spaceBefore };
  });
  return { lines, height: H };
}

/**
 * Segments a region (strokes in drawing order, any units, y down) into lines top to bottom, digits left
 * to right, and words, by geometry alone. Strokes without a finite point, and isolated dots, are left
 * out of every digit. (Recognition uses shared/ink/lattice.ts, which asks the classifier.)
 */
export function segment(strokes: Stroke[], options: SegmentOptions = {}): Segmentation {
  const { H, lines, dots } = prepareRegion(strokes, options);
  if (H === 0) return { lines: [], height: 0 };
  const lineGroups = lines.map((line) => geometricDigits(line, H, options));
  attachDots(lineGroups.flat(), dots, H, options);
  return toSegmentation(lineGroups, H, options);
}

/** Builds the text of a segmentation from one label per digit (in reading order). */
export function segmentationText(seg: Segmentation, labels: readonly (number | string)[]): string {
  let k = 0;
  return seg.lines
    .map((line) =>
      line.digits.map((_, i) => (line.spaceBefore[i] ? ' ' : '') + String(labels[k++] ?? '?')).join(''),
    )
    .join('\n');
}
