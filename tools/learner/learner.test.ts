/**
 * The student commands: failures explained in a student's words (stubs, an earlier milestone's stubs,
 * assertions, hangs), what the student's code printed (main thread and threads) under its test, remembered
 * verdicts that only a change of the files they depend on re-runs, the watch loop moving on after a save and
 * starting anywhere, reset, hints, colour and the polling watcher. Runs against temporary copies of exercises/
 * (a few milestones at a time).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { mergeResults, RunStoppedError, stopRuns, type TestResult } from '../checkpoints/checkpoints.ts';
import { joinOutput, THREAD_MARK } from '../checkpoints/output.ts';
import { hangMessage } from '../checkpoints/verdict.ts';
import { projectRoot } from '../../course/layout.ts';
import { main } from './cli.ts';
import { check, hint, progressVerdicts, reset, runMilestones } from './commands.ts';
import { describeResults, explainFailure, failureLines, judgeMilestone } from './explain.ts';
import { todoMessage } from '../../kit/todo.ts';
import { parseHints } from './hints.ts';
import { findMilestone, learnerLayout } from './layout.ts';
import { learn, splitKeys } from './session.ts';
import { milestoneKeys } from './state.ts';
import { makeStyle, progressBar } from './style.ts';
import { watchFolder } from './watch.ts';

const solutions = path.join(projectRoot, 'solutions');
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
/** A private copy of exercises/, and the layout of it. */
function studentCopy(): { dir: string; layout: ReturnType<typeof learnerLayout> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'learner-test-'));
  temps.push(dir);
  cpSync(path.join(projectRoot, 'exercises'), dir, { recursive: true });
  return { dir, layout: learnerLayout({ exercises: dir }) };
}
const solve = (dir: string, rel: string): void => cpSync(path.join(solutions, rel), path.join(dir, rel));
const collector = (): { out: (l: string) => void; lines: string[] } => {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), lines };
};
const result = (milestone: string, failure?: string): TestResult => ({
  milestone,
  file: 'x.test.ts',
  name: `t ${failure ?? 'ok'}`,
  status: failure === undefined ? 'passed' : 'failed',
  durationMs: 1,
  ...(failure !== undefined ? { failure } : {}),
});
const stubError = (fn: string, m: string): string =>
  `NotImplementedError: not implemented yet: ${fn} (milestone ${m}); read that milestone's README.md, then write it`;

describe('explaining failures', () => {
  test('a stub of this milestone, of an earlier one, an assertion and a timeout', () => {
    expect(explainFailure(result('p1/m1', stubError('parseLogLine', 'p1/m1')), 'p1/m1')).toBe(
      'still a stub: parseLogLine (NotImplementedError)',
    );
    expect(
      explainFailure(
        result('p1/m2', `ThreadPanicError: thread 'x' panicked: ${stubError('LogEntry.new', 'p1/m1')}`),
        'p1/m2',
      ),
    ).toBe("needs p1/m1's LogEntry.new, which is still a stub (NotImplementedError)");
    // A stub hit in a thread the test started (tools/checkpoints/events.ts words it so): the thread is named, and
    // the assertion that followed from it is not shown.
    const inThread = `${todoMessage('p1/m1', 'LogEntry.new', 'producer-0')}\nthe test then failed with: AssertionError: expected [] to deeply equal [ 'a' ]`;
    const threaded = { ...result('p1/m1', inThread), assertion: { expected: "[ 'a' ]", actual: '[]' } };
    expect(failureLines(threaded, 'p1/m1')).toEqual(["still a stub: LogEntry.new (thrown in thread 'producer-0')"]);
    expect(explainFailure(result('p1/m2', inThread), 'p1/m2')).toBe(
      "needs p1/m1's LogEntry.new, which is still a stub (thrown in thread 'producer-0')",
    );
    expect(explainFailure(result('p1/m1', 'AssertionError: expected 3 to be 4 // Object.is equality'), 'p1/m1')).toBe(
      'expected 4, received 3',
    );
    expect(explainFailure(result('p1/m1', 'Error: Test timed out in 15000ms.'), 'p1/m1')).toBe(hangMessage(15));
    expect(
      explainFailure(result('p1/m1', 'AssertionError: expected [] to have a length of 1 but got +0'), 'p1/m1'),
    ).toBe('expected length 1, received length 0');
    const words = (m: string): string => explainFailure(result('p1/m1', `AssertionError: ${m}`), 'p1/m1');
    expect(words('expected 3 to be greater than or equal to 5')).toBe('expected at least 5, received 3');
    expect(words('expected 5 to be less than 3')).toBe('expected less than 3, received 5');
    expect(words('expected [Function] to throw an error')).toBe('expected it to throw an error; it returned normally');
    expect(words("expected [Function] to throw error matching /bang/ but got 'boom'")).toBe(
      "expected an error with /bang/, received the error 'boom'",
    );
    expect(words("expected 'abc' to match /x/")).toBe("expected text matching /x/, received 'abc'");
    expect(words('expected 1.5 to be close to 2, received difference is 0.5, but expected 0.005')).toBe(
      'expected 2 (within 0.005), received 1.5 (off by 0.5)',
    );
    expect(words('the count: expected 3 to be 4 // Object.is equality')).toBe('the count: expected 4, received 3');
    expect(words('expected { a: 1, b: 2 } to match object { a: 2 }\n(1 matching property omitted from actual)')).toBe(
      'expected an object with { a: 2 }, received { a: 1, b: 2 }',
    );
    // An assertion that does not fit in words comes with its diff.
    const deep = {
      ...result('p1/m1', "AssertionError: expected [ 'a', …(47) ] to deeply equal [ 'a', …(48) ]"),
      assertion: { expected: '[\n  "a"\n]', actual: '[]', diff: '- Expected\n+ Received\n\n-   "entry 49",' },
    };
    expect(failureLines(deep, 'p1/m1').slice(1)).toEqual(['- Expected', '+ Received', '-   "entry 49",']);
    const small = { ...result('p1/m1', 'AssertionError: something custom'), assertion: { expected: '4', actual: '3' } };
    expect(failureLines(small, 'p1/m1')).toEqual(['AssertionError: something custom', 'expected: 4', 'received: 3']);
  });
  test('a run stopped for hanging: finished tests keep their results, the rest fail with the limit applied', () => {
    const expected = [
      { file: 'p1-pipeline/m1-mpsc/checkpoint.test.ts', name: 'a' },
      { file: 'p1-pipeline/m1-mpsc/checkpoint.test.ts', name: 'b' },
      { file: 'p1-pipeline/m2-stages/checkpoint.test.ts', name: 'c' },
    ];
    const tests = mergeResults(
      expected,
      {
        tests: [
          { file: expected[0]!.file, name: 'a', status: 'passed', durationMs: 1 },
          { file: expected[2]!.file, name: 'c', status: 'passed', durationMs: 1 },
        ],
        fileErrors: [{ file: expected[0]!.file, message: hangMessage(45) }],
        unhandled: [],
        tampering: [],
        runError: `the test run ${hangMessage(45)}; it was stopped`,
        stopped: { limitSeconds: 45, unfinished: [expected[0]!.file] },
      },
      (f) => f,
    );
    expect(tests.map((t) => [t.name, t.status])).toEqual([
      ['a', 'passed'],
      ['b', 'failed'],
      ['c', 'passed'],
    ]);
    expect(explainFailure(tests[1]!, 'p1/m1')).toBe(hangMessage(45));
    expect(judgeMilestone('p1/m1', tests).summary).toBe('p1/m1: 1/2 checkpoint tests pass');
    expect(describeResults('p1/m1', tests)).toEqual(['  ✓ a', '  ✗ b', `      ${hangMessage(45)}`]);
  });
  test('output: threads marked, capped with a note', () => {
    expect(
      joinOutput([
        { stream: 'stdout', text: `main\n${THREAD_MARK}from a thread\n` },
        { stream: 'stderr', text: 'oops' },
      ]),
    ).toBe('main\n[thread] from a thread\n[stderr] oops');
    const long = joinOutput([{ stream: 'stdout', text: 'x'.repeat(700) }]);
    expect(long).toBe(`${'x'.repeat(500)}\n… (200 more characters not shown)`);
  });
  test('colour honours NO_COLOR and FORCE_COLOR; links only where supported; the progress bar', () => {
    expect(makeStyle({ isTTY: true, env: { NO_COLOR: '1', TERM: 'xterm' } }).red('x')).toBe('x');
    expect(makeStyle({ isTTY: true, env: { TERM: 'xterm' } }).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(makeStyle({ isTTY: false, env: { FORCE_COLOR: '1' } }).color).toBe(true);
    expect(makeStyle({ isTTY: true, env: { TERM: 'xterm' } }).link('f', '/a/f.ts')).toBe('f');
    expect(makeStyle({ isTTY: true, env: { TERM_PROGRAM: 'vscode' } }).link('f', '/a/f.ts')).toBe(
      '\u001b]8;;file:///a/f.ts\u001b\\f\u001b]8;;\u001b\\',
    );
    const plain = makeStyle({ isTTY: false, env: {} });
    expect(progressBar(3, 18, plain, 18)).toBe('Progress: [###>--------------] 3/18 milestones done');
    expect(progressBar(18, 18, plain, 18)).toBe(`Progress: [${'#'.repeat(18)}] 18/18 milestones done`);
  });
  test('every student command answers --help with exit code 0', async () => {
    const log = console.log;
    console.log = () => {};
    try {
      for (const argv of [
        ['--help'],
        ['check', '--help'],
        ['hint', '--help'],
        ['progress', '--help'],
        ['reset', '--help'],
        ['learn', '-h'],
      ]) {
        expect(await main(argv), argv.join(' ')).toBe(0);
      }
    } finally {
      console.log = log;
    }
  });
  test('milestone states, and a milestone blocked by an earlier one', () => {
    expect(judgeMilestone('p1/m1', [result('p1/m1'), result('p1/m1')]).state).toBe('done');
    expect(judgeMilestone('p1/m1', [result('p1/m1', stubError('f', 'p1/m1'))]).state).toBe('not started');
    expect(judgeMilestone('p1/m1', [result('p1/m1'), result('p1/m1', stubError('f', 'p1/m1'))]).state).toBe(
      'in progress',
    );
    const blocked = judgeMilestone('p1/m2', [
      result('p1/m2', stubError('parseLogLine', 'p1/m1')),
      result('p1/m2', 'SendError: disconnected'),
    ]);
    expect(blocked.summary).toBe("p1/m2's tests fail because p1/m1's parseLogLine is still a stub: finish p1/m1 first");
  });
});

describe('against a copy of exercises/ (end to end)', () => {
  test('check: a stub, then an earlier-milestone dependency', async () => {
    const { dir, layout } = studentCopy();
    const a = collector();
    expect(await check(layout, ['p1/m1'], a.out)).toBe(1);
    expect(a.lines).toContain('      still a stub: parseLogLine (NotImplementedError)');
    expect(a.lines.at(-1)).toMatch(/^✗ p1\/m1: 0\/\d+ checkpoint tests pass$/);
    // p1/m2 written, p1/m1 not: the verdict points at p1/m1.
    solve(dir, 'p1-pipeline/m2-stages/stages.ts');
    const b = collector();
    expect(await check(layout, ['p1/m2'], b.out)).toBe(1);
    expect(b.lines.at(-1)).toMatch(/^✗ p1\/m2's tests fail because p1\/m1's \S+ is still a stub: finish p1\/m1 first$/);
    expect(b.lines.join('\n')).toMatch(/needs p1\/m1's \S+, which is still a stub/);
  }, 60_000);

  test('progress remembers verdicts: only a change of the files a milestone depends on re-runs it', async () => {
    const { dir, layout } = studentCopy();
    let stale: readonly string[] = [];
    const state = async (): Promise<string> =>
      (await progressVerdicts(layout, { ids: ['p1/m1'], onStale: (s) => (stale = s) }))[0]!.state;
    expect(await state()).toBe('not started');
    expect(stale).toEqual(['p1/m1']);
    expect(await state()).toBe('not started');
    expect(stale).toEqual([]);
    solve(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
    expect(await state()).toBe('in progress');
    expect(stale).toEqual(['p1/m1']);
    // p1/m1's files are part of p1/m2's key (p1/m2 imports them), not of p2/m1's.
    const before = milestoneKeys(layout);
    solve(dir, 'p1-pipeline/m1-mpsc/mpsc.ts');
    const after = milestoneKeys(layout);
    expect(['p1/m1', 'p1/m2', 'p2/m1'].map((id) => before.get(id) !== after.get(id))).toEqual([true, true, false]);
    expect(await state()).toBe('done');
  }, 60_000);

  test("the student's output, from the main thread and from threads, under its test; also in check --json", async () => {
    const { dir, layout } = studentCopy();
    solve(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
    solve(dir, 'p1-pipeline/m1-mpsc/mpsc.ts');
    const edit = (rel: string, from: string, to: string): void => {
      const file = path.join(dir, rel);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(from);
      writeFileSync(file, text.replace(from, to));
    };
    edit(
      'p1-pipeline/m1-mpsc/mpsc.ts',
      '  for (const entry of rx) logs.push(entry);',
      "  console.log('consumer starts');\n  for (const entry of rx) logs.push(entry);",
    );
    edit(
      'p1-pipeline/m1-mpsc/log-entry.ts',
      '  return LogEntry.new(level, line.slice(space + 1));',
      "  console.log(`parsed ${level}`);\n  console.log('y'.repeat(600));\n  return LogEntry.new(level, line.slice(space + 1));",
    );
    const entryFile = path.join(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
    writeFileSync(entryFile, `console.log('log-entry.ts loads');\n${readFileSync(entryFile, 'utf8')}`);
    const c = collector();
    expect(await check(layout, ['p1/m1'], c.out)).toBe(0);
    const text = c.lines.join('\n');
    expect(text).toMatch(/your code printed outside any test \(loading [^)]*\):\n {6}│ log-entry\.ts loads/);
    // Every thread loads log-entry.ts, and says so, before the consumer starts.
    expect(text).toMatch(
      /✓ MPSC channel basics > consumerThread collects[^\n]*\n {6}your code printed:\n {6}│ \[thread\] log-entry\.ts loads\n {6}│ \[thread\] consumer starts\n/,
    );
    expect(text).toMatch(
      /✓ MPSC channel basics > parseLogLine reads LEVEL message lines\n {6}your code printed:\n {6}│ parsed \w+\n/,
    );
    expect(text).toMatch(/… \(\d+ more characters not shown\)/);
    const j = collector();
    expect(await check(layout, ['p1/m1'], j.out, { json: true })).toBe(0);
    const doc = JSON.parse(j.lines.join('\n')) as {
      ok: boolean;
      milestones: Array<{ outputOutsideTests?: string; tests: Array<{ name: string; output?: string }> }>;
    };
    expect(doc.ok).toBe(true);
    expect(doc.milestones[0]!.outputOutsideTests).toBe('log-entry.ts loads');
    const consumer = doc.milestones[0]!.tests.find((t) => t.name.includes('consumerThread collects'));
    expect(consumer?.output).toContain('[thread] consumer starts');
    const parse = doc.milestones[0]!.tests.find((t) => t.name.includes('parseLogLine reads'));
    expect(parse?.output?.length).toBeLessThan(560);
  }, 90_000);

  test('a run stopped mid-way (q in learn) rejects and is not remembered', async () => {
    const { layout } = studentCopy();
    let stale: readonly string[] = [];
    const run = runMilestones(layout, ['p1/m1']);
    setTimeout(stopRuns, 300);
    await expect(run).rejects.toBeInstanceOf(RunStoppedError);
    await progressVerdicts(layout, { ids: ['p1/m1'], onStale: (s) => (stale = s) });
    expect(stale).toEqual(['p1/m1']);
  }, 60_000);

  test('learn -- p2/m1 starts there', async () => {
    const { layout } = studentCopy();
    const c = collector();
    expect(await learn(layout, { out: c.out, interactive: false, start: 'p2/m1' })).toBe(1);
    expect(c.lines.some((l) => l.startsWith('current milestone: p2/m1 — '))).toBe(true);
  }, 60_000);

  test('learn without a terminal checks once and points at npm run check', async () => {
    const { layout } = studentCopy();
    const c = collector();
    expect(await learn(layout, { out: c.out, interactive: false })).toBe(1);
    expect(c.lines[0]).toMatch(/no terminal here/);
    expect(c.lines.join('\n')).toContain('npm run check');
    expect(c.lines).toContain('current milestone: p1/m1 — one channel, many producers');
    expect(c.lines).toContain('  ✗ MPSC channel basics > parseLogLine reads LEVEL message lines');
  }, 60_000);

  test('learn watches the current milestone, re-checks on save, moves on when it passes; h and q keys', async () => {
    const { dir, layout } = studentCopy();
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    (input as { setRawMode?: (on: boolean) => void }).setRawMode = () => {};
    const c = collector();
    const seen = (text: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + 40_000;
        const poll = setInterval(() => {
          if (c.lines.some((l) => l.includes(text))) {
            clearInterval(poll);
            resolve();
          } else if (Date.now() > deadline) {
            clearInterval(poll);
            reject(new Error(`never printed '${text}'; got:\n${c.lines.join('\n')}`));
          }
        }, 50);
      });
    const session = learn(layout, { out: c.out, input, interactive: true, poll: true });
    await seen('━━━ p1/m1');
    (input as unknown as PassThrough).write('h');
    await seen('hint 1 of ');
    solve(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
    solve(dir, 'p1-pipeline/m1-mpsc/mpsc.ts');
    await seen('✓ p1/m1 passes: moving on');
    await seen('━━━ p1/m2');
    (input as unknown as PassThrough).write('q');
    expect(await session).toBe(0);
    expect(c.lines.some((l) => l.startsWith(`[polling ${path.join(dir, 'p1-pipeline/m2-stages')}/`))).toBe(true);
  }, 60_000);

  test('reset asks first and restores the stubs', async () => {
    const { dir, layout } = studentCopy();
    const file = path.join(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, 'my work\n');
    const c = collector();
    expect(await reset(layout, 'p1/m1', async () => false, c.out)).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('my work\n');
    expect(c.lines).toContain(`  ${file}`);
    expect(await reset(layout, 'p1/m1', async () => true, c.out)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(await reset(layout, 'p1/m1', async () => false, c.out)).toBe(0);
    expect(c.lines.at(-1)).toMatch(/already at its starting stubs/);
  });
});

describe('hints, milestone ids, watching', () => {
  test('hints split into numbered items, shown one at a time', () => {
    const h = parseHints('# Hints\n\n1. one\n   more\n2. two\n', 'hints.md');
    expect(h.items).toEqual(['1. one\n   more', '2. two']);
    const layout = learnerLayout();
    const c = collector();
    expect(hint(layout, 'p1/m1', 2, c.out)).toBe(0);
    expect(c.lines[0]).toMatch(/^hint 2 of \d+ for p1\/m1:$/);
    expect(() => hint(layout, 'p1/m1', 99, c.out)).toThrow(/^p1\/m1 has \d+ hints; ask for 1 to \d+, or --all$/);
  });
  test('milestone ids: p1/m3 and p1m3; unknown ones list the known', () => {
    const layout = learnerLayout();
    expect(findMilestone(layout, 'p1m3').id).toBe('p1/m3');
    expect(() => findMilestone(layout, 'p9/m1')).toThrow(/^unknown milestone 'p9\/m1'; known milestones: p1\/m1, /);
  });
  test('raw input splits into keys, arrows whole', () => {
    expect(splitKeys('jj\r\u001b[A\u001bq')).toEqual(['j', 'j', '\r', '\u001b[A', '\u001b', 'q']);
  });
  test('the polling watcher sees a save, debounced', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'watch-test-'));
    temps.push(dir);
    writeFileSync(path.join(dir, 'a.ts'), '1');
    let calls = 0;
    const w = watchFolder(dir, () => calls++, { poll: true, pollMs: 50, debounceMs: 50 });
    expect(w.mode()).toBe('polling');
    writeFileSync(path.join(dir, 'a.ts'), '22');
    writeFileSync(path.join(dir, 'a.ts'), '333');
    await new Promise((r) => setTimeout(r, 400));
    w.close();
    expect(calls).toBe(1);
  });
});
