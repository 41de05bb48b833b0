/**
 * Exact-match accuracy on multi-digit numbers composed from real pen digits (2-5 digits, one writer
 * per number; see models/lib/pen-data.ts composeNumbers), through the full ink pipeline.
 *
 *   npm run --silent eval:numbers -- [FILE.jsonl] [--model NAME] [--writers 21-30 | --lines 55000-59999]
 *                                    [--count 1000] [--seed 1] [--segmenter lattice|geometric] [--trajectory NAME|off]
 *
 * With --lines, FILE is read as MNIST-stroke digits (models/lib/mnist-strokes.ts) and numbers are composed
 * from digits of the same block of 100 lines.
 *
 * Data: UCI "Pen-Based Recognition of Handwritten Digits" (Alpaydin & Alimoglu), CC BY 4.0.
 * Also reports how often segmentation found exactly the right stroke groups, and the digit confusion
 * matrix over numbers whose segmentation was right. Writes models/NAME/report-numbers[-wSPEC].md and
 * .svg; the last stdout line is one JSON object.
 */
import path from 'node:path';
import { confusionMatrix } from './lib/metrics.ts';
import { composeNumbers } from './lib/pen-data.ts';
import {
  accuracyTable,
  classReportMarkdown,
  loadDigits,
  parseEvalArgs,
  pct,
  writeReport,
  writerSuffix,
} from './lib/evaluation.ts';
import { Recognizer } from '../workers/inference/recognizer.ts';

const args = parseEvalArgs(process.argv.slice(2), { count: 1000, seed: 1 });
const numbers = composeNumbers(loadDigits(args), { count: args.count, seed: args.seed });
const recognizer = await Recognizer.load({
  model: args.model,
  segmenter: args.segmenter,
  trajectoryModel: args.trajectory,
});
const started = performance.now();
const results = await recognizer.recognize(numbers.map((n) => n.strokes));
const seconds = (performance.now() - started) / 1000;

const byLength = new Map<number, [number, number]>();
let exact = 0;
let segmented = 0;
// Split: a true digit whose strokes ended up in more than one output digit. Merge: an output digit
// holding strokes of more than one true digit.
let splits = 0;
let merges = 0;
const labels: number[] = [];
const preds: number[] = [];
const failures: string[] = [];
numbers.forEach((n, i) => {
  const r = results[i];
  if (!r) throw new Error(`no result for number ${i}`);
  const ok = r.text === n.text;
  const groupsOk =
    r.digits.length === n.groups.length && r.digits.every((d, k) => d.strokes.join() === n.groups[k]?.join());
  exact += ok ? 1 : 0;
  segmented += groupsOk ? 1 : 0;
  const truthOf = new Map<number, number>();
  n.groups.forEach((g, k) => g.forEach((s) => truthOf.set(s, k)));
  const outOf = new Map<number, number>();
  r.digits.forEach((d, k) => d.strokes.forEach((s) => outOf.set(s, k)));
  for (const g of n.groups) if (new Set(g.map((s) => outOf.get(s))).size > 1) splits++;
  for (const d of r.digits) if (new Set(d.strokes.map((s) => truthOf.get(s))).size > 1) merges++;
  const [c, t] = byLength.get(n.text.length) ?? [0, 0];
  byLength.set(n.text.length, [c + (ok ? 1 : 0), t + 1]);
  if (groupsOk) {
    r.digits.forEach((d, k) => {
      labels.push(Number(n.text[k]));
      preds.push(d.label);
    });
  }
  if (!ok && failures.length < 25)
    failures.push(
      `| ${i} | ${n.writer} | ${n.text} | ${r.text.replace(/\n/g, '⏎')} | ${groupsOk ? 'yes' : 'no'} |`,
    );
});
const accuracy = exact / numbers.length;
const cm = confusionMatrix(labels, preds, 10);
const digitReport = classReportMarkdown(cm);
const model = path.basename(recognizer.modelDir);
const trajectory = recognizer.trajectoryModelDir && path.basename(recognizer.trajectoryModelDir);
const secondOpinion = trajectory ? `${trajectory} (pen path)` : 'none';
const source = args.lines ? `MNIST-stroke lines ${args.lines}` : `writers ${args.writers ?? '1-30'}`;
const title = `Composed numbers: ${model}, ${source}${args.segmenter === 'geometric' ? ', geometric segmenter' : ''}`;
const report = [
  `# ${title}`,
  '',
  `- data: ${path.basename(args.file)} (${args.lines ? 'MNIST digits as pen strokes, E. D. de Jong, CC BY-SA 3.0' : 'UCI "Pen-Based Recognition of Handwritten Digits", CC BY 4.0'}), numbers composed with seed ${args.seed}`,
  `- numbers: ${numbers.length} of 2-5 digits, ${args.lines ? `lines ${args.lines}` : `writers: ${args.writers ?? 'all'}`}; segmenter: ${args.segmenter}; second opinion: ${secondOpinion}`,
  `- exact match: **${pct(accuracy)}** (${exact} / ${numbers.length})`,
  `- segmentation exactly right (stroke groups): ${pct(segmented / numbers.length)}`,
  `- segmentation errors: ${splits} true digits split, ${merges} output digits merging two or more`,
  `- digit accuracy where segmentation was right: ${pct(digitReport.accuracy)} (${labels.length} digits)`,
  `- backend: ${recognizer.backend}, ${seconds.toFixed(1)} s`,
  '',
  '## By length',
  '',
  ...accuracyTable(['digits', 'exact match'], byLength),
  '',
  '## Digits (numbers segmented right)',
  '',
  digitReport.markdown.replace(/^## /gm, '### '),
  '',
  '## First failures',
  '',
  '| # | writer | truth | read | groups right |',
  '|---:|---:|---:|---:|:---:|',
  ...failures,
].join('\n');
const files = writeReport(recognizer.modelDir, `report-numbers${writerSuffix(args)}`, title, report, cm);
process.stdout.write(`${report}\n\nwrote ${files.join(', ')}\n`);
process.stdout.write(
  `${JSON.stringify({
    model,
    n: numbers.length,
    accuracy,
    segmentation: segmented / numbers.length,
    splits,
    merges,
    lines: args.lines ?? null,
    segmenter: args.segmenter,
    trajectory: trajectory ?? null,
    digitAccuracy: digitReport.accuracy,
    writers: args.writers ?? 'all',
    seed: args.seed,
    backend: recognizer.backend,
    seconds: Number(seconds.toFixed(2)),
  })}\n`,
);
