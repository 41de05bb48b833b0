/**
 * Trains a digit classifier on MNIST (plus, for `best`, augmented images and rasterised pen
 * digits of writers 1..20) and saves the checkpoint with the best validation accuracy.
 *
 *   npm run train -- --model seed|best [--epochs N] [--batch B] [--resume] [--out models/NAME]
 *
 * Validation: the last 5,000 MNIST training images (never the test set). Checkpoints after every
 * epoch in models/checkpoints/NAME/; the best-so-far model is also published to --out after each
 * epoch (meta.json `complete: false` until training ends).
 */
import { trainBatch } from './lib/train-batch.ts';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { initBackend, tf } from './lib/backend.ts';
import { buildModel } from './lib/architectures.ts';
import { augment, type AugmentOptions } from './lib/augment.ts';
import {
  afterEpoch,
  checkpointDir,
  freshState,
  loadCheckpoint,
  saveCheckpoint,
  type TrainState,
} from './lib/checkpoint.ts';
import { loadMnist } from './lib/mnist.ts';
import {
  PEN_FILE,
  PEN_HELDOUT_WRITERS,
  PEN_TRAIN_WRITERS,
  penDataAvailable,
  readPenDigits,
} from './lib/pen-data.ts';
import { predictLabels } from './lib/predict.ts';
import { epochProgress } from './lib/progress.ts';
import { Rng } from './lib/rng.ts';
import { parseTrainArgs } from './lib/train-args.ts';
import { loadModel } from './lib/load-model.ts';
import { saveModel } from './lib/save-model.ts';
import { writeOnnx } from './lib/onnx/model-file.ts';
import type { Stroke } from '../shared/ink/types.ts';

const PX = 784;
const VAL = 5000;

const opts = parseTrainArgs(process.argv.slice(2));
const name = path.basename(opts.out);
const backend = await initBackend();
console.log(`backend: ${backend}`);
console.log(
  `training ${opts.model} -> ${opts.out}: ${opts.epochs} epochs, batch ${opts.batch}, seed ${opts.seed}`,
);

const mnist = loadMnist('train');
const nTrainMnist = Math.min(mnist.n - VAL, opts.limit ?? Infinity);
const valImages = mnist.images.subarray((mnist.n - VAL) * PX);
const valLabels = Array.from(mnist.labels.subarray(mnist.n - VAL));

const augmenting = opts.model === 'best';
const augmentOptions: AugmentOptions = {};
// Pen digits (writers 1..20), rasterised by the shared ink pipeline: strokes kept, raster per epoch.
let pen: { strokes: Stroke[][]; labels: number[] } | undefined;
let rasterise: ((s: Stroke[], o?: { penWidth?: number }) => Float32Array) | undefined;
if (opts.model === 'best' && penDataAvailable()) {
  const all = readPenDigits();
  const train = all.filter((d) => PEN_TRAIN_WRITERS.includes(d.writer));
  pen = { strokes: train.map((d) => d.strokes), labels: train.map((d) => d.label) };
  rasterise = (await import('../shared/ink/rasterise.ts')).rasterise;
  console.log(
    `pen digits: ${train.length} from writers 1..20 (${all.length - train.length} of writers 21..30 kept out)`,
  );
} else if (opts.model === 'best') {
  console.log('pen digits: not used (shared/ink/rasterise.ts or the data file is missing)');
}
const nPen = pen?.labels.length ?? 0;
const nTrain = nTrainMnist + nPen;

const ckDir = checkpointDir(name);
let model: tf.LayersModel;
let state: TrainState;
const resumed = opts.resume ? await loadCheckpoint(ckDir) : undefined;
if (resumed) {
  model = resumed.model;
  state = resumed.state;
  console.log(`resumed from ${ckDir} after epoch ${state.epoch} (best val ${state.bestValAcc.toFixed(4)})`);
} else {
  if (opts.resume) console.log(`no checkpoint in ${ckDir}; starting fresh`);
  model = buildModel(opts.model, opts.seed);
  model.compile({
    optimizer: tf.train.adam(opts.lr),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  state = freshState(opts.model, new Rng(opts.seed).state);
}
const params = model.countParams();
console.log(`parameters: ${params}`);

const budgetSeconds = opts.budgetMinutes === undefined ? undefined : opts.budgetMinutes * 60;

/** Seconds the last finished epoch took (an estimate of the next one). */
function lastEpochSeconds(): number {
  return state.history.at(-1)?.seconds ?? 0;
}

/**
 * Seed: constant rate (as the paper). Best: cosine decay from lr to lr/100, over the epochs or,
 * with a time budget, over the share of the budget used by the middle of this epoch.
 */
function learningRate(epoch: number): number {
  if (opts.model === 'seed') return opts.lr;
  const t =
    budgetSeconds === undefined
      ? (epoch - 1) / Math.max(1, opts.epochs - 1)
      : Math.min(1, (state.trainSeconds + lastEpochSeconds() / 2) / budgetSeconds);
  return opts.lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** With a budget: stop before an epoch that would (by the last epoch's time) overrun it. */
function budgetLeftFor(): boolean {
  if (budgetSeconds === undefined) return true;
  return state.trainSeconds + lastEpochSeconds() <= budgetSeconds;
}

function penImage(k: number, rng: Rng): Float32Array {
  return rasterise!(pen!.strokes[k]!, { penWidth: rng.uniform(2.0, 3.4) });
}

function writeMeta(complete: boolean): void {
  const meta = {
    name,
    architecture: opts.model,
    params,
    complete,
    epochs: state.epoch,
    epochsPlanned: opts.epochs,
    bestEpoch: state.bestEpoch,
    batch: opts.batch,
    seed: opts.seed,
    optimizer: `adam lr ${opts.lr}${opts.model === 'best' ? ' cosine decay to lr/100' : ' constant'}`,
    budgetMinutes: opts.budgetMinutes ?? null,
    trainSeconds: Math.round(state.trainSeconds),
    epochSeconds: state.history.map((h) => Math.round(h.seconds)),
    backend,
    valAccuracy: state.bestValAcc,
    data: {
      mnistTrain: nTrainMnist,
      mnistValidation: `last ${VAL} of the MNIST training set`,
      augmentation: augmenting
        ? { ...augmentOptions, description: 'affine (rotation, scale, aspect, shear, shift) + thickness' }
        : null,
      penDigits: pen
        ? {
            source: 'UCI Pen-Based Recognition of Handwritten Digits (Alpaydin & Alimoglu), CC BY 4.0',
            file: path.basename(PEN_FILE),
            trainWriters: PEN_TRAIN_WRITERS,
            heldOutWriters: PEN_HELDOUT_WRITERS,
            count: nPen,
          }
        : null,
    },
    history: state.history,
  };
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(path.join(opts.out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
}

const rng = new Rng(state.rngState);
const xs = new Float32Array(opts.batch * PX);
const ys = new Float32Array(opts.batch * 10);
for (let epoch = state.epoch + 1; epoch <= opts.epochs; epoch++) {
  if (!budgetLeftFor()) {
    console.log(`time budget of ${opts.budgetMinutes} min reached after epoch ${state.epoch}; stopping`);
    break;
  }
  const started = Date.now();
  const lr = learningRate(epoch);
  (model.optimizer as unknown as { learningRate: number }).learningRate = lr;
  const order = rng.shuffle(Int32Array.from({ length: nTrain }, (_, i) => i));
  const batches = Math.ceil(nTrain / opts.batch);
  const bar = epochProgress(epoch, opts.epochs, batches);
  let lossSum = 0;
  let accSum = 0;
  let seen = 0;
  for (let b = 0; b < batches; b++) {
    const idx = order.subarray(b * opts.batch, Math.min(nTrain, (b + 1) * opts.batch));
    ys.fill(0);
    for (let j = 0; j < idx.length; j++) {
      const k = idx[j]!;
      let img: Float32Array;
      let label: number;
      if (k < nTrainMnist) {
        img = mnist.images.subarray(k * PX, (k + 1) * PX);
        label = mnist.labels[k]!;
      } else {
        img = penImage(k - nTrainMnist, rng);
        label = pen!.labels[k - nTrainMnist]!;
      }
      xs.set(augmenting ? augment(img, rng, augmentOptions) : img, j * PX);
      ys[j * 10 + label] = 1;
    }
    const n = idx.length;
    const { loss, acc } = await trainBatch(model, xs, ys, n, 10);
    lossSum += loss * n;
    accSum += acc * n;
    seen += n;
    bar.update(b + 1, lossSum / seen, accSum / seen);
  }
  bar.stop();
  const valAcc =
    predictLabels(model, valImages).reduce((a, p, i) => a + (p === valLabels[i] ? 1 : 0), 0) / VAL;
  const seconds = (Date.now() - started) / 1000;
  let isBest: boolean;
  ({ state, isBest } = afterEpoch(
    state,
    { epoch, lr, loss: lossSum / seen, acc: accSum / seen, valAcc, seconds },
    rng.state,
  ));
  await saveCheckpoint(ckDir, model, state, isBest);
  if (isBest) await saveModel(model, opts.out);
  writeMeta(false);
  console.log(
    `epoch ${epoch}/${opts.epochs} done in ${seconds.toFixed(0)}s: loss ${(lossSum / seen).toFixed(4)} acc ${(accSum / seen).toFixed(4)} val ${valAcc.toFixed(4)}${isBest ? ' (best)' : ''} lr ${lr.toExponential(2)} tensors ${tf.memory().numTensors}`,
  );
}

// The published model is the best-validation checkpoint; reload it to check it loads without tfjs-node.
const final = await loadModel(opts.out);
const check = predictLabels(final, valImages).reduce((a, p, i) => a + (p === valLabels[i] ? 1 : 0), 0) / VAL;
writeMeta(true);
console.log(
  `saved ${opts.out} (epoch ${state.bestEpoch}, val ${state.bestValAcc.toFixed(4)}; reloaded val ${check.toFixed(4)}); train time ${state.trainSeconds.toFixed(0)}s`,
);
// Inference runs on onnxruntime-node: write model.onnx beside the published weights.
const onnx = await writeOnnx(final, opts.out);
console.log(`exported ${onnx.file} (${onnx.classes} classes)`);
