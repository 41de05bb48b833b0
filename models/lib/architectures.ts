/**
 * Model architectures. `seed` is the student paper's Keras CNN, reproduced exactly (34,826
 * parameters); `best` is ours: small valid-padding convs with batch norm, stride-1 only (the fast
 * wasm gradient path), about 0.16M parameters and 2.0M multiply-adds a digit (the seed: 2.4M), so it
 * classifies faster than the seed while beating its accuracy.
 */
import * as tf from '@tensorflow/tfjs';

export type ArchitectureName = 'seed' | 'best';
export const ARCHITECTURES: readonly ArchitectureName[] = ['seed', 'best'];

/** Parameter count of the paper's model; asserted when it is built. */
export const SEED_PARAMS = 34_826;

/** Upper bound on our model's size. */
export const BEST_MAX_PARAMS = 1_000_000;

/** Layer initialisers seeded from a base seed, so a fixed seed gives the same initial weights. */
function seeded(seed: number) {
  let k = 0;
  return () => tf.initializers.glorotUniform({ seed: seed + 1000 * ++k });
}

/** Conv2D(32,3x3,relu) -> MaxPool2 -> Conv2D(64,3x3,relu) -> MaxPool2 -> Flatten -> Dropout(0.5) -> Dense(10). */
export function buildSeed(seed = 42): tf.Sequential {
  const init = seeded(seed);
  const m = tf.sequential({ name: 'seed' });
  m.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 32,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: init(),
    }),
  );
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dropout({ rate: 0.5, seed }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init() }));
  const params = m.countParams();
  if (params !== SEED_PARAMS)
    throw new Error(`seed model has ${params} parameters, the paper's has ${SEED_PARAMS}`);
  return m;
}

/** conv (no bias) -> batch norm -> relu. */
function convBnRelu(
  m: tf.Sequential,
  filters: number,
  kernelSize: number,
  init: () => ReturnType<typeof tf.initializers.glorotUniform>,
) {
  m.add(tf.layers.conv2d({ filters, kernelSize, useBias: false, kernelInitializer: init() }));
  m.add(tf.layers.batchNormalization({ momentum: 0.9 }));
  m.add(tf.layers.reLU());
}

/**
 * Ours: conv5x5 16 -> pool -> conv3x3 32 -> conv3x3 64 -> pool -> dense 128 -> dense `classes`, all
 * valid padding, batch norm after every conv and the hidden dense layer, dropout before both dense
 * layers. `classes` is 10 (digits) or 11 (digits and "not one digit", models/train-reject.ts).
 * `width` multiplies every hidden layer's channels and units, rounded (1.5: 24, 48, 96, 192; see
 * models/lib/widen.ts).
 */
export function buildBest(seed = 42, classes = 10, width = 1): tf.Sequential {
  const init = seeded(seed);
  const m = tf.sequential({ name: 'best' });
  m.add(tf.layers.inputLayer({ inputShape: [28, 28, 1] }));
  convBnRelu(m, Math.round(16 * width), 5, init); // 24
  m.add(tf.layers.maxPooling2d({ poolSize: 2 })); // 12
  convBnRelu(m, Math.round(32 * width), 3, init); // 10
  convBnRelu(m, Math.round(64 * width), 3, init); // 8
  m.add(tf.layers.maxPooling2d({ poolSize: 2 })); // 4
  m.add(tf.layers.flatten());
  m.add(tf.layers.dropout({ rate: 0.25, seed }));
  m.add(tf.layers.dense({ units: Math.round(128 * width), useBias: false, kernelInitializer: init() }));
  m.add(tf.layers.batchNormalization({ momentum: 0.9 }));
  m.add(tf.layers.reLU());
  m.add(tf.layers.dropout({ rate: 0.4, seed: seed + 1 }));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init() }));
  const params = m.countParams();
  if (params > BEST_MAX_PARAMS)
    throw new Error(`best model has ${params} parameters, over ${BEST_MAX_PARAMS}`);
  return m;
}

/** Builds the named architecture. */
export function buildModel(name: ArchitectureName, seed = 42): tf.Sequential {
  return name === 'seed' ? buildSeed(seed) : buildBest(seed);
}

/** Sizes of the online model: `small` (the published one) and `deep`. */
export type TrajectoryArch = 'small' | 'deep';
export const TRAJECTORY_ARCHS: readonly TrajectoryArch[] = ['small', 'deep'];

/**
 * The online model on the pen path (shared/ink/trajectory.ts: 64 points x 6 features, held as a
 * [1, 64, 6] image so the image tooling, ONNX export included, applies), 10 digits (11 with "not one
 * digit": `classes`). `small`: 1-D
 * convolutions 48-64-96 of widths 5, 5, 3 with max pooling, dropout, dense 128 (233k parameters, 1.9M
 * multiply-adds). `deep`: 64-64, pool, 128-128, pool, 128, pool (widths 5, 5, 3, 3, 3), dropout, dense 128
 * (about 280k parameters, 4.6M multiply-adds).
 */
export function buildTrajectory(
  seed = 9,
  arch: TrajectoryArch = 'small',
  points = 64,
  features = 6,
  classes = 10,
): tf.Sequential {
  const init = seeded(seed);
  const m = tf.sequential({ name: 'trajectory' });
  const conv = (filters: number, width: number) =>
    tf.layers.conv2d({
      filters,
      kernelSize: [1, width],
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(),
    });
  const pool = () => m.add(tf.layers.maxPooling2d({ poolSize: [1, 2] }));
  m.add(tf.layers.inputLayer({ inputShape: [1, points, features] }));
  if (arch === 'small') {
    m.add(conv(48, 5));
    m.add(conv(64, 5));
    pool();
    m.add(conv(96, 3));
    pool();
  } else {
    m.add(conv(64, 5));
    m.add(conv(64, 5));
    pool();
    m.add(conv(128, 3));
    m.add(conv(128, 3));
    pool();
    m.add(conv(128, 3));
    pool();
  }
  m.add(tf.layers.flatten());
  m.add(tf.layers.dropout({ rate: 0.3, seed }));
  m.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init() }));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init() }));
  return m;
}
