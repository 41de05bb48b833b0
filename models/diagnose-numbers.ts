/**
 * Why composed numbers of the TUNING sets are read wrong: each wrong number is sorted by whether the
 * lattice cut its digits' strokes right (then a digit was misread), split a digit, or merged two; and
 * the exact-match rate the same numbers would reach with the true cut (each true digit read alone).
 * Held-out data is never read. The recognizer is the default one (second opinion included).
 *
 *   npx tsx models/diagnose-numbers.ts [--set strokes|pen] [--count 2500] [--model NAME] [--show]
 *
 * `strokes`: MNIST-stroke lines 50,000-54,999, seed 6; `pen`: writers 1-20, seed 5 (as tune-lattice.ts).
 */
import { parseArgs } from 'node:util';
import { readMnistStrokes } from './lib/mnist-strokes.ts';
import { PEN_TRAIN_WRITERS, composeNumbers, readPenDigits } from './lib/pen-data.ts';
import { rasterise } from '../shared/ink/rasterise.ts';
import { simplifyStrokes } from '../shared/ink/simplify.ts';
import { Recognizer } from '../workers/inference/recognizer.ts';
import { ranked } from '../workers/recognition/read-regions.ts';

const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'strokes' },
    count: { type: 'string', default: '2500' },
    model: { type: 'string' },
    show: { type: 'boolean', default: false },
  },
});
if (values.set !== 'strokes' && values.set !== 'pen') throw new Error('--set must be strokes or pen');
const count = Number(values.count);
if (!Number.isInteger(count) || count <= 0) throw new Error(`--count must be a positive integer`);
const recognizer = await Recognizer.load({ model: values.model, log: () => {} });
const digits =
  values.set === 'strokes'
    ? readMnistStrokes([50000, 55000])
    : readPenDigits().filter((d) => PEN_TRAIN_WRITERS.includes(d.writer));
const numbers = composeNumbers(digits, { count, seed: values.set === 'strokes' ? 6 : 5 });

const key = (g: readonly number[]) => [...g].sort((a, b) => a - b).join(',');
const tally = new Map<string, number>();
const add = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1);
const results = await recognizer.recognize(numbers.map((n) => n.strokes));
// The true cut, each digit read alone by the image model.
const trueCut = await recognizer.classify(
  numbers.flatMap((n) => {
    const s = simplifyStrokes(n.strokes);
    return n.groups.map((g) => rasterise(g.map((k) => s[k]!)));
  }),
);
let k = 0;
let trueCutExact = 0;
numbers.forEach((n, i) => {
  const text = n.groups.map(() => String(ranked(trueCut[k++]!)[0]!.label)).join('');
  if (text === n.text) trueCutExact++;
  const r = results[i]!;
  if (r.text === n.text) return add('right');
  const owner = new Map<number, number>();
  n.groups.forEach((g, gi) => g.forEach((s) => owner.set(s, gi)));
  const chosen = r.digits.map((d) => d.strokes);
  const truth = new Set(n.groups.map(key));
  if (chosen.length === n.groups.length && chosen.every((g) => truth.has(key(g))))
    add('cut right, a digit misread');
  else {
    const merge = chosen.some((g) => new Set(g.map((s) => owner.get(s))).size > 1);
    const split = n.groups.some(
      (g) => new Set(g.map((s) => chosen.findIndex((c) => c.includes(s)))).size > 1,
    );
    add(merge && split ? 'split and merged' : merge ? 'merged' : split ? 'split' : 'other');
    if (n.groups.some((g) => g.length > 6)) add('(of these: a digit of more than 6 strokes)');
  }
  if (values.show)
    console.log(`${n.text} -> ${r.text}  truth ${JSON.stringify(n.groups)} cut ${JSON.stringify(chosen)}`);
});
const pct = (x: number) => `${((100 * x) / numbers.length).toFixed(2)}%`;
console.log(
  `${values.set} numbers (${numbers.length}, tuning set), model ${recognizer.modelDir.split('/').pop()}:`,
);
for (const [name, c] of [...tally].sort((a, b) => b[1] - a[1])) console.log(`  ${name}: ${c} (${pct(c)})`);
console.log(`  exact with the true cut (image model, each digit alone): ${pct(trueCutExact)}`);
