/**
 * Recognition speed of the inference backends side by side, in one run: digits per second for batch
 * sizes 1, 8, 64 and 256 on one thread, the ratio to tfjs wasm, and milliseconds per 4-digit region end
 * to end (segmentation, rasterisation, inference) on real pen digits.
 *
 *   npm run bench:recognize -- [--model NAME] [--trajectory NAME|off] [--backends onnx,wasm] [--seconds 1] [--rounds 3]
 *
 * One thread each: onnxruntime-node with one intra-op thread, tfjs wasm with XNNPACK limited to one thread.
 * The backends are measured in alternation (`--rounds` rounds of `--seconds` each per batch size, the median
 * kept), so a change in the machine's load hits both alike. Prints tables with the load average at start
 * and end (other processes skew the numbers), then one JSON line.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { composeNumbers, loadPenDigits } from '../../models/lib/pen-data.ts';
import { INFERENCE_BACKENDS, type InferenceBackend } from '../../shared/config.ts';
import { rasterise } from '../../shared/ink/rasterise.ts';
import { segment } from '../../shared/ink/segment.ts';
import type { Stroke } from '../../shared/ink/types.ts';
import { Recognizer } from '../../workers/inference/recognizer.ts';
import { benchWorstCases, worstCaseTable, type WorstCaseRow } from './lib/worst-case.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    trajectory: { type: 'string' },
    backends: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    'worst-case': { type: 'boolean' },
  },
});
const names = (values.backends ?? 'onnx,wasm').split(',').map((s) => s.trim()) as InferenceBackend[];
for (const n of names) {
  if (!INFERENCE_BACKENDS.includes(n)) throw new Error(`--backends: unknown backend "${n}"`);
}
const budgetMs = 1000 * Number(values.seconds ?? 1);
const rounds = Number(values.rounds ?? 3);
const loadAtStart = loadavg()[0] as number;

if (names.includes('wasm')) {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
}
const recognizers = new Map<InferenceBackend, Recognizer>();
for (const n of names) {
  const rec = await Recognizer.load({
    model: values.model,
    trajectoryModel: values.trajectory === 'off' ? false : values.trajectory,
    backend: n,
    intraOpThreads: 1,
    log: () => {},
  });
  recognizers.set(rec.backend, rec); // onnx-cuda may fall back to onnx
}
const backends = [...recognizers.keys()];

/** The worst regions the protocol allows, one per call, on each backend (test/bench/lib/worst-case.ts). */
async function worstCaseRows(): Promise<Map<InferenceBackend, WorstCaseRow[]>> {
  const out = new Map<InferenceBackend, WorstCaseRow[]>();
  for (const b of backends) {
    const rec = recognizers.get(b) as Recognizer;
    out.set(b, await benchWorstCases((regions) => rec.recognize(regions)));
  }
  return out;
}
const worstTables = (w: Map<InferenceBackend, WorstCaseRow[]>): string[] =>
  [...w.entries()].flatMap(([b, rows]) => ['', `worst cases, ${b}:`, '', worstCaseTable(rows)]);
if (values['worst-case']) {
  const worst = await worstCaseRows();
  const load = loadavg()[0] as number;
  process.stdout.write(
    `load average ${loadAtStart.toFixed(2)} at start, ${load.toFixed(2)} at end\n${worstTables(worst).join('\n')}\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ loadAverage: { start: loadAtStart, end: load }, worstCase: Object.fromEntries(worst) })}\n`,
  );
  for (const rec of recognizers.values()) await rec.dispose();
  process.exit(0);
}

const digits = loadPenDigits();
const images = digits.slice(0, 1024).map((d) => rasterise(d.strokes));

/** Runs `fn` repeatedly for about `ms` after a warm-up; returns the sorted ms per call. */
async function time(fn: () => Promise<unknown> | unknown, ms: number, minRuns = 5): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn();
  const samples: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end || samples.length < minRuns) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b);
}
const q = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;
const median = (xs: number[]): number =>
  q(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

type BatchRow = { batch: number; digitsPerSecond: number; msPerBatch: number };
const batchRows = new Map<InferenceBackend, BatchRow[]>(backends.map((b) => [b, []]));
for (const batch of [1, 8, 64, 256]) {
  const perRound = new Map<InferenceBackend, number[]>(backends.map((b) => [b, []]));
  for (let round = 0; round < rounds; round++) {
    for (const b of backends) {
      const rec = recognizers.get(b) as Recognizer;
      let offset = 0;
      const samples = await time(() => {
        const chunk = images.slice(offset, offset + batch);
        offset = (offset + batch) % (images.length - batch);
        return rec.classify(chunk);
      }, budgetMs / rounds);
      perRound.get(b)?.push(q(samples, 0.5));
    }
  }
  for (const b of backends) {
    const ms = median(perRound.get(b) as number[]);
    batchRows.get(b)?.push({
      batch,
      digitsPerSecond: Math.round((1000 * batch) / ms),
      msPerBatch: Number(ms.toFixed(3)),
    });
  }
}

const regions = composeNumbers(digits, { count: 200, minDigits: 4, maxDigits: 4, seed: 4 }).map(
  (n) => n.strokes,
);
let r = 0;
const next = (): Stroke[] => regions[r++ % regions.length] as Stroke[];
const fourImages = images.slice(0, 4);
const regionMs = 1000;
type RegionRow = { medianMs: number; p95Ms: number; inferMs: number };
const regionRows = new Map<InferenceBackend, RegionRow>();
for (const b of backends) {
  const rec = recognizers.get(b) as Recognizer;
  const endToEnd = await time(() => rec.recognize([next()]), regionMs, 50);
  const infer = await time(() => rec.classify(fourImages), regionMs, 50);
  regionRows.set(b, {
    medianMs: Number(q(endToEnd, 0.5).toFixed(3)),
    p95Ms: Number(q(endToEnd, 0.95).toFixed(3)),
    inferMs: Number(q(infer, 0.5).toFixed(3)),
  });
}
const segMs = await time(() => segment(next()), regionMs, 50);
const rasterMs = await time(
  () => {
    const strokes = next();
    for (const line of segment(strokes).lines)
      for (const d of line.digits) rasterise(d.strokes.map((i) => strokes[i] as Stroke));
  },
  regionMs,
  50,
);

const worst = await worstCaseRows();
const model = recognizers
  .get(backends[0] as InferenceBackend)
  ?.modelDir.split('/')
  .pop();
const trajectory =
  recognizers
    .get(backends[0] as InferenceBackend)
    ?.trajectoryModelDir?.split('/')
    .pop() ?? 'none';
const loadAtEnd = loadavg()[0] as number;
const base = backends.includes('wasm') ? 'wasm' : undefined;
const others = backends.filter((b) => b !== base);
const ratio = (b: InferenceBackend, i: number): string => {
  if (!base) return '';
  const x = batchRows.get(b)?.[i]?.digitsPerSecond ?? 0;
  const y = batchRows.get(base)?.[i]?.digitsPerSecond ?? 1;
  return `${(x / y).toFixed(2)}x`;
};
const rows = [
  `model ${model}, second opinion ${trajectory} (in recognize only), one thread per backend, load average ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end (${availableParallelism()} cores)`,
  '',
  `| batch | ${backends.map((b) => `${b} digits/s`).join(' | ')}${others.length && base ? ` | ${others.map((b) => `${b} / wasm`).join(' | ')}` : ''} |`,
  `|---:|${backends.map(() => '---:').join('|')}${others.length && base ? `|${others.map(() => '---:').join('|')}` : ''}|`,
  ...[1, 8, 64, 256].map(
    (batch, i) =>
      `| ${batch} | ${backends.map((b) => batchRows.get(b)?.[i]?.digitsPerSecond).join(' | ')}${
        others.length && base ? ` | ${others.map((b) => ratio(b, i)).join(' | ')}` : ''
      } |`,
  ),
  '',
  '| 4-digit region, median ms (p95) | ' + backends.join(' | ') + ' |',
  `|---|${backends.map(() => '---:').join('|')}|`,
  `| end to end (recognize) | ${backends.map((b) => `${regionRows.get(b)?.medianMs.toFixed(2)} (${regionRows.get(b)?.p95Ms.toFixed(2)})`).join(' | ')} |`,
  `| inference (batch of 4) | ${backends.map((b) => regionRows.get(b)?.inferMs.toFixed(2)).join(' | ')} |`,
  `| segmentation | ${backends.map(() => q(segMs, 0.5).toFixed(2)).join(' | ')} |`,
  `| segmentation + rasterisation | ${backends.map(() => q(rasterMs, 0.5).toFixed(2)).join(' | ')} |`,
  ...worstTables(worst),
];
process.stdout.write(`${rows.join('\n')}\n`);
process.stdout.write(
  `${JSON.stringify({
    model,
    trajectory,
    loadAverage: { start: Number(loadAtStart.toFixed(2)), end: Number(loadAtEnd.toFixed(2)) },
    backends: Object.fromEntries(
      backends.map((b) => [b, { batches: batchRows.get(b), region4: regionRows.get(b) }]),
    ),
    segmentMs: Number(q(segMs, 0.5).toFixed(3)),
    segmentAndRasteriseMs: Number(q(rasterMs, 0.5).toFixed(3)),
    worstCase: Object.fromEntries(worst),
  })}\n`,
);
for (const rec of recognizers.values()) await rec.dispose();
