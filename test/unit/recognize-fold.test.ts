import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../models/lib/backend.ts';
import { loadModel } from '../../models/lib/load-model.ts';
import { readPenDigits } from '../../models/lib/pen-data.ts';
import { rasterise } from '../../shared/ink/rasterise.ts';
import { foldBatchNorm } from '../../models/lib/fold-batch-norm.ts';
import { MODELS_ROOT } from '../../models/lib/model-dir.ts';

/** conv(no bias) > BN > ReLU > pool > flatten > dropout > dense(bias) > BN > dropout > dense softmax, with non-trivial BN statistics. */
function modelWithBatchNorm(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 4,
      kernelSize: 3,
      useBias: false,
      kernelInitializer: init(1),
    }),
  );
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU());
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dropout({ rate: 0.5 }));
  m.add(tf.layers.dense({ units: 12, kernelInitializer: init(2), biasInitializer: 'ones' }));
  m.add(tf.layers.batchNormalization({ epsilon: 0.01 }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(3) }));
  for (const layer of m.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const n = (layer.getWeights()[0] as tf.Tensor).shape[0] as number;
    const r = (seed: number, lo: number, hi: number) => tf.randomUniform([n], lo, hi, 'float32', seed);
    layer.setWeights([r(4, 0.5, 2), r(5, -1, 1), r(6, -0.5, 0.5), r(7, 0.2, 3)]);
  }
  return m;
}

const images = readPenDigits()
  .slice(0, 64)
  .map((d) => rasterise(d.strokes));
const batch = () => {
  const flat = new Float32Array(images.length * 784);
  images.forEach((img, i) => flat.set(img, i * 784));
  return tf.tensor4d(flat, [images.length, 28, 28, 1]);
};

function maxDiff(a: tf.LayersModel, b: tf.LayersModel): number {
  return tf.tidy(() => {
    const x = batch();
    return (a.predict(x) as tf.Tensor)
      .sub(b.predict(x) as tf.Tensor)
      .abs()
      .max()
      .dataSync()[0] as number;
  });
}

describe('foldBatchNorm', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('removes batch norm and dropout and computes the same outputs', () => {
    const model = modelWithBatchNorm();
    const folded = foldBatchNorm(model);
    const classes = folded.layers.map((l) => l.getClassName());
    expect(classes).not.toContain('BatchNormalization');
    expect(classes).not.toContain('Dropout');
    expect(classes).not.toContain('ReLU');
    expect(maxDiff(model, folded)).toBeLessThan(1e-5);
    // the original still works after folding (its weights were copied, not moved)
    expect(maxDiff(model, model)).toBe(0);
  });

  it('returns a model without batch norm unchanged', () => {
    const m = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10 })],
    });
    expect(foldBatchNorm(m)).toBe(m);
  });

  const trained = ['best', 'seed'].find((n) => existsSync(path.join(MODELS_ROOT, n, 'model.json')));
  it.skipIf(!trained)(`folds the trained ${trained} model without changing its outputs`, async () => {
    const model = await loadModel(path.join(MODELS_ROOT, trained!));
    const folded = foldBatchNorm(model);
    expect(maxDiff(model, folded)).toBeLessThan(1e-4);
  });
});
