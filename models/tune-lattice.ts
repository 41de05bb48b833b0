/**
 * Tunes the lattice's score weights (shared/ink/lattice.ts) on TRAINING data only: isolated pen digits
 * of writers 1..20, MNIST-stroke digits of lines 50,000..54,999, and 2-5 digit numbers composed from
 * each (seeds 5 and 6). Candidates are classified once; then every weight setting of a small grid is
 * decoded from the cached probabilities. Held-out data (pen writers 21..30, MNIST-stroke lines
 * 55,000..59,999) is never read here.
 *
 * The second opinion is the recognizer's (models/trajectory unless `--trajectory off|DIR`): an 11-class
 * online model is fused into every candidate before decoding, a 10-class one into the chosen digits.
 * `--weights '[0.3,0.45]'` tries several weights for it (default: the recognizer's).
 *
 *   npx tsx models/tune-lattice.ts [--model NAME] [--n 2000] [--trajectory off|DIR] [--weights JSON]
 */
import { parseArgs } from 'node:util';
import { readMnistStrokes } from './lib/mnist-strokes.ts';
import { PEN_TRAIN_WRITERS, composeNumbers, readPenDigits } from './lib/pen-data.ts';
import {
  decodeLattice,
  latticeImages,
  planLattice,
  type LatticeOptions,
  type LatticePlan,
} from '../shared/ink/lattice.ts';
import { rasterise, type RasteriseOptions } from '../shared/ink/rasterise.ts';
import { segmentationText } from '../shared/ink/segment.ts';
import { simplifyStrokes } from '../shared/ink/simplify.ts';
import type { Stroke } from '../shared/ink/types.ts';
import { Recognizer } from '../workers/inference/recognizer.ts';
import {
  fuseCandidate,
  fuseReadings,
  latticeDefaults,
  readPaths,
} from '../workers/recognition/second-opinion.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    n: { type: 'string', default: '2000' },
    grid: { type: 'string' },
    // Rasteriser options as JSON (e.g. '{"penWidth":3}'); --tta '[2.2,3.2]' averages the readings at
    // these pen widths.
    raster: { type: 'string', default: '{}' },
    tta: { type: 'string' },
    // Planning options of the lattice as JSON (e.g. '{"maxStrokes":6}'): candidates change, so they are
    // classified again.
    base: { type: 'string', default: '{}' },
    trajectory: { type: 'string' },
    weights: { type: 'string' },
  },
});
const rasterOptions = JSON.parse(values.raster) as RasteriseOptions;
const ttaWidths = values.tta ? (JSON.parse(values.tta) as number[]) : undefined;
const n = Number(values.n);
const recognizer = await Recognizer.load({
  model: values.model,
  trajectoryModel: values.trajectory,
  log: () => {},
});
const opinion = recognizer.secondOpinion;
const weights = values.weights ? (JSON.parse(values.weights) as number[]) : [opinion?.weight ?? 0];
console.log(
  `second opinion: ${opinion ? `${recognizer.trajectoryModelDir} (${opinion.everyCandidate ? 'every candidate' : 'chosen digits'}), weights ${weights.join(', ')}` : 'none'}`,
);
const pen = readPenDigits().filter((d) => PEN_TRAIN_WRITERS.includes(d.writer));
const strokes = readMnistStrokes([50000, 55000]);
const sets: { name: string; regions: Stroke[][]; truth: string[] }[] = [
  {
    name: 'pen 1-20',
    regions: pen.slice(0, n).map((d) => d.strokes),
    truth: pen.slice(0, n).map((d) => String(d.label)),
  },
  {
    name: 'strokes 50k-55k',
    regions: strokes.slice(0, n).map((d) => d.strokes),
    truth: strokes.slice(0, n).map((d) => String(d.label)),
  },
];
for (const [name, digits, seed] of [
  ['numbers pen 1-20', pen, 5],
  ['numbers strokes', strokes, 6],
] as const) {
  const ns = composeNumbers(digits, { count: n / 2, seed });
  sets.push({ name, regions: ns.map((x) => x.strokes), truth: ns.map((x) => x.text) });
}

const base: LatticeOptions = {
  ...latticeDefaults(opinion),
  ...(JSON.parse(values.base) as LatticeOptions),
};
const t0 = performance.now();
const cached: {
  set: (typeof sets)[number];
  plans: LatticePlan[];
  probs: Float32Array[];
  paths: Float32Array[];
  ranges: [number, number][];
}[] = [];
for (const set of sets) {
  const simplified = set.regions.map((r) => simplifyStrokes(r));
  const plans: LatticePlan[] = simplified.map((r) => planLattice(r, base));
  // Every candidate's ink, all regions in order; ranges[i] is region i's share.
  const inks: Stroke[][] = [];
  const ranges: [number, number][] = [];
  plans.forEach((p, i) => {
    const first = inks.length;
    for (const ids of latticeImages(p)) inks.push(ids.map((k) => simplified[i]![k]!));
    ranges.push([first, inks.length]);
  });
  let probs = await recognizer.classify(inks.map((ink) => rasterise(ink, rasterOptions)));
  if (ttaWidths) {
    const sum = probs.map(() => new Float32Array(probs[0]!.length));
    for (const w of ttaWidths) {
      const q = await recognizer.classify(
        inks.map((ink) => rasterise(ink, { ...rasterOptions, penWidth: w })),
      );
      q.forEach((x, j) => x.forEach((v, c) => (sum[j]![c]! += v / ttaWidths.length)));
    }
    probs = sum;
  }
  const paths = opinion ? await readPaths(opinion, inks) : [];
  cached.push({ set, plans, probs, paths, ranges });
  console.log(`${set.name}: ${set.regions.length} regions, ${inks.length} candidates`);
}
console.log(`classified in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

/** An 11-class online model is fused into every candidate; a 10-class one into the chosen digits. */
const every = opinion?.everyCandidate === true;
function score(o: LatticeOptions, weight = weights[0] ?? 0): number[] {
  return cached.map(({ set, plans, probs, paths, ranges }) => {
    let ok = 0;
    plans.forEach((p, i) => {
      const [a, b] = ranges[i]!;
      const candidates = probs
        .slice(a, b)
        .map((x, j) => (every ? fuseCandidate(x, paths[a + j]!, weight) : x));
      const { seg, probs: dp } = decodeLattice(p, candidates, o);
      const labels = dp.map((chosen) => {
        // A 10-class second opinion reads only the chosen digits.
        const j = every || !opinion ? -1 : candidates.indexOf(chosen);
        const x = j >= 0 ? fuseReadings(chosen, paths[a + j]!, weight) : chosen;
        let best = 0;
        for (let d = 1; d < 10; d++) if (x[d]! > x[best]!) best = d;
        return best;
      });
      if (segmentationText(seg, labels) === set.truth[i]) ok++;
    });
    return ok / plans.length;
  });
}
const fmt = (xs: number[]) => xs.map((x) => (100 * x).toFixed(2)).join(' / ');
for (const w of weights)
  console.log(`defaults, weight ${w}: ${fmt(score(base, w))} (${sets.map((s) => s.name).join(' / ')})`);
const grid: Record<string, number[]> = values.grid
  ? (JSON.parse(values.grid) as Record<string, number[]>)
  : {
      splitCost: [-0.3, 0, 0.3, 0.6],
      geometricBonus: [0, 0.25, 0.5],
      widthWeight: [0.5, 1, 3],
      gapWeight: [1, 2, 4],
      smallWeight: [1, 2, 4],
      massWeight: [0, 0.5, 1],
    };
let best: { o: LatticeOptions; s: number[]; mean: number } | undefined;
const keys = Object.keys(grid);
const settings: Record<string, number>[] = keys.reduce<Record<string, number>[]>(
  (acc, k) => acc.flatMap((o) => (grid[k] as number[]).map((v) => ({ ...o, [k]: v }))),
  [{}],
);
for (const o of settings) {
  const s = score({ ...base, ...o });
  const mean = s.reduce((a, x) => a + x, 0) / s.length;
  if (process.env.TUNE_ALL) console.log(`${JSON.stringify(o)} ${fmt(s)}`);
  if (!best || mean > best.mean) {
    best = { o, s, mean };
    console.log(`better: ${JSON.stringify(o)} ${fmt(s)} mean ${(100 * mean).toFixed(2)}`);
  }
}
console.log(`best: ${JSON.stringify(best?.o)} ${fmt(best?.s ?? [])}`);
