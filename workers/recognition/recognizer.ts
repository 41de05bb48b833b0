/** The recognition engine of a worker: a model on the chosen backend, ready to read regions of ink. */
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../models/lib/backend.ts';
import { loadModel } from '../../models/lib/load-model.ts';
import type { RecognitionResult, Stroke } from '../../shared/ink/types.ts';
import { createClassifier, type ClassifierOptions, type ClassifyImages } from './classifier.ts';
import { foldBatchNorm } from './fold-batch-norm.ts';
import { resolveModelDir } from './model-dir.ts';
import { readRegions, type ReadOptions } from './read-regions.ts';

/** Options of {@link Recognizer.load}. */
export interface RecognizerOptions extends ReadOptions, ClassifierOptions {
  /** Model directory or name under models/. Default: INKBOARD_MODEL, else models/best, else models/seed. */
  model?: string;
  /** Force a backend. Default: INKBOARD_BACKEND, else the best installed (node-gpu, node, wasm). */
  backend?: BackendName;
  /** Where to report the backend and model chosen. Default: a line on stderr. */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Use this already-loaded model instead of reading one (tests). Default: none. */
  layersModel?: tfTypes.LayersModel;
  /**
   * Fold batch normalisation into the preceding layers and drop dropout (same outputs to 1e-6, about
   * 1.4x faster on wasm; see fold-batch-norm.ts). Default `true`.
   */
  fold?: boolean;
}

const stderrLog = (message: string, fields: Record<string, unknown>): void => {
  process.stderr.write(`${JSON.stringify({ msg: message, ...fields })}\n`);
};

/** Reads digits and numbers from ink. Create with {@link Recognizer.load}. */
export class Recognizer {
  private constructor(
    /** The tfjs backend in use, e.g. `wasm`. */
    readonly backend: BackendName,
    /** The model directory (or `(in-memory)`). */
    readonly modelDir: string,
    private readonly model: tfTypes.LayersModel,
    /** Classifies 28x28 images in batched forward passes (for batching across jobs). */
    readonly classify: ClassifyImages,
    private readonly options: ReadOptions,
  ) {}

  /** Picks the backend, loads the model and logs both. */
  static async load(options: RecognizerOptions = {}): Promise<Recognizer> {
    const backend = await initBackend(options.backend);
    const modelDir = options.layersModel ? '(in-memory)' : resolveModelDir(options.model);
    const loaded = options.layersModel ?? (await loadModel(modelDir));
    const model = options.fold === false ? loaded : foldBatchNorm(loaded);
    if (model !== loaded && !options.layersModel) loaded.dispose();
    (options.log ?? stderrLog)('recognizer ready', { backend, model: modelDir, folded: model !== loaded });
    const { alternatives, segment, rasterise, segmenter, lattice, simplify, refine } = options;
    return new Recognizer(backend, modelDir, model, createClassifier(model, options), {
      alternatives,
      segment,
      rasterise,
      segmenter,
      lattice,
      simplify,
      refine,
    });
  }

  /** Recognises each region (strokes, any units, y down); one result per region, in order. */
  recognize(regions: Stroke[][], classify: ClassifyImages = this.classify): Promise<RecognitionResult[]> {
    return readRegions(regions, classify, this.options);
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
  }
}
