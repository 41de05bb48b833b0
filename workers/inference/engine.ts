/** The real engine module for workers/pool.ts: a {@link Recognizer} behind the ThreadEngine contract. */
import path from 'node:path';
import type { CreateEngine } from '../engine-types.ts';
import { Recognizer } from './recognizer.ts';

export const createEngine: CreateEngine = async ({ backend, modelDir, intraOpThreads }) => {
  const recognizer = await Recognizer.load({
    backend,
    model: modelDir,
    intraOpThreads,
    log: () => {}, // the pool logs the backend once for all threads
  });
  return {
    backend: recognizer.backend,
    fallback: recognizer.fallback,
    secondOpinion: recognizer.trajectoryModelDir && path.basename(recognizer.trajectoryModelDir),
    classifyBatch: recognizer.classify,
    recognize: (regions, classify) => recognizer.recognize(regions, classify),
  };
};
