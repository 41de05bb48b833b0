/** Samples this process's resident set size (the server runs in the test process) while an attack runs. */
export function rssSampler(everyMs = 50) {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  return {
    /** Peak RSS in MiB since the start or the last `reset`. */
    peakMiB: () => Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20),
    reset: () => void (peak = process.memoryUsage().rss),
    stop: () => clearInterval(t),
  };
}

/** Open file descriptors of this process (Linux). */
export async function openFiles(): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir('/proc/self/fd')).length;
}
