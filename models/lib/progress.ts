/**
 * Training progress: a cli-progress bar (loss, accuracy, ETA) on a terminal, plain log lines
 * (about every 10% of an epoch) when stdout is not a TTY.
 */
import cliProgress from 'cli-progress';

export interface EpochProgress {
  update(done: number, loss: number, acc: number): void;
  stop(): void;
}

/** Starts the progress display for one epoch of `total` batches. */
export function epochProgress(epoch: number, epochs: number, total: number): EpochProgress {
  const label = `epoch ${epoch}/${epochs}`;
  const started = Date.now();
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} | loss {loss} | acc {acc} | ETA {eta_formatted}`,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { loss: '-', acc: '-' });
    return {
      update: (done, loss, acc) => bar.update(done, { loss: loss.toFixed(4), acc: acc.toFixed(4) }),
      stop: () => bar.stop(),
    };
  }
  const every = Math.max(1, Math.round(total / 10));
  return {
    update(done, loss, acc) {
      if (done % every !== 0 && done !== total) return;
      const elapsed = (Date.now() - started) / 1000;
      const eta = (elapsed / done) * (total - done);
      console.log(
        `${label} batch ${done}/${total} loss ${loss.toFixed(4)} acc ${acc.toFixed(4)} elapsed ${elapsed.toFixed(0)}s ETA ${eta.toFixed(0)}s`,
      );
    },
    stop() {},
  };
}
