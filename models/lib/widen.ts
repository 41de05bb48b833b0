/**
 * Function-preserving widening (Net2Net-style) of a trained model into a wider copy of the same layer
 * sequence (models/lib/architectures.ts `buildBest(seed, classes, width)`): every old weight is copied to
 * the same place, new units keep their random initial weights, and every weight from a new unit into
 * the next layer starts at zero, so the wider model computes exactly what the old one did and training
 * then grows the new units. Batch norm statistics of new channels keep their defaults.
 */
import type * as tf from '@tensorflow/tfjs';
import { tensor } from '@tensorflow/tfjs';

const weighted = (m: tf.LayersModel) => m.layers.filter((l) => l.getWeights().length > 0);

/** Copies `src`'s weights into `dst`, as wide or wider (same layer classes in the same order). */
export function widenInto(src: tf.LayersModel, dst: tf.LayersModel): void {
  const from = weighted(src);
  const to = weighted(dst);
  if (from.length !== to.length) throw new Error(`widen: ${from.length} weighted layers into ${to.length}`);
  // Channels feeding the current layer, old and new, and how many positions each channel has in a
  // flattened input (the first dense layer after flatten sees positions x channels).
  let inOld = 1;
  let inNew = 1;
  from.forEach((a, k) => {
    const b = to[k] as tf.layers.Layer;
    const cls = a.getClassName();
    if (cls !== b.getClassName())
      throw new Error(`widen: layer ${k} is ${cls} here, ${b.getClassName()} there`);
    const old = a.getWeights();
    const fresh = b.getWeights();
    if (cls === 'BatchNormalization') {
      b.setWeights(fresh.map((w, j) => copyPrefix(old[j] as tf.Tensor, w)));
      return;
    }
    if (cls !== 'Conv2D' && cls !== 'Dense') throw new Error(`widen: cannot widen a ${cls} layer`);
    const [kernel, ...rest] = old as [tf.Tensor, ...tf.Tensor[]];
    const [newKernel, ...newRest] = fresh as [tf.Tensor, ...tf.Tensor[]];
    const I = kernel.shape.at(-2) as number;
    const O = kernel.shape.at(-1) as number;
    const I2 = newKernel.shape.at(-2) as number;
    const O2 = newKernel.shape.at(-1) as number;
    if (O > O2) throw new Error(`widen: layer ${k} (${cls}) would shrink from ${O} to ${O2} units`);
    const positions = I / inOld;
    if (!Number.isInteger(positions) || I2 !== positions * inNew)
      throw new Error(`widen: layer ${k} (${cls}) inputs ${I} -> ${I2} do not follow ${inOld} -> ${inNew}`);
    const spatial = kernel.size / (I * O);
    const src = kernel.dataSync();
    const out = Float32Array.from(newKernel.dataSync());
    for (let s = 0; s < spatial; s++) {
      for (let i = 0; i < I2; i++) {
        const p = Math.floor(i / inNew);
        const c = i % inNew;
        const row = (s * I2 + i) * O2;
        if (c >= inOld) {
          out.fill(0, row, row + O2);
          continue;
        }
        const oldRow = (s * I + p * inOld + c) * O;
        for (let o = 0; o < O; o++) out[row + o] = src[oldRow + o] as number;
      }
    }
    b.setWeights([
      tensor(out, newKernel.shape),
      ...newRest.map((w, j) => copyPrefix(rest[j] as tf.Tensor, w)),
    ]);
    inOld = O;
    inNew = O2;
  });
}

/** `fresh` (1-D) with its first values replaced by `old`'s. */
function copyPrefix(old: tf.Tensor, fresh: tf.Tensor): tf.Tensor {
  const out = Float32Array.from(fresh.dataSync());
  out.set(old.dataSync());
  return tensor(out, fresh.shape);
}
