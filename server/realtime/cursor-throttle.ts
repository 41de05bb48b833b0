/** Relays at most one cursor update per interval; the latest position always goes out (trailing). */
export function createCursorThrottle<T>(intervalMs: number, send: (value: T) => void) {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let latest: T | undefined;
  const flush = () => {
    timer = undefined;
    last = Date.now();
    send(latest as T);
  };
  return {
    update(value: T) {
      latest = value;
      if (timer) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
