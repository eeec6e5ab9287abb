import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'tests/browser/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: serial-port and database tests are timing sensitive, keep file parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
  },
});
