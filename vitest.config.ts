import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default on a 2-core machine is ONE worker (cores − 1); the tests mostly wait on the
    // database (PostgreSQL round trips, PGlite in its own process per file), so three files at a time
    // keep both cores busy.
    maxWorkers: 3,
    minWorkers: 1,
  },
});
