/**
 * The exercise checks `npm test` runs after vitest:
 *
 *   (a) exercises/ is exactly what the generator makes of solutions/;
 *   (b) every milestone with solution regions has checkpoint tests;
 *   (c) every checkpoint test fails against the stubs, and the same tests run there as in solutions/ (none
 *       skipped, none lost to a file that fails to load).
 *
 * For (c), each milestone's tests run against that milestone's stubs with the other milestones of its project
 * solved, which is how a student meets them: by the time they start m3, their m1 and m2 work. A test of m3 that
 * only fails because an m1 stub throws would pass for a student who has not written m3 at all, so it must not
 * count as failing. Every milestone gets its own copy of the project in the workspace; all copies run in one
 * vitest process.
 */
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildExercises, diffExercises, GenerateError, type TreeDifference } from './generate.ts';
import { listTests, makeWorkspace, type RawRun, removeWorkspace, runVitest } from '../checkpoints/checkpoints.ts';
import { isHangMessage } from '../checkpoints/verdict.ts';
import { isTestFile, listFiles, listMilestones, milestoneIdOf, projectRoot } from '../../course/layout.ts';
import { posix, rootRel } from '../../lib/paths.ts';

export interface MilestoneCheck {
  readonly milestone: string;
  readonly stubbedFunctions: number;
  /** Checkpoint tests found in solutions/. */
  readonly tests: number;
  /** Tests that failed against the stubs, as they should. */
  readonly failingOnStubs: number;
  /** Tests that passed against the stubs: they assert nothing the stub cannot satisfy. */
  readonly passingOnStubs: readonly string[];
  /** Tests of solutions/ that did not run against the stubs. */
  readonly missing: readonly string[];
  /** Test files that failed as a whole against the stubs (usually a stub called while the file loads). */
  readonly fileErrors: ReadonlyArray<{ readonly file: string; readonly message: string }>;
  readonly skipped: readonly string[];
  /**
   * Tests that fail against the stubs only by running into the per-test timeout. They count as failing, but
   * each costs a student the whole timeout on every run: worth making them fail fast.
   */
  readonly timedOut: readonly string[];
  /** Tests that ran against the stubs but do not exist in solutions/. */
  readonly extra: readonly string[];
}

export interface ExerciseCheckReport {
  /** Set when exercises/ is not what `generate` would write. */
  readonly outOfDate?: TreeDifference;
  readonly milestones: readonly MilestoneCheck[];
  /** Every problem, one precise line each; empty when all checks pass. */
  readonly problems: readonly string[];
  readonly durationMs: number;
}

export interface CheckOptions {
  readonly solutions?: string;
  readonly exercises?: string;
  readonly timeoutMs?: number;
  readonly runTimeoutMs?: number;
}

export async function checkExercises(options: CheckOptions = {}): Promise<ExerciseCheckReport> {
  const started = Date.now();
  const solutions = options.solutions ?? path.join(projectRoot, 'solutions');
  const exercises = options.exercises ?? path.join(projectRoot, 'exercises');
  const problems: string[] = [];
  const done = (extra: Partial<ExerciseCheckReport> = {}): ExerciseCheckReport => ({
    milestones: [],
    problems,
    durationMs: Date.now() - started,
    ...extra,
  });

  // (a) The generated tree is up to date.
  let built: ReturnType<typeof buildExercises>;
  try {
    built = buildExercises(solutions);
  } catch (error) {
    if (!(error instanceof GenerateError)) throw error;
    problems.push(...error.problems.map((p) => `solutions/${p.message}`));
    return done();
  }
  const diff = diffExercises(solutions, exercises);
  if (diff.missing.length + diff.extra.length + diff.different.length > 0) {
    problems.push('exercises/ is not what the generator makes of solutions/; run `npm run exercises -- generate`');
    return done({ outOfDate: diff });
  }

  // (b) Milestones with stubs have tests.
  const milestones = listMilestones(solutions);
  const stubCount = new Map<string, number>();
  for (const [rel, { regions }] of built) {
    const id = milestoneIdOf(rel);
    if (id !== undefined) stubCount.set(id, (stubCount.get(id) ?? 0) + regions.length);
  }
  const testFiles = new Map(
    milestones.map((m) => [
      m.id,
      listFiles(m.dir)
        .filter(isTestFile)
        .map((f) => `${m.folder}/${f}`),
    ]),
  );
  for (const m of milestones) {
    if ((stubCount.get(m.id) ?? 0) > 0 && (testFiles.get(m.id) ?? []).length === 0) {
      problems.push(`${m.id}: has solution regions but no checkpoint test file (*.test.ts) in solutions/${m.folder}/`);
    }
  }

  // (c) Run each milestone's tests against its own stubs, the rest of its project solved.
  const withTests = milestones.filter((m) => (testFiles.get(m.id) ?? []).length > 0);
  if (withTests.length === 0) return done();
  const workspace = makeWorkspace('check');
  let expected: Array<{ file: string; name: string }>;
  let run: RawRun;
  try {
    const include: string[] = [];
    for (const m of withTests) {
      const slot = path.join(workspace, m.id.replace('/', '-'));
      for (const other of milestones.filter((o) => o.project === m.project)) {
        cpSync(other.dir, path.join(slot, other.folder), { recursive: true });
      }
      rmSync(path.join(slot, m.folder), { recursive: true, force: true });
      cpSync(path.join(exercises, m.folder), path.join(slot, m.folder), { recursive: true });
      for (const f of testFiles.get(m.id) ?? []) include.push(posix(path.relative(projectRoot, path.join(slot, f))));
    }
    [expected, run] = await Promise.all([
      listTests(
        withTests.flatMap((m) => (testFiles.get(m.id) ?? []).map((f) => rootRel(path.join(solutions, f)))),
        solutions,
        path.join(workspace, '.list.json'),
      ),
      runVitest({
        include,
        relativeTo: workspace,
        // Against the stubs most tests fail at once and the rest wait (threads starting, a stub's error on its
        // way back), so three files side by side keep two cores busy; vitest's default would run one at a time.
        maxWorkers: 3,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.runTimeoutMs !== undefined ? { runTimeoutMs: options.runTimeoutMs } : {}),
      }),
    ]);
  } finally {
    removeWorkspace(workspace);
  }
  if (run.runError) problems.push(`running the checkpoint tests against the stubs failed: ${run.runError}`);

  // Reported files look like 'p1-m1/p1-pipeline/m1-mpsc/checkpoint.test.ts': drop the slot folder.
  const unslot = (file: string): string => file.split('/').slice(1).join('/');
  const fileErrors = new Map(run.fileErrors.map((e) => [unslot(e.file), e.message]));
  const results = new Map(run.tests.map((t) => [`${unslot(t.file)}\0${t.name}`, t]));
  const report: MilestoneCheck[] = [];
  for (const m of milestones) {
    const mine = expected.filter((t) => milestoneIdOf(t.file) === m.id);
    const keys = new Set(mine.map((t) => `${t.file}\0${t.name}`));
    const passingOnStubs: string[] = [];
    const missing: string[] = [];
    const skipped: string[] = [];
    const timedOut: string[] = [];
    let failing = 0;
    for (const t of mine) {
      const r = results.get(`${t.file}\0${t.name}`);
      if (r === undefined) missing.push(t.name);
      else if (r.status === 'passed') passingOnStubs.push(t.name);
      else if (r.status === 'skipped') skipped.push(t.name);
      else {
        failing++;
        if (isHangMessage(r.failure)) timedOut.push(t.name); // a test timeout, in the shared words (verdict.ts)
      }
    }
    // `vitest list` leaves out tests marked skip or todo, so a skipped result need not be among the expected.
    const others = run.tests.filter(
      (t) => milestoneIdOf(unslot(t.file)) === m.id && !keys.has(`${unslot(t.file)}\0${t.name}`),
    );
    skipped.push(...others.filter((t) => t.status === 'skipped').map((t) => t.name));
    const extra = others.filter((t) => t.status !== 'skipped').map((t) => t.name);
    const stubs = stubCount.get(m.id) ?? 0;
    if (stubs > 0 && mine.length === 0 && (testFiles.get(m.id) ?? []).length > 0) {
      problems.push(`${m.id}: its test files in solutions/${m.folder}/ declare no tests`);
    }
    for (const name of passingOnStubs)
      problems.push(`${m.id}: "${name}" passes against the stubs: it asserts nothing the stub cannot satisfy`);
    const ownFileErrors = [...fileErrors]
      .filter(([file]) => milestoneIdOf(file) === m.id)
      .map(([file, message]) => ({ file, message }));
    const loadNote = ownFileErrors
      .map((e) => `; ${e.file} failed against the stubs as a whole: ${e.message.split('\n')[0]}`)
      .join('');
    for (const name of missing)
      problems.push(`${m.id}: "${name}" runs against solutions/ but did not run against the stubs${loadNote}`);
    for (const name of skipped) problems.push(`${m.id}: "${name}" was skipped against the stubs`);
    for (const name of extra) problems.push(`${m.id}: "${name}" ran against the stubs but is not a test in solutions/`);
    report.push({
      milestone: m.id,
      stubbedFunctions: stubs,
      tests: mine.length,
      failingOnStubs: failing,
      passingOnStubs,
      missing,
      fileErrors: ownFileErrors,
      skipped,
      timedOut,
      extra,
    });
  }
  return done({ milestones: report });
}
