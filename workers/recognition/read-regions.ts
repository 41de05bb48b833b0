/**
 * From regions of ink to recognition results: segment every region, rasterise every digit, classify all
 * digits of all regions in one call, assemble labels, alternatives, boxes and text. Model-free: the
 * classifier is passed in, so the same code runs behind a batcher in a worker thread.
 */
import { rasterise, type RasteriseOptions } from '../../shared/ink/rasterise.ts';
import {
  segment,
  segmentationText,
  type Segmentation,
  type SegmentOptions,
} from '../../shared/ink/segment.ts';
import type { DigitResult, RecognitionResult, Stroke } from '../../shared/ink/types.ts';
import type { ClassifyImages } from '../inference/classify.ts';
import { applyMerges, mergeCandidates, type MergeCandidate, type RefineOptions } from './refine.ts';

/** Options of {@link readRegions}. */
export interface ReadOptions {
  /** How many alternatives to return per digit, best first (at least 2). Default `2`. */
  alternatives?: number;
  /** Segmentation thresholds. Default: the tuned defaults of shared/ink/segment.ts. */
  segment?: SegmentOptions;
  /** Rasteriser settings. Default: MNIST-matched defaults of shared/ink/rasterise.ts. */
  rasterise?: RasteriseOptions;
  /**
   * Recognition-assisted merging of neighbours (workers/recognition/refine.ts). Default `false` (off): with
   * the MNIST-trained seed model it merged more neighbours wrongly than it fixed (docs/recognition.md).
   */
  refine?: RefineOptions | false;
}

/** Labels sorted by probability, best first. */
export function ranked(probs: Float32Array): { label: number; confidence: number }[] {
  return Array.from(probs, (confidence, label) => ({ label, confidence })).sort(
    (a, b) => b.confidence - a.confidence,
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
  const draw = (strokes: Stroke[], ids: number[]) =>
    images.push(
      rasterise(
        ids.map((i) => strokes[i] as Stroke),
        options.rasterise,
      ),
    );
  const plans = regions.map((strokes) => {
    const seg = segment(strokes, options.segment);
    const first = images.length;
    for (const line of seg.lines) for (const d of line.digits) draw(strokes, d.strokes);
    const candidates: MergeCandidate[] = options.refine ? mergeCandidates(seg, strokes, options.refine) : [];
    for (const c of candidates) draw(strokes, c.strokes);
    return { seg, first, candidates };
  });
  const probs = images.length > 0 ? await classify(images) : [];
  if (probs.length !== images.length) {
    throw new Error(`classifier returned ${probs.length} results for ${images.length} images`);
  }
  const resolved = plans.map(
    ({ seg, first, candidates }, r): { seg: Segmentation; probs: Float32Array[] } => {
      let k = first;
      const perLine = seg.lines.map((line) => line.digits.map(() => probs[k++] as Float32Array));
      const candidateProbs = candidates.map(() => probs[k++] as Float32Array);
      const refined = applyMerges(
        seg,
        regions[r] as Stroke[],
        perLine,
        candidates,
        candidateProbs,
        options.refine || {},
      );
      return { seg: refined.seg, probs: refined.probs.flat() };
    },
  );
  return resolved.map(({ seg, probs: digitProbs }): RecognitionResult => {
    let k = 0;
    const digits: DigitResult[] = [];
    for (const line of seg.lines) {
      for (const d of line.digits) {
        const [best, ...rest] = ranked(digitProbs[k++] as Float32Array);
        digits.push({
          label: best?.label ?? 0,
          confidence: best?.confidence ?? 0,
          alternatives: rest.slice(0, alternatives),
          bbox: d.bbox,
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
