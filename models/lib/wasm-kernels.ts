/**
 * Extra and faster convolution-gradient kernels for the tfjs wasm backend, built on its own
 * XNNPACK Conv2D, Transpose, Reverse and Slice kernels:
 *
 * - `Conv2DBackpropFilter` (missing from tfjs-backend-wasm): with batch and channel axes swapped,
 *   the filter gradient is itself a convolution,
 *   dW[i,j,c,o] = sum_{n,h,w} xpad[n, h*s+i, w*s+j, c] * dy[n,h,w,o]
 *             = conv2d(x^T [C,Hp,Wp,N], dy^T [H',W',N,Cout], dilation = stride)[c,i,j,o].
 * - `Conv2DBackpropInput` (the stock wasm kernel is a naive loop): for stride 1 it is a
 *   convolution of the zero-padded dy with the filter rotated by 180 degrees and its in/out
 *   channels swapped. Other configurations go to the original kernel.
 *
 * - `BatchMatMul`: the stock kernel is fast only without transposes (a^T*b is ~9x slower than
 *   transposing a first), so transposed operands are transposed physically before the call.
 *
 * - `MaxPoolGrad`: the stock kernel returns wrong gradients for some inputs (e.g. 2x2 pooling of a
 *   [1,8,8,1] tensor: 0.037 off a finite-difference gradient, which cpu matches to 1e-12; see
 *   test/unit/wasm-kernels.test.ts). Non-overlapping windows (filter == stride, 'valid', the Keras
 *   MaxPooling2D default) are done here in one JS pass over the wasm heap, the gradient going to
 *   the first maximum of each window as on cpu; other configurations use the stock kernel.
 *
 * Importing this module registers the kernels; backend.ts imports it before selecting wasm.
 */
import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import './batch-norm-grad.ts';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | ExplicitPad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

const BACKEND = 'wasm';

function kernel(name: string): KernelFunc {
  const cfg = getKernel(name, BACKEND);
  if (!cfg) throw new Error(`wasm-kernels: the wasm backend has no ${name} kernel to build on`);
  return cfg.kernelFunc;
}

function call(name: string, inputs: Record<string, TensorInfo>, attrs: object, backend: unknown): TensorInfo {
  const out = kernel(name)({ inputs, attrs: attrs as NamedAttrMap, backend: backend as never });
  if (Array.isArray(out)) throw new Error(`wasm-kernels: ${name} returned several outputs`);
  return out;
}

const transpose = (x: TensorInfo, perm: number[], b: unknown): TensorInfo =>
  call('Transpose', { x }, { perm }, b);

function conv(x: TensorInfo, filter: TensorInfo, pad: ExplicitPad, dilations: [number, number], b: unknown) {
  return call(
    'Conv2D',
    { x, filter },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined },
    b,
  );
}

function checkSupported(kernelName: string, attrs: ConvGradAttrs): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} (wasm): only dataFormat NHWC is supported, got ${attrs.dataFormat}`);
  }
  const d = attrs.dilations ?? 1;
  if (!(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) {
    throw new Error(`${kernelName} (wasm): dilated convolutions are not supported (dilations ${String(d)})`);
  }
}

/** The filter gradient of a 2-D convolution (NHWC, any stride, no dilation). */
export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
  checkSupported('Conv2DBackpropFilter', a);
  const b = backend as unknown as WasmBackendLike;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  const [fh, fw, cin, cout] = a.filterShape;
  const xt = transpose(x, [3, 1, 2, 0], backend); // [C, H, W, N]
  const dyt = transpose(dy, [1, 2, 0, 3], backend); // [H', W', N, Cout]
  const pad: ExplicitPad = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  let g = conv(xt, dyt, pad, [info.strideHeight, info.strideWidth], backend); // [C, >=fh, >=fw, Cout]
  b.disposeData(xt.dataId);
  b.disposeData(dyt.dataId);
  if (g.shape[1] !== fh || g.shape[2] !== fw) {
    const cut = call('Slice', { x: g }, { begin: [0, 0, 0, 0], size: [cin, fh, fw, cout] }, backend);
    b.disposeData(g.dataId);
    g = cut;
  }
  const out = transpose(g, [1, 2, 0, 3], backend); // [fh, fw, C, Cout]
  b.disposeData(g.dataId);
  return out;
};

let originalBackpropInput: KernelFunc | undefined;

/** The input gradient of a 2-D convolution: fast path for stride 1, original kernel otherwise. */
export const conv2DBackpropInput: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
  const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
  const fast = strides[0] === 1 && strides[1] === 1 && (a.dataFormat ?? 'NHWC') === 'NHWC';
  if (!fast) {
    if (!originalBackpropInput)
      throw new Error('Conv2DBackpropInput (wasm): no fallback kernel for this config');
    return originalBackpropInput(args);
  }
  const b = backend as unknown as WasmBackendLike;
  const info = backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    1,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const { filterHeight: fh, filterWidth: fw, inHeight, inWidth, outHeight, outWidth } = info;
  const padTop = fh - 1 - info.padInfo.top;
  const padLeft = fw - 1 - info.padInfo.left;
  const padBottom = inHeight + fh - 1 - outHeight - padTop;
  const padRight = inWidth + fw - 1 - outWidth - padLeft;
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
    if (!originalBackpropInput) throw new Error('Conv2DBackpropInput (wasm): unsupported padding');
    return originalBackpropInput(args);
  }
  const rev = call('Reverse', { x: filter }, { dims: [0, 1] }, backend);
  const w = transpose(rev, [0, 1, 3, 2], backend); // [fh, fw, Cout, Cin]
  b.disposeData(rev.dataId);
  const out = conv(
    dy,
    w,
    [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ],
    [1, 1],
    backend,
  );
  b.disposeData(w.dataId);
  return out;
};

let originalBatchMatMul: KernelFunc | undefined;

/** Batch matmul that materialises transposed operands, then runs the fast untransposed path. */
export const batchMatMul: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (!originalBatchMatMul) throw new Error('BatchMatMul (wasm): original kernel missing');
  if (!transposeA && !transposeB) return originalBatchMatMul(args);
  const be = backend as unknown as WasmBackendLike;
  const swapLast = (t: TensorInfo): TensorInfo => {
    const perm = t.shape.map((_, i) => i);
    const r = perm.length;
    perm[r - 2] = r - 1;
    perm[r - 1] = r - 2;
    return transpose(t, perm, backend);
  };
  const a2 = transposeA ? swapLast(a) : a;
  const b2 = transposeB ? swapLast(b) : b;
  const out = originalBatchMatMul({
    inputs: { a: a2, b: b2 },
    backend,
    attrs: { ...attrs, transposeA: false, transposeB: false },
  });
  if (a2 !== a) be.disposeData(a2.dataId);
  if (b2 !== b) be.disposeData(b2.dataId);
  return out;
};

let originalMaxPoolGrad: KernelFunc | undefined;

/** Max-pool gradient: fast path for non-overlapping valid windows, original kernel otherwise. */
export const maxPoolGrad: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const a = attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: unknown;
    dimRoundingMode?: string;
  };
  const [fh, fw] = typeof a.filterSize === 'number' ? [a.filterSize, a.filterSize] : a.filterSize;
  const [sh, sw] = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
  if (fh !== sh || fw !== sw || a.pad !== 'valid' || input.dtype !== 'float32') {
    if (!originalMaxPoolGrad) throw new Error('MaxPoolGrad (wasm): original kernel missing');
    return originalMaxPoolGrad(args);
  }
  const be = backend as unknown as WasmBackendLike;
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const out = be.makeOutput([n, h, w, c], 'float32');
  // Views are taken after makeOutput: allocating may grow (and detach) the wasm heap.
  const dx = be.typedArrayFromHeap(out);
  const x = be.typedArrayFromHeap(input);
  const g = be.typedArrayFromHeap(dy);
  dx.fill(0);
  const rowStride = w * c;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const gBase = ((b * oh + oy) * ow + ox) * c;
        const xBase = (b * h + oy * fh) * rowStride + ox * fw * c;
        for (let ch = 0; ch < c; ch++) {
          let best = xBase + ch;
          let bestV = x[best]!;
          for (let ky = 0; ky < fh; ky++) {
            for (let kx = 0; kx < fw; kx++) {
              const i = xBase + ky * rowStride + kx * c + ch;
              if (x[i]! > bestV) {
                bestV = x[i]!;
                best = i;
              }
            }
          }
          dx[best] = dx[best]! + g[gBase + ch]!;
        }
      }
    }
  }
  return out;
};

/** Replaces a wasm kernel by `fn`, keeping its setup function; returns the original kernel function. */
function replace(name: string, fn: KernelFunc): KernelFunc | undefined {
  const current = getKernel(name, BACKEND) as KernelConfig | undefined;
  if (!current || current.kernelFunc === fn) return undefined;
  unregisterKernel(name, BACKEND);
  registerKernel({ kernelName: name, backendName: BACKEND, setupFunc: current.setupFunc, kernelFunc: fn });
  return current.kernelFunc;
}

function install(): void {
  if (!getKernel('Conv2DBackpropFilter', BACKEND)) {
    registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: BACKEND,
      kernelFunc: conv2DBackpropFilter,
    });
  }
  originalBackpropInput = replace('Conv2DBackpropInput', conv2DBackpropInput) ?? originalBackpropInput;
  originalBatchMatMul = replace('BatchMatMul', batchMatMul) ?? originalBatchMatMul;
  originalMaxPoolGrad = replace('MaxPoolGrad', maxPoolGrad) ?? originalMaxPoolGrad;
}

install();
