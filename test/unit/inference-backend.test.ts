/**
 * The inference module's backend choice and model loading: onnxruntime-node by default, a clear fallback
 * from onnx-cuda, clear errors for bad names, the same probabilities as tfjs, and a stale model.onnx
 * replaced by an in-memory export.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS_ROOT } from '../../models/lib/model-dir.ts';
import { readPenDigits } from '../../models/lib/pen-data.ts';
import { rasterise } from '../../shared/ink/rasterise.ts';
import {
  backendFromEnv,
  backendOrder,
  loadClassifier,
  type InferenceLog,
} from '../../workers/inference/load-classifier.ts';
import { cudaProviderInstalled } from '../../workers/inference/onnx-classifier.ts';

const images = readPenDigits()
  .filter((d) => d.writer > 20)
  .slice(0, 100)
  .map((d) => rasterise(d.strokes));

function recorder(): { log: InferenceLog; lines: { message: string; level?: string }[] } {
  const lines: { message: string; level?: string }[] = [];
  return { log: (message, _fields, level) => lines.push({ message, level }), lines };
}

describe('backend choice', () => {
  it('prefers CUDA only where its provider is installed, then onnx, then wasm', () => {
    expect(backendOrder(undefined, false)).toEqual(['onnx', 'wasm']);
    expect(backendOrder(undefined, true)).toEqual(['onnx-cuda', 'onnx', 'wasm']);
    expect(backendOrder('onnx-cuda', false)).toEqual(['onnx-cuda', 'onnx']);
    expect(backendOrder('wasm', true)).toEqual(['wasm']);
  });

  it('rejects an unknown INKBOARD_BACKEND with the list of names', () => {
    expect(backendFromEnv('')).toBeUndefined();
    expect(backendFromEnv('onnx-cuda')).toBe('onnx-cuda');
    expect(() => backendFromEnv('node-gpu')).toThrow(/onnx, onnx-cuda, wasm, cpu; got "node-gpu"/);
  });

  it('runs on onnxruntime-node by default with the trained model', async () => {
    const c = await loadClassifier({ model: 'best', log: () => {} });
    expect(c.backend).toBe(cudaProviderInstalled() ? 'onnx-cuda' : 'onnx');
    expect(c.classes).toBe(10);
    const probs = await c.classify(images);
    expect(probs).toHaveLength(images.length);
    for (const p of probs) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    await expect(c.classify([new Float32Array(3)])).rejects.toThrow(/expected 784/);
    await c.dispose();
  });

  it('gives the probabilities the tfjs (wasm) fallback gives, to 1e-4', async () => {
    const onnx = await loadClassifier({ model: 'seed', backend: 'onnx', maxBatch: 32, log: () => {} });
    const wasm = await loadClassifier({ model: 'seed', backend: 'wasm', log: () => {} });
    expect(wasm.backend).toBe('wasm');
    const [a, b] = [await onnx.classify(images), await wasm.classify(images)];
    let diff = 0;
    a.forEach((p, i) => p.forEach((v, k) => (diff = Math.max(diff, Math.abs(v - b[i]![k]!)))));
    expect(diff).toBeLessThan(1e-4);
    await Promise.all([onnx.dispose(), wasm.dispose()]);
  });

  it('onnx-cuda runs on CUDA or falls back to onnx and says why', async () => {
    const { log, lines } = recorder();
    const c = await loadClassifier({ model: 'seed', backend: 'onnx-cuda', log });
    if (c.backend === 'onnx-cuda') {
      expect(c.fallback).toBeUndefined();
    } else {
      expect(c.backend).toBe('onnx');
      expect(c.fallback).toMatch(/^onnx-cuda: /);
      expect(lines).toContainEqual({ message: 'inference falls back to onnx', level: 'warn' });
    }
    expect((await c.classify(images.slice(0, 3))).length).toBe(3);
    await c.dispose();
  });

  it('exports a stale or missing model.onnx in memory, with a warning', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stale-onnx-'));
    cpSync(path.join(MODELS_ROOT, 'seed'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'model.onnx'), 'not an onnx model');
    const { log, lines } = recorder();
    const c = await loadClassifier({ model: dir, backend: 'onnx', log });
    expect(c.backend).toBe('onnx');
    expect(lines.some((l) => l.level === 'warn' && /export:onnx/.test(l.message))).toBe(true);
    expect((await c.classify(images.slice(0, 5))).length).toBe(5);
    await c.dispose();
  });
});
