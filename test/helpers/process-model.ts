/** A small untrained digit model written to a temporary directory, for process tests that need a model file but not accuracy. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tf } from '../../models/lib/backend.ts';
import { saveModel } from '../../models/lib/save-model.ts';

export async function writeUntrainedModel(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'inkboard-model-'));
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  await saveModel(model, dir);
  model.dispose();
  return dir;
}
