import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Configuration for checkpoint runs started by tools/checkpoints/checkpoints.ts (exercise checks, the learner and
 * grading), never used by a plain `vitest run`. The runner chooses which test files to run (a temporary workspace
 * under .checkpoints/, or solutions/ when listing the canonical test names), so the globs come from the
 * environment rather than from this file. A graded run sets CHECKPOINTS_CANARY: every test file then gets the
 * canary of tools/checkpoints/canary.ts.
 */
const include = JSON.parse(process.env['CHECKPOINTS_INCLUDE'] ?? '[]') as string[];
const timeout = Number(process.env['CHECKPOINTS_TEST_TIMEOUT_MS'] ?? 15_000);
const canary = process.env['CHECKPOINTS_CANARY']
  ? [path.join(path.dirname(fileURLToPath(import.meta.url)), 'tools', 'checkpoints', 'canary.ts')]
  : [];
// Runs that only ask whether a file fails at all skip the rest of a file after its first failure.
const bail = process.env['CHECKPOINTS_BAIL_PER_FILE'] === '1';
// Runs that try the tests named for each folder first (the wrong-solutions check) skip the others.
const onlyNamed = process.env['CHECKPOINTS_ONLY'] !== undefined;
// Test files running side by side; unset: vitest's default.
const maxWorkers = Number(process.env['CHECKPOINTS_MAX_WORKERS'] ?? 0) || undefined;

export default defineConfig({
  // Vite's cache in the run's private /tmp when one is given (a graded run sees the project read-only).
  ...(process.env['CHECKPOINTS_CACHE_DIR'] ? { cacheDir: process.env['CHECKPOINTS_CACHE_DIR'] } : {}),
  test: {
    include,
    // Vitest skips folders like node_modules by default; nothing else should be excluded from a checkpoint run.
    exclude: ['**/node_modules/**'],
    pool: 'forks',
    ...(maxWorkers !== undefined ? { maxWorkers } : {}),
    testTimeout: timeout,
    hookTimeout: timeout,
    // A run with no test files is an error for the caller to explain, not for vitest to refuse.
    passWithNoTests: true,
    // Worker threads' output reaches vitest's console capture, so the reporter shows it under its test; a test
    // that failed after a thread it started hit a stub says so (thread-stubs.ts: first, so its after-each hook
    // runs last, once capture-output.ts has waited for the test's threads).
    setupFiles: [
      'tools/checkpoints/thread-stubs.ts',
      'tools/checkpoints/capture-output.ts',
      ...canary,
      ...(bail ? ['tools/checkpoints/bail-per-file.ts'] : []),
      ...(onlyNamed ? ['tools/checkpoints/only-named.ts'] : []),
    ],
  },
});
