import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-ComfyUI suite has its own commands and configs (npm run test:real, npm run test:faults).
    exclude: [...configDefaults.exclude, 'test/real/**', 'test/faults/**'],
    // Starts a private redis-server when nothing answers on REDIS_URL.
    globalSetup: ['test/support/redisGlobalSetup.ts'],
    // Integration tests start servers, Redis queues and ffmpeg; the machine has two cores.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
  },
});
