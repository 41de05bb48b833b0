/**
 * Experiment (#9, session 8): writes the data for the PyTorch probes in models/experiments/torch/ (is the
 * ceiling on traced MNIST digits the training recipe, the model's size, or the data?). Nothing here is
 * part of the product; the probes only measure.
 *
 *   npx tsx models/experiments/export-probe-data.ts [--out /tmp/inkboard-probe]
 *
 * Writes, as raw little-endian arrays (uint8 images 28 x 28 scaled to 0-255, float32 features, uint8
 * labels):
 * - strokes-train: MNIST-stroke lines 0-49,999, each simplified and rasterised as the recognizer does, at
 *   the default pen width, 2.2 and 3.2 (three blocks of 50,000); pen-train: pen writers 1-20, likewise;
 *   mnist-train: the first 55,000 MNIST training images; strokes-val: lines 50,000-54,999 (the lattice's
 *   tuning lines) at the default width.
 * - traj-train(-rev): pen-path features (shared/ink/trajectory.ts) of the same training digits, as drawn
 *   and with every stroke reversed; traj-val: the tuning lines as drawn.
 * - img-val / path-val: the published best-reject's and online model's 11 probabilities for each whole
 *   tuning digit, so a probe can be fused with them (models/experiments/torch/fuse.py).
 * The held-out lines 55,000-59,999 and pen writers 21-30 are not read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadMnist } from '../lib/mnist.ts';
import { readMnistStrokes } from '../lib/mnist-strokes.ts';
import { PEN_TRAIN_WRITERS, readPenDigits } from '../lib/pen-data.ts';
import { rasterise } from '../../shared/ink/rasterise.ts';
import { simplifyStrokes } from '../../shared/ink/simplify.ts';
import { trajectoryFeatures } from '../../shared/ink/trajectory.ts';
import type { Stroke } from '../../shared/ink/types.ts';
import { Recognizer } from '../../workers/inference/recognizer.ts';

const { values } = parseArgs({ options: { out: { type: 'string', default: '/tmp/inkboard-probe' } } });
const out = values.out as string;
mkdirSync(out, { recursive: true });
const PX = 784;
const write = (name: string, data: Uint8Array | Float32Array) => {
  writeFileSync(path.join(out, name), data);
  console.log(`${name}: ${data.length} values`);
};

/** Images at each pen width (0: the recognizer's default), one block per width, and their labels. */
function images(name: string, inks: Stroke[][], labels: number[], widths: number[]): void {
  const data = new Uint8Array(inks.length * widths.length * PX);
  let k = 0;
  for (const w of widths)
    for (const ink of inks) {
      const img = rasterise(simplifyStrokes(ink), w ? { penWidth: w } : {});
      for (let j = 0; j < PX; j++) data[k * PX + j] = Math.round(255 * Math.min(1, Math.max(0, img[j]!)));
      k++;
    }
  write(`${name}.u8`, data);
  write(`${name}.labels`, Uint8Array.from(widths.flatMap(() => labels)));
}

/** Pen-path features as drawn (and, with `reversedToo`, with every stroke reversed), and the labels. */
function paths(name: string, inks: Stroke[][], labels: number[], reversedToo: boolean): void {
  const variants: [string, (ink: Stroke[]) => Stroke[]][] = [['', (ink) => ink]];
  if (reversedToo) variants.push(['-rev', (ink) => ink.map((s) => [...s].reverse())]);
  for (const [suffix, change] of variants) {
    const data = new Float32Array(inks.length * 64 * 6);
    inks.forEach((ink, k) => data.set(trajectoryFeatures(simplifyStrokes(change(ink))), k * 64 * 6));
    write(`${name}${suffix}.f32`, data);
  }
  write(`${name}.labels`, Uint8Array.from(labels));
}

const widths = [0, 2.2, 3.2];
const train = readMnistStrokes([0, 50000]);
const val = readMnistStrokes([50000, 55000]);
const pen = readPenDigits().filter((d) => PEN_TRAIN_WRITERS.includes(d.writer));
images(
  'strokes-train',
  train.map((d) => d.strokes),
  train.map((d) => d.label),
  widths,
);
images(
  'strokes-val',
  val.map((d) => d.strokes),
  val.map((d) => d.label),
  [0],
);
images(
  'pen-train',
  pen.map((d) => d.strokes),
  pen.map((d) => d.label),
  widths,
);
const mnist = loadMnist('train');
write(
  'mnist-train.u8',
  Uint8Array.from(mnist.images.subarray(0, 55000 * PX), (v) => Math.round(255 * v)),
);
write('mnist-train.labels', Uint8Array.from(mnist.labels.subarray(0, 55000)));
paths(
  'traj-train',
  [...train, ...pen].map((d) => d.strokes),
  [...train, ...pen].map((d) => d.label),
  true,
);
paths(
  'traj-val',
  val.map((d) => d.strokes),
  val.map((d) => d.label),
  false,
);

const recognizer = await Recognizer.load({ log: () => {} });
const opinion = recognizer.secondOpinion;
if (!opinion) throw new Error('no online model installed (models/trajectory)');
const flat = (xs: Float32Array[]) => {
  const data = new Float32Array(xs.length * 11);
  xs.forEach((x, i) => data.set(x.subarray(0, 11), i * 11));
  return data;
};
const whole = val.map((d) => simplifyStrokes(d.strokes));
write('img-val.f32', flat(await recognizer.classify(whole.map((s) => rasterise(s)))));
write('path-val.f32', flat(await opinion.classify(whole.map((s) => trajectoryFeatures(s)))));
await recognizer.dispose();
