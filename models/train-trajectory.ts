/**
 * Trains the online model on the pen path (models/lib/architectures.ts `buildTrajectory`, features from
 * shared/ink/trajectory.ts), the recognizer's second opinion (see docs/recognition.md, "The online model"
 * and session 7).
 *
 *   npm run train:trajectory -- [--epochs 20] [--batch 128] [--lr 0.001] [--seed 9] [--arch small|deep] [--reverse 0] [--reverse-order 0]
 *                               [--reject] [--val-lines 50000-54999] [--out models/trajectory] [--resume]
 *
 * Training data: MNIST-stroke lines 0-49,999 less the validation lines, and the pen digits of writers 1-20,
 * each warped at random (rotation, shear, horizontal scale of the points). Validation (chooses the epoch):
 * `--val-lines`, default 50,000-54,999 (also the lattice's tuning lines). Held out of everything: pen
 * writers 21-30, MNIST-stroke lines 55,000-59,999.
 * `--reject`: an 11th class, "not one digit" (fragments, merges, scribbles cut from composed numbers of
 * the same training digits, models/lib/reject-data.ts), so the model can judge the lattice's candidates
 * too; the epoch score is then digit accuracy + 0.1 x reject accuracy on held-back candidates.
 * Checkpoints after every epoch in models/checkpoints/NAME/ (`--resume` continues); the best epoch is
 * published to --out with meta.json and model.onnx.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TRAJECTORY_ARCHS, buildTrajectory, type TrajectoryArch } from './lib/architectures.ts';
import { initBackend, tf } from './lib/backend.ts';
import {
  afterEpoch,
  checkpointDir,
  freshState,
  loadCheckpoint,
  saveCheckpoint,
  type TrainState,
} from './lib/checkpoint.ts';
import { loadModel } from './lib/load-model.ts';
import { MNIST_STROKES_TRAIN, parseLineRange, readMnistStrokes } from './lib/mnist-strokes.ts';
import { writeOnnx } from './lib/onnx/model-file.ts';
import { PEN_TRAIN_WRITERS, readPenDigits, type PenDigit } from './lib/pen-data.ts';
import { argmaxRows, predictProbs } from './lib/predict.ts';
import { epochProgress } from './lib/progress.ts';
import { REJECT, modelReading, rejectPool, type RejectSample } from './lib/reject-data.ts';
import { Rng } from './lib/rng.ts';
import { saveModel } from './lib/save-model.ts';
import { TRAJECTORY_FEATURES, TRAJECTORY_POINTS, trajectoryFeatures } from '../shared/ink/trajectory.ts';
import type { Point, Stroke } from '../shared/ink/types.ts';

/** The image model whose reading decides which fragments are taught as "not one digit" (as train-reject.ts). */
const READER = 'models/best';

const USAGE =
  'usage: npm run train:trajectory -- [--epochs N] [--batch B] [--lr LR] [--seed S] [--arch small|deep] [--reverse P] [--reverse-order P] [--reject] [--val-lines A-B] [--out DIR] [--resume]';
const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '20' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.001' },
    seed: { type: 'string', default: '9' },
    out: { type: 'string', default: 'models/trajectory' },
    arch: { type: 'string', default: 'small' },
    reverse: { type: 'string', default: '0' },
    'reverse-order': { type: 'string', default: '0' },
    'val-lines': { type: 'string', default: '50000-54999' },
    reject: { type: 'boolean', default: false },
    'rejects-per-epoch': { type: 'string', default: '15000' },
    resume: { type: 'boolean', default: false },
  },
  strict: true,
});
const positive = (name: string, v: string, integer = true): number => {
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n)))
    throw new Error(`--${name} must be positive, got "${v}"\n${USAGE}`);
  return n;
};
const epochs = positive('epochs', values.epochs);
const batch = positive('batch', values.batch);
const lr0 = positive('lr', values.lr, false);
const seed = positive('seed', values.seed);
const out = values.out;
const arch = values.arch as TrajectoryArch;
// Share of training digits drawn backwards (every stroke reversed): robustness to pens that record strokes
// in the other direction. Default 0 (the published model).
const reverseShare = Number(values.reverse);
if (!(reverseShare >= 0 && reverseShare <= 1))
  throw new Error(`--reverse must be in [0, 1], got "${values.reverse}"`);
// Share of training digits whose strokes come in the reverse order (the last stroke first). Default 0.
const reverseOrderShare = Number(values['reverse-order']);
if (!(reverseOrderShare >= 0 && reverseOrderShare <= 1))
  throw new Error(`--reverse-order must be in [0, 1], got "${values['reverse-order']}"`);
if (!TRAJECTORY_ARCHS.includes(arch))
  throw new Error(`--arch must be one of ${TRAJECTORY_ARCHS.join(', ')}\n${USAGE}`);
const withReject = values.reject;
const classes = withReject ? 11 : 10;
const rejectsPerEpoch = positive('rejects-per-epoch', values['rejects-per-epoch']);
const name = path.basename(out);
const SIZE = TRAJECTORY_POINTS * TRAJECTORY_FEATURES;
const shape = (n: number): [number, number, number, number] => [n, 1, TRAJECTORY_POINTS, TRAJECTORY_FEATURES];

const backend = await initBackend();
// Training lines are 0-49,999 less the validation lines (which choose the epoch): 50,000-54,999 are the
// lattice's tuning lines, never trained on, and 55,000-59,999 are held out.
const valLines = parseLineRange(values['val-lines']);
if (valLines[0] < MNIST_STROKES_TRAIN[0] || valLines[1] > MNIST_STROKES_TRAIN[1])
  throw new Error(`--val-lines must lie within training lines 0-${MNIST_STROKES_TRAIN[1] - 1}`);
const valSpec = `${valLines[0]}-${valLines[1] - 1}`;
/** The lattice's tuning lines (models/tune-lattice.ts): they may validate, never train. */
const TUNING_LINES = [50000, 55000] as const;
const strokeTrain = readMnistStrokes([0, TUNING_LINES[0]]).filter(
  (d) => d.i < valLines[0] || d.i >= valLines[1],
);
const pen = readPenDigits().filter((d) => PEN_TRAIN_WRITERS.includes(d.writer));
const train: PenDigit[] = [...strokeTrain, ...pen];
const val = readMnistStrokes(valLines);
const valInputs = new Float32Array(val.length * SIZE);
val.forEach((d, k) => valInputs.set(trajectoryFeatures(d.strokes), k * SIZE));
/** "Not one digit" candidates (train / validation pools) from composed numbers of the training digits. */
let rejects: RejectSample[] = [];
let valRejects: RejectSample[] = [];
if (withReject) {
  const reader = await loadModel(READER);
  const read = modelReading(reader);
  // Runs of up to 6 strokes, as the lattice asks.
  rejects = await rejectPool(pen, strokeTrain, read, {
    penNumbers: 8000,
    strokeNumbers: 16000,
    scribbles: 1500,
    seed: 7,
    maxStrokes: 6,
  });
  valRejects = await rejectPool(pen, strokeTrain, read, {
    penNumbers: 800,
    strokeNumbers: 1200,
    scribbles: 100,
    seed: 17,
    maxStrokes: 6,
  });
  reader.dispose();
  console.log(
    `"not one digit" candidates (read by ${READER}): ${rejects.length} to train, ${valRejects.length} to validate; ${Math.min(rejectsPerEpoch, rejects.length)} an epoch`,
  );
}
const valRejectInputs = new Float32Array(valRejects.length * SIZE);
valRejects.forEach((r, k) => valRejectInputs.set(trajectoryFeatures(r.strokes), k * SIZE));
console.log(
  `training ${name} -> ${out} on ${backend}: ${train.length} digits (${strokeTrain.length} MNIST-stroke lines 0-49,999 less ${valSpec}, ${pen.length} pen digits of writers 1-20), ${epochs} epochs`,
);

/**
 * A digit's pen path warped at random: rotation ±0.17 rad, shear ±0.15, horizontal scale 0.85-1.15; with
 * probability `reverseShare`, every stroke reversed; with probability `reverseOrderShare`, the strokes in
 * reverse order.
 */
function warped(strokes: Stroke[], rng: Rng): Stroke[] {
  if (reverseShare > 0 && rng.next() < reverseShare) strokes = strokes.map((st) => [...st].reverse());
  if (reverseOrderShare > 0 && rng.next() < reverseOrderShare) strokes = [...strokes].reverse();
  const r = rng.uniform(-0.17, 0.17);
  const shear = rng.uniform(-0.15, 0.15);
  const sx = rng.uniform(0.85, 1.15);
  const [c, s] = [Math.cos(r), Math.sin(r)];
  return strokes.map((st) => st.map(([x, y]): Point => [sx * (c * x + (shear - s) * y), s * x + c * y]));
}

/** Digit accuracy (the likeliest of the ten digits) on the validation lines, + 0.1 x reject accuracy with `--reject`. */
function valAccuracy(model: tf.LayersModel): number {
  const labels = argmaxRows(predictProbs(model, valInputs), classes, 10);
  const digits = labels.filter((l, i) => l === (val[i] as PenDigit).label).length / val.length;
  if (valRejects.length === 0) return digits;
  const said = argmaxRows(predictProbs(model, valRejectInputs), classes);
  return digits + (0.1 * said.filter((l) => l === REJECT).length) / valRejects.length;
}

const ckDir = checkpointDir(name);
const resumed = values.resume ? await loadCheckpoint(ckDir) : undefined;
let model: tf.LayersModel;
let state: TrainState;
if (resumed) {
  ({ model, state } = resumed);
  console.log(`resumed from ${ckDir} after epoch ${state.epoch} (best val ${state.bestValAcc.toFixed(4)})`);
} else {
  if (values.resume) console.log(`no checkpoint in ${ckDir}; starting fresh`);
  model = buildTrajectory(seed, arch, TRAJECTORY_POINTS, TRAJECTORY_FEATURES, classes);
  model.compile({ optimizer: tf.train.adam(lr0), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  state = freshState('trajectory', new Rng(seed).state);
}
const params = model.countParams();

function writeMeta(complete: boolean): void {
  const meta = {
    name,
    architecture: `trajectory (${arch})`,
    input: {
      points: TRAJECTORY_POINTS,
      features: TRAJECTORY_FEATURES,
      shape: [1, TRAJECTORY_POINTS, TRAJECTORY_FEATURES],
    },
    classes,
    params,
    complete,
    epochs: state.epoch,
    epochsPlanned: epochs,
    bestEpoch: state.bestEpoch,
    batch,
    seed,
    optimizer: `adam lr ${lr0} cosine decay to lr/33`,
    trainSeconds: Math.round(state.trainSeconds),
    backend,
    valAccuracy: state.bestValAcc,
    valScore: withReject
      ? `MNIST-stroke lines ${valSpec}, whole digits (likeliest digit) + 0.1 x "not one digit" accuracy on held-back candidates`
      : `MNIST-stroke lines ${valSpec}, whole digits`,
    data: {
      mnistStrokes: `lines 0-49,999 less ${valSpec} (E. D. de Jong, MNIST digits stroke sequence data, CC BY-SA 3.0)`,
      penDigits: { writers: PEN_TRAIN_WRITERS, count: pen.length },
      heldOut: `pen writers 21-30; MNIST-stroke lines 55,000-59,999; validation lines ${valSpec}`,
      ...(withReject
        ? {
            notOneDigit: `${rejectsPerEpoch} an epoch from ${rejects.length} fragments, merges and scribbles of composed numbers (models/lib/reject-data.ts; fragments read by ${READER})`,
          }
        : {}),
      augmentation: `rotation ±0.17 rad, shear ±0.15, horizontal scale 0.85-1.15 of the points; strokes reversed in ${reverseShare * 100}% of digits, stroke order reversed in ${reverseOrderShare * 100}%`,
    },
    history: state.history,
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
}

const rng = new Rng(state.rngState);
const xs = new Float32Array(batch * SIZE);
const ys = new Float32Array(batch * classes);
for (let epoch = state.epoch + 1; epoch <= epochs; epoch++) {
  const started = Date.now();
  const lr = lr0 * (0.03 + 0.97 * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs)));
  (model.optimizer as unknown as { learningRate: number }).learningRate = lr;
  // Indices from train.length on are "not one digit" candidates, a fresh sample of them each epoch.
  const rejectPick = rng
    .shuffle(Int32Array.from({ length: rejects.length }, (_, i) => i))
    .subarray(0, rejectsPerEpoch);
  const order = rng.shuffle(
    Int32Array.from({ length: train.length + rejectPick.length }, (_, i) =>
      i < train.length ? i : train.length + (rejectPick[i - train.length] as number),
    ),
  );
  const batches = Math.floor(order.length / batch);
  const bar = epochProgress(epoch, epochs, batches);
  let lossSum = 0;
  let accSum = 0;
  for (let b = 0; b < batches; b++) {
    ys.fill(0);
    for (let j = 0; j < batch; j++) {
      const k = order[b * batch + j] as number;
      const d =
        k < train.length
          ? (train[k] as PenDigit)
          : { strokes: (rejects[k - train.length] as RejectSample).strokes, label: REJECT };
      xs.set(trajectoryFeatures(warped(d.strokes, rng)), j * SIZE);
      ys[j * classes + d.label] = 1;
    }
    const x = tf.tensor4d(xs, shape(batch));
    const y = tf.tensor2d(ys, [batch, classes]);
    try {
      const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
      lossSum += loss!;
      accSum += acc!;
    } finally {
      x.dispose();
      y.dispose();
    }
    bar.update(b + 1, lossSum / (b + 1), accSum / (b + 1));
  }
  bar.stop();
  const valAcc = valAccuracy(model);
  const seconds = (Date.now() - started) / 1000;
  let isBest: boolean;
  ({ state, isBest } = afterEpoch(
    state,
    { epoch, lr, loss: lossSum / batches, acc: accSum / batches, valAcc, seconds },
    rng.state,
  ));
  await saveCheckpoint(ckDir, model, state, isBest);
  if (isBest) await saveModel(model, out);
  writeMeta(false);
  console.log(
    `epoch ${epoch}/${epochs} done in ${seconds.toFixed(0)}s: loss ${(lossSum / batches).toFixed(4)} val ${(100 * valAcc).toFixed(2)}%${isBest ? ' (best)' : ''} lr ${lr.toExponential(2)}`,
  );
}

const final = await loadModel(out);
const check = valAccuracy(final);
writeMeta(true);
const onnx = await writeOnnx(final, out);
console.log(
  `saved ${out} (epoch ${state.bestEpoch}, val ${(100 * state.bestValAcc).toFixed(2)}%; reloaded ${(100 * check).toFixed(2)}%), ${onnx.file}`,
);
