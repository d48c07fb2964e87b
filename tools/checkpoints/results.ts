/** Turning vitest's raw results into one result per canonical test, and summaries per milestone. */
import { hangMessage } from './verdict.ts';
import { milestoneIdOf } from '../../course/layout.ts';
import type { MilestoneSummary, RawRun, RawTest, TestResult } from './types.ts';

/** Summaries per milestone, in the order given. */
export function summarize(ids: readonly string[], tests: readonly TestResult[]): MilestoneSummary[] {
  return ids.map((milestone) => {
    const own = tests.filter((t) => t.milestone === milestone);
    return {
      milestone,
      passed: own.filter((t) => t.status === 'passed').length,
      failed: own.filter((t) => t.status === 'failed').length,
      skipped: own.filter((t) => t.status === 'skipped').length,
    };
  });
}

/**
 * Merge what ran with what should have run: every canonical test gets a result; one that never reported
 * (its file did not load, the run was killed) fails with the reason. `toCanonical` maps a file reported by
 * vitest to the canonical file path (relative to the tree) it stands for.
 */
export function mergeResults(
  expected: ReadonlyArray<{ file: string; name: string }>,
  run: RawRun,
  toCanonical: (file: string) => string,
): TestResult[] {
  const ran = new Map<string, RawTest>();
  for (const t of run.tests) ran.set(`${toCanonical(t.file)}\0${t.name}`, t);
  const fileError = new Map(run.fileErrors.map((e) => [toCanonical(e.file), e.message]));
  const hung = new Set((run.stopped?.unfinished ?? []).map(toCanonical));
  const results: TestResult[] = [];
  const seen = new Set<string>();
  for (const e of expected) {
    const key = `${e.file}\0${e.name}`;
    seen.add(key);
    const milestone = milestoneIdOf(e.file) ?? '?';
    const t = ran.get(key);
    if (t) {
      results.push({
        milestone,
        file: e.file,
        name: e.name,
        status: t.status,
        durationMs: t.durationMs,
        ...(t.failure !== undefined ? { failure: t.failure } : {}),
        ...(t.assertion !== undefined ? { assertion: t.assertion } : {}),
        ...(t.output !== undefined ? { output: t.output } : {}),
      });
    } else {
      const fileFailure = fileError.get(e.file);
      // A test of a file the run had to stop fails with the hang message itself (verdict.ts): the same words in
      // check, learn and the grader. Tests of that file that finished before the hang keep their results.
      const failure = hung.has(e.file)
        ? hangMessage(run.stopped!.limitSeconds)
        : fileFailure !== undefined
          ? `its test file failed: ${fileFailure}`
          : `did not run: ${run.runError ?? run.crash ?? 'vitest did not report it'}`;
      results.push({ milestone, file: e.file, name: e.name, status: 'failed', durationMs: 0, failure });
    }
  }
  // Tests that ran but are not canonical (a test title built from the code under test, say) are reported too.
  for (const [key, t] of ran) {
    if (seen.has(key)) continue;
    const file = toCanonical(t.file);
    // `vitest list` leaves out tests marked skip or todo; they show up here, and stay skipped.
    if (t.status === 'skipped') {
      results.push({ milestone: milestoneIdOf(file) ?? '?', file, name: t.name, status: 'skipped', durationMs: 0 });
      continue;
    }
    results.push({
      milestone: milestoneIdOf(file) ?? '?',
      file,
      name: t.name,
      status: 'failed',
      durationMs: t.durationMs,
      failure: 'not a canonical checkpoint test (its name differs from the one in solutions/)',
    });
  }
  return results;
}
