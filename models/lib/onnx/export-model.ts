/**
 * A tfjs Layers model (a chain of layers, as models/lib/architectures.ts builds) as an ONNX model for
 * inference: batch norm folded into the preceding Conv2D/Dense (models/lib/fold-batch-norm.ts), dropout
 * dropped. The ONNX input keeps the tfjs layout, `input` float [batch, h, w, c] (for digits
 * [batch, 28, 28, 1], row-major 28x28 images in [0, 1]); the output `probs` is [batch, classes].
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { foldBatchNorm } from '../fold-batch-norm.ts';
import { convertLayer } from './convert-layer.ts';
import { GraphBuilder } from './graph-builder.ts';
import { encodeModel, valueInfo } from './proto.ts';

/** Name of the ONNX model's input. */
export const ONNX_INPUT = 'input';
/** Name of the ONNX model's output. */
export const ONNX_OUTPUT = 'probs';

/** Options of {@link exportOnnx}. */
export interface ExportOptions {
  /** Fold batch normalisation into the preceding layers first. Default `true`. */
  fold?: boolean;
  /** Extra `metadata_props` entries. Default: none. */
  metadata?: Record<string, string>;
}

/** The model's layers in order; throws unless they form one chain from one input to one output. */
function chainOf(model: tfTypes.LayersModel): tfTypes.layers.Layer[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`export-onnx: ${model.name} must have one input and one output`);
  }
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const chain = layers.every(
    (l) => l.inboundNodes.length === 1 && l.inboundNodes[0]?.inboundLayers.length === 1,
  );
  if (!chain) throw new Error(`export-onnx: ${model.name} is not a plain chain of layers`);
  return layers;
}

/** Serialises `model` as ONNX (opset 13); returns the bytes of a `.onnx` file. */
export function exportOnnx(model: tfTypes.LayersModel, options: ExportOptions = {}): Uint8Array {
  const source = options.fold === false ? model : foldBatchNorm(model);
  try {
    const inShape = (source.inputs[0]?.shape ?? []).slice(1) as (number | null)[];
    if (inShape.some((d) => d === null) || (inShape.length !== 3 && inShape.length !== 1)) {
      throw new Error(`export-onnx: input shape must be fixed [h, w, c] or [n], got [${inShape.join(', ')}]`);
    }
    const dims = inShape as number[];
    const b = new GraphBuilder(ONNX_INPUT, dims, dims.length === 3 ? 'nchw' : 'flat');
    if (dims.length === 3) {
      const [h, w, c] = dims as [number, number, number];
      // One channel: NHWC and NCHW hold the same bytes, so a reshape (free) replaces the transpose.
      if (c === 1) b.apply('Reshape', [b.ints('nchw_shape', [-1, 1, h, w])], {}, 'to_nchw');
      else b.apply('Transpose', [], { perm: [0, 3, 1, 2] }, 'to_nchw');
    }
    const layers = chainOf(source);
    for (let i = 0; i < layers.length; i++) convertLayer(b, layers, i);
    if (b.layout !== 'flat' || b.shape.length !== 1) {
      throw new Error(`export-onnx: the model must end in a vector per image, got [${b.shape.join(', ')}]`);
    }
    b.finish(ONNX_OUTPUT);
    const classes = b.shape[0] as number;
    return encodeModel({
      name: model.name,
      nodes: b.nodes,
      initializers: b.initializers,
      inputs: [valueInfo(ONNX_INPUT, ['batch', ...dims])],
      outputs: [valueInfo(ONNX_OUTPUT, ['batch', classes])],
      docString: `Exported from the tfjs Layers model "${model.name}" (batch norm folded, dropout dropped).`,
      metadata: { classes: String(classes), inputLayout: 'NHWC', ...options.metadata },
    });
  } finally {
    if (source !== model) source.dispose();
  }
}
