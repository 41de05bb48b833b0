/** tfjs activation functions as ONNX operators, applied to the current tensor of a {@link GraphBuilder}. */
import type { GraphBuilder } from './graph-builder.ts';

/** SELU constants as tfjs uses them (tf.selu). */
const SELU_ALPHA = 1.6732632423543772;
const SELU_GAMMA = 1.0507009873554805;

/** Activations that act on each value alone (so they commute with a permutation of features). */
export const ELEMENTWISE_ACTIVATIONS: ReadonlySet<string> = new Set([
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'swish',
]);

/** Normalises a tfjs activation identifier (`hard_sigmoid` in model.json, `hardSigmoid` in getConfig). */
export const activationName = (name: unknown): string =>
  String(name ?? 'linear').replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** The ONNX axis of the tfjs axis `axis` (negative counts from the end) for the builder's layout. */
export function onnxAxis(b: GraphBuilder, axis: number): number {
  const rank = b.shape.length + 1;
  const a = axis < 0 ? axis + rank : axis;
  if (a <= 0 || a >= rank) throw new Error(`export-onnx: axis ${axis} out of range for rank ${rank}`);
  if (b.layout === 'flat') return a;
  // NHWC axis 1 (h) -> 2, 2 (w) -> 3, 3 (c) -> 1.
  return a === 3 ? 1 : a + 1;
}

/** Clip between `min` and `max` (opset 13 takes them as inputs). */
export function clip(b: GraphBuilder, min: number, max: number | undefined): void {
  const lo = b.weight('clip_min', [], Float32Array.of(min));
  const hi = max === undefined ? '' : b.weight('clip_max', [], Float32Array.of(max));
  b.apply('Clip', hi ? [lo, hi] : [lo]);
}

/** Appends the nodes of activation `name` (a tfjs identifier); `linear` appends nothing. */
export function applyActivation(b: GraphBuilder, name: unknown, where: string): void {
  const act = activationName(name);
  switch (act) {
    case 'linear':
      return;
    case 'relu':
      b.apply('Relu');
      return;
    case 'relu6':
      clip(b, 0, 6);
      return;
    case 'sigmoid':
      b.apply('Sigmoid');
      return;
    case 'hardSigmoid':
      b.apply('HardSigmoid', [], { alpha: { f: 0.2 }, beta: { f: 0.5 } });
      return;
    case 'tanh':
      b.apply('Tanh');
      return;
    case 'elu':
      b.apply('Elu', [], { alpha: { f: 1 } });
      return;
    case 'selu':
      b.apply('Selu', [], { alpha: { f: SELU_ALPHA }, gamma: { f: SELU_GAMMA } });
      return;
    case 'softplus':
      b.apply('Softplus');
      return;
    case 'softsign':
      b.apply('Softsign');
      return;
    case 'swish': {
      const x = b.current;
      const s = b.apply('Sigmoid');
      b.applyTo('Mul', [x, s], 'swish');
      return;
    }
    case 'softmax':
      b.apply('Softmax', [], { axis: onnxAxis(b, -1) });
      return;
    case 'logSoftmax':
      b.apply('LogSoftmax', [], { axis: onnxAxis(b, -1) });
      return;
    default:
      throw new Error(`export-onnx: ${where}: activation "${act}" is not supported`);
  }
}
