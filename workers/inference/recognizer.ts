/**
 * The recognition engine of a worker: the image classifier on the chosen backend and, where one is
 * installed, the online model on the pen path as a second opinion (on every candidate, or each chosen
 * digit for a 10-class model); ready to read ink.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MODELS_ROOT, resolveModelDir } from '../../models/lib/model-dir.ts';
import type { RecognitionResult, Stroke } from '../../shared/ink/types.ts';
import { readRegions, type ReadOptions } from '../recognition/read-regions.ts';
import { opinionWeight, type SecondOpinion } from '../recognition/second-opinion.ts';
import type { ClassifyImages } from './classify.ts';
import {
  loadClassifier,
  type InferenceBackend,
  type InferenceOptions,
  type LoadedClassifier,
} from './load-classifier.ts';

/** Options of {@link Recognizer.load}: the classifier's (backend, model, threads) and reading's. */
export interface RecognizerOptions extends ReadOptions, InferenceOptions {
  /**
   * The online model read as a second opinion (a directory or a name under models/), or
   * `false` for the image model alone. Default: INKBOARD_TRAJECTORY_MODEL (`off` for none), else
   * models/trajectory when it holds a model.
   */
  trajectoryModel?: string | false;
  /**
   * Weight of the second opinion. Default: CANDIDATE_OPINION_WEIGHT for a model with "not one digit" (it
   * reads every candidate), else SECOND_OPINION_WEIGHT (both tuned; {@link opinionWeight}).
   */
  trajectoryWeight?: number;
}

/** The trajectory model directory to load, or undefined for none (see the option). */
export function trajectoryModelDir(
  option: string | false | undefined,
  env = process.env.INKBOARD_TRAJECTORY_MODEL,
): string | undefined {
  if (option === false) return undefined;
  const name = option ?? (env || undefined);
  if (name === 'off') return undefined;
  if (name) return resolveModelDir(name);
  const installed = path.join(MODELS_ROOT, 'trajectory');
  return existsSync(path.join(installed, 'model.json')) ? installed : undefined;
}

/** Reads digits and numbers from ink. Create with {@link Recognizer.load}. */
export class Recognizer {
  private constructor(
    private readonly classifier: LoadedClassifier,
    private readonly options: ReadOptions,
    private readonly pathClassifier: LoadedClassifier | undefined,
  ) {}

  /** Picks the backend, loads the model(s) and logs them. */
  static async load(options: RecognizerOptions = {}): Promise<Recognizer> {
    const log =
      options.log ??
      ((message: string, fields: Record<string, unknown>) =>
        process.stderr.write(`${JSON.stringify({ level: 'info', msg: message, ...fields })}\n`));
    const classifier = await loadClassifier(options);
    const { backend, modelDir, classes, fallback } = classifier;
    let pathClassifier: LoadedClassifier | undefined;
    try {
      const dir = trajectoryModelDir(options.trajectoryModel);
      // Same backend as the image model: it is already known to start here.
      if (dir)
        pathClassifier = await loadClassifier({ ...options, model: dir, backend, layersModel: undefined });
      if (pathClassifier && pathClassifier.classes !== 10 && pathClassifier.classes !== 11) {
        const got = pathClassifier.classes;
        await pathClassifier.dispose();
        throw new Error(`trajectory model ${dir} has ${got} classes, expected 10 or 11`);
      }
    } catch (err) {
      await classifier.dispose();
      throw err;
    }
    log('recognizer ready', {
      backend,
      model: modelDir,
      classes,
      trajectoryModel: pathClassifier?.modelDir ?? 'none',
      ...(fallback ? { fallback } : {}),
    });
    // Every reading option (ReadOptions, whatever read-regions.ts adds) goes through as given.
    let reading: ReadOptions = options;
    if (pathClassifier) {
      // With "not one digit" it can judge every candidate of the lattice, so it votes on the cut.
      const everyCandidate = pathClassifier.classes === 11;
      const weight = opinionWeight({ weight: options.trajectoryWeight, everyCandidate });
      reading = { ...options, trajectory: { classify: pathClassifier.classify, everyCandidate, weight } };
    }
    return new Recognizer(classifier, reading, pathClassifier);
  }

  /** The second opinion as reading uses it (classifier, weight, whether it reads every candidate), if any. */
  get secondOpinion(): SecondOpinion | undefined {
    return this.options.trajectory;
  }

  /** The trajectory model directory read as a second opinion, or undefined when there is none. */
  get trajectoryModelDir(): string | undefined {
    return this.pathClassifier?.modelDir;
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

  /** Frees the model(s) (tfjs weights or the onnxruntime sessions). */
  async dispose(): Promise<void> {
    await this.classifier.dispose();
    await this.pathClassifier?.dispose();
  }
}
