/**
 * The files a checkpoint run loads by path rather than by import, relative to the repository root: vitest's
 * configuration, the reporter it is given on the command line and the setup files the configuration names (with
 * what they import). The grader's sandbox must show them, and the student release must carry them; both read
 * this list, so a new setup file cannot be forgotten in one of them.
 */
export const LOADED_BY_PATH: readonly string[] = [
  'vitest.checkpoints.config.ts',
  'tools/checkpoints/stream-reporter.ts',
  'tools/checkpoints/canary.ts',
  'tools/checkpoints/capture-output.ts',
  'tools/checkpoints/thread-stubs.ts',
  'tools/checkpoints/bail-per-file.ts',
  'tools/checkpoints/output.ts',
];
