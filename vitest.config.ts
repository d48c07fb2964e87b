import { defineConfig } from 'vitest/config';

const everywhere = [
  'kit/**/*.test.ts',
  'course/**/*.test.ts',
  'solutions/**/*.test.ts',
  'apps/**/*.test.ts',
  'tools/**/*.test.ts',
  'benches/**/*.test.ts',
  'lib/**/*.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    // Three test files at a time on any machine: most of the suite waits (child processes, threads that sleep or
    // park, the grader's hang tests that sit out their timeouts), and vitest's default of one fewer worker than cores
    // would run it one file at a time on 2 cores. On 2 cores, 2 workers kept them busy 1.83 of the time (345 s of
    // test time in 188 s); 3 workers: 173–175 s (two runs each), every test still passing.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'default', include: everywhere } },
      // The kit's stress and death tests again, with KIT_DEBUG=1: every invariant the kit's headers list is asserted
      // (kit/internal/debug.ts), in the test process and, through the inherited environment, in every thread.
      {
        extends: true,
        test: {
          name: 'kit-debug',
          include: [
            'kit/test/ring-stress.test.ts',
            'kit/test/death.test.ts',
            'kit/test/select.test.ts',
            'kit/test/debug.test.ts',
          ],
          env: { KIT_DEBUG: '1' },
        },
      },
      // And with KIT_FENCED_PUBLISH=1 as well: channels publish with Atomics.store, as they do off x86-64
      // (kit/internal/channel/ring.ts), so both ways of publishing are stress-tested, with invariants, on any machine.
      {
        extends: true,
        test: {
          name: 'kit-debug-fenced',
          include: ['kit/test/stress.test.ts', 'kit/test/wait.test.ts'],
          env: { KIT_DEBUG: '1', KIT_FENCED_PUBLISH: '1' },
        },
      },
    ],
  },
});
