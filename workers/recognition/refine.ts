/**
 * Recognition-assisted segmentation. Geometry alone cannot always tell a 4 written as an "L" plus a stem
 * from an "L"-ending digit followed by a 1. For neighbouring digits that could be one (drawn one after the
 * other, together no wider than a digit, their ink close), the merged strokes are classified in the same
 * batch as the digits, and the pair is merged when the classifier is surer of the merged digit than of
 * both parts together. See docs/recognition.md ("Recognition-assisted merging").
 */
import { bboxOf, finitePoints, polylineDistance, unionBBox } from '../../shared/ink/geometry.ts';
import type { DigitSegment, Segmentation } from '../../shared/ink/segment.ts';
import type { Point, Stroke } from '../../shared/ink/types.ts';

/** Options of {@link mergeCandidates} and {@link applyMerges}; lengths are multiples of the digit height H. */
export interface RefineOptions {
  /** Consider merging two neighbours only if together they are at most this wide. Default `1.1`. */
  maxWidth?: number;
  /** ... and their ink comes at least this close. Default `0.2`. */
  maxGap?: number;
  /** Merge when confidence(merged) > confidence(left) x confidence(right) x this. Default `1`. */
  bias?: number;
}

const DEFAULTS: Required<RefineOptions> = { maxWidth: 1.1, maxGap: 0.2, bias: 1 };

/** A pair of neighbouring digits (line, index of the left one) that might be one digit. */
export interface MergeCandidate {
  line: number;
  index: number;
  /** The strokes of both digits, sorted. */
  strokes: number[];
}

function inkGap(strokes: Stroke[], a: DigitSegment, b: DigitSegment): number {
  let best = Infinity;
  for (const i of a.strokes) {
    const s = finitePoints(strokes[i] as Stroke);
    for (const j of b.strokes) best = Math.min(best, polylineDistance(s, finitePoints(strokes[j] as Stroke)));
  }
  return best;
}

/** True when the two digits' strokes were drawn one right after the other (no other digit in between). */
function consecutive(a: DigitSegment, b: DigitSegment): boolean {
  const amax = Math.max(...a.strokes);
  const amin = Math.min(...a.strokes);
  const bmax = Math.max(...b.strokes);
  const bmin = Math.min(...b.strokes);
  return amax + 1 === bmin || bmax + 1 === amin;
}

/** Neighbouring digits that might be a single digit. */
export function mergeCandidates(
  seg: Segmentation,
  strokes: Stroke[],
  options: RefineOptions = {},
): MergeCandidate[] {
  const o = { ...DEFAULTS, ...options };
  const H = seg.height;
  const out: MergeCandidate[] = [];
  seg.lines.forEach((line, li) => {
    for (let k = 0; k + 1 < line.digits.length; k++) {
      const a = line.digits[k] as DigitSegment;
      const b = line.digits[k + 1] as DigitSegment;
      if (line.spaceBefore[k + 1] || !consecutive(a, b)) continue;
      const box = unionBBox(a.bbox, b.bbox);
      if (box[2] - box[0] > o.maxWidth * H) continue;
      if (inkGap(strokes, a, b) > o.maxGap * H) continue;
      out.push({ line: li, index: k, strokes: [...a.strokes, ...b.strokes].sort((x, y) => x - y) });
    }
  });
  return out;
}

const top = (p: Float32Array): number => Math.max(...p);

/**
 * Applies the merges the classifier prefers. `probs[line][k]` are the digit probabilities; `candidateProbs[c]`
 * those of candidate c's merged strokes. Candidates are taken best gain first, never two touching the same
 * digit. Returns the new segmentation and the probabilities of its digits.
 */
export function applyMerges(
  seg: Segmentation,
  strokes: Stroke[],
  probs: Float32Array[][],
  candidates: MergeCandidate[],
  candidateProbs: Float32Array[],
  options: RefineOptions = {},
): { seg: Segmentation; probs: Float32Array[][] } {
  const o = { ...DEFAULTS, ...options };
  const gains = candidates
    .map((c, i) => {
      const left = probs[c.line]?.[c.index] as Float32Array;
      const right = probs[c.line]?.[c.index + 1] as Float32Array;
      return {
        c,
        p: candidateProbs[i] as Float32Array,
        gain: top(candidateProbs[i] as Float32Array) - top(left) * top(right) * o.bias,
      };
    })
    .filter((g) => g.gain > 0)
    .sort((a, b) => b.gain - a.gain);
  const taken = new Set<string>();
  const merges = new Map<number, Map<number, Float32Array>>();
  for (const { c, p } of gains) {
    const keys = [`${c.line}:${c.index}`, `${c.line}:${c.index + 1}`];
    if (keys.some((k) => taken.has(k))) continue;
    keys.forEach((k) => taken.add(k));
    const m = merges.get(c.line) ?? new Map<number, Float32Array>();
    m.set(c.index, p);
    merges.set(c.line, m);
  }
  if (merges.size === 0) return { seg, probs };
  const lines = seg.lines.map((line, li) => {
    const m = merges.get(li);
    const lineProbs = probs[li] ?? [];
    if (!m) return { line, probs: lineProbs };
    const digits: DigitSegment[] = [];
    const spaceBefore: boolean[] = [];
    const out: Float32Array[] = [];
    for (let k = 0; k < line.digits.length; k++) {
      const a = line.digits[k] as DigitSegment;
      const merged = m.get(k);
      if (merged) {
        const b = line.digits[k + 1] as DigitSegment;
        const pts = [...a.strokes, ...b.strokes].flatMap((i) =>
          finitePoints(strokes[i] as Stroke),
        ) as Point[];
        digits.push({
          strokes: [...a.strokes, ...b.strokes].sort((x, y) => x - y),
          bbox: bboxOf(pts) ?? unionBBox(a.bbox, b.bbox),
          rules: [...a.rules, ...b.rules, 'recognised'],
        });
        out.push(merged);
        spaceBefore.push(line.spaceBefore[k] ?? false);
        k++;
      } else {
        digits.push(a);
        out.push(lineProbs[k] as Float32Array);
        spaceBefore.push(line.spaceBefore[k] ?? false);
      }
    }
    return { line: { digits, spaceBefore }, probs: out };
  });
  return { seg: { lines: lines.map((l) => l.line), height: seg.height }, probs: lines.map((l) => l.probs) };
}
