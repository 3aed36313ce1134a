import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// Integration and unit tests run inside workerd with the real Durable Object, SQLite and a local R2.
// Storage is isolated per test file (not per test): tests use unique emails and names.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          // Quiet request logs in tests; the logging test turns them on to check what they contain.
          LOG_LEVEL: 'warn',
          // A known key, so tests can forge expired and foreign tokens. Never used outside tests.
          JWT_SECRET_KEY: 'test-only-secret-key-0123456789abcdef',
          URL_SIGNING_KEY: 'test-only-url-signing-key-0123456789',
        },
      },
    }),
  ],
  test: {
    // The first request of a file starts a runtime, migrates a fresh database and hashes passwords:
    // seconds on a loaded 2-core machine. Timeouts guard against hangs, not slowness.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    // Seeds the tests' random choices (seededRandom in test/helpers.ts); a failure names the seed
    // to replay it with: `TEST_SEED=<seed> npx vitest run <file>`.
    provide: { testSeed: process.env.TEST_SEED ?? '' },
  },
})
