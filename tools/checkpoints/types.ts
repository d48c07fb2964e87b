/** What a checkpoint run reports: per test, per milestone, and vitest's raw results before they are merged. */

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  /** Milestone id, e.g. 'p1/m1'. */
  readonly milestone: string;
  /** Test file relative to the tree, e.g. 'p1-pipeline/m1-mpsc/checkpoint.test.ts'. */
  readonly file: string;
  /** Suite titles and test title joined by ' > ', as `vitest list` prints them. */
  readonly name: string;
  readonly status: TestStatus;
  readonly durationMs: number;
  /** Why it failed: the assertion message, or why the test never ran (its file failed to load, the run hung). */
  readonly failure?: string;
  /** A failed assertion's expected and received values (as vitest printed them) and its diff, when it has them. */
  readonly assertion?: Assertion;
  /** What the student's code printed during the test (main thread and worker threads), capped (output.ts). */
  readonly output?: string;
}

export interface Assertion {
  readonly expected?: string;
  readonly actual?: string;
  readonly diff?: string;
}

export interface MilestoneSummary {
  readonly milestone: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface CheckpointReport {
  readonly target: string;
  readonly tests: readonly TestResult[];
  readonly milestones: readonly MilestoneSummary[];
  readonly durationMs: number;
  /** Chosen milestones the target has no folder for (their tests fail: the code they import is missing). */
  readonly missingFolders: readonly string[];
  /** Errors vitest caught outside any test, and why a run stopped early; they do not change `ok`. */
  readonly runErrors: readonly string[];
  /** No canonical test failed or went missing, and at least one passed (skipped tests are not held against it). */
  readonly ok: boolean;
  /**
   * Set when the run was stopped for taking too long: the limit and the test files (relative to the tree) that had
   * not finished; their tests that never reported fail with the hang message (verdict.ts).
   */
  readonly stopped?: { readonly limitSeconds: number; readonly unfinished: readonly string[] };
  /** What the code printed outside any test (while its test file loaded, in a hook), per test file and milestone. */
  readonly strayOutput?: ReadonlyArray<{ readonly milestone: string; readonly file: string; readonly output: string }>;
}

export interface RunCheckpointsOptions {
  /** A folder laid out like exercises/ (a student's copy, a submission). */
  readonly target: string;
  /** Milestone ids to test; all milestones of the canonical tree by default. */
  readonly milestones?: readonly string[];
  /** Per-test timeout, 15 s by default. */
  readonly timeoutMs?: number;
  /** Kill the whole vitest run after this long (a test that blocks the main thread never times out). */
  readonly runTimeoutMs?: number;
  /** Where the canonical tests live; `<project>/solutions` by default. */
  readonly canonical?: string;
  /** Called as each test finishes (progress display). */
  readonly onResult?: (test: { readonly file: string; readonly name: string; readonly status: TestStatus }) => void;
}

/** One test as vitest reported it, keyed by its file relative to the vitest root. */
export interface RawTest {
  readonly file: string;
  readonly name: string;
  readonly status: TestStatus;
  readonly durationMs: number;
  readonly failure?: string;
  readonly assertion?: Assertion;
  readonly output?: string;
}

/** A test file that failed as a whole (import error, error in a hook outside tests, ...). */
export interface RawFileError {
  readonly file: string;
  readonly message: string;
}

export interface RawRun {
  readonly tests: readonly RawTest[];
  readonly fileErrors: readonly RawFileError[];
  /** Errors vitest caught outside any test (an unhandled rejection, an error thrown after a test ended). */
  readonly unhandled: readonly string[];
  /** Set when the run was killed or stopped early. */
  readonly runError?: string;
  /** Set when a test process died of a fatal Node or V8 error (crashReason): why its tests were not reported. */
  readonly crash?: string;
  /** Signs that the results were forged or the test framework was tampered with (empty when none). */
  readonly tampering: readonly string[];
  /** Set when the run was stopped because it did not finish in time: the limit, and the files that never ended. */
  readonly stopped?: { readonly limitSeconds: number; readonly unfinished: readonly string[] };
  /** Output printed in a test file outside any test (while loading, in hooks, after the tests), per file. */
  readonly strayOutput?: ReadonlyArray<{ readonly file: string; readonly output: string }>;
}
