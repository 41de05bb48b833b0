/** Command-line options of `npm run train`. */
import { parseArgs } from 'node:util';
import { ARCHITECTURES, type ArchitectureName } from './architectures.ts';

/** Parsed training options. */
export interface TrainOptions {
  /** Architecture to train. Required: `seed` or `best`. */
  model: ArchitectureName;
  /** Epochs to train. Default 15 for seed (as the paper's Keras example), 30 for best. */
  epochs: number;
  /** Mini-batch size. Default 128. */
  batch: number;
  /** Continue from the last checkpoint in models/checkpoints/NAME. Default false. */
  resume: boolean;
  /** Output folder of the selected model. Default `models/<model>`. */
  out: string;
  /** Seed for weights, shuffling and augmentation. Default 42. */
  seed: number;
  /** Initial learning rate (Adam). Default 0.001. */
  lr: number;
  /** Use at most this many training images (for quick trials). Default: all 55,000. */
  limit?: number;
  /**
   * Training-time budget in minutes. When set, the cosine learning-rate decay follows the share
   * of the budget used (not the epoch count) and no epoch is started that would overrun it;
   * --epochs stays the upper bound. Default: none (the schedule follows --epochs).
   */
  budgetMinutes?: number;
}

const USAGE =
  'usage: npm run train -- --model seed|best [--epochs N] [--batch B] [--resume] [--out models/NAME] [--seed S] [--lr LR] [--limit N] [--budget-minutes M]';

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`--${name} must be a positive integer, got "${v}"\n${USAGE}`);
  return n;
}

/** Parses argv (without node and script); throws a usage message on bad input. */
export function parseTrainArgs(argv: string[]): TrainOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      resume: { type: 'boolean', default: false },
      out: { type: 'string' },
      seed: { type: 'string' },
      lr: { type: 'string' },
      limit: { type: 'string' },
      'budget-minutes': { type: 'string' },
    },
    strict: true,
  });
  const model = values.model as ArchitectureName | undefined;
  if (!model || !ARCHITECTURES.includes(model))
    throw new Error(`--model must be one of ${ARCHITECTURES.join(', ')}\n${USAGE}`);
  const lr = values.lr === undefined ? 1e-3 : Number(values.lr);
  if (!(lr > 0)) throw new Error(`--lr must be a positive number, got "${values.lr}"`);
  return {
    model,
    epochs: positiveInt('epochs', values.epochs, model === 'seed' ? 15 : 30),
    batch: positiveInt('batch', values.batch, 128),
    resume: values.resume ?? false,
    out: values.out ?? `models/${model}`,
    seed: positiveInt('seed', values.seed, 42),
    lr,
    limit: values.limit === undefined ? undefined : positiveInt('limit', values.limit, 0),
    budgetMinutes:
      values['budget-minutes'] === undefined
        ? undefined
        : positiveInt('budget-minutes', values['budget-minutes'], 0),
  };
}
