import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['kit/**/*.test.ts', 'solutions/**/*.test.ts', 'scripts/**/*.test.ts', 'benches/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
