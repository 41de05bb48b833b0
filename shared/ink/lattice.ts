/**
 * Recognition-driven segmentation. Within each line (shared/ink/segment.ts finds lines and dots), the
 * strokes in drawing order are cut into digits by asking the classifier: every run of 1..`maxStrokes`
 * consecutive strokes that is compact (one cluster of ink, at most `maxWidth` x H wide) is a candidate
 * digit; all candidates of a region are classified in one batch; the best cut of the line is the path
 * through the candidate lattice with the highest total score (dynamic programming), where a candidate
 * scores
 *
 *   log P(best digit) + priors (width, inner gap, size, agreement with the geometric rules) - split cost
 *
 * plus `wholeBonus` for a candidate that is the whole region (an isolated digit read whole).
 * With an 11-class model, P(best digit) is low for "not one digit" (fragments, merged neighbours).
 * Cost is bounded: at most `maxCandidates` candidates a region; lines beyond that budget fall back to
 * the geometric groups. Pure TypeScript (the classifier is called by the caller), browser-safe.
 */
import { nearerThan, unionBBox } from './geometry.ts';
import {
  attachDots,
  geometricDigits,
  prepareRegion,
  toSegmentation,
  type Group,
  type Ink,
  type Segmentation,
  type SegmentOptions,
} from './segment.ts';
import type { BBox, Stroke } from './types.ts';

/** Options of {@link planLattice} and {@link decodeLattice}; lengths are multiples of the digit height H. */
export interface LatticeOptions {
  /**
   * Most strokes in one candidate digit. Default `6` (tuned: a digit traced in 5-6 pieces inside a
   * number was cut at 4).
   */
  maxStrokes?: number;
  /** Widest candidate (x H); a single stroke is always a candidate. Default `2` (tuned; was 1.6). */
  maxWidth?: number;
  /**
   * A run no wider than its widest stroke is a candidate even beyond `maxWidth`: a wide, flat digit
   * (a long-tailed 2) with a small piece of its own stays whole. Default `true`.
   */
  withinWidest?: boolean;
  /** The strokes of a candidate must form one cluster with ink gaps at most this (x H). Default `0.6` (tuned). */
  linkDistance?: number;
  /** A line of at most this many strokes, no wider than `wholeWidth`, is also one candidate. Default `8`. */
  wholeStrokes?: number;
  /** ... Default `1.2`. */
  wholeWidth?: number;
  /**
   * A region of 2..`wholeStrokes` strokes, at most `wholeRegionWidth` x its own height wide, is also
   * one candidate (sizes relative to its own height) even when it is one line: a digit traced in pieces
   * makes H (from the pieces) too small, so its runs look too wide to be one digit. Default `true`.
   */
  wholeRegion?: boolean;
  /** Widest region-level candidate, x the region's own height (tuned). Default `2`. */
  wholeRegionWidth?: number;
  /**
   * Images a region may send to the classifier. A line whose candidates do not fit in what is left is
   * cut by column overlap instead (strokes sharing columns form a digit, one image each); groups
   * beyond the budget are left out of the result. Default `96`.
   */
  maxCandidates?: number;
  /** Points (after simplification) all candidates of a region may hold together; as above. Default `4000`. */
  maxPoints?: number;
  /** The geometric rules (for `geometricBonus`) run only on lines of at most this many strokes. Default `40`. */
  geometricStrokes?: number;
  /** Score subtracted per digit on a path (favours fewer, whole digits). Default `0.3`. */
  splitCost?: number;
  /** Penalty per H of width beyond `wideFrom`. Default `0.5`. */
  widthWeight?: number;
  /** Width (x H) beyond which a candidate is penalised. Default `1`. */
  wideFrom?: number;
  /** Penalty per H of horizontal gap between a candidate's strokes beyond 0.1 H. Default `1`. */
  gapWeight?: number;
  /** Penalty for a candidate much smaller than a digit (longest side under 0.5 H), at size 0. Default `4`. */
  smallWeight?: number;
  /**
   * With an 11-class model, the reading term is (1 - w) log P(best digit) + w log (1 - P(not one digit)).
   * Default `0.6` (tuned with `wholeBonus`: mostly whether it is one digit; a piece the model cannot put
   * a digit name to counts a little against it).
   */
  massWeight?: number;
  /**
   * Bonus for reading the whole region as one digit (the region-level candidate, or a run of all the
   * strokes of a one-line region): where the geometric rules saw two digits in an isolated digit traced
   * in pieces (each piece gets `geometricBonus`), a confident whole reading should still win. Default
   * `0.2` (tuned).
   */
  wholeBonus?: number;
  /**
   * Penalty for a candidate that splits into two tall parts (each at least `pairHeight` x H tall) that
   * both read as confident digits: two whole digits written close together (a tight "11" read as one 1,
   * "44" as one 4). It is this times the weaker part's confidence (P(best digit) x P(one digit)). The
   * run of all strokes of a one-line region (an isolated digit, with `wholeBonus`) is spared. Default
   * `0.6` (tuned).
   */
  pairPenalty?: number;
  /** ... Default `0.8` (tuned). */
  pairHeight?: number;
  /** Bonus when a candidate is exactly a digit of the geometric rules (shared/ink/segment.ts). Default `0.25`. */
  geometricBonus?: number;
  /**
   * Strokes at most this big (x H) are dots: left out of the candidates and joined to the nearest digit
   * afterwards. Smaller than the geometric rules' 0.15 H (tuned): a digit traced in pieces has short
   * pieces that belong in its image. `segment.dotSize`, when given, wins. Default `0.05`.
   */
  dotSize?: number;
  /** Thresholds of the geometric rules (lines, dots, the bonus). Default: their defaults. */
  segment?: SegmentOptions;
}

const DEFAULTS: Required<Omit<LatticeOptions, 'segment'>> = {
  maxStrokes: 6,
  maxWidth: 2,
  withinWidest: true,
  linkDistance: 0.6,
  wholeStrokes: 8,
  wholeWidth: 1.2,
  wholeRegion: true,
  wholeRegionWidth: 2,
  maxCandidates: 96,
  maxPoints: 4000,
  geometricStrokes: 40,
  splitCost: 0.3,
  widthWeight: 0.5,
  wideFrom: 1,
  gapWeight: 1,
  smallWeight: 4,
  geometricBonus: 0.25,
  massWeight: 0.6,
  wholeBonus: 0.2,
  pairPenalty: 0.6,
  pairHeight: 0.8,
  dotSize: 0.05,
};

/**
 * A candidate digit: strokes `from..to-1` of its line (drawing order), with what the priors need
 * (`from` = `to` = -1 for a fixed group of a line over budget).
 */
export interface Candidate {
  from: number;
  to: number;
  /** Indices of its strokes in the region, sorted. */
  strokes: number[];
  bbox: BBox;
  /** Width and height, x H. */
  width: number;
  height: number;
  /** Widest horizontal gap between its strokes' columns, x H (0 when they overlap). */
  gap: number;
  /** It is exactly one digit of the geometric rules. */
  geometric: boolean;
  /** Points it holds. */
  points: number;
}

/** One line of a plan: its strokes in drawing order and its candidates. */
export interface LinePlan {
  inks: Ink[];
  candidates: Candidate[];
  /** Over budget: `candidates` are fixed groups (column overlap), all taken, no lattice. */
  fixed: boolean;
}

/** What to classify for a region, and how to put it back together. */
export interface LatticePlan {
  H: number;
  lines: LinePlan[];
  dots: Ink[];
  /**
   * With more than one line: all the region's strokes as one candidate, when they are few and compact
   * (an isolated digit whose strokes the line finder put on two lines, such as a 4 drawn as two
   * stacked halves). It competes with the sum of the lines' best paths. Its sizes are relative to the
   * region's own height.
   */
  whole?: Candidate;
}

const keyOf = (indices: number[]): string => [...indices].sort((a, b) => a - b).join(',');

function columnsGap(inks: Ink[]): number {
  const spans = inks.map((s) => [s.bbox[0], s.bbox[2]] as const).sort((a, b) => a[0] - b[0]);
  let gap = 0;
  let right = spans[0]?.[1] ?? 0;
  for (const [x0, x1] of spans) {
    if (x0 > right) gap = Math.max(gap, x0 - right);
    right = Math.max(right, x1);
  }
  return gap;
}

function boxGap(a: BBox, b: BBox): number {
  return Math.hypot(Math.max(a[0] - b[2], b[0] - a[2], 0), Math.max(a[1] - b[3], b[1] - a[3], 0));
}

/** True when the strokes are one cluster under the `linked` relation. */
function connected(inks: Ink[], linked: (a: Ink, b: Ink) => boolean): boolean {
  const seen = [true, ...inks.slice(1).map(() => false)];
  const stack = [0];
  while (stack.length > 0) {
    const a = stack.pop() as number;
    for (let b = 0; b < inks.length; b++) {
      if (seen[b]) continue;
      if (linked(inks[a] as Ink, inks[b] as Ink)) {
        seen[b] = true;
        stack.push(b);
      }
    }
  }
  return seen.every(Boolean);
}

function candidateOf(inks: Ink[], from: number, to: number, H: number, geometric: Set<string>): Candidate {
  return candidateOfRun(inks.slice(from, to), from, to, H, geometric);
}

function candidateOfRun(run: Ink[], from: number, to: number, H: number, geometric: Set<string>): Candidate {
  let bbox = (run[0] as Ink).bbox;
  for (const s of run) bbox = unionBBox(bbox, s.bbox);
  const strokes = run.map((s) => s.index).sort((a, b) => a - b);
  return {
    from,
    to,
    strokes,
    bbox,
    width: (bbox[2] - bbox[0]) / H,
    height: (bbox[3] - bbox[1]) / H,
    gap: columnsGap(run) / H,
    geometric: geometric.has(keyOf(strokes)),
    points: run.reduce((n, s) => n + s.points.length, 0),
  };
}

/** Cheap cut of a line over budget: strokes whose columns overlap (by half the narrower) form a digit. */
function columnGroups(inks: Ink[], H: number): Candidate[] {
  const sorted = [...inks].sort((a, b) => a.bbox[0] - b.bbox[0]);
  const groups: Ink[][] = [];
  let right = -Infinity;
  for (const s of sorted) {
    const last = groups[groups.length - 1];
    const w = Math.min(s.bbox[2] - s.bbox[0], right - (last?.[0]?.bbox[0] ?? right));
    if (last && right - s.bbox[0] >= 0.5 * Math.max(w, 0)) {
      last.push(s);
      right = Math.max(right, s.bbox[2]);
    } else {
      groups.push([s]);
      right = s.bbox[2];
    }
  }
  return groups.map((g) => candidateOfRun(g, -1, -1, H, new Set()));
}

/** Lines, candidates and geometric groups of a region (no classification yet). */
export function planLattice(strokes: Stroke[], options: LatticeOptions = {}): LatticePlan {
  const o = { ...DEFAULTS, ...options };
  const { H, lines, dots } = prepareRegion(strokes, { dotSize: o.dotSize, ...o.segment });
  if (H === 0) return { H: 0, lines: [], dots: [] };
  let budget = o.maxCandidates;
  let pointBudget = o.maxPoints;
  const planned = lines.map((line): LinePlan => {
    const inks = [...line].sort((a, b) => a.index - b.index);
    const geometric = new Set<string>();
    if (o.geometricBonus !== 0 && inks.length <= o.geometricStrokes) {
      for (const g of geometricDigits(inks, H, o.segment))
        geometric.add(keyOf(g.strokes.map((s) => s.index)));
    }
    const link = o.linkDistance * H;
    const near = new Map<string, boolean>();
    const linked = (a: Ink, b: Ink): boolean => {
      const k = a.index < b.index ? `${a.index}:${b.index}` : `${b.index}:${a.index}`;
      let d = near.get(k);
      if (d === undefined) {
        d = boxGap(a.bbox, b.bbox) <= link && nearerThan(a.points, b.points, link);
        near.set(k, d);
      }
      return d;
    };
    const candidates: Candidate[] = [];
    let points = 0;
    for (let i = 0; i < inks.length; i++) {
      const single = candidateOf(inks, i, i + 1, H, geometric);
      candidates.push(single);
      points += single.points;
      let widest = single.width;
      for (let j = i + 2; j <= Math.min(inks.length, i + o.maxStrokes); j++) {
        const c = candidateOf(inks, i, j, H, geometric);
        const last = inks[j - 1] as Ink;
        widest = Math.max(widest, (last.bbox[2] - last.bbox[0]) / H);
        if (c.width > o.maxWidth && !(o.withinWidest && c.width <= widest)) {
          if (!o.withinWidest) break;
          continue;
        }
        if (connected(inks.slice(i, j), linked)) {
          candidates.push(c);
          points += c.points;
        }
      }
      if (candidates.length > budget || points > pointBudget) break;
    }
    if (inks.length > o.maxStrokes && inks.length <= o.wholeStrokes) {
      const whole = candidateOf(inks, 0, inks.length, H, geometric);
      if (whole.width <= o.wholeWidth) {
        candidates.push(whole);
        points += whole.points;
      }
    }
    if (candidates.length <= budget && points <= pointBudget) {
      budget -= candidates.length;
      pointBudget -= points;
      return { inks, candidates, fixed: false };
    }
    const fixed: Candidate[] = [];
    for (const c of columnGroups(inks, H)) {
      if (budget <= 0 || (c.points > pointBudget && fixed.length > 0)) break;
      fixed.push(c);
      budget -= 1;
      pointBudget -= c.points;
    }
    return { inks, candidates: fixed, fixed: true };
  });
  let whole: Candidate | undefined;
  const all = lines.flat().sort((a, b) => a.index - b.index);
  // One line whose strokes are already one candidate needs no second image of them.
  const covered =
    lines.length === 1 &&
    (planned[0] as LinePlan).candidates.some((c) => c.from === 0 && c.to === all.length);
  const wanted = lines.length > 1 || (o.wholeRegion && all.length > 1 && !covered);
  if (wanted && all.length <= o.wholeStrokes && budget > 0) {
    let box = (all[0] as Ink).bbox;
    for (const s of all) box = unionBBox(box, s.bbox);
    const h = box[3] - box[1];
    if (h > 0 && box[2] - box[0] <= o.wholeRegionWidth * h)
      whole = candidateOf(all, 0, all.length, h, new Set());
  }
  return { H, lines: planned, dots, whole };
}

/** Stroke lists to classify for a plan, in the order {@link decodeLattice} expects their probabilities. */
export function latticeImages(plan: LatticePlan): number[][] {
  const out: number[][] = [];
  for (const line of plan.lines) for (const c of line.candidates) out.push(c.strokes);
  if (plan.whole) out.push(plan.whole.strokes);
  return out;
}

/** Probability of the likeliest digit (classes 0..9; class 10, if present, is "not one digit"). */
export function digitProbability(p: Float32Array): number {
  let best = 0;
  for (let d = 0; d < 10 && d < p.length; d++) best = Math.max(best, p[d] as number);
  return best;
}

/** Score of one candidate given its class probabilities (see the module comment). */
export function candidateScore(c: Candidate, p: Float32Array, options: LatticeOptions = {}): number {
  const o = { ...DEFAULTS, ...options };
  const size = Math.max(c.width, c.height);
  const best = Math.log(Math.max(digitProbability(p), 1e-6));
  // With "not one digit" (class 10), how much of the mass is on digits at all: a whole digit that the
  // model cannot tell from another (4 or 9) is still a whole digit.
  const reading =
    p.length > 10 && o.massWeight > 0
      ? (1 - o.massWeight) * best + o.massWeight * Math.log(Math.max(1 - (p[10] as number), 1e-6))
      : best;
  return (
    reading -
    o.splitCost -
    o.widthWeight * Math.max(0, c.width - o.wideFrom) -
    o.gapWeight * Math.max(0, c.gap - 0.1) -
    o.smallWeight * Math.max(0, 0.5 - size) * 2 +
    (c.geometric ? o.geometricBonus : 0)
  );
}

/** Confidence that a candidate is one whole digit: P(best digit) x P(one digit). */
function wholeDigitConfidence(p: Float32Array): number {
  return digitProbability(p) * (p.length > 10 ? 1 - (p[10] as number) : 1);
}

/** Subtracts `pairPenalty` (see the option) from the scores of candidates that look like two digits. */
function pairPenalties(
  candidates: Candidate[],
  probs: Float32Array[],
  o: Required<Omit<LatticeOptions, 'segment'>>,
  scores: number[],
  spare: number,
): void {
  const at = new Map<string, number>();
  candidates.forEach((c, i) => at.set(`${c.from}:${c.to}`, i));
  candidates.forEach((c, i) => {
    if (c.from === 0 && c.to === spare) return;
    let worst = 0;
    for (let m = c.from + 1; m < c.to; m++) {
      const a = at.get(`${c.from}:${m}`);
      const b = at.get(`${m}:${c.to}`);
      if (a === undefined || b === undefined) continue;
      const [ca, cb] = [candidates[a] as Candidate, candidates[b] as Candidate];
      if (ca.height < o.pairHeight || cb.height < o.pairHeight) continue;
      const weaker = Math.min(
        wholeDigitConfidence(probs[a] as Float32Array),
        wholeDigitConfidence(probs[b] as Float32Array),
      );
      worst = Math.max(worst, weaker);
    }
    scores[i]! -= o.pairPenalty * worst;
  });
}

/**
 * A stroke drawn later than its digit's other strokes (a 7's crossbar added after the next digit) is
 * never in a run with them, so it comes out as a digit of its own. Such a digit of one short stroke
 * (at most 0.52 H tall) that lies 80% within another digit's columns and touches its ink (within
 * 0.05 H) joins that digit (rule `late`), which keeps its reading.
 */
function lateJoins(chosen: { group: Group; p: Float32Array }[], H: number): void {
  for (let i = chosen.length - 1; i >= 0; i--) {
    const piece = (chosen[i] as { group: Group }).group;
    if (piece.strokes.length !== 1) continue;
    const s = piece.strokes[0] as Ink;
    if (s.bbox[3] - s.bbox[1] > 0.52 * H) continue;
    const host = chosen.find(({ group: g }) => {
      if (g === piece) return false;
      const inside = s.points.filter(([x]) => x >= g.bbox[0] && x <= g.bbox[2]).length;
      if (inside < 0.8 * s.points.length) return false;
      return g.strokes.some(
        (t) => boxGap(t.bbox, s.bbox) <= 0.05 * H && nearerThan(t.points, s.points, 0.05 * H),
      );
    });
    if (!host) continue;
    host.group.strokes.push(s);
    host.group.bbox = unionBBox(host.group.bbox, s.bbox);
    host.group.rules.push('late');
    chosen.splice(i, 1);
  }
}

/** Digits of a region: the best path of every line, dots attached; `probs` are in reading order. */
export function decodeLattice(
  plan: LatticePlan,
  probs: Float32Array[],
  options: LatticeOptions = {},
): { seg: Segmentation; probs: Float32Array[] } {
  const o = { ...DEFAULTS, ...options };
  if (plan.H === 0) return { seg: { lines: [], height: 0 }, probs: [] };
  let lineGroups: { group: Group; p: Float32Array }[][] = [];
  const onlyLine = plan.lines.length === 1;
  let total = 0;
  let k = 0;
  for (const line of plan.lines) {
    const chosen: { group: Group; p: Float32Array }[] = [];
    if (line.fixed) {
      const byIndex = new Map(line.inks.map((s) => [s.index, s]));
      for (const c of line.candidates) {
        const p = probs[k++] as Float32Array;
        total += candidateScore(c, p, o);
        const inks = c.strokes.map((i) => byIndex.get(i) as Ink);
        chosen.push({
          group: { strokes: inks, bbox: c.bbox, rules: inks.slice(1).map(() => 'lattice' as const) },
          p,
        });
      }
    } else {
      const n = line.inks.length;
      const best = new Float64Array(n + 1).fill(-Infinity);
      const back: (number | undefined)[] = new Array(n + 1);
      best[0] = 0;
      const scores = line.candidates.map(
        (c) =>
          candidateScore(c, probs[k++] as Float32Array, o) +
          (onlyLine && c.from === 0 && c.to === n ? o.wholeBonus : 0),
      );
      const first = k - line.candidates.length;
      if (o.pairPenalty > 0)
        pairPenalties(line.candidates, probs.slice(first, k), o, scores, onlyLine ? n : -1);
      // Candidates are generated in order of `from`, so one pass in order of `to` is a valid DP order.
      const byEnd = line.candidates
        .map((_, i) => i)
        .sort((a, b) => line.candidates[a]!.to - line.candidates[b]!.to);
      for (const ci of byEnd) {
        const c = line.candidates[ci] as Candidate;
        const s = (best[c.from] as number) + (scores[ci] as number);
        if (s > (best[c.to] as number)) {
          best[c.to] = s;
          back[c.to] = ci;
        }
      }
      total += best[n] as number;
      for (let end = n; end > 0;) {
        const ci = back[end] as number;
        const c = line.candidates[ci] as Candidate;
        const inks = line.inks.slice(c.from, c.to);
        chosen.push({
          group: { strokes: inks, bbox: c.bbox, rules: inks.slice(1).map(() => 'lattice' as const) },
          p: probs[first + ci] as Float32Array,
        });
        end = c.from;
      }
    }
    lateJoins(chosen, plan.H);
    chosen.sort((a, b) => a.group.bbox[0] + a.group.bbox[2] - (b.group.bbox[0] + b.group.bbox[2]));
    lineGroups.push(chosen);
  }
  if (plan.whole) {
    const p = probs[k++] as Float32Array;
    if (candidateScore(plan.whole, p, o) + o.wholeBonus > total) {
      const inks = plan.lines.flatMap((l) => l.inks).sort((a, b) => a.index - b.index);
      const rules = inks.slice(1).map(() => 'lattice' as const);
      lineGroups = [[{ group: { strokes: inks, bbox: plan.whole.bbox, rules }, p }]];
    }
  }
  attachDots(
    lineGroups.flat().map((x) => x.group),
    plan.dots,
    plan.H,
    o.segment,
  );
  return {
    seg: toSegmentation(
      lineGroups.map((l) => l.map((x) => x.group)),
      plan.H,
      o.segment,
    ),
    probs: lineGroups.flat().map((x) => x.p),
  };
}
