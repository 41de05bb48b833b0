import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildSeed, SEED_PARAMS, buildBest, BEST_MAX_PARAMS } from '../../models/lib/architectures.ts';
import { loadModel } from '../../models/lib/load-model.ts';
import { saveModel } from '../../models/lib/save-model.ts';

describe('architectures', () => {
  it("seed is the paper's 34,826-parameter model; best stays under 1M", () => {
    expect(buildSeed().countParams()).toBe(SEED_PARAMS);
    expect(buildBest().countParams()).toBeLessThanOrEqual(BEST_MAX_PARAMS);
  });

  it('gives the same initial weights for the same seed', () => {
    const a = buildSeed(1).getWeights()[0]!.dataSync();
    const b = buildSeed(1).getWeights()[0]!.dataSync();
    const c = buildSeed(2).getWeights()[0]!.dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});

describe('saveModel / loadModel without tfjs-node', () => {
  it('round-trips a model through model.json + weights.bin', async () => {
    await tf.setBackend('cpu');
    const dir = mkdtempSync(path.join(tmpdir(), 'model-'));
    const model = buildSeed(5);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 9);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    await saveModel(model, dir);
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const loaded = await loadModel(dir);
    const after = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
  }, 60_000);

  it('explains a missing or broken model folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'model-'));
    await expect(loadModel(dir)).rejects.toThrow(/cannot read .*model\.json/);
    writeFileSync(path.join(dir, 'model.json'), '{"format": "graph-model"}');
    await expect(loadModel(dir)).rejects.toThrow(/not a tfjs Layers model/);
  });
});
