/**
 * The Gradescope autograder zip end to end: written by the CLI, unpacked into a temporary AUTOGRADER_ROOT (this
 * repository's node_modules symlinked in, standing for setup.sh's `npm ci`), and its run_autograder run on a
 * solved and on an unsolved submission, p1/m1 only (AUTOGRADER_MILESTONES) to keep it quick. results.json must
 * have the score, execution_time, output_format, per-test scores adding up exactly to the total, and the hidden
 * tests with their visibility. Plus the zip format itself and the exact sums of largest-remainder rounding.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { projectRoot } from '../../course/layout.ts';
import { readZip, zipBytes } from './gradescope.ts';
import { allocate, largestRemainder, type PointsConfig } from './points.ts';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'gradescope-test-'));
  chmodSync(d, 0o755); // like /autograder: the sandbox's own uid must reach the source folder
  temps.push(d);
  return d;
}

interface Results {
  score: number;
  max_score: number;
  execution_time: number;
  output_format: string;
  tests: Array<{ name: string; score: number; max_score: number; status: string; visibility: string; output: string }>;
}

const cents = (x: number): number => Math.round(x * 100);

describe('points add up exactly', () => {
  test('largest remainder: whole hundredths that sum to the total', () => {
    expect(largestRemainder([1, 1, 1], 10)).toEqual([3.34, 3.33, 3.33]);
    expect(largestRemainder([1, 2, 0], 1)).toEqual([0.33, 0.67, 0]);
    for (const n of [3, 6, 7, 9, 11]) {
      const parts = largestRemainder(
        Array.from({ length: n }, () => 1),
        10,
      );
      expect(parts.reduce((s, x) => s + cents(x), 0)).toBe(1000);
    }
    const config: PointsConfig = {
      defaultMilestonePoints: 10,
      hiddenVisibility: 'hidden',
      milestones: { 'p1/m1': { tests: { a: 2 } } },
    };
    const a = allocate(config, 'p1/m1', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
    expect([...a.perTest.values()].reduce((s, x) => s + cents(x), 0)).toBe(1000);
  });
});

describe('the Gradescope autograder zip', () => {
  test('zip entries round-trip with their modes, and unzip(1) reads the file', () => {
    const entries = [
      { name: 'run_autograder', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
      { name: 'a/b.txt', data: Buffer.from('x'.repeat(5000)), mode: 0o644 },
    ];
    const zip = zipBytes(entries);
    expect(readZip(zip)).toEqual(entries);
    const dir = tempDir();
    const file = path.join(dir, 'z.zip');
    writeFileSync(file, zip);
    execFileSync('unzip', ['-q', file, '-d', path.join(dir, 'out')]);
    expect(readFileSync(path.join(dir, 'out', 'a', 'b.txt'), 'utf8')).toBe('x'.repeat(5000));
    expect(statSync(path.join(dir, 'out', 'run_autograder')).mode & 0o777).toBe(0o755);
  });

  test('run_autograder grades a solved and an unsolved submission into results.json (p1/m1)', async () => {
    const dir = tempDir();
    const zip = path.join(dir, 'autograder.zip');
    const run = (
      cmd: string,
      args: string[],
      env: NodeJS.ProcessEnv = process.env,
      cwd = projectRoot,
    ): Promise<{ code: number; out: string }> =>
      new Promise((resolve) => {
        execFile(cmd, args, { cwd, env, timeout: 150_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
        );
      });
    const made = await run(process.execPath, ['--import', 'tsx', 'scripts/grade.ts', '--gradescope-autograder', zip]);
    expect(made.code, made.out).toBe(0);
    const names = readZip(readFileSync(zip)).map((e) => e.name);
    for (const f of [
      'setup.sh',
      'run_autograder',
      'package-lock.json',
      'scripts/grade.ts',
      'tools/grader/cli.ts',
      'grading/points.json',
      'solutions/p1-pipeline/m1-mpsc/log-entry.ts',
    ])
      expect(names).toContain(f);
    expect(names.some((n) => n.startsWith('grading/hidden/'))).toBe(true);
    expect(names.some((n) => n.startsWith('node_modules/') || (n.endsWith('.test.ts') && n.startsWith('tools/')))).toBe(
      false,
    );
    expect(
      (
        await run('bash', [
          '-n',
          '-c',
          readZip(readFileSync(zip))
            .find((e) => e.name === 'setup.sh')!
            .data.toString(),
        ])
      ).code,
    ).toBe(0);

    const grade = async (name: string, from: string): Promise<Results> => {
      const root = path.join(dir, name);
      const source = path.join(root, 'source');
      mkdirSync(source, { recursive: true });
      execFileSync('unzip', ['-q', zip, '-d', source]);
      symlinkSync(path.join(projectRoot, 'node_modules'), path.join(source, 'node_modules'), 'dir'); // stands for setup.sh's npm ci
      cpSync(from, path.join(root, 'submission', 'p1-pipeline'), { recursive: true });
      const env = {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: root,
        AUTOGRADER_ROOT: root,
        AUTOGRADER_MILESTONES: 'p1/m1',
      };
      const r = await run(path.join(source, 'run_autograder'), [], env, root);
      expect(r.code, r.out).toBe(0);
      return JSON.parse(readFileSync(path.join(root, 'results', 'results.json'), 'utf8')) as Results;
    };
    const [solved, unsolved] = await Promise.all([
      grade('solved', path.join(projectRoot, 'solutions', 'p1-pipeline')),
      grade('unsolved', path.join(projectRoot, 'exercises', 'p1-pipeline')),
    ]);
    for (const r of [solved, unsolved]) {
      expect(r.max_score).toBe(10);
      expect(r.output_format).toBe('text');
      expect(typeof r.execution_time).toBe('number');
      expect(r.tests.reduce((s, t) => s + cents(t.score), 0)).toBe(cents(r.score));
      expect(r.tests.reduce((s, t) => s + cents(t.max_score), 0)).toBe(cents(r.max_score));
      expect(r.tests.filter((t) => t.visibility === 'after_published').length).toBeGreaterThan(0);
      for (const t of r.tests.filter((x) => x.visibility === 'after_published'))
        expect(['passed', 'failed']).toContain(t.output);
    }
    expect(solved.score).toBe(10);
    expect(solved.tests.every((t) => t.status === 'passed')).toBe(true);
    expect(unsolved.score).toBe(0);
    expect(unsolved.tests.every((t) => t.status === 'failed')).toBe(true);
  }, 180_000);
});
