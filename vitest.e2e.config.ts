import { defineConfig } from 'vitest/config';

/**
 * Browser journeys (Playwright driving Debian's Chromium), two files at a time: each journey has its own
 * server, database and browser, and on 2 cores one journey alone leaves a core waiting.
 */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
  },
});
