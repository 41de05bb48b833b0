/**
 * Training checkpoints in models/checkpoints/NAME/: `last/` (weights + optimizer state),
 * `best/` (weights with the best validation accuracy so far) and `state.json` (epoch, RNG state,
 * history), written after every epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { readModelArtifacts } from './load-model.ts';
import { saveModel } from './save-model.ts';

/** One finished epoch. */
export interface EpochRecord {
  epoch: number;
  lr: number;
  loss: number;
  acc: number;
  valAcc: number;
  seconds: number;
}

/** Everything besides the weights needed to resume. */
export interface TrainState {
  model: string;
  epoch: number;
  rngState: number;
  bestValAcc: number;
  bestEpoch: number;
  trainSeconds: number;
  history: EpochRecord[];
}

/** The state before the first epoch. */
export function freshState(model: string, rngState: number): TrainState {
  return { model, epoch: 0, rngState, bestValAcc: -1, bestEpoch: 0, trainSeconds: 0, history: [] };
}

/** The state after `record`'s epoch, with the RNG where the epoch left it; `isBest` when it beat the best so far. */
export function afterEpoch(
  state: TrainState,
  record: EpochRecord,
  rngState: number,
): { state: TrainState; isBest: boolean } {
  const isBest = record.valAcc > state.bestValAcc;
  return {
    isBest,
    state: {
      ...state,
      epoch: record.epoch,
      rngState,
      trainSeconds: state.trainSeconds + record.seconds,
      bestValAcc: isBest ? record.valAcc : state.bestValAcc,
      bestEpoch: isBest ? record.epoch : state.bestEpoch,
      history: [...state.history, record],
    },
  };
}

export function checkpointDir(name: string): string {
  return path.join('models', 'checkpoints', name);
}

/** Saves the model with its optimizer to last/, the state file, and best/ when `isBest`. */
export async function saveCheckpoint(dir: string, model: tf.LayersModel, state: TrainState, isBest: boolean) {
  mkdirSync(dir, { recursive: true });
  await saveModel(model, path.join(dir, 'last'), { includeOptimizer: true });
  if (isBest) await saveModel(model, path.join(dir, 'best'));
  const tmp = path.join(dir, '.state.json.tmp');
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, path.join(dir, 'state.json'));
}

/** Loads last/ (compiled, optimizer state restored) and the state file; undefined when absent. */
export async function loadCheckpoint(
  dir: string,
): Promise<{ model: tf.LayersModel; state: TrainState } | undefined> {
  const stateFile = path.join(dir, 'state.json');
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as TrainState;
  const model = await tf.loadLayersModel(tf.io.fromMemory(await readModelArtifacts(path.join(dir, 'last'))));
  return { model, state };
}
