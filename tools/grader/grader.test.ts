/**
 * The grader end to end on small temporary submissions (a few milestones each, to keep the suite fast): the
 * reference solutions score full marks, the stubs score nothing with every test reported, one solved milestone
 * scores exactly that, a rewritten test still fails, a hung milestone times out without costing the rest of the
 * report, hidden tests run only when asked and never show their names. Plus the pure parts (points, formats).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { describeExit } from '../checkpoints/checkpoints.ts';
import { buildExercises } from '../exercises/generate.ts';
import { listFiles, listMilestones, projectRoot } from '../../course/layout.ts';
import { gradeSubmission, type GradeResult } from './grade.ts';
import { canonicalListing, isolatedEnv } from './isolate.ts';
import { dataLimitMb, nodeReservationMb, THREAD_BUDGET } from './sandbox.ts';
import { allocate, loadPoints, type PointsConfig } from './points.ts';
import { Slots } from './pool.ts';
import { gradescopeResults, markdownReport, rosterCsv } from './report.ts';

const execFileAsync = promisify(execFile);
const solutions = path.join(projectRoot, 'solutions');
const exercises = path.join(projectRoot, 'exercises');
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'grader-test-'));
  temps.push(d);
  return d;
}
const copy = (from: string, to: string): void => cpSync(from, to, { recursive: true });
const points: PointsConfig = { defaultMilestonePoints: 10, hiddenVisibility: 'after_published', milestones: {} };
const byId = (r: GradeResult, id: string) => r.milestones.find((m) => m.milestone === id)!;
// The hidden tests' own titles (grading/hidden/); none may appear in any report.
const hiddenTitles = listFiles(path.join(projectRoot, 'grading', 'hidden')).flatMap((f) =>
  [...readFileSync(path.join(projectRoot, 'grading', 'hidden', f), 'utf8').matchAll(/test\('([^']+)'/g)].map(
    (m) => m[1]!,
  ),
);

describe('points', () => {
  test('a milestone is split evenly; an override keeps its points and the rest share the remainder', () => {
    const config: PointsConfig = {
      defaultMilestonePoints: 10,
      hiddenVisibility: 'hidden',
      milestones: { 'p1/m1': { tests: { b: 4 } }, 'p1/m2': { points: 3 } },
    };
    const a = allocate(config, 'p1/m1', ['a', 'b', 'c']);
    expect([...a.perTest]).toEqual([
      ['a', 3],
      ['b', 4],
      ['c', 3],
    ]);
    expect(a.maxScore).toBe(10);
    expect(allocate(config, 'p1/m2', ['x', 'y', 'z']).perTest.get('x')).toBe(1);
    expect(allocate(config, 'p1/m1', ['a']).warnings).toEqual([
      "points: p1/m1 has points for 'b', which is not one of its tests",
    ]);
  });
  test('grading/points.json is valid and names only real tests', async () => {
    const config = loadPoints();
    const listing = await canonicalListing(solutions, listMilestones(solutions));
    for (const [id, entry] of Object.entries(config.milestones)) {
      expect(listMilestones(solutions).some((m) => m.id === id)).toBe(true);
      for (const name of Object.keys(entry.tests ?? {})) expect(listing.map((t) => t.name)).toContain(name);
    }
  }, 30_000);
});

describe('hidden tests never reach students', () => {
  test('the generator skips *.hidden.test.ts files and hidden/ folders', () => {
    const root = tempDir();
    const files = {
      'p1-demo/m1-a/a.ts': 'export const a = 1;\n',
      'p1-demo/m1-a/a.test.ts': "import { test } from 'vitest';\ntest('a', () => {});\n",
      'p1-demo/m1-a/extra.hidden.test.ts': 'secret\n',
      'p1-demo/m1-a/hidden/more.test.ts': 'secret\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    expect([...buildExercises(root).keys()]).toEqual(['p1-demo/m1-a/a.test.ts', 'p1-demo/m1-a/a.ts']);
  });
  test('exercises/ holds none of grading/hidden', () => {
    const hidden = listFiles(path.join(projectRoot, 'grading', 'hidden'));
    expect(hidden.length).toBeGreaterThan(0);
    const names = new Set(hidden.map((f) => path.basename(f)));
    for (const f of listFiles(exercises)) {
      expect(names.has(path.basename(f))).toBe(false);
      expect(f).not.toMatch(/hidden/);
    }
  });
});

describe('isolation', () => {
  test('the environment of code under test carries no secrets and caps the heap', () => {
    process.env['GRADER_TEST_SECRET'] = 'hunter2';
    try {
      const env = isolatedEnv('/tmp/home', 256);
      expect(Object.values(env)).not.toContain('hunter2');
      expect(env['NODE_OPTIONS']).toBe('--max-old-space-size=256');
      expect(env['HOME']).toBe('/tmp/home');
    } finally {
      delete process.env['GRADER_TEST_SECRET'];
    }
  });
  test('the data limit leaves room for Node itself: THREAD_BUDGET kit threads start and finish under it', async () => {
    // Node 24 counts ~78 MB of reserved code space per thread against the limit (sandbox.ts): under the old fixed
    // `memory + 1024 MB` the fourth thread killed the process, and a correct solution lost every threaded test.
    const dir = tempDir();
    const script = path.join(dir, 'threads.mts');
    writeFileSync(
      script,
      `import { spawn } from ${JSON.stringify(path.join(projectRoot, 'kit/thread.ts'))};
import { nap } from ${JSON.stringify(path.join(projectRoot, 'kit/test/bodies.ts'))};
const handles = Array.from({ length: ${THREAD_BUDGET} }, () => spawn(nap, 300));
for (const handle of handles) handle.join();
console.log('joined', handles.length);`,
    );
    const limit = dataLimitMb(1024);
    const node = nodeReservationMb();
    expect(limit).toBeGreaterThanOrEqual(1024 + 1024 + node.process + THREAD_BUDGET * node.perThread);
    const { stdout } = await execFileAsync(
      'prlimit',
      [`--data=${limit * 1024 * 1024}`, '--', process.execPath, '--import', 'tsx', script],
      { cwd: projectRoot, timeout: 60_000 },
    );
    expect(stdout.trim()).toBe(`joined ${THREAD_BUDGET}`);
  });

  test('slots bound concurrency', async () => {
    const slots = new Slots(2);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        slots.run(async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 10));
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});

describe('grading (end to end)', () => {
  const sample = ['p1/m1', 'p3/m4'];

  test('the solutions score 100%, the stubs 0 with every canonical test reported', async () => {
    const slots = new Slots(2);
    const [solved, stubs, listing] = await Promise.all([
      gradeSubmission({ submission: solutions, milestones: sample, points, slots, timeoutS: 60 }),
      gradeSubmission({ submission: exercises, milestones: sample, points, slots, timeoutS: 60 }),
      canonicalListing(solutions, listMilestones(solutions)),
    ]);
    expect(solved.milestones.map((m) => [m.milestone, m.score, m.reason])).toEqual(
      sample.map((id) => [id, 10, undefined]),
    );
    expect(solved.score).toBe(20);
    expect(solved.percent).toBe(100);
    expect(solved.status).toBe('ok');
    expect(stubs.score).toBe(0);
    expect(stubs.maxScore).toBe(20);
    for (const id of sample) {
      const names = listing
        .filter((t) => t.file.startsWith(listMilestones(solutions).find((m) => m.id === id)!.folder))
        .map((t) => t.name);
      expect(byId(stubs, id).tests.map((t) => t.name)).toEqual(names);
      expect(byId(stubs, id).tests.every((t) => t.status === 'failed' && t.output !== '')).toBe(true);
    }
    expect(markdownReport(stubs)).toContain('| p1/m1 ');
  }, 60_000);

  test('one solved milestone scores exactly it; an edited test still fails; a hang times out; hidden tests stay anonymous', async () => {
    const sub = tempDir();
    const p1 = path.join(sub, 'p1-pipeline');
    copy(path.join(exercises, 'p1-pipeline'), p1);
    // p1/m1 solved (folder renamed: matched by id).
    rmSync(path.join(p1, 'm1-mpsc'), { recursive: true });
    copy(path.join(solutions, 'p1-pipeline/m1-mpsc'), path.join(p1, 'm1-channels'));
    // p1/m2 still stubs, its test rewritten to pass, plus an own test.
    writeFileSync(
      path.join(p1, 'm2-stages/checkpoint.test.ts'),
      "import { test } from 'vitest';\ntest('everything works', () => {});\n",
    );
    writeFileSync(path.join(p1, 'm2-stages/mine.test.ts'), "import { test } from 'vitest';\ntest('mine', () => {});\n");
    // p1/m3 spins forever; p1/m4 deadlocks in a synchronous wait nobody will wake.
    const replaceStubs = (file: string, body: string): void => {
      const f = path.join(p1, file);
      writeFileSync(f, readFileSync(f, 'utf8').replace(/todo\('p1\/m\d', '[^']+'\);/g, body));
    };
    replaceStubs('m3-backpressure/backpressure.ts', 'for (;;) {}');
    replaceStubs('m4-shutdown/shutdown.ts', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);');

    const canonicalCount = async (folder: string): Promise<number> =>
      (await canonicalListing(solutions, listMilestones(solutions))).filter((t) => t.file.startsWith(`${folder}/`))
        .length;
    const timeoutS = 15;
    const started = Date.now();
    const r = await gradeSubmission({
      submission: sub,
      student: 'sam',
      milestones: ['p1/m1', 'p1/m2', 'p1/m3', 'p1/m4'],
      hidden: true,
      points,
      jobs: 4,
      timeoutS,
    });
    const elapsed = (Date.now() - started) / 1000;

    const m1 = byId(r, 'p1/m1');
    expect([m1.score, m1.reason]).toEqual([10, undefined]);
    expect(m1.hidden).toEqual({ total: 3, passed: 3 });
    expect(m1.tests.length).toBe((await canonicalCount('p1-pipeline/m1-mpsc')) + 3);
    expect(m1.tests.filter((t) => t.hidden).map((t) => t.name)).toEqual([
      'hidden test 1',
      'hidden test 2',
      'hidden test 3',
    ]);
    const m2 = byId(r, 'p1/m2');
    expect(m2.score).toBe(0);
    expect(m2.tests.length).toBe(await canonicalCount('p1-pipeline/m2-stages'));
    expect(m2.tests.map((t) => t.name)).not.toContain('everything works');
    expect(m2.tests.map((t) => t.name)).not.toContain('mine');
    for (const id of ['p1/m3', 'p1/m4']) {
      const m = byId(r, id);
      expect([m.status, m.reason]).toEqual([
        'timed out',
        `timed out after ${timeoutS} s; the tests that finished before keep their results`,
      ]);
      expect(m.score).toBe(0);
      expect(m.maxScore).toBe(10);
      expect(m.tests.length).toBeGreaterThan(0);
      expect(m.durationMs / 1000).toBeLessThan(timeoutS + 12);
    }
    expect(elapsed).toBeLessThan(timeoutS + 20);
    expect(r.score).toBe(10);
    expect(r.maxScore).toBe(40);
    expect(r.status).toBe('timed out: p1/m3; timed out: p1/m4');

    const everything = [
      JSON.stringify(r),
      markdownReport(r),
      JSON.stringify(gradescopeResults(r, 'after_published')),
    ].join('\n');
    for (const title of hiddenTitles) expect(everything).not.toContain(title);
    expect(everything).not.toContain('__hidden__');
    const gs = gradescopeResults(r, 'after_published') as {
      score: number;
      max_score: number;
      tests: Array<{ name: string; visibility: string; status: string }>;
    };
    expect(gs.score).toBe(10);
    expect(gs.max_score).toBe(40);
    expect(gs.tests.filter((t) => t.visibility === 'after_published')).toHaveLength(3);
    expect(gs.tests.every((t) => t.status === 'passed' || t.status === 'failed')).toBe(true);

    // Without --hidden the hidden tests do not run at all.
    const plain = await gradeSubmission({ submission: sub, milestones: ['p1/m1'], points, timeoutS: 60 });
    expect(byId(plain, 'p1/m1').tests.some((t) => t.hidden)).toBe(false);
    expect(byId(plain, 'p1/m1').tests).toHaveLength(await canonicalCount('p1-pipeline/m1-mpsc'));
    expect(byId(plain, 'p1/m1').hidden).toBeUndefined();
  }, 120_000);

  test('out of the sandbox too, the solutions score 100% and the stubs 0', async () => {
    const slots = new Slots(2);
    const [solved, stubs] = await Promise.all([
      gradeSubmission({ submission: solutions, milestones: ['p1/m1'], points, slots, timeoutS: 60, sandbox: false }),
      gradeSubmission({ submission: exercises, milestones: ['p1/m1'], points, slots, timeoutS: 60, sandbox: false }),
    ]);
    expect([solved.score, solved.status, solved.options.sandbox]).toEqual([10, 'ok', false]);
    expect([stubs.score, stubs.maxScore]).toEqual([0, 10]);
  }, 60_000);

  test('tests that finished before a hang or a crash keep their results, in both cases; the rest fail with the reason', async () => {
    // A solved p1/m1 whose code misbehaves only in the run of the hidden tests: it hangs there, or kills that run.
    const plant = (name: string, misbehave: string): string => {
      const dir = path.join(tempDir(), name);
      copy(path.join(solutions, 'p1-pipeline'), path.join(dir, 'p1-pipeline'));
      const file = path.join(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
      writeFileSync(
        file,
        `${readFileSync(file, 'utf8')}
if ((process.env['CHECKPOINTS_INCLUDE'] ?? '').includes('__hidden__')) { ${misbehave} }
`,
      );
      return dir;
    };
    const timeoutS = 10;
    const [hang, crash] = await Promise.all([
      gradeSubmission({
        submission: plant('hang', 'for (;;) {}'),
        milestones: ['p1/m1'],
        hidden: true,
        points,
        jobs: 2,
        timeoutS,
      }),
      gradeSubmission({
        submission: plant('crash', "process.kill(process.ppid, 'SIGKILL');"),
        milestones: ['p1/m1'],
        hidden: true,
        points,
        jobs: 2,
        timeoutS,
      }),
    ]);
    for (const [r, status] of [
      [hang, 'timed out'],
      [crash, 'crashed'],
    ] as const) {
      const m = byId(r, 'p1/m1');
      expect(m.status).toBe(status);
      const visible = m.tests.filter((t) => !t.hidden);
      expect(visible.every((t) => t.status === 'passed')).toBe(true);
      expect(m.tests.filter((t) => t.hidden).map((t) => t.status)).toEqual(['failed', 'failed', 'failed']);
      expect(m.score).toBe(Math.round(visible.reduce((s, t) => s + t.maxScore, 0) * 100) / 100);
      expect(m.score).toBeGreaterThan(0);
      expect(m.score).toBeLessThan(10);
    }
    expect(byId(hang, 'p1/m1').reason).toBe(
      `timed out after ${timeoutS} s; the tests that finished before keep their results`,
    );
    expect(byId(crash, 'p1/m1').reason).toBe("the test run stopped early: the hidden tests' run stopped early");
  }, 90_000);

  test('a run that ends by a signal says which', () => {
    expect(describeExit(null, 'SIGKILL')).toBe('was killed by SIGKILL');
    expect(describeExit(137, null)).toBe('was killed by SIGKILL (exit code 137)');
    expect(describeExit(1, null)).toBe('exited with code 1');
  });

  test('the CLI grades a batch into per-student reports and a roster; bad arguments exit 2', async () => {
    const batch = tempDir();
    copy(path.join(solutions, 'p1-pipeline'), path.join(batch, 'alice', 'p1-pipeline'));
    // Bob hands in a whole repository: the milestones are found under exercises/.
    copy(path.join(exercises, 'p1-pipeline'), path.join(batch, 'bob', 'exercises', 'p1-pipeline'));
    const out = tempDir();
    const run = (
      args: string[],
      env: NodeJS.ProcessEnv = process.env,
    ): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', path.join(projectRoot, 'scripts', 'grade.ts'), ...args],
          { cwd: projectRoot, env },
          (error, stdout, stderr) => {
            resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
          },
        );
      });
    const r = await run([batch, '--batch', '--milestone', 'p1/m1', '--out', out, '--jobs', '2', '--timeout', '60']);
    expect(r.code).toBe(0);
    const roster = readFileSync(path.join(out, 'roster.csv'), 'utf8').trim().split('\n');
    expect(roster).toEqual(['student,total,max,percent,p1/m1,status', 'alice,10,10,100,10,ok', 'bob,0,10,0,0,ok']);
    const gs = JSON.parse(readFileSync(path.join(out, 'alice', 'results.json'), 'utf8')) as {
      score: number;
      tests: unknown[];
    };
    expect(gs.score).toBe(10);
    const m1Tests = (await canonicalListing(solutions, listMilestones(solutions))).filter((t) =>
      t.file.startsWith('p1-pipeline/m1-mpsc/'),
    );
    expect(gs.tests).toHaveLength(m1Tests.length);
    expect(readFileSync(path.join(out, 'bob', 'report.md'), 'utf8')).toContain('**0 / 10 points (0%)**');

    const bad = await run([path.join(batch, 'nobody')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([`grade: no such folder: ${path.join(batch, 'nobody')}`]);
    // Without bubblewrap (none on this PATH): one line, exit 2, nothing graded.
    const noBwrap = await run([batch, '--batch', '--out', path.join(out, 'none')], {
      ...process.env,
      PATH: path.join(batch, 'no-such-bin'),
    });
    expect(noBwrap.code).toBe(2);
    expect(noBwrap.stderr.trim().split('\n')).toEqual([
      'grade: bubblewrap (bwrap) is not installed: refusing to run untrusted code unsandboxed (install bubblewrap, or pass --no-sandbox for code you trust)',
    ]);
    const badFlag = await run([batch, '--format', 'pdf']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("unknown format 'pdf'");
  }, 60_000);

  test('the roster quotes what needs quoting', () => {
    const r = {
      student: 'Doe, Jane',
      score: 1,
      maxScore: 2,
      percent: 50,
      status: 'ok',
      milestones: [{ milestone: 'p1/m1', score: 1 }],
    } as unknown as GradeResult;
    expect(rosterCsv([r], ['p1/m1', 'p1/m2'])).toBe(
      'student,total,max,percent,p1/m1,p1/m2,status\n"Doe, Jane",1,2,50,1,,ok\n',
    );
  });
});
