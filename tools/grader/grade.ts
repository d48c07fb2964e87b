/**
 * Grading a submission: every chosen milestone through runMilestone (one process each, bounded by a shared
 * pool of slots), points from grading/points.json, and a result that is complete even when a milestone hung or
 * crashed. Hidden tests keep their names and messages to themselves: a result names them "hidden test N".
 */
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capText, defaultCanonicalRoot } from '../checkpoints/checkpoints.ts';
import { listMilestones, type Milestone, projectRoot, selectMilestones } from '../../course/layout.ts';
import { hiddenFiles, resolveSubmissionTree, runMilestone } from './isolate.ts';
import { allocate, milestonePoints, loadPoints, type PointsConfig, round2 } from './points.ts';
import { Slots } from './pool.ts';
import { isTestFile } from '../../course/layout.ts';
import { titleOf } from '../../course/milestones.ts';

export interface GradeOptions {
  readonly submission: string;
  /** Name in reports and the roster; the submission folder's name by default. */
  readonly student?: string;
  readonly hidden?: boolean;
  /** Grade each milestone with the other milestones of its project from the reference solution (default true). */
  readonly independent?: boolean;
  /** Wall-clock limit per milestone, seconds (default 120). */
  readonly timeoutS?: number;
  /** V8 heap cap per milestone process, MB (default 1024). */
  readonly memoryMb?: number;
  /** Run every milestone in the bubblewrap sandbox (default true); false only for trusted code. */
  readonly sandbox?: boolean;
  readonly milestones?: readonly string[];
  readonly canonicalRoot?: string;
  readonly hiddenRoot?: string;
  readonly points?: PointsConfig;
  /** Shared by the submissions of a batch; a pool of `jobs` slots otherwise. */
  readonly slots?: Slots;
  readonly jobs?: number;
  /** Called as each milestone finishes. */
  readonly onMilestone?: (student: string, grade: MilestoneGrade) => void;
}

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestGrade {
  /** The canonical test name, or "hidden test N" for a hidden one. */
  readonly name: string;
  readonly hidden: boolean;
  readonly status: TestStatus;
  readonly score: number;
  readonly maxScore: number;
  /** Why it failed (first lines); empty for hidden tests, whose messages could give them away. */
  readonly output: string;
}

export type MilestoneStatus = 'graded' | 'timed out' | 'crashed' | 'tampered';

export interface MilestoneGrade {
  readonly milestone: string;
  readonly title: string;
  readonly status: MilestoneStatus;
  readonly reason?: string;
  readonly score: number;
  readonly maxScore: number;
  readonly passed: number;
  readonly total: number;
  readonly hidden?: { readonly total: number; readonly passed: number };
  readonly tests: readonly TestGrade[];
  readonly durationMs: number;
  /** The submission has no folder for this milestone. */
  readonly missingFolder: boolean;
}

export interface GradeResult {
  readonly student: string;
  readonly submission: string;
  readonly gradedAt: string;
  readonly score: number;
  readonly maxScore: number;
  readonly percent: number;
  /** 'ok', or which milestones timed out or crashed. */
  readonly status: string;
  readonly options: {
    readonly hidden: boolean;
    readonly independent: boolean;
    readonly timeoutS: number;
    readonly memoryMb: number;
    readonly sandbox: boolean;
  };
  readonly notes: readonly string[];
  readonly milestones: readonly MilestoneGrade[];
  readonly durationMs: number;
}

export const INDEPENDENCE_NOTE =
  'Each milestone was graded on its own: the other milestones of its project came from the reference solution, ' +
  'so an unfinished earlier milestone costs only its own points.';
export const CHAINED_NOTE =
  "Milestones were graded chained: each ran on the student's own earlier milestones, so a broken earlier " +
  'milestone can fail later ones too.';

/** A failure as reports show it: its first lines, and never more than 2000 characters. */
const firstLines = (text: string, n = 6): string => capText(text, n, 2000);

export async function gradeSubmission(options: GradeOptions): Promise<GradeResult> {
  const started = Date.now();
  const given = path.resolve(options.submission);
  if (!existsSync(given) || !statSync(given).isDirectory()) throw new Error(`no such submission folder: ${given}`);
  const submission = resolveSubmissionTree(given, (d) => listMilestones(d).length > 0);
  const student = options.student ?? path.basename(given);
  const canonicalRoot = options.canonicalRoot ?? defaultCanonicalRoot();
  const all = listMilestones(canonicalRoot);
  const chosen = selectMilestones(all, options.milestones);
  const hidden = options.hidden ?? false;
  const hiddenRoot = hidden ? (options.hiddenRoot ?? path.join(projectRoot, 'grading', 'hidden')) : undefined;
  const independent = options.independent ?? true;
  const timeoutS = options.timeoutS ?? 120;
  const memoryMb = options.memoryMb ?? 1024;
  const sandbox = options.sandbox ?? true;
  const points = options.points ?? loadPoints();
  const slots = options.slots ?? new Slots(options.jobs ?? os.availableParallelism());
  const present = new Set(listMilestones(submission).map((m) => m.id));
  const notes: string[] = [independent ? INDEPENDENCE_NOTE : CHAINED_NOTE];
  if (present.size === 0)
    notes.push(`the submission has no milestone folders (expected <pN-name>/<mN-name>/, like exercises/)`);

  const grades = await Promise.all(
    chosen.map((m) =>
      slots.run(async (): Promise<MilestoneGrade> => {
        const grade = await gradeMilestone(m);
        options.onMilestone?.(student, grade);
        return grade;
      }),
    ),
  );

  async function gradeMilestone(m: Milestone): Promise<MilestoneGrade> {
    const t0 = Date.now();
    let run: Awaited<ReturnType<typeof runMilestone>> | undefined;
    let crash: string | undefined;
    try {
      run = await runMilestone({
        submission,
        milestone: m,
        all,
        listed: chosen,
        canonicalRoot,
        ...(hiddenRoot !== undefined ? { hiddenRoot } : {}),
        independent,
        wallMs: timeoutS * 1000,
        // A test timeout under the wall clock, so an ordinary slow test fails on its own and the rest still run.
        testTimeoutMs: Math.min(15_000, Math.max(1000, Math.floor(timeoutS * 1000 * 0.6))),
        memoryMb,
        sandbox,
      });
    } catch (error) {
      crash = `the grader could not run this milestone: ${(error as Error).message.split('\n')[0]}`;
    }
    const tests = run?.tests ?? [];
    const countable = tests.filter((t) => t.status !== 'skipped');
    const allocation = allocate(
      points,
      m.id,
      countable.map((t) => t.name),
    );
    notes.push(...allocation.warnings.filter((w) => !notes.includes(w)));
    const timedOut = run?.timedOut ?? false;
    const tampering = run?.tampering ?? [];
    const tampered = tampering.length > 0;
    const crashed = crash !== undefined || (run?.runError !== undefined && !timedOut);
    // Tests that finished before a hang or a crash keep their results; the others failed with the reason (they
    // carry it from mergeResults). A tampered milestone scores nothing: its results cannot be trusted.
    const reason = tampered
      ? `not scored: the results were tampered with (${tampering.join('; ')})`
      : timedOut
        ? `timed out after ${timeoutS} s; the tests that finished before keep their results`
        : (crash ??
          (run?.runError !== undefined ? `the test run stopped early: ${run.runError.split('\n')[0]}` : undefined));
    let hiddenIndex = 0;
    const graded: TestGrade[] = tests.map((t) => {
      const max = allocation.perTest.get(t.name) ?? 0;
      const status: TestStatus = tampered && t.status === 'passed' ? 'failed' : t.status;
      const output = t.hidden
        ? ''
        : tampered
          ? 'not scored: the results of this milestone were tampered with'
          : status === 'failed'
            ? firstLines(t.failure ?? 'failed')
            : '';
      return {
        name: t.hidden ? `hidden test ${++hiddenIndex}` : t.name,
        hidden: t.hidden,
        status,
        score: status === 'passed' ? max : 0,
        maxScore: t.status === 'skipped' ? 0 : max,
        output,
      };
    });
    const hiddenTotal = graded.filter((t) => t.hidden).length;
    const expectedHidden = hiddenRoot !== undefined ? hiddenFiles(hiddenRoot, m).filter(isTestFile).length : 0;
    const maxScore = crash !== undefined && tests.length === 0 ? milestonePoints(points, m.id) : allocation.maxScore;
    return {
      milestone: m.id,
      title: titleOf(m.id),
      status: tampered ? 'tampered' : timedOut ? 'timed out' : crashed ? 'crashed' : 'graded',
      ...(reason !== undefined ? { reason } : {}),
      score: round2(graded.reduce((s, t) => s + t.score, 0)),
      maxScore: round2(maxScore),
      passed: graded.filter((t) => t.status === 'passed').length,
      total: graded.filter((t) => t.status !== 'skipped').length,
      ...(hidden && (hiddenTotal > 0 || expectedHidden > 0)
        ? { hidden: { total: hiddenTotal, passed: graded.filter((t) => t.hidden && t.status === 'passed').length } }
        : {}),
      tests: graded,
      durationMs: Date.now() - t0,
      missingFolder: !present.has(m.id),
    };
  }

  const score = round2(grades.reduce((s, g) => s + g.score, 0));
  const maxScore = round2(grades.reduce((s, g) => s + g.maxScore, 0));
  const problems = grades.filter((g) => g.status !== 'graded').map((g) => `${g.status}: ${g.milestone}`);
  return {
    student,
    submission,
    gradedAt: new Date().toISOString(),
    score,
    maxScore,
    percent: maxScore > 0 ? round2((100 * score) / maxScore) : 0,
    status: problems.length === 0 ? 'ok' : problems.join('; '),
    options: { hidden, independent, timeoutS, memoryMb, sandbox },
    notes,
    milestones: grades,
    durationMs: Date.now() - started,
  };
}
