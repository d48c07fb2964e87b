/**
 * The instructors' grader (grading/README.md explains the choices and the threat model):
 *
 *   npm run grade -- <submission> [--hidden] [--out DIR] [--format md,json,gradescope]
 *                    [--timeout S] [--memory MB] [--jobs N] [--milestone p1/m1,...] [--chained]
 *                    [--points FILE] [--student NAME] [--no-sandbox]
 *   npm run grade -- <folder of submissions> --batch [same options]
 *   npm run grade -- --gradescope-autograder out.zip
 *
 * A submission is a folder laid out like exercises/ (or a repository with exercises/ inside). It is graded
 * with the canonical checkpoint tests, never its own copies. Single submission: reports go to --out (default
 * reports/grades/<student>/). Batch: one folder per student under --out (default reports/grades/) plus
 * roster.csv. Every milestone runs in the bubblewrap sandbox; without bubblewrap the grader refuses in one line
 * unless told --no-sandbox. Exit code 0 when grading completed (whatever the scores), 2 for bad arguments.
 */
import { readdirSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../../lib/cli.ts';
import { defaultCanonicalRoot } from '../checkpoints/checkpoints.ts';
import { gradeSubmission, type GradeResult, type MilestoneGrade } from './grade.ts';
import { writeAutograderZip } from './gradescope.ts';
import { loadPoints } from './points.ts';
import { sandboxProblem } from './sandbox.ts';
import { Slots } from './pool.ts';
import { FORMATS, type Format, rosterCsv, writeReports } from './report.ts';
import { listMilestones, projectRoot, selectMilestones } from '../../course/layout.ts';

const USAGE = `usage: npm run grade -- <submission> [options]
       npm run grade -- <folder of submissions> --batch [options]
  --hidden                 also run the hidden tests (grading/hidden/)
  --out DIR                where reports go (default reports/grades/<student>, or reports/grades for --batch)
  --format LIST            any of md,json,gradescope (default all three)
  --timeout S              wall-clock limit per milestone, seconds (default 120)
  --memory MB              heap limit per milestone process (default 1024)
  --jobs N                 milestone processes at once (default ${os.availableParallelism()})
  --milestone ID[,ID]      grade only these milestones
  --chained                grade on the student's own earlier milestones (default: reference ones)
  --points FILE            points file (default grading/points.json)
  --student NAME           name in the report (default: the folder name)
  --no-sandbox             run without the bubblewrap sandbox (only for code you trust: see grading/README.md)
  --gradescope-autograder ZIP
                           write a Gradescope autograder zip (setup.sh, run_autograder, this grader) and stop`;

function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`${flag} wants a positive number, got '${value}'`);
  return n;
}

function line(student: string, g: MilestoneGrade): string {
  const hidden = g.hidden ? `, hidden ${g.hidden.passed}/${g.hidden.total}` : '';
  return `${student}  ${g.milestone.padEnd(6)} ${`${g.score}/${g.maxScore}`.padStart(11)} pts  ${g.passed}/${g.total} tests${hidden}${g.reason ? `  — ${g.reason}` : ''}  (${(g.durationMs / 1000).toFixed(1)} s)`;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      hidden: { type: 'boolean' },
      out: { type: 'string' },
      format: { type: 'string' },
      batch: { type: 'boolean' },
      jobs: { type: 'string' },
      timeout: { type: 'string' },
      memory: { type: 'string' },
      milestone: { type: 'string', multiple: true },
      chained: { type: 'boolean' },
      points: { type: 'string' },
      student: { type: 'string' },
      'no-sandbox': { type: 'boolean' },
      'gradescope-autograder': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['gradescope-autograder'] !== undefined) {
    if (positionals.length > 0) throw new UsageError('--gradescope-autograder takes no submission folder');
    const zip = path.resolve(values['gradescope-autograder']);
    const { files, bytes } = writeAutograderZip(zip);
    console.log(
      `wrote ${path.relative(process.cwd(), zip) || zip}: ${files} files, ${(bytes / 1024).toFixed(0)} KiB (upload it as the assignment's autograder)`,
    );
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('give exactly one submission folder (usage: npm run grade -- --help)');
  const target = path.resolve(positionals[0]!);
  if (!existsSync(target) || !statSync(target).isDirectory()) throw new UsageError(`no such folder: ${target}`);
  const formats = (values.format ?? FORMATS.join(','))
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const f of formats)
    if (!FORMATS.includes(f as Format)) throw new UsageError(`unknown format '${f}'; formats: ${FORMATS.join(', ')}`);
  const jobs = positiveNumber('--jobs', values.jobs, os.availableParallelism());
  const timeoutS = positiveNumber('--timeout', values.timeout, 120);
  const memoryMb = positiveNumber('--memory', values.memory, 1024);
  const points = values.points !== undefined ? loadPoints(path.resolve(values.points)) : loadPoints();
  const sandbox = !(values['no-sandbox'] ?? false);
  if (sandbox) {
    const problem = sandboxProblem(projectRoot);
    if (problem !== undefined)
      throw new UsageError(
        `${problem}: refusing to run untrusted code unsandboxed (install bubblewrap, or pass --no-sandbox for code you trust)`,
      );
  }
  const canonicalRoot = defaultCanonicalRoot();
  if (path.basename(canonicalRoot) !== 'solutions')
    throw new UsageError("grading needs the instructors' repository (solutions/ is missing here)");
  const milestoneIds = (values.milestone ?? []).flatMap((m) => m.split(',')).filter((m) => m !== '');
  const chosen = selectMilestones(listMilestones(canonicalRoot), milestoneIds).map((m) => m.id);
  const slots = new Slots(jobs);
  const common = {
    hidden: values.hidden ?? false,
    independent: !(values.chained ?? false),
    timeoutS,
    memoryMb,
    sandbox,
    milestones: chosen,
    points,
    slots,
    onMilestone: (student: string, g: MilestoneGrade) => console.error(line(student, g)),
  };
  const summary = (r: GradeResult): string =>
    `${r.student}: ${r.score} / ${r.maxScore} points (${r.percent}%)${r.status === 'ok' ? '' : ` — ${r.status}`} in ${(r.durationMs / 1000).toFixed(1)} s`;

  if (!values.batch) {
    if (values.student !== undefined && values.student.trim() === '') throw new UsageError('--student needs a name');
    const result = await gradeSubmission({
      submission: target,
      ...(values.student !== undefined ? { student: values.student } : {}),
      ...common,
    });
    const out = path.resolve(values.out ?? path.join(projectRoot, 'reports', 'grades', result.student));
    const written = writeReports(out, result, formats as Format[], points.hiddenVisibility);
    console.log(summary(result));
    for (const f of written) console.log(`  wrote ${path.relative(process.cwd(), f) || f}`);
    return 0;
  }

  const students = readdirSync(target)
    .filter((name) => !name.startsWith('.') && statSync(path.join(target, name)).isDirectory())
    .sort();
  if (students.length === 0) throw new UsageError(`no submission folders in ${target}`);
  const outRoot = path.resolve(values.out ?? path.join(projectRoot, 'reports', 'grades'));
  console.error(`grading ${students.length} submissions, ${chosen.length} milestones each, ${jobs} at a time`);
  const results = await Promise.all(
    students.map(async (student): Promise<GradeResult> => {
      let result: GradeResult;
      try {
        result = await gradeSubmission({ submission: path.join(target, student), student, ...common });
      } catch (error) {
        // One unreadable submission must not cost the others their grades.
        const message = (error as Error).message.split('\n')[0] ?? 'unknown error';
        result = {
          student,
          submission: path.join(target, student),
          gradedAt: new Date().toISOString(),
          score: 0,
          maxScore: 0,
          percent: 0,
          status: `grader error: ${message}`,
          options: { hidden: common.hidden, independent: common.independent, timeoutS, memoryMb, sandbox },
          notes: [],
          milestones: [],
          durationMs: 0,
        };
      }
      writeReports(path.join(outRoot, student), result, formats as Format[], points.hiddenVisibility);
      console.log(summary(result));
      return result;
    }),
  );
  mkdirSync(outRoot, { recursive: true });
  const roster = path.join(outRoot, 'roster.csv');
  writeFileSync(roster, rosterCsv(results, chosen));
  console.log(`roster: ${path.relative(process.cwd(), roster) || roster}`);
  return 0;
}
