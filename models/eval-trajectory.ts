/**
 * The online model alone (no image model, no lattice): each whole digit's pen path read by
 * models/trajectory (or --model DIR). Writes report.md (per-class table and confusion matrix per set) and
 * confusion-SET.svg into the model's directory; the last line is one JSON object.
 *
 *   npx tsx models/eval-trajectory.ts [--model DIR]
 *
 * Sets: MNIST-stroke lines 50,000-54,999 (its validation lines: they chose the epoch), and the held-out
 * pen writers 21-30 and MNIST-stroke lines 55,000-59,999.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from './lib/backend.ts';
import { classReportMarkdown, pct } from './lib/evaluation.ts';
import { loadModel } from './lib/load-model.ts';
import { confusionMatrix, confusionSvg } from './lib/metrics.ts';
import { argmaxRows, classCount, predictProbs } from './lib/predict.ts';
import { MNIST_STROKES_HELDOUT, readMnistStrokes } from './lib/mnist-strokes.ts';
import { resolveModelDir } from './lib/model-dir.ts';
import { PEN_HELDOUT_WRITERS, readPenDigits, type PenDigit } from './lib/pen-data.ts';
import { TRAJECTORY_FEATURES, TRAJECTORY_POINTS, trajectoryFeatures } from '../shared/ink/trajectory.ts';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'trajectory' } } });
const dir = resolveModelDir(values.model);
await initBackend();
const model = await loadModel(dir);
const SIZE = TRAJECTORY_POINTS * TRAJECTORY_FEATURES;
/** 10, or 11 with "not one digit" (each digit is then labelled with its likeliest digit). */
const classes = classCount(model);

function read(digits: PenDigit[]): number[] {
  const xs = new Float32Array(digits.length * SIZE);
  digits.forEach((d, i) => xs.set(trajectoryFeatures(d.strokes), i * SIZE));
  return argmaxRows(predictProbs(model, xs), classes, 10);
}

const sets: { name: string; file: string; digits: PenDigit[] }[] = [
  {
    name: 'MNIST-stroke lines 50,000-54,999 (validation: chose the epoch)',
    file: 'val',
    digits: readMnistStrokes([50000, 55000]),
  },
  {
    name: 'pen digits, writers 21-30 (held out)',
    file: 'w21-30',
    digits: readPenDigits().filter((d) => PEN_HELDOUT_WRITERS.includes(d.writer)),
  },
  {
    name: 'MNIST-stroke lines 55,000-59,999 (held out)',
    file: 'l55000-59999',
    digits: readMnistStrokes(MNIST_STROKES_HELDOUT),
  },
];
const parts = [
  `# The online model alone: ${path.basename(dir)}`,
  '',
  'Each whole digit (strokes as drawn) read from its pen path only, labelled with its likeliest digit',
  `(${classes === 11 ? 'the model also has "not one digit"' : '10 classes'}); in the recognizer this reading is fused with the image`,
  "model's (docs/recognition.md). `npx tsx models/eval-trajectory.ts`.",
];
const summary: Record<string, number> = {};
for (const set of sets) {
  const labels = set.digits.map((d) => d.label);
  const cm = confusionMatrix(labels, read(set.digits), 10);
  const { accuracy, markdown } = classReportMarkdown(cm);
  summary[set.file] = accuracy;
  console.log(`${set.name}: ${pct(accuracy)} of ${set.digits.length}`);
  const svg = `confusion-${set.file}.svg`;
  writeFileSync(path.join(dir, svg), confusionSvg(cm, `${path.basename(dir)}: ${set.name}`));
  parts.push(
    '',
    `## ${set.name}: ${pct(accuracy)} of ${set.digits.length}`,
    '',
    markdown.replace(/^## /gm, '### '),
    '',
    `![confusion matrix](${svg})`,
  );
}
writeFileSync(path.join(dir, 'report.md'), `${parts.join('\n')}\n`);
console.log(JSON.stringify({ model: path.basename(dir), ...summary }));
