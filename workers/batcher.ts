/**
 * Dynamic batching: items submitted by many concurrent callers are gathered into one call of `run`
 * (one forward pass of the model), capped in size (`maxBatch`) and in waiting time (`maxWaitMs`).
 * One batch runs at a time; items that arrive while it runs form the next batch, so under load batches
 * grow by themselves and at low load an item waits at most `maxWaitMs`.
 */

/** Options of {@link Batcher}. */
export interface BatcherOptions<I, O> {
  /** Runs one batch; must return one output per input, in order. */
  run: (items: I[]) => Promise<O[]> | O[];
  /** Largest batch. Default `256`. */
  maxBatch?: number;
  /** Longest time the first item of a batch waits for company, in ms. `0` still batches items submitted in the same tick. Default `2`. */
  maxWaitMs?: number;
  /** Called after each batch with its size and its run time in ms. Default: none. */
  onBatch?: (size: number, ms: number) => void;
}

interface Pending<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

export class BatcherClosedError extends Error {
  override name = 'BatcherClosedError';
}

export class Batcher<I, O> {
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  private readonly run: BatcherOptions<I, O>['run'];
  private readonly onBatch: BatcherOptions<I, O>['onBatch'];
  private queue: Pending<I, O>[] = [];
  private cancelTimer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** How many batches of each size ran: `sizes.get(8)` is the number of batches of 8 items. */
  readonly sizes = new Map<number, number>();

  constructor(options: BatcherOptions<I, O>) {
    this.run = options.run;
    this.onBatch = options.onBatch;
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 256));
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? 2);
  }

  /** Items waiting for a batch. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Classifies one item as part of some batch. */
  submit(item: I): Promise<O> {
    if (this.closed) return Promise.reject(new BatcherClosedError('batcher is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Submits several items at once (e.g. all the digits of a region); they may span batches. */
  submitMany(items: I[]): Promise<O[]> {
    return Promise.all(items.map((i) => this.submit(i)));
  }

  /** Stops taking items; resolves once every item already submitted has been run. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.running) {
      if (!this.running) this.start();
      await this.running;
    }
  }

  private schedule(): void {
    if (this.running) return; // the running batch starts the next one when it ends
    if (this.queue.length >= this.maxBatch) {
      this.start();
    } else if (!this.cancelTimer) {
      if (this.maxWaitMs > 0) {
        const t = setTimeout(() => this.start(), this.maxWaitMs);
        this.cancelTimer = () => clearTimeout(t);
      } else {
        const t = setImmediate(() => this.start());
        this.cancelTimer = () => clearImmediate(t);
      }
    }
  }

  private start(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.running = this.execute(batch).finally(() => {
      this.running = undefined;
      // Items that queued up while this batch ran have waited long enough: run them now.
      if (this.queue.length > 0) this.start();
    });
  }

  private async execute(batch: Pending<I, O>[]): Promise<void> {
    const t0 = performance.now();
    try {
      const out = await this.run(batch.map((p) => p.item));
      if (out.length !== batch.length) {
        throw new Error(`batch run returned ${out.length} outputs for ${batch.length} inputs`);
      }
      batch.forEach((p, i) => p.resolve(out[i] as O));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
    this.sizes.set(batch.length, (this.sizes.get(batch.length) ?? 0) + 1);
    this.onBatch?.(batch.length, performance.now() - t0);
  }
}
