/**
 * Experiment (#9): does a second model, fused with best-reject, read MNIST-stroke digits better? Trains one
 * second opinion on MNIST-stroke lines 0-49,999 and measures it alone and fused with best-reject (weighted
 * sum of log probabilities, weights 0..1) on the whole-digit images of lines 50,000-54,999, the tuning
 * lines; the held-out lines 55,000-59,999 are not read.
 *
 *   npx tsx models/experiments/second-opinion.ts --kind trajectory [--epochs 12]   (+ pen writers 1-20)
 *   npx tsx models/experiments/second-opinion.ts --kind image --pen-width 1.2 [--epochs 8]
 *
 * `trajectory`: an online model on the pen path (shared/ink/trajectory.ts: 64 points x 6 features;
 * `buildTrajectory`, as models/train-trajectory.ts trains it; random rotation, shear and scale of the
 * points). `image`: the `best`
 * CNN from scratch on MNIST-stroke images drawn at `--pen-width` (light warps). Nothing is published;
 * docs/recognition.md has the measured figures.
 */
import { parseArgs } from 'node:util';
import { initBackend, tf } from '../lib/backend.ts';
import { buildBest, buildTrajectory } from '../lib/architectures.ts';
import { augment, LIGHT_AUGMENT } from '../lib/augment.ts';
import { loadModel } from '../lib/load-model.ts';
import { resolveModelDir } from '../lib/model-dir.ts';
import { readMnistStrokes } from '../lib/mnist-strokes.ts';
import { PEN_TRAIN_WRITERS, readPenDigits, type PenDigit } from '../lib/pen-data.ts';
import { argmaxRows, predictProbs } from '../lib/predict.ts';
import { Rng } from '../lib/rng.ts';
import { saveModel } from '../lib/save-model.ts';
import { TRAJECTORY_FEATURES, TRAJECTORY_POINTS, trajectoryFeatures } from '../../shared/ink/trajectory.ts';
import { rasterise } from '../../shared/ink/rasterise.ts';
import { simplifyStrokes } from '../../shared/ink/simplify.ts';
import type { Stroke } from '../../shared/ink/types.ts';

const { values } = parseArgs({
  options: {
    kind: { type: 'string', default: 'trajectory' },
    epochs: { type: 'string' },
    'pen-width': { type: 'string', default: '2.7' },
    seed: { type: 'string', default: '9' },
    save: { type: 'string' },
  },
});
const kind = values.kind;
if (kind !== 'trajectory' && kind !== 'image') throw new Error('--kind must be trajectory or image');
const epochs = Number(values.epochs ?? (kind === 'trajectory' ? 12 : 8));
const penWidth = Number(values['pen-width']);
await initBackend();
const rng = new Rng(Number(values.seed));
const train: PenDigit[] = readMnistStrokes([0, 50000]);
if (kind === 'trajectory') train.push(...readPenDigits().filter((d) => PEN_TRAIN_WRITERS.includes(d.writer)));
const val = readMnistStrokes([50000, 55000]);
const T = TRAJECTORY_POINTS * TRAJECTORY_FEATURES;
const PX = 784;
const size = kind === 'trajectory' ? T : PX;
const shape = (n: number): [number, number, number, number] =>
  kind === 'trajectory' ? [n, 1, TRAJECTORY_POINTS, TRAJECTORY_FEATURES] : [n, 28, 28, 1];

const image = (s: Stroke[]) => rasterise(simplifyStrokes(s), { penWidth });
const inputOf = (s: Stroke[]) => (kind === 'trajectory' ? trajectoryFeatures(s) : image(s));
const trainImages = kind === 'image' ? new Float32Array(train.length * PX) : undefined;
train.forEach((d, k) => trainImages?.set(image(d.strokes), k * PX));
const valInputs = new Float32Array(val.length * size);
val.forEach((d, k) => valInputs.set(inputOf(d.strokes), k * size));

/** A training input: the path warped at random, or the pre-drawn image warped a little. */
function trainInput(k: number): Float32Array {
  if (trainImages) return augment(trainImages.subarray(k * PX, (k + 1) * PX), rng, LIGHT_AUGMENT);
  const r = rng.uniform(-0.17, 0.17);
  const shear = rng.uniform(-0.15, 0.15);
  const sx = rng.uniform(0.85, 1.15);
  const warp = (x: number, y: number): [number, number] => [
    sx * (Math.cos(r) * x + (shear - Math.sin(r)) * y),
    Math.sin(r) * x + Math.cos(r) * y,
  ];
  return trajectoryFeatures((train[k] as PenDigit).strokes.map((s) => s.map(([x, y]) => warp(x, y))));
}

const model = kind === 'trajectory' ? buildTrajectory(Number(values.seed)) : buildBest(3, 10);
const optimizer = tf.train.adam(1e-3);
model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
console.log(
  `${kind}${kind === 'image' ? ` (pen width ${penWidth})` : ''}: ${model.countParams()} parameters, ${train.length} training digits`,
);
const accuracy = (p: Float32Array, classes: number): number =>
  argmaxRows(p, classes, 10).filter((x, i) => x === (val[i] as PenDigit).label).length / val.length;

const B = 128;
const xs = new Float32Array(B * size);
const ys = new Float32Array(B * 10);
for (let e = 1; e <= epochs; e++) {
  const lr = 1e-3 * (0.03 + 0.97 * 0.5 * (1 + Math.cos((Math.PI * (e - 1)) / epochs)));
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
  const order = train.map((_, i) => i);
  rng.shuffle(order);
  const started = Date.now();
  for (let b = 0; b + B <= order.length; b += B) {
    ys.fill(0);
    for (let j = 0; j < B; j++) {
      const k = order[b + j] as number;
      xs.set(trainInput(k), j * size);
      ys[j * 10 + (train[k] as PenDigit).label] = 1;
    }
    const x = tf.tensor4d(xs, shape(B));
    const y = tf.tensor2d(ys, [B, 10]);
    await model.trainOnBatch(x, y);
    x.dispose();
    y.dispose();
  }
  const acc = accuracy(predictProbs(model, valInputs), 10);
  console.log(
    `epoch ${e}: lines 50,000-54,999 ${(100 * acc).toFixed(2)}% (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
}

if (values.save) {
  await saveModel(model, values.save);
  console.log(`saved ${values.save}`);
}
const second = predictProbs(model, valInputs);
const images = new Float32Array(val.length * PX);
val.forEach((d, k) => images.set(rasterise(simplifyStrokes(d.strokes)), k * PX));
const main = predictProbs(await loadModel(resolveModelDir('best-reject')), images);
const C = main.length / val.length;
for (const w of [0, 0.2, 0.35, 0.5, 0.7, 1]) {
  const fused = new Float32Array(val.length * 10);
  for (let i = 0; i < val.length; i++)
    for (let j = 0; j < 10; j++)
      fused[i * 10 + j] =
        (1 - w) * Math.log((main[i * C + j] as number) + 1e-6) +
        w * Math.log((second[i * 10 + j] as number) + 1e-6);
  console.log(`fused, weight ${w} on the second opinion: ${(100 * accuracy(fused, 10)).toFixed(2)}%`);
}
const wrongBoth = val.filter((d, i) => {
  const a = argmaxRows(main.subarray(i * C, (i + 1) * C), C, 10)[0];
  const b = argmaxRows(second.subarray(i * 10, (i + 1) * 10), 10)[0];
  return a !== d.label && b !== d.label;
}).length;
console.log(`misread by both: ${wrongBoth} of ${val.length}`);
