/**
 * Robustness to how a digit was drawn: 3,000 pen digits of writers 1-20 read through the recognizer as
 * drawn, with every stroke reversed, with the strokes in reverse order, and both. The online model reads
 * the pen path, so its gain should survive pens and writers that draw the other way. Training writers are
 * used on purpose: what counts is the change between the four readings.
 *
 *   npx tsx models/eval-direction.ts [--trajectory off|DIR] [--count 3000]
 */
import { parseArgs } from 'node:util';
import { PEN_TRAIN_WRITERS, readPenDigits } from './lib/pen-data.ts';
import type { Stroke } from '../shared/ink/types.ts';
import { Recognizer } from '../workers/inference/recognizer.ts';

const { values } = parseArgs({
  options: { trajectory: { type: 'string' }, count: { type: 'string', default: '3000' } },
});
const count = Number(values.count);
if (!Number.isInteger(count) || count <= 0) throw new Error('--count must be a positive integer');
const recognizer = await Recognizer.load({ trajectoryModel: values.trajectory, log: () => {} });
const pen = readPenDigits()
  .filter((d) => PEN_TRAIN_WRITERS.includes(d.writer))
  .slice(0, count);
const variants: Record<string, (strokes: Stroke[]) => Stroke[]> = {
  'as drawn': (s) => s,
  'every stroke reversed': (s) => s.map((x) => [...x].reverse()),
  'stroke order reversed': (s) => [...s].reverse(),
  both: (s) => [...s].reverse().map((x) => [...x].reverse()),
};
const summary: Record<string, number> = {};
for (const [name, change] of Object.entries(variants)) {
  const read = await recognizer.recognize(pen.map((d) => change(d.strokes)));
  summary[name] = read.filter((r, i) => r.text === String(pen[i]!.label)).length / pen.length;
  console.log(`${name}: ${(100 * summary[name]).toFixed(2)}% of ${pen.length}`);
}
console.log(JSON.stringify({ trajectory: recognizer.trajectoryModelDir ?? 'none', ...summary }));
await recognizer.dispose();
