import { defineConfig } from 'vitest/config';

// Under CI a JSON report is written as well, so .ci/run can print a one-line tally.
const reporters = process.env.CI ? ['default', ['json', { outputFile: '.safe-deploy/test-results.json' }]] : ['default'];

export default defineConfig({
  test: {
    reporters: reporters as never,
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          globalSetup: ['test/setup/scratch-tmpdir.ts', 'test/setup/bundle-cache-dir.ts', 'test/setup/python-env.ts'],
          include: ['cli/**/*.test.ts', 'test/unit/**/*.test.ts', 'sample-workers/**/*.test.ts', 'tools/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'dist/**'],
          // Some unit tests run the built CLI or bundle workflow code: seconds, not milliseconds.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.int.test.ts', 'cli/**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          globalSetup: ['test/setup/scratch-tmpdir.ts', 'test/setup/bundle-cache-dir.ts', 'test/setup/python-env.ts', 'test/setup/temporal-server.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Each file starts its own worker processes; two at a time keeps 2 cores busy, not swamped.
          maxWorkers: 2,
        },
      },
    ],
  },
});
