import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrajectory } from '../../models/lib/architectures.ts';
import { initBackend, tf } from '../../models/lib/backend.ts';
import { afterEpoch, freshState, loadCheckpoint, saveCheckpoint } from '../../models/lib/checkpoint.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const record = (epoch: number, valAcc: number) => ({
  epoch,
  lr: 1e-3,
  loss: 0.5,
  acc: 0.9,
  valAcc,
  seconds: 10,
});

describe('training state', () => {
  it('keeps the best epoch, the RNG state and the time across epochs', () => {
    let state = freshState('trajectory', 7);
    let isBest: boolean;
    ({ state, isBest } = afterEpoch(state, record(1, 0.9), 11));
    expect(isBest).toBe(true);
    ({ state, isBest } = afterEpoch(state, record(2, 0.85), 12));
    expect(isBest).toBe(false);
    expect(state).toMatchObject({ epoch: 2, rngState: 12, bestValAcc: 0.9, bestEpoch: 1, trainSeconds: 20 });
    expect(state.history.map((h) => h.epoch)).toEqual([1, 2]);
  });

  it('resumes from a checkpoint with the same weights and optimizer state', async () => {
    const model = buildTrajectory(3);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([8, 1, 64, 6], -1, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    await model.trainOnBatch(x, y);
    const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-ck-'));
    const { state } = afterEpoch(freshState('trajectory', 5), record(1, 0.5), 6);
    await saveCheckpoint(dir, model, state, true);
    const resumed = await loadCheckpoint(dir);
    expect(resumed?.state).toEqual(state);
    const a = model.getWeights().map((w) => Array.from(w.dataSync()));
    const b = resumed!.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(b).toEqual(a);
    // One more step from either gives the same weights: the Adam moments came back too.
    await model.trainOnBatch(x, y);
    await resumed!.model.trainOnBatch(x, y);
    const after = (m: tf.LayersModel) => Array.from(m.getWeights()[0]!.dataSync());
    const diff = after(model).reduce((d, v, i) => Math.max(d, Math.abs(v - after(resumed!.model)[i]!)), 0);
    expect(diff).toBeLessThan(1e-6);
    expect(await loadCheckpoint(path.join(dir, 'nothing-here'))).toBeUndefined();
  });
});
