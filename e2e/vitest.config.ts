import { defineConfig } from 'vitest/config';

// End-to-end tests: the built app in Debian's Chromium, driven by playwright-core.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/globalSetup.ts'],
    testTimeout: 300_000,
    // A page under a loaded CI machine can take seconds to show what a test waits for; a poll's default of 1 s flakes.
    expect: { poll: { timeout: 20_000, interval: 100 } },
    hookTimeout: 300_000,
    // One browser at a time: two cores, and SwiftShader WebGPU is CPU-bound.
    fileParallelism: false,
  },
});
