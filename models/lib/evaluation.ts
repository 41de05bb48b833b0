/**
 * Shared parts of the pen evaluations (models/eval-pen.ts, models/eval-numbers.ts): command line,
 * loading the digits, and writing the report next to the model.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { confusionSvg, formatConfusionTable, perClassReport, formatClassTable } from './metrics.ts';
import { parseLineRange, readMnistStrokes } from './mnist-strokes.ts';
import { PEN_FILE, loadPenDigits, parseWriters, type PenDigit } from './pen-data.ts';

/** Parsed command line of an evaluation. */
export interface EvalArgs {
  file: string;
  model: string | undefined;
  writers: string | undefined;
  count: number;
  seed: number;
  /** Only these lines of FILE (inclusive range, e.g. `55000-59999`; for mnist-strokes). */
  lines: string | undefined;
  /** `lattice` (default) or `geometric`. */
  segmenter: 'lattice' | 'geometric';
  /** The second opinion: a trajectory model name or directory, `false` for none, undefined for the default. */
  trajectory: string | false | undefined;
}

/**
 * `[FILE] [--model NAME] [--writers 21-30] [--lines A-B] [--count N] [--seed N] [--segmenter lattice|geometric]
 * [--trajectory NAME|off]`;
 * FILE defaults to the shared pen digits.
 */
export function parseEvalArgs(argv: string[], defaults: { count: number; seed: number }): EvalArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      writers: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      lines: { type: 'string' },
      segmenter: { type: 'string' },
      trajectory: { type: 'string' },
    },
  });
  const segmenter = values.segmenter ?? 'lattice';
  if (segmenter !== 'lattice' && segmenter !== 'geometric')
    throw new Error(`--segmenter must be lattice or geometric, got "${segmenter}"`);
  const int = (v: string | undefined, d: number, name: string): number => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
    return n;
  };
  return {
    file: positionals[0] ?? PEN_FILE,
    model: values.model,
    writers: values.writers,
    count: int(values.count, defaults.count, 'count'),
    seed: int(values.seed, defaults.seed, 'seed'),
    lines: values.lines,
    segmenter,
    trajectory: values.trajectory === 'off' ? false : values.trajectory,
  };
}

/** Loads the digits of the chosen writers. */
export function loadDigits(args: EvalArgs): PenDigit[] {
  const digits = args.lines
    ? readMnistStrokes(parseLineRange(args.lines), args.file)
    : loadPenDigits(args.file, args.writers ? parseWriters(args.writers) : undefined);
  if (digits.length === 0) throw new Error(`no digits in ${args.file} for writers ${args.writers ?? 'all'}`);
  return digits;
}

/**
 * Suffix for report files: `-<file name>` when the data is not the shared pen digits file, then
 * `-w21-30` when a writer subset was evaluated, so runs on different data never overwrite each other.
 */
export function writerSuffix(args: EvalArgs): string {
  const data =
    path.resolve(args.file) === path.resolve(PEN_FILE)
      ? ''
      : `-${path
          .basename(args.file)
          .replace(/\.[^.]*$/, '')
          .replace(/[^\w.-]/g, '_')}`;
  const writers = args.writers ? `-w${args.writers.replace(/[^0-9,-]/g, '').replace(/,/g, '_')}` : '';
  const lines = args.lines ? `-l${args.lines.replace(/[^0-9-]/g, '')}` : '';
  const seg = args.segmenter === 'geometric' ? '-geometric' : '';
  const alone = args.trajectory === false ? '-image-only' : '';
  return data + writers + lines + seg + alone;
}

/** Accuracy, macro F1, per-class table and confusion matrix (rows true, columns predicted) as markdown. */
export function classReportMarkdown(cm: number[][]): { accuracy: number; macroF1: number; markdown: string } {
  const report = perClassReport(cm);
  return {
    accuracy: report.accuracy,
    macroF1: report.macroF1,
    markdown: [
      '## Per class',
      '',
      formatClassTable(report),
      '',
      '## Confusion matrix',
      '',
      formatConfusionTable(cm),
    ].join('\n'),
  };
}

/** Writes `<name>.md` and `<name>.svg` (the confusion picture) into the model's directory; returns their paths. */
export function writeReport(
  modelDir: string,
  name: string,
  title: string,
  markdown: string,
  cm: number[][],
): string[] {
  const md = path.join(modelDir, `${name}.md`);
  const svg = path.join(modelDir, `${name}.svg`);
  writeFileSync(svg, confusionSvg(cm, title));
  writeFileSync(md, `${markdown}\n\n![confusion matrix](${path.basename(svg)})\n`);
  return [md, svg];
}

export const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/**
 * A markdown table of accuracy by group (writer, number length): `counts` maps a group to [right, total];
 * rows sorted by group, `name` writes a group in the first column.
 */
export function accuracyTable(
  [groupHeader, accuracyHeader]: [string, string],
  counts: Map<number, [number, number]>,
  name: (group: number) => string = String,
): string[] {
  return [
    `| ${groupHeader} | ${accuracyHeader} | n |`,
    '|---:|---:|---:|',
    ...[...counts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([g, [c, n]]) => `| ${name(g)} | ${pct(c / n)} | ${n} |`),
  ];
}
