import { defineConfig } from 'vitest/config';

/** `npm run test:real`: tests against the REAL ComfyUI rig (../shared/comfyui-rig); slow, not part of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/real/**/*.real.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
