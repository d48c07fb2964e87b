/**
 * A vitest setup file for runs that only need to know whether a test file fails at all (the wrong-solutions
 * check, tools/exercises/mutants.ts): once a test of the file has failed, the rest of the file is skipped.
 * Each test file runs in a process of its own (pool 'forks'), so the flag below is per file.
 */
import { beforeEach } from 'vitest';

let failed = false;

beforeEach((context) => {
  if (failed) context.skip('an earlier test of this file already failed');
  context.onTestFailed(() => {
    failed = true;
  });
});
