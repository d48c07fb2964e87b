import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['kit/**/*.test.ts', 'course/**/*.test.ts', 'solutions/**/*.test.ts', 'apps/**/*.test.ts', 'tools/**/*.test.ts', 'benches/**/*.test.ts', 'lib/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
