/** Calls `fn` at most once per `ms`, always delivering the latest arguments (trailing call). */
export function throttle<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: A | null = null;
  return (...args: A) => {
    const now = Date.now();
    const wait = last + ms - now;
    if (wait <= 0 && !timer) {
      last = now;
      fn(...args);
      return;
    }
    pending = args;
    if (!timer) {
      timer = setTimeout(
        () => {
          timer = undefined;
          last = Date.now();
          if (pending) fn(...pending);
          pending = null;
        },
        Math.max(0, wait),
      );
    }
  };
}
