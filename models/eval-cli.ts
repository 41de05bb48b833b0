/**
 * The held-out tests through the real CLI process (`npm run --silent recognize -- FILE`), as a user
 * would run it: writes each set as JSON lines to a temporary file, runs the CLI on it, and compares
 * every output line's text with the truth.
 *
 *   npx tsx models/eval-cli.ts [--model NAME] [--count 1000] [--seed 1]
 *
 * Sets: isolated pen digits of writers 21..30; MNIST-stroke digits of lines 55,000..59,999; 2-5 digit
 * numbers composed from each (`count`, `seed`). Prints one line per set and a JSON line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MNIST_STROKES_HELDOUT, readMnistStrokes } from './lib/mnist-strokes.ts';
import { PEN_HELDOUT_WRITERS, composeNumbers, readPenDigits } from './lib/pen-data.ts';
import type { Stroke } from '../shared/ink/types.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
const pen = readPenDigits().filter((d) => PEN_HELDOUT_WRITERS.includes(d.writer));
const strokes = readMnistStrokes(MNIST_STROKES_HELDOUT);
const sets: { name: string; items: { strokes: Stroke[]; text: string }[] }[] = [
  {
    name: 'pen digits, writers 21-30',
    items: pen.map((d) => ({ strokes: d.strokes, text: String(d.label) })),
  },
  {
    name: 'MNIST-stroke digits, lines 55000-59999',
    items: strokes.map((d) => ({ strokes: d.strokes, text: String(d.label) })),
  },
  {
    name: `numbers of writers 21-30 (${count}, seed ${seed})`,
    items: composeNumbers(pen, { count, seed }).map((n) => ({ strokes: n.strokes, text: n.text })),
  },
  {
    name: `numbers of MNIST-stroke lines 55000-59999 (${count}, seed ${seed})`,
    items: composeNumbers(strokes, { count, seed }).map((n) => ({ strokes: n.strokes, text: n.text })),
  },
];
const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-eval-cli-'));
const out: Record<string, { n: number; exact: number; accuracy: number; seconds: number }> = {};
try {
  for (const set of sets) {
    const file = path.join(dir, 'set.jsonl');
    writeFileSync(file, set.items.map((x) => JSON.stringify({ strokes: x.strokes })).join('\n') + '\n');
    const started = performance.now();
    const args = [
      'run',
      '--silent',
      'recognize',
      '--',
      file,
      ...(values.model ? ['--model', values.model] : []),
    ];
    const run = spawnSync('npm', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`recognize exited ${run.status}: ${run.stderr.slice(-500)}`);
    const lines = run.stdout.trim().split('\n');
    if (lines.length !== set.items.length)
      throw new Error(`${lines.length} output lines for ${set.items.length}`);
    const exact = lines.filter(
      (l, i) => (JSON.parse(l) as { text: string }).text === set.items[i]!.text,
    ).length;
    out[set.name] = {
      n: set.items.length,
      exact,
      accuracy: exact / set.items.length,
      seconds: Number(seconds.toFixed(1)),
    };
    console.log(
      `${set.name}: ${((100 * exact) / set.items.length).toFixed(2)}% (${exact} / ${set.items.length}), ${seconds.toFixed(1)} s`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ model: values.model ?? '(default)', sets: out }));
