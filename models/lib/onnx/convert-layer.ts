/**
 * One tfjs layer as ONNX operators. tfjs holds images as NHWC, ONNX convolutions and pools want NCHW:
 * the graph converts the input once and stays NCHW; kernels are transposed at export time, and the
 * Flatten before a Dense layer is matched by permuting that layer's kernel rows, so no transpose runs
 * at inference.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { batchNormParts } from '../fold-batch-norm.ts';
import { ELEMENTWISE_ACTIVATIONS, activationName, applyActivation, clip, onnxAxis } from './activations.ts';
import type { GraphBuilder } from './graph-builder.ts';

type Layer = tfTypes.layers.Layer;
type Config = Record<string, unknown>;

/** Layers that are the identity at inference. */
const INFERENCE_IDENTITY = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'AlphaDropout',
  'GaussianDropout',
  'GaussianNoise',
  'InputLayer',
]);

const pair = (v: unknown, name: string): [number, number] => {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
    return [v[0] as number, v[1] as number];
  throw new Error(`export-onnx: ${name} must be a number or a pair, got ${JSON.stringify(v)}`);
};

const data = (t: tfTypes.Tensor | undefined, what: string): Float32Array => {
  if (!t) throw new Error(`export-onnx: missing ${what}`);
  return t.dataSync() as Float32Array;
};

function requireLayout(b: GraphBuilder, layout: 'nchw' | 'flat', layer: Layer): void {
  if (b.layout !== layout) {
    const want = layout === 'nchw' ? 'an image tensor [h, w, c]' : 'a vector';
    throw new Error(
      `export-onnx: ${layer.name} (${layer.getClassName()}) expects ${want}, got [${b.shape.join(', ')}]`,
    );
  }
}

function requireChannelsLast(config: Config, layer: Layer): void {
  const f = config.dataFormat ?? config.data_format;
  if (f !== undefined && f !== 'channelsLast' && f !== 'channels_last') {
    throw new Error(`export-onnx: ${layer.name}: only channels-last data is supported, got ${String(f)}`);
  }
}

/** Padding attributes: `valid` is no padding, tfjs `same` puts the odd pixel at the end (SAME_UPPER). */
function padding(config: Config, layer: Layer): Record<string, number[] | string> {
  if (config.padding === 'valid') return { pads: [0, 0, 0, 0] };
  if (config.padding === 'same') return { auto_pad: 'SAME_UPPER' };
  throw new Error(`export-onnx: ${layer.name}: padding "${String(config.padding)}" is not supported`);
}

/** tfjs conv kernel [kh, kw, cin, cout] as ONNX [cout, cin, kh, kw]. */
function convKernel(k: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh!; y++)
    for (let x = 0; x < kw!; x++)
      for (let i = 0; i < cin!; i++)
        for (let o = 0; o < cout!; o++)
          out[((o * cin! + i) * kh! + y) * kw! + x] = k[((y * kw! + x) * cin! + i) * cout! + o]!;
  return out;
}

/** Dense kernel rows from tfjs flatten order (h, w, c) to the NCHW flatten order (c, h, w). */
function permuteRows(k: Float32Array, units: number, { h, w, c }: { h: number; w: number; c: number }) {
  const out = new Float32Array(k.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        const from = ((y * w + x) * c + ch) * units;
        const to = ((ch * h + y) * w + x) * units;
        out.set(k.subarray(from, from + units), to);
      }
  return out;
}

/** Whether the first layer after `index` that is not elementwise or inference-identity is Dense. */
function denseFollows(layers: Layer[], index: number): boolean {
  for (const l of layers.slice(index + 1)) {
    const cls = l.getClassName();
    if (INFERENCE_IDENTITY.has(cls) || ['ReLU', 'LeakyReLU', 'ELU'].includes(cls)) continue;
    if (cls === 'Activation') {
      if (ELEMENTWISE_ACTIVATIONS.has(activationName((l.getConfig() as Config).activation))) continue;
      return false;
    }
    return cls === 'Dense';
  }
  return false;
}

function conv2d(b: GraphBuilder, layer: Layer, config: Config): void {
  requireLayout(b, 'nchw', layer);
  requireChannelsLast(config, layer);
  const [kernel, bias] = layer.getWeights();
  const shape = kernel?.shape ?? [];
  const w = b.weight(
    `${layer.name}_W`,
    [shape[3]!, shape[2]!, shape[0]!, shape[1]!],
    convKernel(data(kernel, `${layer.name} kernel`), shape),
  );
  const inputs = [w];
  if (config.useBias !== false && bias)
    inputs.push(b.weight(`${layer.name}_B`, bias.shape, data(bias, `${layer.name} bias`)));
  b.apply(
    'Conv',
    inputs,
    {
      kernel_shape: [shape[0]!, shape[1]!],
      strides: pair(config.strides ?? 1, `${layer.name} strides`),
      dilations: pair(config.dilationRate ?? 1, `${layer.name} dilationRate`),
      group: 1,
      ...padding(config, layer),
    },
    'conv',
  );
  applyActivation(b, config.activation, layer.name);
}

function pool(b: GraphBuilder, layer: Layer, config: Config, op: 'MaxPool' | 'AveragePool'): void {
  requireLayout(b, 'nchw', layer);
  requireChannelsLast(config, layer);
  const size = pair(config.poolSize ?? 2, `${layer.name} poolSize`);
  b.apply(op, [], {
    kernel_shape: size,
    strides: pair(config.strides ?? size, `${layer.name} strides`),
    ...padding(config, layer),
  });
}

function dense(b: GraphBuilder, layer: Layer, config: Config): void {
  requireLayout(b, 'flat', layer);
  const [kernel, bias] = layer.getWeights();
  const [inputs, units] = kernel?.shape ?? [];
  let k = data(kernel, `${layer.name} kernel`);
  if (b.pendingFlatten) k = permuteRows(k, units!, b.pendingFlatten);
  b.pendingFlatten = undefined;
  const w = b.weight(`${layer.name}_W`, [inputs!, units!], k);
  if (config.useBias !== false && bias) {
    b.apply(
      'Gemm',
      [w, b.weight(`${layer.name}_B`, [units!], data(bias, `${layer.name} bias`))],
      {},
      'dense',
    );
  } else {
    b.apply('MatMul', [w], {}, 'dense');
  }
  applyActivation(b, config.activation, layer.name);
}

/** A batch norm that did not fold into a preceding layer: y = x * s + (beta - mean * s), per channel. */
function batchNorm(b: GraphBuilder, layer: Layer): void {
  const bn = batchNormParts(layer);
  const mean = data(bn.mean, 'moving mean');
  const variance = data(bn.variance, 'moving variance');
  const gamma = bn.gamma ? data(bn.gamma, 'gamma') : undefined;
  const beta = bn.beta ? data(bn.beta, 'beta') : undefined;
  const n = mean.length;
  const scale = new Float32Array(n);
  const shift = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    scale[i] = (gamma ? gamma[i]! : 1) / Math.sqrt(variance[i]! + bn.epsilon);
    shift[i] = (beta ? beta[i]! : 0) - mean[i]! * scale[i]!;
  }
  const dims = b.layout === 'nchw' ? [n, 1, 1] : [n];
  b.apply('Mul', [b.weight(`${layer.name}_scale`, dims, scale)], {}, 'bn_scale');
  b.apply('Add', [b.weight(`${layer.name}_shift`, dims, shift)], {}, 'bn_shift');
}

function flatten(b: GraphBuilder, layers: Layer[], index: number): void {
  if (b.layout === 'flat') return;
  const [h, w, c] = b.shape as [number, number, number];
  if (c > 1 && h * w > 1) {
    if (denseFollows(layers, index)) b.pendingFlatten = { h, w, c };
    else b.apply('Transpose', [], { perm: [0, 2, 3, 1] }, 'to_nhwc');
  }
  b.apply('Flatten', [], { axis: 1 });
  b.layout = 'flat';
}

/**
 * Appends the ONNX nodes of `layers[index]`, then sets the builder's shape from the layer's output
 * shape. Throws for a layer type or option the exporter does not know, naming the layer.
 */
export function convertLayer(b: GraphBuilder, layers: Layer[], index: number): void {
  const layer = layers[index] as Layer;
  const cls = layer.getClassName();
  const config = layer.getConfig() as Config;
  switch (cls) {
    case 'Conv2D':
      conv2d(b, layer, config);
      break;
    case 'Dense':
      dense(b, layer, config);
      break;
    case 'MaxPooling2D':
      pool(b, layer, config, 'MaxPool');
      break;
    case 'AveragePooling2D':
      pool(b, layer, config, 'AveragePool');
      break;
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      requireLayout(b, 'nchw', layer);
      requireChannelsLast(config, layer);
      b.apply(cls === 'GlobalMaxPooling2D' ? 'GlobalMaxPool' : 'GlobalAveragePool');
      b.apply('Flatten', [], { axis: 1 });
      b.layout = 'flat';
      break;
    case 'Flatten':
      flatten(b, layers, index);
      break;
    case 'BatchNormalization':
      batchNorm(b, layer);
      break;
    case 'Activation':
      applyActivation(b, config.activation, layer.name);
      break;
    case 'ReLU':
      if (config.maxValue == null) b.apply('Relu');
      else clip(b, 0, Number(config.maxValue));
      break;
    case 'LeakyReLU':
      b.apply('LeakyRelu', [], { alpha: { f: Number(config.alpha ?? 0.3) } });
      break;
    case 'ELU':
      b.apply('Elu', [], { alpha: { f: Number(config.alpha ?? 1) } });
      break;
    case 'Softmax':
      b.apply('Softmax', [], { axis: onnxAxis(b, Number(config.axis ?? -1)) });
      break;
    default:
      if (!INFERENCE_IDENTITY.has(cls)) {
        throw new Error(`export-onnx: layer ${layer.name} (${cls}) is not supported`);
      }
  }
  const out = layer.outputShape;
  if (!Array.isArray(out) || Array.isArray(out[0])) {
    throw new Error(`export-onnx: ${layer.name} (${cls}) has several outputs`);
  }
  b.shape = (out as (number | null)[]).slice(1).map((d) => d ?? -1);
}
