/**
 * Accuracy of the FULL ink pipeline (segment + rasterise + classify) on real pen-written digits:
 * a digit counts as correct only when the recognised text equals its label.
 *
 *   npm run --silent eval:pen -- [FILE.jsonl] [--model NAME] [--writers 21-30 | --lines 55000-59999]
 *                                [--segmenter lattice|geometric] [--trajectory NAME|off]
 *
 * Data: UCI "Pen-Based Recognition of Handwritten Digits" (Alpaydin & Alimoglu), CC BY 4.0.
 * Prints the report on stderr-free stdout; the last line is one JSON object. Writes
 * models/NAME/report-pen[-wSPEC].md and .svg.
 */
import path from 'node:path';
import { confusionMatrix } from './lib/metrics.ts';
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

const args = parseEvalArgs(process.argv.slice(2), { count: 1, seed: 1 });
const digits = loadDigits(args);
const recognizer = await Recognizer.load({
  model: args.model,
  segmenter: args.segmenter,
  trajectoryModel: args.trajectory,
});
const started = performance.now();
const results = await recognizer.recognize(digits.map((d) => d.strokes));
const seconds = (performance.now() - started) / 1000;

const labels = digits.map((d) => d.label);
// Column 10 collects digits that did not come out as exactly one digit (segmentation errors).
const preds = results.map((r) => (r.digits.length === 1 ? (r.digits[0]?.label ?? 10) : 10));
const cm = confusionMatrix(labels, preds, 11).slice(0, 10);
const correct = results.filter((r, i) => r.text === String(labels[i])).length;
const notOne = preds.filter((p) => p === 10).length;
const split = results.filter((r) => r.digits.length > 1).length;
const none = results.filter((r) => r.digits.length === 0).length;
const accuracy = correct / digits.length;
const byWriter = new Map<number, [number, number]>();
digits.forEach((d, i) => {
  // Other data sets may not name writers: those digits count under writer -1 ("?").
  const w = typeof d.writer === 'number' ? d.writer : -1;
  const [c, n] = byWriter.get(w) ?? [0, 0];
  byWriter.set(w, [c + (results[i]?.text === String(d.label) ? 1 : 0), n + 1]);
});

const model = path.basename(recognizer.modelDir);
const trajectory = recognizer.trajectoryModelDir && path.basename(recognizer.trajectoryModelDir);
const secondOpinion = trajectory ? `${trajectory} (pen path)` : 'none';
const source = args.lines ? `MNIST-stroke lines ${args.lines}` : `writers ${args.writers ?? '1-30'}`;
const title = `Pen digits through the ink pipeline: ${model}, ${source}${args.segmenter === 'geometric' ? ', geometric segmenter' : ''}`;
const { markdown, macroF1 } = classReportMarkdown(cm.map((row) => row.slice(0, 10)));
const report = [
  `# ${title}`,
  '',
  `- data: ${path.basename(args.file)} (${args.lines ? 'MNIST digits as pen strokes, E. D. de Jong, CC BY-SA 3.0' : 'UCI "Pen-Based Recognition of Handwritten Digits", CC BY 4.0'})`,
  `- digits: ${digits.length}, ${args.lines ? `lines ${args.lines}` : `writers: ${args.writers ?? 'all'}`}; segmenter: ${args.segmenter}; second opinion: ${secondOpinion}`,
  `- accuracy (text equals label): **${pct(accuracy)}** (${correct} / ${digits.length})`,
  `- not segmented as exactly one digit: ${notOne} (split into several: ${split}; no digit: ${none})`,
  `- macro F1 (one-digit results): ${pct(macroF1)}`,
  `- backend: ${recognizer.backend}, ${seconds.toFixed(1)} s (${Math.round(digits.length / seconds)} digits/s end to end)`,
  '',
  markdown,
  '',
  ...(args.lines
    ? []
    : [
        '## Per writer',
        '',
        ...accuracyTable(['writer', 'accuracy'], byWriter, (w) => (w < 0 ? '?' : String(w))),
      ]),
].join('\n');
const files = writeReport(recognizer.modelDir, `report-pen${writerSuffix(args)}`, title, report, cm);
process.stdout.write(`${report}\n\nwrote ${files.join(', ')}\n`);
process.stdout.write(
  `${JSON.stringify({
    model,
    n: digits.length,
    accuracy,
    correct,
    notOneDigit: notOne,
    split,
    none,
    lines: args.lines ?? null,
    segmenter: args.segmenter,
    trajectory: trajectory ?? null,
    macroF1,
    writers: args.writers ?? 'all',
    backend: recognizer.backend,
    seconds: Number(seconds.toFixed(2)),
  })}\n`,
);
