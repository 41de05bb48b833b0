/** Shared fixtures of the store and board-service tests: a straight stroke, and cleanups run after each test. */
import { afterEach } from 'vitest';

/** A two-point stroke from (x, 0) to (x + 10, 100), as a client commits it. */
export const line = (id: string, x: number) => ({
  id,
  color: '#000000',
  width: 3,
  points: [
    [x, 0],
    [x + 10, 100],
  ] as [number, number][],
});

/** Returns a list to push cleanups on; they run (last first) after every test of the calling file. */
export function cleanupsAfterEach(): (() => Promise<void> | void)[] {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}
