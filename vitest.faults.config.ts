import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault suite (workers killed at each point of a job, Redis
 * killed under AOF, restarts, Discord storms, bad input). Not part of `npm test`; CI runs
 * it after. Its files run one at a time: they kill processes and time takeovers.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
  },
});
