/**
 * Times the wasm backend's stock convolution-gradient, max-pool-gradient and matmul kernels
 * against the replacements in models/lib/wasm-kernels.ts, on training-sized shapes.
 *
 *   npx tsx models/bench-kernels.ts [--reps N]      (default 5 repetitions, median reported)
 *
 * Reports the process CPU time per call (the wasm backend is single-threaded, so this is the
 * kernel's compute time, and it stays meaningful on a busy machine), plus wall time.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' } } });
const reps = Number(values.reps);
const require = createRequire(import.meta.url);
setWasmPaths(
  path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep,
);
await tf.setBackend('wasm');
await tf.ready();

interface Case {
  name: string;
  run: () => tf.Tensor;
}

const x = tf.randomNormal([128, 28, 28, 32]) as tf.Tensor4D;
const w = tf.randomNormal([3, 3, 32, 32]) as tf.Tensor4D;
const dy = tf.randomNormal([128, 28, 28, 32]) as tf.Tensor4D;
const pooled = tf.randomNormal([128, 14, 14, 32]) as tf.Tensor4D;
const a = tf.randomNormal([128, 1024]) as tf.Tensor2D;
const g = tf.randomNormal([128, 256]) as tf.Tensor2D;
const wd = tf.randomNormal([1024, 256]) as tf.Tensor2D;
const cases: Case[] = [
  { name: 'Conv2D forward x[128,28,28,32] w[3,3,32,32] same', run: () => tf.conv2d(x, w, 1, 'same') },
  {
    name: 'Conv2DBackpropInput (same shapes)',
    run: () => tf.conv2dTranspose(dy, w, [128, 28, 28, 32], 1, 'same'),
  },
  {
    name: 'Conv2DBackpropFilter (same shapes)',
    run: () =>
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        {
          strides: 1,
          pad: 'same',
          dataFormat: 'NHWC',
          filterShape: [3, 3, 32, 32],
        },
      ) as tf.Tensor,
  },
  {
    name: 'MaxPoolGrad 2x2 on [128,28,28,32]',
    run: () =>
      tf.engine().runKernel(
        'MaxPoolGrad',
        { dy: pooled, input: x, output: pooled },
        {
          filterSize: 2,
          strides: 2,
          pad: 'valid',
        },
      ) as tf.Tensor,
  },
  { name: 'MatMul a^T*b [1024x128]x[128x256]', run: () => tf.matMul(a, g, true, false) },
  { name: 'MatMul a*b^T [128x256]x[256x1024]', run: () => tf.matMul(g, wd, false, true) },
];

function median(v: number[]): number {
  const s = [...v].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)]!;
}

const wall: Record<string, number[]> = {};

/** Median CPU milliseconds per call (wall-clock medians are kept in `wall`). */
function time(c: Case): number | string {
  try {
    c.run().dispose();
  } catch (err) {
    return `error: ${(err as Error).message.split('\n')[0]}`;
  }
  const t: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    const cpu = process.cpuUsage();
    const r = c.run();
    r.dataSync();
    const used = process.cpuUsage(cpu);
    t.push((used.user + used.system) / 1000);
    w.push(performance.now() - s);
    r.dispose();
  }
  (wall[c.name] ??= []).push(median(w));
  return median(t);
}

const stock = cases.map(time);
await import('./lib/wasm-kernels.ts');
const ours = cases.map(time);
const fmt = (v: number | string) => (typeof v === 'number' ? `${v.toFixed(1)} ms` : v);
console.log(
  `| kernel (CPU ms per call, median of ${reps}) | stock wasm | models/lib/wasm-kernels.ts | speed-up |`,
);
console.log(`|---|---:|---:|---:|`);
cases.forEach((c, i) => {
  const s = stock[i]!;
  const o = ours[i]!;
  const gain = typeof s === 'number' && typeof o === 'number' ? `${(s / o).toFixed(1)}x` : '-';
  console.log(`| ${c.name} | ${fmt(s)} | ${fmt(o)} | ${gain} |`);
});
console.log(JSON.stringify({ reps, unit: 'cpu ms', stock, ours, wallMs: wall }));
