/**
 * Recognition speed: digits per second for batch sizes 1, 8, 64 and 256 on one core, and milliseconds per
 * 4-digit region end to end (segmentation, rasterisation, inference), on real pen digits.
 *
 *   npm run bench:recognize -- [--model NAME] [--backend wasm] [--seconds 2]
 *
 * Then the worst regions the protocol allows (test/bench/lib/worst-case.ts), one per call: with
 * `--worst-case` only those.
 * Default backend: wasm with XNNPACK limited to 1 thread (INKBOARD_BACKEND or --backend to change).
 * Prints a table (with the machine's load average: other processes skew the numbers), then one JSON line.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend, type BackendName } from '../../models/lib/backend.ts';
import { composeNumbers, loadPenDigits } from '../../models/lib/pen-data.ts';
import { rasterise } from '../../shared/ink/rasterise.ts';
import { segment } from '../../shared/ink/segment.ts';
import type { Stroke } from '../../shared/ink/types.ts';
import { Recognizer } from '../../workers/recognition/recognizer.ts';
import { benchWorstCases, worstCaseTable } from './lib/worst-case.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    backend: { type: 'string' },
    seconds: { type: 'string' },
    'worst-case': { type: 'boolean' },
  },
});
const backendName = (values.backend ?? process.env.INKBOARD_BACKEND ?? 'wasm') as BackendName;
const budgetMs = 1000 * Number(values.seconds ?? 2);
let threads: number | string = 'n/a';
if (backendName === 'wasm') {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  await initBackend('wasm');
  threads = wasm.getThreadsCount();
} else {
  await initBackend(backendName);
}
const recognizer = await Recognizer.load({ model: values.model, backend: backendName, log: () => {} });

if (values['worst-case']) {
  const rows = await benchWorstCases((r) => recognizer.recognize(r));
  const load = loadavg()[0]?.toFixed(2);
  process.stdout.write(
    `model ${recognizer.modelDir.split('/').pop()}, backend ${recognizer.backend}, wasm threads ${threads}, load average ${load}\n\n${worstCaseTable(rows)}\n`,
  );
  process.stdout.write(`${JSON.stringify({ loadAverage: Number(load), worstCase: rows })}\n`);
  process.exit(0);
}

const digits = loadPenDigits();
const images = digits.slice(0, 1024).map((d) => rasterise(d.strokes));

/** Runs `fn` repeatedly for about `budgetMs` after a warm-up; returns ms per call (median of runs). */
async function time(fn: () => Promise<unknown> | unknown, minRuns = 5): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn();
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || samples.length < minRuns) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b);
}
const q = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;

const batches: { batch: number; digitsPerSecond: number; msPerBatch: number }[] = [];
for (const batch of [1, 8, 64, 256]) {
  let offset = 0;
  const samples = await time(() => {
    const chunk = images.slice(offset, offset + batch);
    offset = (offset + batch) % (images.length - batch);
    return recognizer.classify(chunk);
  });
  const ms = q(samples, 0.5);
  batches.push({
    batch,
    digitsPerSecond: Math.round((1000 * batch) / ms),
    msPerBatch: Number(ms.toFixed(3)),
  });
}

const regions = composeNumbers(digits, { count: 200, minDigits: 4, maxDigits: 4, seed: 4 }).map(
  (n) => n.strokes,
);
let r = 0;
const next = (): Stroke[] => regions[r++ % regions.length] as Stroke[];
const endToEnd = await time(() => recognizer.recognize([next()]), 50);
const segMs = await time(() => segment(next()), 50);
const rasterMs = await time(() => {
  const strokes = next();
  for (const line of segment(strokes).lines)
    for (const d of line.digits) rasterise(d.strokes.map((i) => strokes[i] as Stroke));
}, 50);
const fourImages = images.slice(0, 4);
const inferMs = await time(() => recognizer.classify(fourImages), 50);

const worst = await benchWorstCases((r) => recognizer.recognize(r));
const model = recognizer.modelDir.split('/').pop();
// Other processes share the cores: the 1-minute load average at the end says how much.
const load = loadavg()[0]?.toFixed(2);
const rows = [
  `model ${model}, backend ${recognizer.backend}, wasm threads ${threads}, load average ${load}`,
  '',
  '| batch | digits/s | ms/batch |',
  '|---:|---:|---:|',
  ...batches.map((b) => `| ${b.batch} | ${b.digitsPerSecond} | ${b.msPerBatch} |`),
  '',
  '| 4-digit region | median ms | p95 ms |',
  '|---|---:|---:|',
  `| end to end (recognize) | ${q(endToEnd, 0.5).toFixed(2)} | ${q(endToEnd, 0.95).toFixed(2)} |`,
  `| segmentation | ${q(segMs, 0.5).toFixed(2)} | ${q(segMs, 0.95).toFixed(2)} |`,
  `| segmentation + rasterisation | ${q(rasterMs, 0.5).toFixed(2)} | ${q(rasterMs, 0.95).toFixed(2)} |`,
  `| inference (batch of 4) | ${q(inferMs, 0.5).toFixed(2)} | ${q(inferMs, 0.95).toFixed(2)} |`,
  '',
  worstCaseTable(worst),
];
process.stdout.write(`${rows.join('\n')}\n`);
process.stdout.write(
  `${JSON.stringify({
    model,
    backend: recognizer.backend,
    threads,
    loadAverage: Number(load),
    batches,
    region4: {
      medianMs: Number(q(endToEnd, 0.5).toFixed(3)),
      p95Ms: Number(q(endToEnd, 0.95).toFixed(3)),
      segmentMs: Number(q(segMs, 0.5).toFixed(3)),
      segmentAndRasteriseMs: Number(q(rasterMs, 0.5).toFixed(3)),
      inferMs: Number(q(inferMs, 0.5).toFixed(3)),
    },
    worstCase: worst,
  })}\n`,
);
