/**
 * The online model's second opinion on the digits the lattice has cut: each digit's pen path
 * (shared/ink/trajectory.ts) is read by a model of the trajectory, and its ten digit probabilities are
 * fused with the image model's by a weighted sum of log probabilities. Only the chosen digits are read
 * (not every candidate), so the cost is one small batch per call.
 */
import { trajectoryFeatures } from '../../shared/ink/trajectory.ts';
import type { Stroke } from '../../shared/ink/types.ts';
import type { ClassifyImages } from '../inference/classify.ts';

/** The second opinion: the trajectory model's classifier and how much its reading counts. */
export interface SecondOpinion {
  /** Classifies pen-path features (one Float32Array per digit) into 10 digit probabilities. */
  classify: ClassifyImages;
  /** Weight of its log probabilities against the image model's (1 - weight). Default `0.3` (tuned). */
  weight?: number;
}

/** Default weight of the second opinion (tuned on training data, docs/recognition.md). */
export const SECOND_OPINION_WEIGHT = 0.3;

/**
 * The image model's probabilities with its ten digit classes replaced by the fused reading: softmax of
 * (1 - w) log p_image + w log p_path over the digits, scaled to the mass the image model put on digits
 * (an 11th "not one digit" class keeps its probability).
 */
export function fuseReadings(image: Float32Array, path: Float32Array, weight: number): Float32Array {
  const out = new Float32Array(image);
  let digitMass = 0;
  for (let d = 0; d < 10; d++) digitMass += image[d] as number;
  const logits = new Float64Array(10);
  let max = -Infinity;
  for (let d = 0; d < 10; d++) {
    const v =
      (1 - weight) * Math.log(Math.max(image[d] as number, 1e-7)) +
      weight * Math.log(Math.max((path[d] as number | undefined) ?? 0, 1e-7));
    logits[d] = v;
    max = Math.max(max, v);
  }
  let sum = 0;
  for (let d = 0; d < 10; d++) sum += logits[d] = Math.exp((logits[d] as number) - max);
  for (let d = 0; d < 10; d++) out[d] = (digitMass * (logits[d] as number)) / sum;
  return out;
}

/**
 * Fuses the second opinion into `probs` (one per digit, in place) for the digits whose strokes are
 * `digits` (indices into `strokes`). One classifier call for all of them.
 */
export async function applySecondOpinion(
  opinion: SecondOpinion,
  digits: { strokes: Stroke[]; probs: Float32Array[]; ids: number[][] }[],
): Promise<void> {
  const inputs = digits.flatMap((r) =>
    r.ids.map((ids) => trajectoryFeatures(ids.map((i) => r.strokes[i] as Stroke))),
  );
  if (inputs.length === 0) return;
  const readings = await opinion.classify(inputs);
  if (readings.length !== inputs.length) {
    throw new Error(`trajectory classifier returned ${readings.length} results for ${inputs.length} digits`);
  }
  const weight = opinion.weight ?? SECOND_OPINION_WEIGHT;
  let k = 0;
  for (const r of digits)
    r.probs.forEach((p, i) => {
      r.probs[i] = fuseReadings(p, readings[k++] as Float32Array, weight);
    });
}
