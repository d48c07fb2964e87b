/**
 * The rules every consumer of checkpoint results shares (check, learn, progress and the grader), so the same
 * code gets the same verdict and the same words everywhere:
 *
 * - one hang message, naming the limit that was applied (a test's own timeout, or the wall clock of the run);
 * - a run stopped because it hung: tests that finished before the hang keep their results, the tests that never
 *   reported fail with the hang message (mergeResults in checkpoints.ts), so the milestone does not pass and the
 *   grader scores exactly the tests that passed;
 * - a milestone passes when at least one of its tests ran and passed, and none failed (skipped tests are not
 *   held against it).
 */

/** The one message for code that never finishes, with the limit (seconds) after which it was stopped. */
export function hangMessage(limitSeconds: number): string {
  const limit = Number.isInteger(limitSeconds) ? String(limitSeconds) : limitSeconds.toFixed(1);
  return (
    `did not finish within ${limit} s: something waits forever ` +
    '(a channel whose senders are never all dropped, a lock never released, a join on a thread that never ends)'
  );
}

/** Whether a failure or run error is the hang message (from hangMessage). */
export const isHangMessage = (text: string | undefined): boolean =>
  text !== undefined && /did not finish within [\d.]+ s/.test(text);

/** Vitest's own words for a test that exceeded its timeout, turned into the hang message; else undefined. */
export function timeoutAsHang(failure: string | undefined): string | undefined {
  const m = failure === undefined ? null : /Test timed out in (\d+)ms/.exec(failure);
  return m ? hangMessage(Number(m[1]) / 1000) : undefined;
}

/** The pass rule: something ran and passed, and nothing failed. */
export function allPass(tests: ReadonlyArray<{ status: 'passed' | 'failed' | 'skipped' }>): boolean {
  return tests.some((t) => t.status === 'passed') && !tests.some((t) => t.status === 'failed');
}
