/**
 * One milestone of one submission, graded in processes of its own. The workspace is a temporary copy under
 * .checkpoints/ (where `#kit/*` and node_modules resolve) holding the submission's files for that milestone,
 * the canonical tests and given files, and (by default) the reference solution of every other milestone of
 * the project, so the milestone is graded on its own merits. Vitest runs in the bubblewrap sandbox of
 * sandbox.ts (unless told --no-sandbox), in its own process group under a wall-clock watchdog that kills the run
 * (a synchronous deadlock cannot be stopped any other way), with a stripped environment, a V8 heap cap, and the
 * canary of tools/checkpoints/canary.ts. Hidden tests run in a second workspace and sandbox of their own, and
 * only pass or fail comes back from it. See grading/README.md for what this does and does not protect.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  composeTree,
  listTests,
  makeWorkspace,
  mergeResults,
  type RawRun,
  removeWorkspace,
  runVitest,
  type TestResult,
} from '../checkpoints/checkpoints.ts';
import { acquireUid, dataLimitMb, releaseUid, SANDBOX_HOME, sandboxCommand } from './sandbox.ts';
import { isTestFile, listFiles, type Milestone, projectRoot } from '../../course/layout.ts';
import { rootRel } from '../../lib/paths.ts';

/** The folder inside a milestone where hidden tests are put for a run; they import the code as `../x.ts`. */
export const HIDDEN_DIR = '__hidden__';

export interface MilestoneRunOptions {
  readonly submission: string;
  readonly milestone: Milestone;
  /** Every milestone of the canonical tree. */
  readonly all: readonly Milestone[];
  /** The milestones being graded (their tests are listed together once); all of them by default. */
  readonly listed?: readonly Milestone[];
  readonly canonicalRoot: string;
  /** Root of the hidden tests (grading/hidden), laid out like solutions/; undefined: no hidden tests. */
  readonly hiddenRoot?: string;
  /** Take the other milestones of the project from the reference solution (default) or from the submission. */
  readonly independent: boolean;
  /** Wall clock for the whole run, in ms. */
  readonly wallMs: number;
  /** Per-test timeout, in ms. */
  readonly testTimeoutMs: number;
  readonly memoryMb: number;
  /** Run in the bubblewrap sandbox (sandbox.ts); false only when the instructor said --no-sandbox. */
  readonly sandbox: boolean;
}

export interface MilestoneRun {
  readonly tests: ReadonlyArray<TestResult & { readonly hidden: boolean }>;
  readonly timedOut: boolean;
  /** Why the run did not complete normally (killed, crashed), if it did not. */
  readonly runError?: string;
  /** Signs of forged results or a tampered test framework; any makes the milestone "tampered". */
  readonly tampering: readonly string[];
  readonly durationMs: number;
}

/** The hidden test files of a milestone, relative to its hidden folder. */
export function hiddenFiles(hiddenRoot: string | undefined, m: Milestone): string[] {
  if (hiddenRoot === undefined) return [];
  return listFiles(path.join(hiddenRoot, m.folder));
}

/** The environment code under test gets: enough to run Node, nothing of the grader's (tokens, keys, paths). */
export function isolatedEnv(home: string, memoryMb: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SYSTEMROOT']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  env['HOME'] = home;
  env['CI'] = '1';
  env['NODE_OPTIONS'] = `--max-old-space-size=${memoryMb}`;
  return env;
}

const canonicalListings = new Map<string, Promise<Array<{ file: string; name: string }>>>();

/** The canonical tests of the given milestones, listed once per process (a batch reuses it for every student). */
export function canonicalListing(
  canonicalRoot: string,
  all: readonly Milestone[],
): Promise<Array<{ file: string; name: string }>> {
  const key = `${canonicalRoot}\0${all
    .map((m) => m.id)
    .sort()
    .join(',')}`;
  let listing = canonicalListings.get(key);
  if (listing === undefined) {
    const files = all.flatMap((m) =>
      listFiles(m.dir)
        .filter(isTestFile)
        .map((f) => rootRel(path.join(m.dir, f))),
    );
    const scratch = makeWorkspace('list');
    listing = listTests(files, canonicalRoot, path.join(scratch, '.list.json')).finally(() => removeWorkspace(scratch));
    canonicalListings.set(key, listing);
  }
  return listing;
}

const hiddenListings = new Map<string, Promise<Array<{ file: string; name: string }>>>();

/** Copy a milestone's hidden files into `<workspace>/<folder>/__hidden__/`; returns the test files, root-relative. */
function placeHidden(workspace: string, hiddenRoot: string, m: Milestone): string[] {
  const dest = path.join(workspace, m.folder, HIDDEN_DIR);
  rmSync(dest, { recursive: true, force: true });
  const files = hiddenFiles(hiddenRoot, m);
  for (const rel of files) {
    mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    cpSync(path.join(hiddenRoot, m.folder, rel), path.join(dest, rel));
  }
  return files.filter(isTestFile).map((rel) => rootRel(path.join(dest, rel)));
}

/**
 * The hidden tests of a milestone, listed once against the reference solution: the count a report gives must not
 * depend on whether the submission's code loads.
 */
function hiddenListing(options: MilestoneRunOptions): Promise<Array<{ file: string; name: string }>> {
  const { milestone: m, hiddenRoot } = options;
  if (hiddenRoot === undefined || hiddenFiles(hiddenRoot, m).filter(isTestFile).length === 0)
    return Promise.resolve([]);
  const key = `${hiddenRoot}\0${m.id}`;
  let listing = hiddenListings.get(key);
  if (listing === undefined) {
    const ws = makeWorkspace('hidden-list');
    for (const other of options.all.filter((o) => o.project === m.project))
      cpSync(other.dir, path.join(ws, other.folder), { recursive: true });
    const include = placeHidden(ws, hiddenRoot, m);
    listing = listTests(include, ws, path.join(ws, '.list.json')).finally(() => removeWorkspace(ws));
    hiddenListings.set(key, listing);
  }
  return listing;
}

/** Task (process and thread) limit of one sandboxed run: vitest, its workers and their threads fit easily. */
const MAX_TASKS = 1024;

/** Compose a milestone's workspace: the submission's folder, the canonical tests and given files, the rest. */
function composeMilestone(options: MilestoneRunOptions, prefix: string): string {
  const { milestone: m } = options;
  const workspace = makeWorkspace(prefix);
  composeTree(workspace, options.submission, options.all, new Set([m.project]));
  if (options.independent) {
    for (const other of options.all.filter((o) => o.project === m.project && o.id !== m.id)) {
      const dest = path.join(workspace, other.folder);
      rmSync(dest, { recursive: true, force: true });
      cpSync(other.dir, dest, { recursive: true });
    }
  }
  // The sandbox may run as a uid of its own (see sandbox.ts): it must be able to read what it grades.
  chmodSync(workspace, 0o755);
  return workspace;
}

/** One vitest run over `include`, in the sandbox unless told not to. */
async function runOne(options: MilestoneRunOptions, workspace: string, include: readonly string[]): Promise<RawRun> {
  const uid = options.sandbox ? acquireUid() : undefined;
  try {
    let env: Record<string, string>;
    if (options.sandbox) {
      env = { ...isolatedEnv(SANDBOX_HOME, options.memoryMb), TMPDIR: '/tmp', CHECKPOINTS_CACHE_DIR: '/tmp/vite' };
    } else {
      const home = path.join(workspace, '.home');
      mkdirSync(home, { recursive: true });
      env = isolatedEnv(home, options.memoryMb);
    }
    const spec = {
      root: projectRoot,
      workspace,
      dataMb: dataLimitMb(options.memoryMb),
      maxTasks: MAX_TASKS,
      ...(uid !== undefined ? { uid } : {}),
    };
    return await runVitest({
      include,
      relativeTo: workspace,
      timeoutMs: options.testTimeoutMs,
      runTimeoutMs: options.wallMs,
      env,
      canary: true,
      ...(options.sandbox
        ? { wrap: (command: string, args: readonly string[]) => sandboxCommand(spec, command, args) }
        : {}),
    });
  } finally {
    releaseUid(uid);
  }
}

/**
 * A canonical test that the listing found runnable but the run reported skipped was skipped by the code under
 * test (it can throw vitest's own skip signal): it fails, or skipping would shrink the milestone to what passes.
 */
function mustRun(listed: ReadonlyArray<{ file: string; name: string }>, results: TestResult[]): TestResult[] {
  const runnable = new Set(listed.map((t) => `${t.file}\0${t.name}`));
  return results.map((t) =>
    t.status === 'skipped' && runnable.has(`${t.file}\0${t.name}`)
      ? { ...t, status: 'failed', failure: 'skipped while running: a checkpoint test must run' }
      : t,
  );
}

const isTimeout = (run: RawRun): boolean => run.runError !== undefined && /did not finish within/.test(run.runError);

/**
 * Grade one milestone: its visible tests in one sandboxed run, its hidden tests (if any) in another that sees
 * them (the visible run never does, so nothing it prints can contain them). Of the hidden run only pass or fail
 * per test comes back: no failure message, no output, no detail of a crash or of tampering.
 */
export async function runMilestone(options: MilestoneRunOptions): Promise<MilestoneRun> {
  const started = Date.now();
  const { milestone: m } = options;
  const [visibleAll, hidden] = await Promise.all([
    canonicalListing(options.canonicalRoot, options.listed ?? options.all),
    hiddenListing(options),
  ]);
  const visible = visibleAll.filter((t) => t.file.startsWith(`${m.folder}/`));
  const visibleWs = composeMilestone(options, 'grade');
  const hiddenWs =
    options.hiddenRoot !== undefined && hidden.length > 0 ? composeMilestone(options, 'hidden') : undefined;
  try {
    const include = listFiles(m.dir)
      .filter(isTestFile)
      .map((f) => rootRel(path.join(visibleWs, m.folder, f)));
    const hiddenInclude = hiddenWs !== undefined ? placeHidden(hiddenWs, options.hiddenRoot!, m) : [];
    if (hiddenWs !== undefined) chmodSync(path.join(hiddenWs, m.folder, HIDDEN_DIR), 0o755);
    const [run, hiddenRun] = await Promise.all([
      runOne(options, visibleWs, include),
      hiddenWs !== undefined ? runOne(options, hiddenWs, hiddenInclude) : Promise.resolve(undefined),
    ]);
    const visibleTests = mustRun(
      visible,
      mergeResults(visible, run, (f) => f),
    )
      // Only this milestone's tests count (a test of another milestone cannot have run, but be sure).
      .filter((t) => t.milestone === m.id)
      .map((t) => ({ ...t, hidden: false }));
    let hiddenTests: Array<TestResult & { hidden: boolean }> = [];
    const tampering = [...run.tampering];
    let timedOut = isTimeout(run);
    let runError = run.runError;
    if (hiddenRun !== undefined) {
      const hiddenTimedOut = isTimeout(hiddenRun);
      const hiddenReason = hiddenTimedOut
        ? 'the hidden tests did not finish in time'
        : "the hidden tests' run stopped early";
      // Only the canonical hidden tests, in listing order, with pass or fail: nothing else of that run.
      const merged = mustRun(
        hidden,
        mergeResults(hidden, hiddenRun, (f) => f),
      );
      hiddenTests = hidden.map((h) => {
        const r = merged.find((t) => t.file === h.file && t.name === h.name);
        const status = r?.status === 'passed' ? 'passed' : r?.status === 'skipped' ? 'skipped' : 'failed';
        return { milestone: m.id, file: h.file, name: h.name, status, durationMs: 0, hidden: true };
      });
      if (hiddenRun.tampering.length > 0) tampering.push('the results of the hidden tests were tampered with');
      timedOut ||= hiddenTimedOut;
      if (hiddenRun.runError !== undefined && runError === undefined) runError = hiddenReason;
    }
    return {
      tests: [...visibleTests, ...hiddenTests],
      timedOut,
      tampering,
      ...(runError !== undefined ? { runError } : {}),
      durationMs: Date.now() - started,
    };
  } finally {
    removeWorkspace(visibleWs);
    if (hiddenWs !== undefined) removeWorkspace(hiddenWs);
  }
}

/** Whether a folder holds milestone folders directly, or only inside an exercises/ folder (a whole repository). */
export function resolveSubmissionTree(submission: string, hasMilestones: (dir: string) => boolean): string {
  if (hasMilestones(submission)) return submission;
  const nested = path.join(submission, 'exercises');
  if (existsSync(nested) && hasMilestones(nested)) return nested;
  return submission;
}
