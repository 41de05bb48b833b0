/**
 * The real inference engine of a pool thread: the tfjs backend, the digit model, and the ink engineer's
 * recognizer (workers/recognition/) for segmentation and reading. Until that module is present, a region
 * is read as one digit (rasterised whole), which is what single-digit regions need.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, tf } from '../models/lib/backend.ts';
import { loadModel } from '../models/lib/load-model.ts';
import { rasterise } from '../shared/ink/rasterise.ts';
import type { BBox, Point, RecognitionResult } from '../shared/ink/types.ts';
import type { Classify, CreateEngine } from './engine-types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** models/best if it holds a model, else models/seed (relative paths resolve from the repository root). */
export function defaultModelDir(): string {
  const best = path.join(ROOT, 'models', 'best');
  return existsSync(path.join(best, 'model.json')) ? best : path.join(ROOT, 'models', 'seed');
}

type RecognizeWith = (regions: Point[][][], classify: Classify) => Promise<RecognitionResult[]>;

async function loadRecognizer(): Promise<RecognizeWith> {
  const file = path.join(ROOT, 'workers', 'recognition', 'index.ts');
  if (existsSync(file)) {
    const mod = (await import(file)) as { recognizeWith?: RecognizeWith };
    if (typeof mod.recognizeWith === 'function') return mod.recognizeWith;
  }
  return wholeRegionAsOneDigit;
}

async function wholeRegionAsOneDigit(regions: Point[][][], classify: Classify): Promise<RecognitionResult[]> {
  const probs = await classify(regions.map((strokes) => rasterise(strokes)));
  return regions.map((strokes, r) => {
    const p = probs[r] ?? new Float32Array(10);
    const ranked = [...p]
      .map((confidence, label) => ({ label, confidence }))
      .sort((a, b) => b.confidence - a.confidence);
    const best = ranked[0] ?? { label: 0, confidence: 0 };
    const xs = strokes.flat().map((q) => q[0]);
    const ys = strokes.flat().map((q) => q[1]);
    const bbox: BBox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    return {
      text: String(best.label),
      digits: [
        {
          label: best.label,
          confidence: best.confidence,
          alternatives: ranked.slice(1, 3),
          bbox,
          strokes: strokes.map((_, i) => i),
        },
      ],
    };
  });
}

export const createEngine: CreateEngine = async ({ backend, modelDir }) => {
  const name = await initBackend(backend);
  const dir = path.resolve(ROOT, modelDir ?? defaultModelDir());
  if (!existsSync(path.join(dir, 'model.json'))) {
    throw new Error(`no model at ${dir} (train one with \`npm run train\` or set INKBOARD_MODEL)`);
  }
  const model = await loadModel(dir);
  const recognizeWith = await loadRecognizer();
  const classifyBatch: Classify = async (images) => {
    if (images.length === 0) return [];
    const flat = new Float32Array(images.length * 784);
    images.forEach((img, i) => flat.set(img, i * 784));
    const out = tf.tidy(() => model.predict(tf.tensor4d(flat, [images.length, 28, 28, 1])) as tf.Tensor);
    const data = (await out.data()) as Float32Array;
    out.dispose();
    return images.map((_, i) => data.slice(i * 10, i * 10 + 10));
  };
  // Warm up: the first pass compiles kernels; do it before the thread says it is ready.
  await classifyBatch([new Float32Array(784)]);
  return { backend: name, classifyBatch, recognize: (regions, classify) => recognizeWith(regions, classify) };
};
