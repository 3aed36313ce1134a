import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// Integration and unit tests run inside workerd with the real Durable Object, SQLite and a local R2.
// Storage is isolated per test file (not per test): tests use unique emails and names.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // Quiet request logs in tests; one test turns them on to check what they contain.
        bindings: { LOG_LEVEL: 'warn' },
      },
    }),
  ],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
  },
})
