import { defineConfig } from 'vitest/config';

// The abuse suite asserts a bystander's label latency, so it runs alone, after every other test file
// has finished (on a 2-core machine a parallel test file would take the cores it measures).
const ABUSE = 'test/abuse/**/*.test.ts';

export default defineConfig({
  test: {
    globalSetup: ['test/setup/redis.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: [ABUSE], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'abuse', include: [ABUSE], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
