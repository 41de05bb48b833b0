/**
 * Small builders over the `onnx-proto` message types: tensors, attributes, nodes, value infos and the
 * model itself, so the layer converter reads as a list of ONNX operators.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** The ONNX operator set the exporter targets (Softmax over one axis, Clip with min/max inputs). */
export const OPSET = 13;
/** IR version written into the model (ONNX 1.10). */
export const IR_VERSION = 8;

const bytes = (view: ArrayBufferView): Uint8Array =>
  new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));

/** A float32 initializer; `data` is copied (little-endian, as ONNX raw_data requires on x86 and arm). */
export function floatTensor(name: string, dims: number[], data: Float32Array): ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`onnx: tensor ${name} has ${data.length} values for [${dims}]`);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes(data) };
}

/** An int64 initializer (e.g. a Reshape target shape). */
export function int64Tensor(name: string, values: number[]): ITensorProto {
  return {
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: bytes(BigInt64Array.from(values.map((v) => BigInt(v)))),
  };
}

type AttrValue = number | number[] | string;

/** Attributes from a plain object: integers, integer lists, floats (`{ f: x }` forces a float) and strings. */
function attribute(name: string, value: AttrValue | { f: number }): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (typeof value === 'object') return { name, type: T.FLOAT, f: value.f };
  return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
}

/** One operator node. */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attrs: Record<string, AttrValue | { f: number }> = {},
): INodeProto {
  return {
    opType,
    input: inputs,
    output: outputs,
    name,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

/** A float tensor's name, element type and shape; a `string` dimension is symbolic (e.g. `batch`). */
export function valueInfo(name: string, dims: (number | string)[]): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/** Everything a single-graph model holds. */
export interface GraphParts {
  name: string;
  nodes: INodeProto[];
  initializers: ITensorProto[];
  inputs: IValueInfoProto[];
  outputs: IValueInfoProto[];
  docString?: string;
  metadata?: Record<string, string>;
}

/** Serialises a model to the bytes of a `.onnx` file. */
export function encodeModel(parts: GraphParts): Uint8Array {
  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'inkboard export-onnx',
    producerVersion: '1',
    docString: parts.docString ?? '',
    metadataProps: Object.entries(parts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: parts.name,
      node: parts.nodes,
      initializer: parts.initializers,
      input: parts.inputs,
      output: parts.outputs,
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
