/**
 * From regions of ink to recognition results: simplify every stroke (bounded cost), plan each region's
 * candidate digits (shared/ink/lattice.ts), rasterise them, classify all candidates of all regions in one
 * call, optionally fuse a second opinion from the pen path (an 11-class online model on every candidate,
 * before the cut; a 10-class one on each chosen digit, after it), pick each line's best path, assemble
 * labels, alternatives, boxes and text. Model-free: the classifiers are passed in (10
 * digit classes, or 11 with "not one digit"), so the same code runs behind a batcher in a worker thread.
 */
import { bboxOf, unionBBox } from '../../shared/ink/geometry.ts';
import { decodeLattice, latticeImages, planLattice, type LatticeOptions } from '../../shared/ink/lattice.ts';
import { rasterise, type RasteriseOptions } from '../../shared/ink/rasterise.ts';
import { simplifyStroke, simplifyStrokes, type SimplifyOptions } from '../../shared/ink/simplify.ts';
import {
  segment,
  segmentationText,
  type Segmentation,
  type SegmentOptions,
} from '../../shared/ink/segment.ts';
import type { BBox, DigitResult, RecognitionResult, Stroke } from '../../shared/ink/types.ts';
import type { ClassifyImages } from '../inference/classify.ts';
import { applyMerges, mergeCandidates, type MergeCandidate, type RefineOptions } from './refine.ts';
import {
  applySecondOpinion,
  fuseCandidate,
  latticeDefaults,
  opinionWeight,
  readPaths,
  type SecondOpinion,
} from './second-opinion.ts';

/** Options of {@link readRegions}. */
export interface ReadOptions {
  /** How many alternatives to return per digit, best first (at least 2). Default `2`. */
  alternatives?: number;
  /** Segmentation thresholds. Default: the tuned defaults of shared/ink/segment.ts. */
  segment?: SegmentOptions;
  /**
   * How digits are cut: `lattice` (recognition-driven, shared/ink/lattice.ts) or `geometric` (the rules of
   * shared/ink/segment.ts alone, one image per digit). Default `lattice`.
   */
  segmenter?: 'lattice' | 'geometric';
  /** Options of the lattice (candidates, priors, budget). Default: the tuned defaults of lattice.ts. */
  lattice?: LatticeOptions;
  /** Stroke simplification before any geometry (bounded cost). Default: at most 96 points a stroke. */
  simplify?: SimplifyOptions;
  /** Rasteriser settings. Default: MNIST-matched defaults of shared/ink/rasterise.ts. */
  rasterise?: RasteriseOptions;
  /**
   * Recognition-assisted merging of neighbours (workers/recognition/refine.ts), with the `geometric`
   * segmenter only. Default `false` (off): with the MNIST-trained seed model it merged more neighbours
   * wrongly than it fixed (docs/recognition.md).
   */
  refine?: RefineOptions | false;
  /**
   * A second opinion from the pen path: the online model reads every candidate before the cut is chosen
   * (`everyCandidate`, a model with "not one digit") or each chosen digit after it, and the readings are
   * fused (workers/recognition/second-opinion.ts). Default: none (the image model alone).
   */
  trajectory?: SecondOpinion;
}

/** Candidates with more points than this (after simplification) are thinned to it and drawn without spline points. */
const DENSE_POINTS = 400;

/** Digit labels (0..9; an 11th "not one digit" class is left out) sorted by probability, best first. */
export function ranked(probs: Float32Array): { label: number; confidence: number }[] {
  return Array.from(probs.subarray(0, 10), (confidence, label) => ({ label, confidence })).sort(
    (a, b) => b.confidence - a.confidence,
  );
}

/** Box of each stroke's finite points (undefined for a stroke without one). */
function strokeBoxes(strokes: Stroke[]): (BBox | undefined)[] {
  return strokes.map((s) =>
    Array.isArray(s)
      ? bboxOf(s.filter((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])))
      : undefined,
  );
}

/** Recognises each region (a list of strokes, any units, y down); results come back in the same order. */
export async function readRegions(
  regions: Stroke[][],
  classify: ClassifyImages,
  options: ReadOptions = {},
): Promise<RecognitionResult[]> {
  const alternatives = Math.max(2, options.alternatives ?? 2);
  const images: Float32Array[] = [];
  const simplified = regions.map((strokes) => simplifyStrokes(strokes, options.simplify));
  const lattice = (options.segmenter ?? 'lattice') === 'lattice';
  // An online model that can say "not one digit" reads every lattice candidate: it votes on the cut.
  const opinion = options.trajectory;
  const everyCandidate = lattice && opinion?.everyCandidate === true;
  /** Each candidate's ink as drawn (before thinning), for the online model when it reads every candidate. */
  const inks: Stroke[][] = [];
  const draw = (strokes: Stroke[], ids: number[]) => {
    let ink = ids.map((i) => strokes[i] as Stroke);
    if (everyCandidate) inks.push(ink);
    // Dense ink (scribbles) is thinned to DENSE_POINTS in all and drawn without spline points: a 28x28
    // image shows no more, and the cost of an image stays bounded.
    const dense = ink.reduce((n, s) => n + s.length, 0) > DENSE_POINTS;
    if (dense) {
      const each = Math.max(2, Math.floor(DENSE_POINTS / ink.length));
      ink = ink.map((s) => simplifyStroke(s, { maxPoints: each }));
    }
    images.push(rasterise(ink, dense ? { ...options.rasterise, smoothing: 0 } : options.rasterise));
  };
  const latticeOptions: LatticeOptions = {
    ...(everyCandidate ? latticeDefaults(opinion) : {}),
    ...options.lattice,
    segment: options.lattice?.segment ?? options.segment,
  };
  const plans = simplified.map((strokes) => {
    const first = images.length;
    if (lattice) {
      const plan = planLattice(strokes, latticeOptions);
      for (const ids of latticeImages(plan)) draw(strokes, ids);
      return { kind: 'lattice' as const, plan, first, count: images.length - first };
    }
    const seg = segment(strokes, options.segment);
    for (const line of seg.lines) for (const d of line.digits) draw(strokes, d.strokes);
    const candidates: MergeCandidate[] = options.refine ? mergeCandidates(seg, strokes, options.refine) : [];
    for (const c of candidates) draw(strokes, c.strokes);
    return { kind: 'geometric' as const, seg, first, candidates };
  });
  let probs = images.length > 0 ? await classify(images) : [];
  if (probs.length !== images.length) {
    throw new Error(`classifier returned ${probs.length} results for ${images.length} images`);
  }
  if (opinion && everyCandidate) {
    const paths = await readPaths(opinion, inks);
    const weight = opinionWeight(opinion);
    probs = probs.map((p, k) => fuseCandidate(p, paths[k] as Float32Array, weight));
  }
  const resolved = plans.map((p, r): { seg: Segmentation; probs: Float32Array[] } => {
    if (p.kind === 'lattice') {
      return decodeLattice(p.plan, probs.slice(p.first, p.first + p.count), latticeOptions);
    }
    const { seg, first, candidates } = p;
    let k = first;
    const perLine = seg.lines.map((line) => line.digits.map(() => probs[k++] as Float32Array));
    const candidateProbs = candidates.map(() => probs[k++] as Float32Array);
    const refined = applyMerges(
      seg,
      simplified[r] as Stroke[],
      perLine,
      candidates,
      candidateProbs,
      options.refine || {},
    );
    return { seg: refined.seg, probs: refined.probs.flat() };
  });
  if (opinion && !everyCandidate) {
    await applySecondOpinion(
      opinion,
      resolved.map(({ seg, probs: digitProbs }, r) => ({
        strokes: simplified[r] as Stroke[],
        probs: digitProbs,
        ids: seg.lines.flatMap((line) => line.digits.map((d) => d.strokes)),
      })),
    );
  }
  return resolved.map(({ seg, probs: digitProbs }, r): RecognitionResult => {
    // Boxes from the original points (simplification may round a stroke's extremes).
    const boxes = strokeBoxes(regions[r] as Stroke[]);
    const boxOf = (ids: number[], fallback: BBox): BBox =>
      ids.reduce<BBox | undefined>((b, i) => {
        const s = boxes[i];
        return s ? (b ? unionBBox(b, s) : s) : b;
      }, undefined) ?? fallback;
    let k = 0;
    const digits: DigitResult[] = [];
    for (const line of seg.lines) {
      for (const d of line.digits) {
        const [best, ...rest] = ranked(digitProbs[k++] as Float32Array);
        digits.push({
          label: best?.label ?? 0,
          confidence: best?.confidence ?? 0,
          alternatives: rest.slice(0, alternatives),
          bbox: boxOf(d.strokes, d.bbox),
          strokes: d.strokes,
        });
      }
    }
    return {
      text: segmentationText(
        seg,
        digits.map((d) => d.label),
      ),
      digits,
    };
  });
}
