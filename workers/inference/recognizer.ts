/** The recognition engine of a worker: a classifier on the chosen backend, ready to read regions of ink. */
import type { RecognitionResult, Stroke } from '../../shared/ink/types.ts';
import { readRegions, type ReadOptions } from '../recognition/read-regions.ts';
import type { ClassifyImages } from './classify.ts';
import {
  loadClassifier,
  type InferenceBackend,
  type InferenceOptions,
  type LoadedClassifier,
} from './load-classifier.ts';

/** Options of {@link Recognizer.load}: the classifier's (backend, model, threads) and reading's. */
export interface RecognizerOptions extends ReadOptions, InferenceOptions {}

/** Reads digits and numbers from ink. Create with {@link Recognizer.load}. */
export class Recognizer {
  private constructor(
    private readonly classifier: LoadedClassifier,
    private readonly options: ReadOptions,
  ) {}

  /** Picks the backend, loads the model and logs both. */
  static async load(options: RecognizerOptions = {}): Promise<Recognizer> {
    const classifier = await loadClassifier(options);
    const { backend, modelDir, classes, fallback } = classifier;
    const log =
      options.log ??
      ((message: string, fields: Record<string, unknown>) =>
        process.stderr.write(`${JSON.stringify({ level: 'info', msg: message, ...fields })}\n`));
    log('recognizer ready', { backend, model: modelDir, classes, ...(fallback ? { fallback } : {}) });
    // Every reading option (ReadOptions, whatever read-regions.ts adds) goes through as given.
    return new Recognizer(classifier, options);
  }

  /** The inference backend in use, e.g. `onnx`. */
  get backend(): InferenceBackend {
    return this.classifier.backend;
  }

  /** Why the preferred backend was passed over, if it was. */
  get fallback(): string | undefined {
    return this.classifier.fallback;
  }

  /** The model directory (or `(in-memory)`). */
  get modelDir(): string {
    return this.classifier.modelDir;
  }

  /** Classifies 28x28 images in batched forward passes (for batching across jobs). */
  get classify(): ClassifyImages {
    return this.classifier.classify;
  }

  /** Recognises each region (strokes, any units, y down); one result per region, in order. */
  recognize(regions: Stroke[][], classify: ClassifyImages = this.classify): Promise<RecognitionResult[]> {
    return readRegions(regions, classify, this.options);
  }

  /** Frees the model (tfjs weights or the onnxruntime session). */
  dispose(): Promise<void> {
    return this.classifier.dispose();
  }
}
