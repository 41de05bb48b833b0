/** What an inference thread runs: the contract between workers/pool.ts and an engine module (real or fake). */
import type { InferenceBackend } from '../shared/config.ts';
import type { ClassifyImages } from './inference/classify.ts';
import type { Point, RecognitionResult } from '../shared/ink/types.ts';

/** Classifies 28x28 images (784 floats in [0, 1], row-major) into class probabilities each. */
export type Classify = ClassifyImages;

export interface ThreadEngine {
  /** The inference backend in use, e.g. `onnx`. */
  readonly backend: string;
  /** Why the preferred backend was passed over, if it was. */
  readonly fallback?: string;
  /** The second-opinion model's name (the online model), or undefined for none. */
  readonly secondOpinion?: string;
  /** One forward pass over a batch. */
  classifyBatch: Classify;
  /**
   * Segments, rasterises and reads regions, classifying their digits through `classify`, which the thread
   * routes to its batcher so digits of concurrent requests share forward passes.
   */
  recognize(regions: Point[][][], classify: Classify): Promise<RecognitionResult[]>;
}

/** Options every engine module's `createEngine` accepts. */
export interface EngineOptions {
  /** Force a backend. Default: the best that starts (workers/inference/load-classifier.ts). */
  backend?: InferenceBackend;
  /** Model directory. Default: models/best if present, else models/seed. */
  modelDir?: string;
  /** onnxruntime threads per forward pass. Default `1`. */
  intraOpThreads?: number;
  /** Engine-specific knobs (fake engines in tests use them). */
  extra?: Record<string, unknown>;
}

/** An engine module exports `createEngine` with this type. */
export type CreateEngine = (options: EngineOptions) => Promise<ThreadEngine>;
