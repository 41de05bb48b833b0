import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend, tf } from '../../models/lib/backend.ts';
import { composeNumbers, readPenDigits } from '../../models/lib/pen-data.ts';
import { latticeImages, planLattice } from '../../shared/ink/lattice.ts';
import { simplifyStrokes } from '../../shared/ink/simplify.ts';
import type { Stroke } from '../../shared/ink/types.ts';
import { createClassifier } from '../../workers/inference/tfjs-classifier.ts';
import { MODELS_ROOT, resolveModelDir } from '../../models/lib/model-dir.ts';
import { Recognizer } from '../../workers/inference/recognizer.ts';

const digits = readPenDigits();
const heldOut = digits.filter((d) => d.writer > 20);
const quiet = () => {};

/** A tiny untrained model with the real input and output shapes. */
function tinyModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 5, strides: 3, activation: 'relu' }),
  );
  m.add(tf.layers.flatten());
  m.add(
    tf.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  return m;
}

const inkBox = (strokes: Stroke[]): number[] => {
  const pts = strokes.flat();
  return [
    Math.min(...pts.map((p) => p[0])),
    Math.min(...pts.map((p) => p[1])),
    Math.max(...pts.map((p) => p[0])),
    Math.max(...pts.map((p) => p[1])),
  ];
};

describe('Recognizer with a tiny model', () => {
  let rec: Recognizer;
  beforeAll(async () => {
    await initBackend();
    rec = await Recognizer.load({ layersModel: tinyModel(), backend: 'wasm', log: quiet });
  });

  it('returns one well-formed result per region, in order', async () => {
    const numbers = composeNumbers(heldOut, { count: 6, seed: 2 });
    const regions = [[], ...numbers.map((n) => n.strokes)];
    const results = await rec.recognize(regions);
    expect(results).toHaveLength(regions.length);
    expect(results[0]).toEqual({ text: '', digits: [] });
    results.slice(1).forEach((r, i) => {
      const n = numbers[i]!;
      expect(r.text).toMatch(/^[0-9]+$/);
      expect(r.text).toHaveLength(r.digits.length);
      expect(r.digits.flatMap((d) => d.strokes).sort((a, b) => a - b)).toEqual(n.strokes.map((_, k) => k));
      for (const d of r.digits) {
        expect(d.label).toBeGreaterThanOrEqual(0);
        expect(d.label).toBeLessThanOrEqual(9);
        expect(d.alternatives.length).toBeGreaterThanOrEqual(2);
        expect(d.alternatives.map((a) => a.label)).not.toContain(d.label);
        const confs = [d.confidence, ...d.alternatives.map((a) => a.confidence)];
        expect(confs).toEqual([...confs].sort((a, b) => b - a));
        expect(d.bbox).toEqual(inkBox(d.strokes.map((k) => n.strokes[k]!)));
      }
    });
  });

  it('classifies all digits of all regions in one call', async () => {
    const numbers = composeNumbers(heldOut, { count: 5, seed: 3 });
    const spy = vi.fn(rec.classify);
    const results = await rec.recognize(
      numbers.map((n) => n.strokes),
      spy,
    );
    expect(spy).toHaveBeenCalledTimes(1);
    // One image per candidate digit of the lattice (shared/ink/lattice.ts), all regions in one call.
    const candidates = numbers.reduce(
      (a, n) => a + latticeImages(planLattice(simplifyStrokes(n.strokes))).length,
      0,
    );
    const total = results.reduce((a, r) => a + r.digits.length, 0);
    expect(spy.mock.calls[0]?.[0]).toHaveLength(candidates);
    expect(candidates).toBeGreaterThan(total);
  });

  it('leaks no tensors', async () => {
    const regions = composeNumbers(heldOut, { count: 20, seed: 4 }).map((n) => n.strokes);
    await rec.recognize(regions);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await rec.recognize(regions);
    await rec.classify(Array.from({ length: 600 }, () => new Float32Array(784)));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('splits big batches and rejects images of the wrong size', async () => {
    const classify = createClassifier(tinyModel(), { maxBatch: 7 });
    const out = await classify(Array.from({ length: 20 }, (_, i) => new Float32Array(784).fill(i / 20)));
    expect(out).toHaveLength(20);
    for (const p of out) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    await expect(classify([new Float32Array(10)])).rejects.toThrow(/expected 784/);
  });
});

describe('model directory', () => {
  it('resolves names under models/ and paths, and explains a missing model', () => {
    expect(() => resolveModelDir('no-such-model')).toThrow(/no-such-model/);
    if (existsSync(path.join(MODELS_ROOT, 'seed', 'model.json'))) {
      expect(resolveModelDir('seed')).toBe(path.join(MODELS_ROOT, 'seed'));
      expect(resolveModelDir(path.join(MODELS_ROOT, 'seed'))).toBe(path.join(MODELS_ROOT, 'seed'));
    }
  });
});

const trained = ['best-reject', 'best', 'seed'].find((m) =>
  existsSync(path.join(MODELS_ROOT, m, 'model.json')),
);

describe.skipIf(!trained)(`Recognizer with the trained model (${trained})`, () => {
  let rec: Recognizer;
  beforeAll(async () => {
    rec = await Recognizer.load({ model: trained, log: quiet });
  });

  it('reads >= 90% of 500 held-out pen digits (writers 21-30) right through the whole pipeline', async () => {
    const sample = heldOut.filter((_, i) => i % 5 === 0).slice(0, 500);
    const results = await rec.recognize(sample.map((d) => d.strokes));
    const ok = results.filter((r, i) => r.text === String(sample[i]!.label)).length;
    expect(ok / sample.length).toBeGreaterThanOrEqual(0.9);
  });

  it('reads composed numbers of held-out writers (>= 75% exact) with confident right answers', async () => {
    const numbers = composeNumbers(heldOut, { count: 200, seed: 11 });
    const results = await rec.recognize(numbers.map((n) => n.strokes));
    const exact = results.filter((r, i) => r.text === numbers[i]!.text);
    expect(exact.length / numbers.length).toBeGreaterThanOrEqual(0.75);
    const conf = exact.flatMap((r) => r.digits.map((d) => d.confidence));
    expect(conf.reduce((a, b) => a + b, 0) / conf.length).toBeGreaterThan(0.8);
  });
});
