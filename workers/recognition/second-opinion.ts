/**
 * The online model's second opinion: a digit's pen path (shared/ink/trajectory.ts) is read by a model of
 * the trajectory, and its probabilities are fused with the image model's by a weighted sum of log
 * probabilities. A 10-class model reads only the digits the lattice has cut (one small batch per call).
 * An 11-class model, which can also say "not one digit", reads every candidate of the lattice before the
 * cut is chosen, so it votes on the cut too (one more batch the size of the image batch).
 */
import type { LatticeOptions } from '../../shared/ink/lattice.ts';
import { trajectoryFeatures } from '../../shared/ink/trajectory.ts';
import type { Stroke } from '../../shared/ink/types.ts';
import type { ClassifyImages } from '../inference/classify.ts';

/** The second opinion: the trajectory model's classifier and how much its reading counts. */
export interface SecondOpinion {
  /** Classifies pen-path features (one Float32Array per ink) into 10 digit probabilities, or 11 with "not one digit". */
  classify: ClassifyImages;
  /**
   * Weight of its log probabilities against the image model's (1 - weight). Default
   * {@link SECOND_OPINION_WEIGHT} on the chosen digits, {@link CANDIDATE_OPINION_WEIGHT} with `everyCandidate`.
   */
  weight?: number;
  /**
   * Read every lattice candidate and fuse before the cut is chosen (for a model with a "not one digit"
   * class), rather than only the chosen digits. Default `false`; the recognizer sets it for 11 classes.
   */
  everyCandidate?: boolean;
}

/** Default weight of a 10-class second opinion on the chosen digits (tuned on training data, docs/recognition.md). */
export const SECOND_OPINION_WEIGHT = 0.3;

/** Default weight of an 11-class second opinion on every lattice candidate (tuned likewise). */
export const CANDIDATE_OPINION_WEIGHT = 0.45;

/**
 * The lattice's `geometricBonus` when the online model votes on the cut (`everyCandidate`), unless the
 * caller sets one: with its evidence on every candidate the geometric rules need count for less (tuned on
 * training data; the lattice's own default, 0.25, is for the image model alone).
 */
export const GEOMETRIC_BONUS_WITH_PATH = 0.1;

/** The weight `opinion` is read with: its own, else the default of its mode. */
export function opinionWeight(opinion: Pick<SecondOpinion, 'weight' | 'everyCandidate'>): number {
  return opinion.weight ?? (opinion.everyCandidate ? CANDIDATE_OPINION_WEIGHT : SECOND_OPINION_WEIGHT);
}

/** Lattice defaults that change when the online model votes on the cut (the caller's options win). */
export function latticeDefaults(opinion: SecondOpinion | undefined): LatticeOptions {
  return opinion?.everyCandidate ? { geometricBonus: GEOMETRIC_BONUS_WITH_PATH } : {};
}

/**
 * The image model's probabilities with its ten digit classes replaced by the fused reading: softmax of
 * (1 - w) log p_image + w log p_path over the digits, scaled to the mass the image model put on digits
 * (an 11th "not one digit" class keeps its probability).
 */
export function fuseReadings(image: Float32Array, path: Float32Array, weight: number): Float32Array {
  const out = new Float32Array(image);
  let digitMass = 0;
  for (let d = 0; d < 10; d++) digitMass += image[d] as number;
  const fused = logLinear(image, path, weight, 10);
  for (let d = 0; d < 10; d++) out[d] = digitMass * (fused[d] as number);
  return out;
}

/** softmax((1 - w) log a + w log b) over the first `n` classes (probabilities floored at 1e-7). */
function logLinear(a: Float32Array, b: Float32Array, weight: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let c = 0; c < n; c++) {
    out[c] =
      (1 - weight) * Math.log(Math.max(a[c] as number, 1e-7)) +
      weight * Math.log(Math.max((b[c] as number | undefined) ?? 0, 1e-7));
    max = Math.max(max, out[c] as number);
  }
  let sum = 0;
  for (let c = 0; c < n; c++) sum += out[c] = Math.exp((out[c] as number) - max);
  for (let c = 0; c < n; c++) out[c] = (out[c] as number) / sum;
  return out;
}

/**
 * Fused reading of one lattice candidate: with 11 classes on both sides, softmax of (1 - w) log p_image +
 * w log p_path over all 11 (both models' say on "not one digit" counts); otherwise {@link fuseReadings}.
 */
export function fuseCandidate(image: Float32Array, path: Float32Array, weight: number): Float32Array {
  if (image.length !== 11 || path.length !== 11) return fuseReadings(image, path, weight);
  return Float32Array.from(logLinear(image, path, weight, 11));
}

/** Reads each ink's pen path; one classifier call for all of them. */
export async function readPaths(opinion: SecondOpinion, inks: Stroke[][]): Promise<Float32Array[]> {
  if (inks.length === 0) return [];
  const readings = await opinion.classify(inks.map((ink) => trajectoryFeatures(ink)));
  if (readings.length !== inks.length) {
    throw new Error(`trajectory classifier returned ${readings.length} results for ${inks.length} inputs`);
  }
  return readings;
}

/**
 * Fuses the second opinion into `probs` (one per digit, in place) for the digits whose strokes are
 * `digits` (indices into `strokes`). One classifier call for all of them.
 */
export async function applySecondOpinion(
  opinion: SecondOpinion,
  digits: { strokes: Stroke[]; probs: Float32Array[]; ids: number[][] }[],
): Promise<void> {
  const readings = await readPaths(
    opinion,
    digits.flatMap((r) => r.ids.map((ids) => ids.map((i) => r.strokes[i] as Stroke))),
  );
  if (readings.length === 0) return;
  const weight = opinionWeight(opinion);
  let k = 0;
  for (const r of digits)
    r.probs.forEach((p, i) => {
      r.probs[i] = fuseReadings(p, readings[k++] as Float32Array, weight);
    });
}
