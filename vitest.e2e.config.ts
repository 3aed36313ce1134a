import { defineConfig } from 'vitest/config'

// End-to-end: plain Node tests that talk HTTP to a real `wrangler dev` (started in global setup).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
})
