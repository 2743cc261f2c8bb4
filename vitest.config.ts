import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault suite has its own config (npm run test:faults).
    exclude: ['test/faults/**', 'node_modules/**'],
    // Integration tests start servers, Redis queues and ffmpeg; the machine has two cores.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
  },
});
