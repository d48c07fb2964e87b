/**
 * Checkpoint results in a student's words: which test failed, what it expected and what it got, and when the
 * cause is a stub, which function of which milestone is still a stub. A milestone whose failures all come from
 * another milestone's stubs is reported as blocked by that milestone, not as wrong.
 */
import type { TestResult } from '../checkpoints/checkpoints.ts';
import { allPass, isHangMessage, timeoutAsHang } from '../checkpoints/verdict.ts';
import { compareMilestoneIds } from '../../course/layout.ts';
import { parseTodoMessage } from '../../kit/todo.ts';
import type { Style } from './style.ts';

export interface StubCall {
  readonly milestone: string;
  readonly functionName: string;
  /** The thread it was hit in, when not the test's own. */
  readonly thread?: string;
}

/** The stub a failure message names, if the failure is a NotImplementedError. */
export const stubIn = (failure: string | undefined): StubCall | undefined => parseTodoMessage(failure);

/** One line (two at most) saying why a test failed, for the milestone `current`. */
export function explainFailure(test: TestResult, current: string): string {
  const failure = test.failure ?? test.status;
  const stub = stubIn(failure);
  if (stub !== undefined) {
    const where = stub.thread === undefined ? 'NotImplementedError' : `thrown in thread '${stub.thread}'`;
    if (stub.milestone === current) return `still a stub: ${stub.functionName} (${where})`;
    return `needs ${stub.milestone}'s ${stub.functionName}, which is still a stub (${where})`;
  }
  // The hang message (verdict.ts) is already in words, the same ones check, learn and the grader print.
  const hang =
    timeoutAsHang(failure) ??
    (isHangMessage(failure) ? failure.slice(failure.indexOf('did not finish within')) : undefined);
  if (hang !== undefined) return hang.split('\n')[0]!;
  if (failure.startsWith('did not run: ') || failure.startsWith('its test file failed: ')) {
    const first = failure.split('\n')[0] ?? failure;
    return first.replace(/^its test file failed: /, 'the test file could not run: ');
  }
  const words = assertionInWords(failure);
  if (words !== undefined) return words;
  return oneLine(failure.split('\n')[0] ?? failure);
}

/**
 * Vitest's assertion messages say "expected <received> to <matcher> <expected>" (with the test's own message in
 * front when it gave one); each is turned around into what was expected and what the code did.
 */
const ASSERTIONS: ReadonlyArray<readonly [RegExp, (...m: string[]) => string]> = [
  [
    /^expected ([\s\S]+?) to have a length of (\S+) but got \+?(\S+)$/,
    (_r, e, got) => `expected length ${e}, received length ${got}`,
  ],
  [/^expected ([\s\S]+?) to be greater than or equal to ([\s\S]+)$/, (r, e) => `expected at least ${e}, received ${r}`],
  [/^expected ([\s\S]+?) to be greater than ([\s\S]+)$/, (r, e) => `expected more than ${e}, received ${r}`],
  [/^expected ([\s\S]+?) to be less than or equal to ([\s\S]+)$/, (r, e) => `expected at most ${e}, received ${r}`],
  [/^expected ([\s\S]+?) to be less than ([\s\S]+)$/, (r, e) => `expected less than ${e}, received ${r}`],
  [
    /^expected ([\s\S]+?) to be close to (\S+), received difference is (\S+), but expected (\S+)$/,
    (r, e, d, tol) => `expected ${e} (within ${tol}), received ${r} (off by ${d})`,
  ],
  [/^expected \[Function\] to throw an error$/, () => 'expected it to throw an error; it returned normally'],
  [
    /^expected \[Function\] to throw error (?:matching|including) ([\s\S]+?) but got ([\s\S]+)$/,
    (e, got) => `expected an error with ${e}, received the error ${got}`,
  ],
  [
    /^expected \[Function\] to not throw an error but ([\s\S]+) was thrown$/,
    (got) => `expected no error, received ${got}`,
  ],
  [/^expected ([\s\S]+?) to match (\/[\s\S]+\/\w*)$/, (r, e) => `expected text matching ${e}, received ${r}`],
  [/^expected ([\s\S]+?) to be undefined$/, (r) => `expected undefined, received ${r}`],
  [
    /^expected ([\s\S]+?) to match object ([\s\S]+?)(?:\n[\s\S]*)?$/,
    (r, e) => `expected an object with ${e}, received ${r}`,
  ],
  [
    /^expected ([\s\S]+?) to (?:deeply equal|equal|be|strictly equal) ([\s\S]+?)(?: \/\/ Object\.is equality)?$/,
    (r, e) => `expected ${e}, received ${r}`,
  ],
  [/^expected ([\s\S]+?) to (?:contain|include) ([\s\S]+)$/, (r, e) => `expected to contain ${e}, received ${r}`],
];

/** An AssertionError's message in words ("expected X, received Y"), or undefined when it is not one we know. */
export function assertionInWords(failure: string): string | undefined {
  const m = /^AssertionError: (?:([^\n]*?): )?(expected [\s\S]*)$/.exec(failure.trim());
  if (!m) return undefined;
  const [, label, message] = m;
  for (const [re, say] of ASSERTIONS) {
    const found = re.exec(message!.trim());
    if (found)
      return `${label !== undefined ? `${label}: ` : ''}${say(...found.slice(1).map((x) => oneLine(x ?? '')))}`;
  }
  return undefined;
}

/** Lines of a diff shown at most (the head: the first difference is what matters). */
const DIFF_LINES = 14;

/**
 * Why a test failed, as the lines check and learn print: the explanation (explainFailure), and when it is an
 * assertion vitest could not be put in one line of words, its expected and received values as a diff.
 */
export function failureLines(test: TestResult, current: string): string[] {
  const first = explainFailure(test, current);
  const a = test.assertion;
  // A stub is the whole story: what an assertion saw after it (nothing arrived, say) only follows from it.
  if (stubIn(test.failure) !== undefined) return [first];
  if (a === undefined || (assertionInWords(test.failure ?? '') !== undefined && !first.includes('…'))) return [first];
  const lines = [first];
  const short = (v: string | undefined): boolean => v !== undefined && !v.includes('\n') && v.length <= 60;
  if (short(a.expected) && short(a.actual)) {
    lines.push(`expected: ${a.expected}`, `received: ${a.actual}`);
    return lines;
  }
  if (a.diff !== undefined) {
    const diff = a.diff.split('\n').filter((l) => l.trim() !== '');
    lines.push(...diff.slice(0, DIFF_LINES));
    if (diff.length > DIFF_LINES) lines.push(`… (${diff.length - DIFF_LINES} more lines of diff)`);
  }
  return lines;
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export type MilestoneState = 'done' | 'in progress' | 'not started';

export interface MilestoneVerdict {
  readonly milestone: string;
  readonly state: MilestoneState;
  readonly passed: number;
  readonly total: number;
  /**
   * Set when failures come from stubs of earlier milestones and none from this one's: the milestone cannot pass
   * before those are written, whatever its own code does.
   */
  readonly blockedBy?: StubCall;
  /** One sentence for the student. */
  readonly summary: string;
}

/**
 * What the tests say about one milestone. Done: every test passed. Not started: no test passed and the
 * failures come from stubs (see below). In progress: anything else.
 */
export function judgeMilestone(milestone: string, tests: readonly TestResult[]): MilestoneVerdict {
  const own = tests.filter((t) => t.milestone === milestone && t.status !== 'skipped');
  const passed = own.filter((t) => t.status === 'passed').length;
  const failed = own.filter((t) => t.status === 'failed');
  const total = own.length;
  const stubs = failed.map((t) => stubIn(t.failure));
  // Blocked: some failure names an earlier milestone's stub and none names one of this milestone. The other
  // failures are then usually knock-on effects (a thread that panicked on the stub closed its channel), and
  // this milestone cannot be judged before the earlier one is written.
  const foreign = stubs.filter(
    (s): s is StubCall =>
      s !== undefined && s.milestone !== milestone && compareMilestoneIds(s.milestone, milestone) < 0,
  );
  const ownStub = stubs.some((s) => s?.milestone === milestone);
  const blockedBy =
    foreign.length > 0 && !ownStub
      ? [...foreign].sort((a, b) => compareMilestoneIds(a.milestone, b.milestone))[0]
      : undefined;
  let state: MilestoneState;
  if (allPass(own))
    state = 'done'; // the rule check and the grader share (verdict.ts)
  // Not started: nothing passes, and the failures are stubs: all of them NotImplementedErrors, or at least some
  // from this milestone's own stubs (the rest being knock-on failures: a stage thread that panicked on its stub
  // leaves the test an empty channel, not a NotImplementedError).
  else if (total > 0 && passed === 0 && (stubs.every((s) => s !== undefined) || ownStub)) state = 'not started';
  else state = 'in progress';
  let summary: string;
  if (total === 0) summary = `${milestone} has no checkpoint tests to run`;
  else if (state === 'done') summary = `${milestone}: all ${total} checkpoint tests pass`;
  else if (blockedBy !== undefined) {
    summary = `${milestone}'s tests fail because ${blockedBy.milestone}'s ${blockedBy.functionName} is still a stub: finish ${blockedBy.milestone} first`;
  } else summary = `${milestone}: ${passed}/${total} checkpoint tests pass`;
  return { milestone, state, passed, total, ...(blockedBy !== undefined ? { blockedBy } : {}), summary };
}

/** The lines `check` and `learn` print for one milestone's results. */
export function describeResults(
  milestone: string,
  tests: readonly TestResult[],
  options: { showPassed?: boolean; style?: Style } = {},
): string[] {
  const lines: string[] = [];
  const s = options.style;
  const paint = (text: string, how: 'red' | 'green' | 'dim' | 'cyan'): string => (s ? s[how](text) : text);
  const own = tests.filter((x) => x.milestone === milestone);
  // A stopped run fails every test with the same hang message: say it once, under the list.
  const failures = own.filter((t) => t.status === 'failed').map((t) => t.failure);
  const shared =
    failures.length > 1 && isHangMessage(failures[0]) && failures.every((f) => f === failures[0])
      ? failures[0]
      : undefined;
  for (const t of own) {
    const name = t.name.replace(new RegExp(`^${milestone.replace('/', '\\/')}: `), '');
    if (t.status === 'passed') {
      if (options.showPassed ?? true) lines.push(`  ${paint('✓', 'green')} ${name}`);
    } else if (t.status === 'skipped') lines.push(`  - ${name} (skipped)`);
    else {
      lines.push(`  ${paint('✗', 'red')} ${name}`);
      const why = shared !== undefined ? [] : failureLines(t, milestone);
      for (const l of why)
        lines.push(`      ${/^- /.test(l) ? paint(l, 'green') : /^\+ /.test(l) ? paint(l, 'red') : l}`);
    }
    if (t.output !== undefined && t.output !== '' && (t.status !== 'passed' || (options.showPassed ?? true))) {
      lines.push(
        `      ${paint('your code printed:', 'cyan')}`,
        ...t.output.split('\n').map((l) => `      ${paint('│', 'cyan')} ${l}`),
      );
    }
  }
  if (shared !== undefined) lines.push(`      all of them: ${shared.split('\n')[0]}`);
  return lines;
}
