/**
 * Exercises from solutions: generate them, check them, and run the checkpoint tests against any copy.
 *
 *   npx tsx scripts/exercises.ts generate
 *       Rewrite exercises/ from solutions/ (solution regions become `todo(...)` stubs; stale files are deleted).
 *   npx tsx scripts/exercises.ts check [--timeout <ms>]
 *       What `npm test` runs after vitest: exercises/ is up to date, every milestone with stubs has checkpoint
 *       tests, every checkpoint test fails against the stubs, and every wrong solution of the catalogues
 *       (`mutants.md` beside each solution, see mutants.ts) fails at least one checkpoint test.
 *   npx tsx scripts/exercises.ts mutants [--milestone p3/m1 ...] [--timeout <ms>]
 *       Only the wrong-solutions part of check, for some milestones (for writing tests and mutants).
 *   npx tsx scripts/exercises.ts run --target <dir> [--milestone p1/m1 ...] [--json <file>] [--timeout <ms>]
 *       Run the canonical checkpoint tests (from solutions/) against a folder laid out like exercises/; exit 0
 *       when every test passed.
 *
 * The work is done by generate.ts and check.ts beside this file and tools/checkpoints/, which the grader and the learner CLI
 * use as well; this file only parses arguments and prints.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkExercises } from './check.ts';
import { checkMutants } from './mutants.ts';
import { runCheckpoints } from '../checkpoints/checkpoints.ts';
import { GenerateError, generateExercises } from './generate.ts';
import { projectRoot } from '../../course/layout.ts';

const USAGE = `usage: npx tsx scripts/exercises.ts <command>
  generate                                  regenerate exercises/ from solutions/
  check [--timeout <ms>]                    verify exercises/ and the checkpoint tests (run by npm test)
  mutants [--milestone <id>]... [--timeout <ms>]
                                            only check that the tests catch the wrong solutions in mutants.md
  run --target <dir> [--milestone <id>]... [--json <file>] [--timeout <ms>]
                                            run the canonical checkpoint tests against <dir>`;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function generate(): number {
  const solutions = path.join(projectRoot, 'solutions');
  const exercises = path.join(projectRoot, 'exercises');
  try {
    const result = generateExercises(solutions, exercises);
    const stubs = result.files.reduce((n, f) => n + f.regions.length, 0);
    console.log(
      `exercises/: ${plural(result.files.length, 'file')} from solutions/, ${plural(stubs, 'stub')}; ` +
        `${result.written.length} written, ${result.deleted.length} deleted`,
    );
    for (const f of result.written) console.log(`  wrote   exercises/${f}`);
    for (const f of result.deleted) console.log(`  deleted exercises/${f}`);
    return 0;
  } catch (error) {
    if (error instanceof GenerateError) {
      console.error(error.problems.map((p) => `solutions/${p.message}`).join('\n'));
      console.error('exercises/ was left unchanged.');
      return 1;
    }
    throw error;
  }
}

async function check(timeoutMs: number | undefined): Promise<number> {
  const report = await checkExercises(timeoutMs !== undefined ? { timeoutMs } : {});
  if (report.outOfDate) {
    const { missing, extra, different } = report.outOfDate;
    for (const f of missing) console.error(`  missing   exercises/${f}`);
    for (const f of extra) console.error(`  no source exercises/${f}`);
    for (const f of different) console.error(`  differs   exercises/${f}`);
  } else if (report.problems.length === 0 || report.milestones.length > 0) {
    console.log('exercises/ is up to date with solutions/');
  }
  for (const m of report.milestones) {
    const against =
      m.tests === 0
        ? 'no checkpoint tests'
        : `${plural(m.tests, 'checkpoint test')}, ${m.failingOnStubs} of them fail against the stubs` +
          (m.failingOnStubs === m.tests ? ' (all, as they should)' : '');
    console.log(`${m.milestone.padEnd(6)} ${plural(m.stubbedFunctions, 'stub')}; ${against}`);
    for (const name of m.passingOnStubs)
      console.log(`         ✗ passes on the stubs: "${name}" asserts nothing the stub cannot satisfy`);
    for (const name of m.missing) console.log(`         ✗ did not run on the stubs: "${name}"`);
    for (const e of m.fileErrors)
      console.log(`         ✗ ${e.file} failed as a whole on the stubs: ${e.message.split('\n')[0]}`);
    for (const name of m.skipped) console.log(`         ✗ skipped on the stubs: "${name}"`);
    for (const name of m.timedOut)
      console.log(`         note: fails on the stubs only by timing out (slow for students): "${name}"`);
    for (const name of m.extra) console.log(`         ✗ not in solutions/: "${name}"`);
  }
  if (report.problems.length > 0) {
    console.error(
      `\nexercise check failed (${plural(report.problems.length, 'problem')}, ${seconds(report.durationMs)}):`,
    );
    for (const p of report.problems) console.error(`  ${p}`);
    return 1;
  }
  console.log(`exercise check passed in ${seconds(report.durationMs)}`);
  return mutants(undefined, timeoutMs);
}

/** The wrong-solutions check: each mutant, and the test that caught it. */
async function mutants(milestones: string[] | undefined, timeoutMs: number | undefined): Promise<number> {
  const report = await checkMutants({
    ...(milestones !== undefined && milestones.length > 0 ? { milestones } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    progress: (line) => console.log(line),
  });
  let milestone = '';
  for (const r of report.results) {
    if (r.mutant.milestone !== milestone) {
      milestone = r.mutant.milestone;
      const n = report.results.filter((x) => x.mutant.milestone === milestone).length;
      console.log(`${milestone.padEnd(6)} ${plural(n, 'wrong solution')}`);
    }
    const name = r.mutant.name.padEnd(30);
    if (r.caughtBy.length === 0) console.log(`         ✗ ${name} passes every test: ${r.mutant.mistake}`);
    else {
      const catcher = r.caughtBy.find((t) => t.includes(r.mutant.caughtBy)) ?? r.caughtBy[0]!;
      const more = r.caughtBy.length > 1 ? ` (+${r.caughtBy.length - 1})` : '';
      console.log(`         ✓ ${name} caught by "${catcher.split(' > ').slice(-1)[0]}"${more}`);
      if (r.how !== undefined) console.log(`             ${r.how.length > 110 ? `${r.how.slice(0, 109)}…` : r.how}`);
    }
  }
  for (const n of report.notes) console.log(`note: ${n}`);
  const caught = report.results.filter((r) => r.caughtBy.length > 0).length;
  if (report.problems.length > 0) {
    console.error(
      `\nwrong-solutions check failed (${plural(report.problems.length, 'problem')}, ${seconds(report.durationMs)}):`,
    );
    for (const p of report.problems) console.error(`  ${p}`);
    return 1;
  }
  console.log(
    `wrong-solutions check passed: ${caught}/${report.results.length} caught in ${seconds(report.durationMs)}`,
  );
  return 0;
}

async function run(
  target: string,
  milestones: string[],
  json: string | undefined,
  timeoutMs: number | undefined,
): Promise<number> {
  const report = await runCheckpoints({ target, milestones, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  if (report.missingFolders.length > 0) {
    console.log(
      `note: ${report.target} has no folder for ${report.missingFolders.join(', ')} (expected <pN-name>/<mN-name>/, like exercises/)`,
    );
  }
  for (const m of report.milestones) {
    const total = m.passed + m.failed + m.skipped;
    console.log(`${m.milestone.padEnd(6)} ${m.passed}/${total} passed${m.skipped > 0 ? `, ${m.skipped} skipped` : ''}`);
    for (const t of report.tests) {
      if (t.milestone !== m.milestone || t.status === 'passed') continue;
      const why = (t.failure ?? t.status).split('\n')[0];
      console.log(`         ✗ ${t.name}\n             ${why}`);
    }
  }
  for (const e of report.runErrors) console.log(`note: ${e}`);
  const passed = report.tests.filter((t) => t.status === 'passed').length;
  console.log(
    `${passed}/${report.tests.length} checkpoint tests passed against ${report.target} (${seconds(report.durationMs)})`,
  );
  if (json !== undefined) {
    writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`results written to ${json}`);
  }
  return report.ok ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      milestone: { type: 'string', multiple: true },
      json: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || rest.length > 0) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw new Error(`--timeout wants milliseconds, got ${values.timeout}`);
  switch (command) {
    case 'generate':
      return generate();
    case 'check':
      return check(timeoutMs);
    case 'mutants':
      return mutants(
        (values.milestone ?? []).flatMap((m) => m.split(',')),
        timeoutMs,
      );
    case 'run':
      if (values.target === undefined) {
        console.error(`run needs --target <dir>\n${USAGE}`);
        return 2;
      }
      return run(
        values.target,
        (values.milestone ?? []).flatMap((m) => m.split(',')),
        values.json,
        timeoutMs,
      );
    default:
      console.error(`unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}
