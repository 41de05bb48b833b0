/**
 * Accumulates the nodes and initializers of an ONNX graph while the layers of a tfjs model are
 * converted, and tracks the running tensor: its name, its tfjs shape (without the batch axis) and how
 * ONNX holds it (`nchw` for images, `flat` for vectors).
 */
import type onnxProto from 'onnx-proto';
import { floatTensor, int64Tensor, node } from './proto.ts';

/** How the current tensor is laid out in the ONNX graph. */
export type Layout = 'nchw' | 'flat';

/**
 * Set by Flatten when it flattened an NCHW tensor without transposing it back to NHWC: the next Dense
 * layer's kernel rows are permuted from tfjs order (h, w, c) to ONNX order (c, h, w) instead.
 */
export interface PendingFlatten {
  h: number;
  w: number;
  c: number;
}

export class GraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private count = 0;

  /** Name of the tensor the next layer reads. */
  current: string;
  /** tfjs shape of the current tensor without the batch axis, e.g. [24, 24, 16] or [128]. */
  shape: number[];
  layout: Layout;
  pendingFlatten: PendingFlatten | undefined;

  constructor(input: string, shape: number[], layout: Layout) {
    this.current = input;
    this.shape = shape;
    this.layout = layout;
  }

  /** A fresh name with `prefix`. */
  fresh(prefix: string): string {
    return `${prefix}_${++this.count}`;
  }

  /** Adds a float initializer; returns its name. */
  weight(prefix: string, dims: number[], data: Float32Array): string {
    const name = this.fresh(prefix);
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  /** Adds an int64 initializer; returns its name. */
  ints(prefix: string, values: number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push(int64Tensor(name, values));
    return name;
  }

  /**
   * Appends a node that reads the current tensor (plus `extraInputs`) and makes its output current.
   * Returns the output name.
   */
  apply(
    opType: string,
    extraInputs: string[] = [],
    attrs: Parameters<typeof node>[4] = {},
    label = opType.toLowerCase(),
  ): string {
    const out = this.fresh(label);
    this.nodes.push(node(opType, [this.current, ...extraInputs], [out], out, attrs));
    this.current = out;
    return out;
  }

  /** Appends a node with explicit inputs (e.g. `x * sigmoid(x)`); makes its output current. */
  applyTo(opType: string, inputs: string[], label = opType.toLowerCase()): string {
    const out = this.fresh(label);
    this.nodes.push(node(opType, inputs, [out], out));
    this.current = out;
    return out;
  }

  /** Renames the current tensor (the output of the last node) to `name`, or adds an Identity. */
  finish(name: string): void {
    const last = this.nodes[this.nodes.length - 1];
    if (last?.output?.[0] === this.current) last.output = [name];
    else this.nodes.push(node('Identity', [this.current], [name], 'output'));
    this.current = name;
  }
}
