/**
 * Diagnoses MNIST-stroke errors on non-held-out lines only (default 50,000-54,999: the published
 * best-reject's validation lines, kept out of its training to choose it; the held-out lines
 * 55,000-59,999 are refused): errors of the full pipeline (split / merged / misread), how the same
 * digit reads when all its strokes are one image and as the MNIST image it was traced from, and a
 * sweep of rasteriser settings on whole digits (MNIST-stroke lines and pen writers 1-20).
 *
 *   npx tsx models/diagnose-strokes.ts [--lines 50000-54999] [--model NAME] [--errors] [--sweep]
 *                                      [--gallery errors.png]
 *
 * `--gallery` writes up to 64 digits whose whole-ink image is misread, each as the image the model saw
 * (left) beside the MNIST image it was traced from (right).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadMnist } from './lib/mnist.ts';
import { pairGallery } from './lib/png.ts';
import { MNIST_STROKES_HELDOUT, parseLineRange, readMnistStrokes } from './lib/mnist-strokes.ts';
import { PEN_TRAIN_WRITERS, readPenDigits, type PenDigit } from './lib/pen-data.ts';
import { bboxOf } from '../shared/ink/geometry.ts';
import { rasterise, type RasteriseOptions } from '../shared/ink/rasterise.ts';
import { simplifyStrokes } from '../shared/ink/simplify.ts';
import type { Stroke } from '../shared/ink/types.ts';
import { Recognizer } from '../workers/inference/recognizer.ts';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '50000-54999' },
    model: { type: 'string' },
    sweep: { type: 'boolean', default: false },
    errors: { type: 'boolean', default: false },
    gallery: { type: 'string' },
  },
});
const range = parseLineRange(values.lines);
if (range[1] > MNIST_STROKES_HELDOUT[0]) throw new Error('held-out lines are not for diagnosis');
const recognizer = await Recognizer.load({ model: values.model, log: () => {} });
const digits = readMnistStrokes(range);
const pen = readPenDigits().filter((d) => PEN_TRAIN_WRITERS.includes(d.writer));
const mnist = loadMnist('train');

const argmax = (p: Float32Array): number => {
  let b = 0;
  for (let d = 1; d < 10; d++) if (p[d]! > p[b]!) b = d;
  return b;
};
type Pre = (s: Stroke[]) => Stroke[];
const id: Pre = (s) => s;

async function whole(set: PenDigit[], opts: RasteriseOptions, pre: Pre = id) {
  const images = set.map((d) => rasterise(pre(simplifyStrokes(d.strokes)), opts));
  const probs = await recognizer.classify(images);
  let ok = 0;
  let rej = 0;
  probs.forEach((p, i) => {
    if (argmax(p) === set[i]!.label) ok++;
    rej += p.length > 10 ? p[10]! : 0;
  });
  return { acc: ok / set.length, rej: rej / set.length, images, probs };
}

if (values.errors) {
  const results = await recognizer.recognize(digits.map((d) => d.strokes));
  const base = await whole(digits, {});
  const mimgs = digits.map((d) => mnist.images.slice(d.i * 784, d.i * 784 + 784));
  const mprobs = await recognizer.classify(mimgs);
  let split = 0,
    none = 0,
    misread = 0,
    wholeRight = 0,
    mnistRight = 0,
    misWholeRight = 0;
  const bad: number[] = [];
  const byLabel = new Array(10).fill(0) as number[];
  results.forEach((r, i) => {
    const d = digits[i]!;
    if (r.text === String(d.label)) return;
    bad.push(i);
    byLabel[d.label]!++;
    if (r.digits.length > 1) split++;
    else if (r.digits.length === 0) none++;
    else {
      misread++;
      if (argmax(base.probs[i]!) === d.label) misWholeRight++;
    }
    if (argmax(base.probs[i]!) === d.label) wholeRight++;
    if (argmax(mprobs[i]!) === d.label) mnistRight++;
  });
  const nStrokes = (i: number) => digits[i]!.strokes.length;
  console.log(
    `${digits.length} digits, ${bad.length} errors: split ${split}, none ${none}, misread ${misread} (whole image right for ${misWholeRight} misreads)`,
  );
  console.log(
    `errors whose whole-ink image reads right: ${wholeRight}; whose MNIST image reads right: ${mnistRight}`,
  );
  console.log(`errors by label: ${byLabel.join(' ')}`);
  console.log(
    `whole-ink accuracy ${(100 * base.acc).toFixed(2)}%, mean p(not one digit) ${base.rej.toFixed(4)}`,
  );
  const hist = new Map<number, [number, number]>();
  digits.forEach((d, i) => {
    const k = Math.min(d.strokes.length, 6);
    const [e, n] = hist.get(k) ?? [0, 0];
    hist.set(k, [e + (results[i]!.text === String(d.label) ? 0 : 1), n + 1]);
  });
  console.log(
    `errors / digits by stroke count: ${[...hist.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([k, [e, n]]) => `${k}${k === 6 ? '+' : ''}: ${e}/${n}`)
      .join(', ')}`,
  );
  for (const i of bad.slice(0, 60)) {
    const r = results[i]!;
    console.log(
      `line ${digits[i]!.i} label ${digits[i]!.label} strokes ${nStrokes(i)} -> "${r.text}" groups ${JSON.stringify(r.digits.map((x) => x.strokes))} whole ${argmax(base.probs[i]!)} (p10 ${(base.probs[i]![10] ?? 0).toFixed(2)}) mnist ${argmax(mprobs[i]!)}`,
    );
  }
}

if (values.gallery) {
  const base = await whole(digits, {});
  const wrong = digits.flatMap((d, i) => (argmax(base.probs[i]!) === d.label ? [] : [i]));
  const shown = wrong.slice(0, 64);
  writeFileSync(
    values.gallery,
    pairGallery(
      shown.map((i) => [base.images[i]!, mnist.images.slice(digits[i]!.i * 784, (digits[i]!.i + 1) * 784)]),
    ),
  );
  console.log(
    `${wrong.length} whole-ink misreads; ${shown.length} in ${values.gallery} (ink as the model saw it | MNIST image):`,
  );
  for (const i of shown)
    console.log(`line ${digits[i]!.i} label ${digits[i]!.label} read ${argmax(base.probs[i]!)}`);
}

if (values.sweep) {
  const settings: [string, RasteriseOptions, Pre?][] = [
    ['defaults', {}],
    ['pen 2.2', { penWidth: 2.2 }],
    ['pen 2.45', { penWidth: 2.45 }],
    ['pen 3.0', { penWidth: 3.0 }],
    ['pen 3.3', { penWidth: 3.3 }],
    ['soft 0.8', { softness: 0.8 }],
    ['soft 1.6', { softness: 1.6 }],
    ['smoothing 0', { smoothing: 0 }],
    ['box 19', { box: 19 }],
    ['box 21', { box: 21 }],
    ['avg3', {}, (s) => s.map((x) => movingAverage(x, 1))],
    ['avg5', {}, (s) => s.map((x) => movingAverage(x, 2))],
    ['avg3 pen 3.0', { penWidth: 3.0 }, (s) => s.map((x) => movingAverage(x, 1))],
    ['extend 0.03', {}, (s) => extendEnds(s, 0.03)],
    ['extend 0.06', {}, (s) => extendEnds(s, 0.06)],
    [
      'avg3 ext 0.04',
      {},
      (s) =>
        extendEnds(
          s.map((x) => movingAverage(x, 1)),
          0.04,
        ),
    ],
  ];
  for (const [name, opts, pre] of settings) {
    const a = await whole(digits, opts, pre);
    const b = await whole(pen, opts, pre);
    console.log(
      `${name.padEnd(14)} strokes ${(100 * a.acc).toFixed(2)}% p10 ${a.rej.toFixed(4)} | pen 1-20 ${(100 * b.acc).toFixed(2)}% p10 ${b.rej.toFixed(4)}`,
    );
  }
}

/** Moving average over 2k+1 points, ends kept. */
function movingAverage(s: Stroke, k: number): Stroke {
  if (s.length < 2 * k + 1) return s;
  return s.map((p, i) => {
    if (i === 0 || i === s.length - 1) return p;
    const a = Math.max(0, i - k);
    const b = Math.min(s.length - 1, i + k);
    let x = 0,
      y = 0;
    for (let j = a; j <= b; j++) {
      x += s[j]![0];
      y += s[j]![1];
    }
    return [x / (b - a + 1), y / (b - a + 1)];
  });
}

/** Each stroke's ends pushed out by `e` x the ink's longest side, along the direction of its last points. */
function extendEnds(strokes: Stroke[], e: number): Stroke[] {
  const [x0, y0, x1, y1] = bboxOf(strokes.flat()) ?? [0, 0, 0, 0];
  const len = e * Math.max(x1 - x0, y1 - y0);
  const push = (end: Stroke[number], from: Stroke[number]): Stroke[number] => {
    const dx = end[0] - from[0],
      dy = end[1] - from[1];
    const d = Math.hypot(dx, dy);
    return d > 0 ? [end[0] + (dx / d) * len, end[1] + (dy / d) * len] : end;
  };
  return strokes.map((s) => {
    if (s.length < 2) return s;
    const k = Math.min(3, s.length - 1);
    return [push(s[0]!, s[k]!), ...s, push(s[s.length - 1]!, s[s.length - 1 - k]!)];
  });
}
