import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-ComfyUI suite runs on its own: `npm run test:real`.
    exclude: ['test/real/**', 'node_modules/**'],
    // Integration tests start servers, Redis queues and ffmpeg; the machine has two cores.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
  },
});
