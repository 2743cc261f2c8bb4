import { defineConfig } from 'vitest/config';

/**
 * `npm run test:real`: the suite against a REAL ComfyUI (test/real/). Its global setup starts
 * ComfyUI 0.3.65 and 0.8.0 from ../shared/comfyui-rig (or uses COMFYUI_URL), and every file
 * runs its scenarios against each. Files run one at a time: two ComfyUI servers and ffmpeg
 * already fill the machine's two cores.
 */
export default defineConfig({
  test: {
    include: ['test/real/**/*.test.ts'],
    globalSetup: ['test/real/globalSetup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
  },
});
