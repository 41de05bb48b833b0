/**
 * Inference-only rewrite of a Sequential-style Layers model: every Conv2D or Dense layer followed by
 * BatchNormalization (and optionally ReLU) becomes one Conv2D/Dense with bias and ReLU activation, and
 * Dropout layers (identity at inference) are dropped. The folded model computes the same function with
 * fewer passes over memory: on wasm, a fused convolution with bias and ReLU instead of a convolution,
 * four element-wise batch-norm operations and a ReLU.
 *
 *   W' = W * s,  b' = (b - mean) * s + beta,  s = gamma / sqrt(variance + epsilon)   (per output channel)
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from './backend.ts';

type Layer = tfTypes.layers.Layer;
type LayerClass = { fromConfig(cls: LayerClass, config: tfTypes.serialization.ConfigDict): Layer };

const recreate = (layer: Layer, config: tfTypes.serialization.ConfigDict): Layer => {
  const cls = layer.constructor as unknown as LayerClass;
  return cls.fromConfig(cls, config);
};

/** Weights of a BatchNormalization layer by role (missing gamma/beta mean 1/0). */
export function batchNormParts(bn: Layer): {
  gamma?: tfTypes.Tensor;
  beta?: tfTypes.Tensor;
  mean: tfTypes.Tensor;
  variance: tfTypes.Tensor;
  epsilon: number;
} {
  const config = bn.getConfig() as { center?: boolean; scale?: boolean; epsilon?: number; axis?: number };
  const weights = bn.getWeights();
  let k = 0;
  const gamma = config.scale !== false ? weights[k++] : undefined;
  const beta = config.center !== false ? weights[k++] : undefined;
  const mean = weights[k++];
  const variance = weights[k];
  if (!mean || !variance) throw new Error(`foldBatchNorm: ${bn.name} has no moving mean/variance`);
  if (config.axis !== undefined && config.axis !== -1) {
    throw new Error(
      `foldBatchNorm: ${bn.name} normalises axis ${config.axis}; only the last axis is supported`,
    );
  }
  return { gamma, beta, mean, variance, epsilon: config.epsilon ?? 1e-3 };
}

/**
 * Returns an equivalent inference model without BatchNormalization and Dropout layers, or the model
 * itself when there is nothing to fold or its layers are not a simple chain.
 */
export function foldBatchNorm(model: tfTypes.LayersModel): tfTypes.LayersModel {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const chain = layers.every(
    (l) => l.inboundNodes.length === 1 && l.inboundNodes[0]?.inboundLayers.length === 1,
  );
  const hasBn = layers.some((l) => l.getClassName() === 'BatchNormalization');
  if (!chain || !hasBn || model.inputs.length !== 1 || model.outputs.length !== 1) return model;

  const out = tf.sequential({ name: `${model.name}_folded` });
  const pending: [Layer, tfTypes.Tensor[], boolean][] = [];
  const inputShape = model.inputs[0]?.shape ?? [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i] as Layer;
    const cls = layer.getClassName();
    if (cls === 'Dropout') continue;
    const config = { ...layer.getConfig() } as tfTypes.serialization.ConfigDict;
    if (out.layers.length === 0) config.batchInputShape = inputShape;
    const next = layers[i + 1];
    if (
      (cls === 'Conv2D' || cls === 'Dense') &&
      next?.getClassName() === 'BatchNormalization' &&
      config.activation === 'linear'
    ) {
      const after = layers[i + 2];
      const relu =
        after?.getClassName() === 'ReLU' &&
        (after.getConfig() as { maxValue?: number | null }).maxValue == null;
      const [kernel, bias] = layer.getWeights();
      if (!kernel) throw new Error(`foldBatchNorm: ${layer.name} has no kernel`);
      const bn = batchNormParts(next);
      const folded = tf.tidy(() => {
        const s = bn.gamma
          ? bn.gamma.div(bn.variance.add(bn.epsilon).sqrt())
          : tf.scalar(1).div(bn.variance.add(bn.epsilon).sqrt());
        const b = (config.useBias && bias ? bias : tf.zerosLike(bn.mean)).sub(bn.mean).mul(s);
        return [kernel.mul(s), bn.beta ? b.add(bn.beta) : b];
      });
      config.useBias = true;
      config.activation = relu ? 'relu' : 'linear';
      const fresh = recreate(layer, config);
      out.add(fresh);
      pending.push([fresh, folded, true]);
      i += relu ? 2 : 1;
      continue;
    }
    const fresh = recreate(layer, config);
    out.add(fresh);
    pending.push([fresh, layer.getWeights(), false]);
  }
  // setWeights copies values; the folded tensors are ours to free, the others belong to `model`.
  for (const [fresh, weights, owned] of pending) {
    if (weights.length > 0) fresh.setWeights(weights);
    if (owned) tf.dispose(weights);
  }
  return out;
}
