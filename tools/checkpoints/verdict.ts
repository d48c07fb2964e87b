/**
 * The rules every consumer of checkpoint results shares (check, learn, progress and the grader), so the same
 * code gets the same verdict and the same words everywhere:
 *
 * - one hang message, naming the limit that was applied (a test's own timeout, or the wall clock of the run);
 * - a run stopped because it hung fails every test of each milestone whose test file did not finish, even tests
 *   that reported a pass before the hang (the grader scores such a milestone 0; check must not say 7/9);
 * - a milestone passes when at least one of its tests ran and passed, and none failed (skipped tests are not
 *   held against it).
 */
import { milestoneIdOf } from '../../course/layout.ts';

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

interface Judged {
  readonly file: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly failure?: string;
}

/**
 * Apply the hang rule: when the run was stopped after `limitSeconds`, every test of a milestone with an
 * unfinished test file (paths relative to the tree, like the tests' own) fails with the hang message.
 */
export function failHungMilestones<T extends Judged>(
  tests: readonly T[],
  unfinishedFiles: readonly string[],
  limitSeconds: number,
): T[] {
  const hung = new Set(unfinishedFiles.map((f) => milestoneIdOf(f) ?? f));
  if (hung.size === 0) return [...tests];
  const message = hangMessage(limitSeconds);
  const hangs = (t: T): boolean => hung.has(milestoneIdOf(t.file) ?? t.file) && t.status !== 'skipped';
  return tests.map((t) => (hangs(t) ? { ...t, status: 'failed', failure: message } : t));
}

/** The pass rule: something ran and passed, and nothing failed. */
export function allPass(tests: ReadonlyArray<{ status: 'passed' | 'failed' | 'skipped' }>): boolean {
  return tests.some((t) => t.status === 'passed') && !tests.some((t) => t.status === 'failed');
}
