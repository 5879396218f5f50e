import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: integration suites share one DynamoDB Local, so keep parallelism modest.
    maxWorkers: 2,
    // TEST_LOG_LEVEL=ERROR shows the handlers' logs (why a 500 was a 500); silent otherwise.
    // The SDK's notice that Node 20 support ends in 2027 is documented in the README; keep test output readable.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'SILENT' },
  },
});
