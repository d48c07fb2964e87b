/**
 * The student commands: failures explained in a student's words (stubs, an earlier milestone's stubs,
 * assertions), progress re-checked from the tests, the watch loop moving on after a save, reset, hints and the
 * polling watcher. Runs against temporary copies of exercises/ (a few milestones at a time).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import type { TestResult } from '../checkpoints/checkpoints.ts';
import { projectRoot } from '../../course/layout.ts';
import { check, hint, progressVerdicts, reset } from './commands.ts';
import { explainFailure, judgeMilestone } from './explain.ts';
import { parseHints } from './hints.ts';
import { findMilestone, learnerLayout } from './layout.ts';
import { learn } from './session.ts';
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
const stubError = (fn: string, m: string): string => `NotImplementedError: not implemented yet: ${fn} (milestone ${m}); read that milestone's README.md, then write it`;

describe('explaining failures', () => {
  test('a stub of this milestone, of an earlier one, an assertion and a timeout', () => {
    expect(explainFailure(result('p1/m1', stubError('parseLogLine', 'p1/m1')), 'p1/m1')).toBe('still a stub: parseLogLine (NotImplementedError)');
    expect(explainFailure(result('p1/m2', `ThreadPanicError: thread 'x' panicked: ${stubError('LogEntry.new', 'p1/m1')}`), 'p1/m2')).toBe(
      "needs p1/m1's LogEntry.new, which is still a stub (NotImplementedError)",
    );
    expect(explainFailure(result('p1/m1', 'AssertionError: expected 3 to be 4 // Object.is equality'), 'p1/m1')).toBe('expected 4, received 3');
    expect(explainFailure(result('p1/m1', 'Error: Test timed out in 15000ms.'), 'p1/m1')).toMatch(/^did not finish within 15 s/);
  });
  test('milestone states, and a milestone blocked by an earlier one', () => {
    expect(judgeMilestone('p1/m1', [result('p1/m1'), result('p1/m1')]).state).toBe('done');
    expect(judgeMilestone('p1/m1', [result('p1/m1', stubError('f', 'p1/m1'))]).state).toBe('not started');
    expect(judgeMilestone('p1/m1', [result('p1/m1'), result('p1/m1', stubError('f', 'p1/m1'))]).state).toBe('in progress');
    const blocked = judgeMilestone('p1/m2', [result('p1/m2', stubError('parseLogLine', 'p1/m1')), result('p1/m2', 'SendError: disconnected')]);
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

  test('progress is re-checked from the tests: editing files changes it', async () => {
    const { dir, layout } = studentCopy();
    const state = async (): Promise<string> => (await progressVerdicts(layout, { ids: ['p1/m1'] }))[0]!.state;
    expect(await state()).toBe('not started');
    solve(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
    expect(await state()).toBe('in progress');
    solve(dir, 'p1-pipeline/m1-mpsc/mpsc.ts');
    expect(await state()).toBe('done');
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
    expect(c.lines.some((l) => l.startsWith('[polling exercises/p1-pipeline/m2-stages/'))).toBe(true);
  }, 60_000);

  test('reset asks first and restores the stubs', async () => {
    const { dir, layout } = studentCopy();
    const file = path.join(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, 'my work\n');
    const c = collector();
    expect(await reset(layout, 'p1/m1', async () => false, c.out)).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('my work\n');
    expect(c.lines).toContain('  exercises/p1-pipeline/m1-mpsc/log-entry.ts');
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
