/**
 * Fine-tunes a 10-class digit model (default models/best) into an 11-class one whose last class is
 * "not one digit" (fragments of a digit, two digits merged, scribbles; models/lib/reject-data.ts), for
 * recognition-driven segmentation (shared/ink/lattice.ts).
 *
 *   npx tsx models/train-reject.ts [--from models/best] [--out models/best-reject] [--budget-minutes 60]
 *                                  [--epochs 30] [--lr 3e-4] [--resume]
 *                                  [--init models/best-reject] [--per-epoch MNIST,STROKES,REJECT]
 *                                  [--val-lines 50000-54999] [--augment full|light] [--width 2]
 *
 * `--init` starts from an 11-class model's weights instead (a second fine-tune, fresh optimizer and
 * schedule); `--from` still picks which fragments are taught as rejects.
 *
 * All layers start from the base model's weights; the new head keeps the base's ten digit columns and
 * adds one (zero weights). Each epoch mixes: 30,000 augmented MNIST training images (first 55,000 only),
 * pen digits of writers 1..20, 10,000 MNIST-stroke digits of lines 0..54,999 less the validation lines
 * (rasterised by shared/ink/rasterise.ts), and 14,000 "not one digit" candidates cut from both. Held out,
 * never used: pendigits writers 21..30, MNIST-stroke lines 55,000..59,999 (= the MNIST validation
 * images), the MNIST test set. Validation (11-way arg-max, so answering "not one digit" counts as wrong):
 * the last 5,000 MNIST training images, the MNIST-stroke `--val-lines` (whole digit, simplified and
 * rasterised as the recognizer does) and 2,000 reject candidates of another seed;
 * score = MNIST digits + stroke digits + 0.1 x reject.
 * `--augment light` warps less (models/lib/augment.ts LIGHT_AUGMENT) and varies the pen width 2.4-3.0
 * instead of 2.0-3.4: a last stage that fits the rendered ink the recognizer will see.
 * `--width 2` doubles every hidden layer; with `--init` the wider model starts as an exact copy of the
 * init model (models/lib/widen.ts), so fine-tuning only adds capacity.
 * Checkpoints every epoch in models/checkpoints/NAME/ (resumable); the best epoch is published to --out.
 */
import { trainBatch } from './lib/train-batch.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, tf } from './lib/backend.ts';
import { buildBest } from './lib/architectures.ts';
import { widenInto } from './lib/widen.ts';
import { augment, LIGHT_AUGMENT } from './lib/augment.ts';
import {
  afterEpoch,
  checkpointDir,
  freshState,
  loadCheckpoint,
  saveCheckpoint,
  type TrainState,
} from './lib/checkpoint.ts';
import { loadModel } from './lib/load-model.ts';
import { loadMnist } from './lib/mnist.ts';
import { MNIST_STROKES_TRAIN, parseLineRange, readMnistStrokes } from './lib/mnist-strokes.ts';
import { PEN_TRAIN_WRITERS, readPenDigits, type PenDigit } from './lib/pen-data.ts';
import { argmaxRows, predictProbs } from './lib/predict.ts';
import { REJECT, modelReading, rejectPool, type RejectSample } from './lib/reject-data.ts';
import { Rng } from './lib/rng.ts';
import { saveModel } from './lib/save-model.ts';
import { rasterise } from '../shared/ink/rasterise.ts';
import { simplifyStrokes } from '../shared/ink/simplify.ts';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: 'models/best' },
    out: { type: 'string', default: 'models/best-reject' },
    epochs: { type: 'string', default: '30' },
    'budget-minutes': { type: 'string', default: '60' },
    lr: { type: 'string', default: '3e-4' },
    batch: { type: 'string', default: '128' },
    seed: { type: 'string', default: '42' },
    resume: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    init: { type: 'string' },
    'per-epoch': { type: 'string' },
    'val-lines': { type: 'string', default: '50000-54999' },
    augment: { type: 'string', default: 'full' },
    width: { type: 'string', default: '1' },
  },
});
const PX = 784;
const C = 11;
const VAL = 5000;
const epochs = Number(values.epochs);
const budgetSeconds = 60 * Number(values['budget-minutes']);
const baseLr = Number(values.lr);
const batch = Number(values.batch);
const seed = Number(values.seed);
const quick = values.quick ?? false;
const out = values.out as string;
const name = path.basename(out);
if (values.augment !== 'full' && values.augment !== 'light')
  throw new Error(`--augment must be full or light, not ${values.augment}`);
/** `light`: milder warps and pen widths, for a last fine-tune close to the test images. */
const light = values.augment === 'light';
const augmentOptions = light ? LIGHT_AUGMENT : {};
const penWidths: [number, number] = light ? [2.4, 3.0] : [2.0, 3.4];
/** Hidden layers x `width` (models/lib/architectures.ts); with `--init`, widened from it (models/lib/widen.ts). */
const width = Number(values.width);
if (!(width >= 1 && width <= 4)) throw new Error(`--width must be a number from 1 to 4, not ${values.width}`);
const perEpochArg = values['per-epoch']?.split(',').map(Number);
const perEpoch = quick
  ? { mnist: 2000, strokes: 500, reject: 1000 }
  : perEpochArg
    ? { mnist: perEpochArg[0]!, strokes: perEpochArg[1]!, reject: perEpochArg[2]! }
    : { mnist: 30000, strokes: 10000, reject: 14000 };

const backend = await initBackend();
console.log(`backend: ${backend}; fine-tuning ${values.from} -> ${out} (11 classes)`);

const mnist = loadMnist('train');
const nMnist = mnist.n - VAL;
const valImages = mnist.images.subarray(nMnist * PX);
const valLabels = Array.from(mnist.labels.subarray(nMnist));
const pen = readPenDigits().filter((d) => PEN_TRAIN_WRITERS.includes(d.writer));
/** MNIST-stroke training lines kept out of training to choose the epoch (never the held-out lines). */
const valLines = parseLineRange(values['val-lines'] as string);
if (valLines[0] < MNIST_STROKES_TRAIN[0] || valLines[1] > MNIST_STROKES_TRAIN[1])
  throw new Error(`--val-lines must lie within training lines 0-${MNIST_STROKES_TRAIN[1] - 1}`);
const strokes = readMnistStrokes(MNIST_STROKES_TRAIN).filter((d) => d.i < valLines[0] || d.i >= valLines[1]);
const valStrokes = readMnistStrokes(valLines);
const valStrokeImages = new Float32Array(valStrokes.length * PX);
valStrokes.forEach((d, k) => valStrokeImages.set(rasterise(simplifyStrokes(d.strokes)), k * PX));
console.log(
  `data: MNIST ${nMnist}, pen digits ${pen.length} (writers 1..20), MNIST strokes ${strokes.length} (validation lines ${values['val-lines']})`,
);

const base = await loadModel(values.from as string);
/** The base model's reading of fragments (which ones are taught as rejects: models/lib/reject-data.ts). */
const looksLikeDigit = modelReading(base);
const t0 = performance.now();
const scale = quick ? 0.05 : 1;
/** "Not one digit" candidates cut from pen and MNIST-stroke numbers (`seed` for pen, `seed + 1` for strokes). */
const rejectsOf = (penNumbers: number, strokeNumbers: number, scribbles: number, seed: number) =>
  rejectPool(pen, strokes, looksLikeDigit, {
    penNumbers: penNumbers * scale,
    strokeNumbers: strokeNumbers * scale,
    scribbles: scribbles * scale,
    seed,
  });
const rejects: RejectSample[] = await rejectsOf(8000, 16000, 1500, 7);
const valRejects: RejectSample[] = await rejectsOf(800, 1200, 100, 17);
const kinds = (xs: RejectSample[]) =>
  JSON.stringify(xs.reduce<Record<string, number>>((a, x) => ({ ...a, [x.kind]: (a[x.kind] ?? 0) + 1 }), {}));
console.log(
  `reject candidates: train ${rejects.length} ${kinds(rejects)}, validation ${valRejects.length} ${kinds(valRejects)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
);
const valRejectImages = new Float32Array(valRejects.length * PX);
valRejects.forEach((r, k) => valRejectImages.set(rasterise(r.strokes), k * PX));

/** The base model's weights with an 11-way head: digit columns kept, the reject column zero. */
async function fromBase(): Promise<tf.LayersModel> {
  const m = buildBest(seed, C, width);
  if (values.init) {
    // Same width: an exact copy; wider: the init model's function, with room to grow.
    widenInto(await loadModel(values.init), m);
    return m;
  }
  const src = base.layers.filter((l) => l.getWeights().length > 0);
  const dst = m.layers.filter((l) => l.getWeights().length > 0);
  if (src.length !== dst.length)
    throw new Error(`base has ${src.length} weighted layers, expected ${dst.length}`);
  src.forEach((l, k) => {
    const w = l.getWeights();
    const target = dst[k]!;
    if (k < src.length - 1) {
      target.setWeights(w);
      return;
    }
    const [kernel, bias] = w as [tf.Tensor2D, tf.Tensor1D];
    const newKernel = tf.concat([kernel, tf.zeros([kernel.shape[0], 1])], 1);
    const newBias = tf.concat([bias, tf.tensor1d([-1])], 0);
    target.setWeights([newKernel, newBias]);
  });
  return m;
}

const ckDir = checkpointDir(name);
const resumed = values.resume ? await loadCheckpoint(ckDir) : undefined;
let model: tf.LayersModel;
let state: TrainState;
if (resumed) {
  model = resumed.model;
  state = resumed.state;
  console.log(`resumed after epoch ${state.epoch} (best score ${state.bestValAcc.toFixed(4)})`);
} else {
  model = await fromBase();
  model.compile({ optimizer: tf.train.adam(baseLr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  state = freshState('best-reject', new Rng(seed).state);
}

interface Scores {
  digits: number;
  digitsOnly: number;
  strokes: number;
  reject: number;
  score: number;
}
/** Share of rows of `probs` whose arg-max over the first `classes` columns is the label. */
function accuracy(probs: Float32Array, labels: number[], classes = C): number {
  const got = argmaxRows(probs, C, classes);
  return got.reduce((a, x, i) => a + (x === labels[i] ? 1 : 0), 0) / labels.length;
}
const valStrokeLabels = valStrokes.map((d) => d.label);
function evaluate(m: tf.LayersModel): Scores {
  const p = predictProbs(m, valImages);
  const digits = accuracy(p, valLabels);
  const digitsOnly = accuracy(p, valLabels, 10);
  const strokesAcc = valStrokes.length ? accuracy(predictProbs(m, valStrokeImages), valStrokeLabels) : 0;
  const r = argmaxRows(predictProbs(m, valRejectImages), C);
  const reject = r.filter((x) => x === REJECT).length / r.length;
  return { digits, digitsOnly, strokes: strokesAcc, reject, score: digits + strokesAcc + 0.1 * reject };
}
const describe = (e: Scores): string =>
  `MNIST val ${e.digits.toFixed(4)} (digits only ${e.digitsOnly.toFixed(4)}), stroke val ${e.strokes.toFixed(4)}, reject val ${e.reject.toFixed(4)}`;
if (!resumed) {
  const e = evaluate(model);
  console.log(`start: ${describe(e)}`);
}

function learningRate(): number {
  const last = state.history.at(-1)?.seconds ?? 0;
  const t = Math.min(1, (state.trainSeconds + last / 2) / budgetSeconds);
  return baseLr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

interface Meta {
  valDigits: number;
  valDigitsOnly: number;
  valStrokes: number;
  valReject: number;
}
let bestMeta: Meta | undefined;
function writeMeta(complete: boolean): void {
  const meta = {
    name,
    architecture: 'best',
    width,
    classes: C,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'not one digit'],
    fineTunedFrom: path.basename((values.init ?? values.from) as string),
    params: model.countParams(),
    complete,
    epochs: state.epoch,
    bestEpoch: state.bestEpoch,
    batch,
    seed,
    augment: values.augment,
    optimizer: `adam lr ${baseLr} cosine decay to lr/100 over a ${budgetSeconds / 60} min budget`,
    budgetMinutes: budgetSeconds / 60,
    trainSeconds: Math.round(state.trainSeconds),
    backend,
    valAccuracy: bestMeta?.valDigits,
    valDigitsOnlyAccuracy: bestMeta?.valDigitsOnly,
    valStrokeAccuracy: bestMeta?.valStrokes,
    valRejectRecall: bestMeta?.valReject,
    valScore: 'MNIST val + stroke val + 0.1 x reject val (history: valAcc)',
    data: {
      perEpoch,
      mnistTrain: `${nMnist} (augmented; ${perEpoch.mnist} drawn each epoch)`,
      mnistValidation: `last ${VAL} of the MNIST training set`,
      penDigits: {
        trainWriters: PEN_TRAIN_WRITERS,
        heldOutWriters: [21, 22, 23, 24, 25, 26, 27, 28, 29, 30],
        count: pen.length,
      },
      mnistStrokes: {
        lines: `0-${MNIST_STROKES_TRAIN[1] - 1} except ${values['val-lines']}`,
        validationLines: values['val-lines'],
        heldOutLines: '55000-59999',
        count: strokes.length,
      },
      reject: {
        train: rejects.length,
        kinds: JSON.parse(kinds(rejects)) as unknown,
        validation: valRejects.length,
      },
    },
    history: state.history,
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
}

const rng = new Rng(state.rngState);
const xs = new Float32Array(batch * PX);
const ys = new Float32Array(batch * C);
type Item = { src: 0 | 1 | 2 | 3; k: number };
for (let epoch = state.epoch + 1; epoch <= epochs; epoch++) {
  const last = state.history.at(-1)?.seconds ?? 0;
  if (state.trainSeconds + last > budgetSeconds) {
    console.log(`time budget reached after epoch ${state.epoch}; stopping`);
    break;
  }
  const started = Date.now();
  const lr = learningRate();
  (model.optimizer as unknown as { learningRate: number }).learningRate = lr;
  const items: Item[] = [];
  for (let i = 0; i < perEpoch.mnist; i++) items.push({ src: 0, k: rng.int(nMnist) });
  for (let i = 0; i < (quick ? 500 : pen.length); i++) items.push({ src: 1, k: i % pen.length });
  for (let i = 0; i < perEpoch.strokes; i++) items.push({ src: 2, k: rng.int(strokes.length) });
  for (let i = 0; i < perEpoch.reject; i++) items.push({ src: 3, k: rng.int(rejects.length) });
  rng.shuffle(items);
  const batches = Math.ceil(items.length / batch);
  let lossSum = 0;
  let accSum = 0;
  let seen = 0;
  for (let b = 0; b < batches; b++) {
    const chunk = items.slice(b * batch, (b + 1) * batch);
    ys.fill(0);
    chunk.forEach(({ src, k }, j) => {
      let img: Float32Array;
      let label: number;
      if (src === 0) {
        img = mnist.images.subarray(k * PX, (k + 1) * PX);
        label = mnist.labels[k]!;
      } else if (src === 3) {
        img = rasterise(rejects[k]!.strokes, { penWidth: rng.uniform(...penWidths) });
        label = REJECT;
      } else {
        const d = (src === 1 ? pen[k] : strokes[k]) as PenDigit;
        img = rasterise(d.strokes, { penWidth: rng.uniform(...penWidths) });
        label = d.label;
      }
      xs.set(augment(img, rng, augmentOptions), j * PX);
      ys[j * C + label] = 1;
    });
    const n = chunk.length;
    const { loss, acc } = await trainBatch(model, xs, ys, n, C);
    lossSum += loss * n;
    accSum += acc * n;
    seen += n;
    if (b % 100 === 0 && b > 0)
      console.log(
        `  epoch ${epoch} batch ${b}/${batches} loss ${(lossSum / seen).toFixed(4)} acc ${(accSum / seen).toFixed(4)}`,
      );
  }
  const e = evaluate(model);
  const seconds = (Date.now() - started) / 1000;
  let isBest: boolean;
  ({ state, isBest } = afterEpoch(
    state,
    { epoch, lr, loss: lossSum / seen, acc: accSum / seen, valAcc: e.score, seconds },
    rng.state,
  ));
  await saveCheckpoint(ckDir, model, state, isBest);
  if (isBest) {
    bestMeta = {
      valDigits: e.digits,
      valDigitsOnly: e.digitsOnly,
      valStrokes: e.strokes,
      valReject: e.reject,
    };
    await saveModel(model, out);
  }
  writeMeta(false);
  console.log(
    `epoch ${epoch} done in ${seconds.toFixed(0)}s: loss ${(lossSum / seen).toFixed(4)} acc ${(accSum / seen).toFixed(4)} ${describe(e)}${isBest ? ' (best)' : ''} lr ${lr.toExponential(2)}`,
  );
}
if (bestMeta === undefined) {
  const e = evaluate(await loadModel(out));
  bestMeta = { valDigits: e.digits, valDigitsOnly: e.digitsOnly, valStrokes: e.strokes, valReject: e.reject };
}
writeMeta(true);
console.log(`saved ${out} (epoch ${state.bestEpoch}); train time ${state.trainSeconds.toFixed(0)}s`);
