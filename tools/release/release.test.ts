/**
 * The student release: nothing of the instructors' side in it, and its own `npm run check` works against the
 * stubs (fails) and a solved milestone (passes). The first test reuses this repository's node_modules through a
 * symlink. The second runs a real `npm ci --prefer-offline` in a fresh release (about 5 s with a warm npm
 * cache, here); set RELEASE_NPM_CI=0 to skip it where the registry is out of reach or the cache is cold.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { YAML } from 'zx';
import { listFiles, listMilestones, projectRoot } from '../../course/layout.ts';
import { loadPoints, milestonePoints } from '../grader/points.ts';
import { main } from './cli.ts';
import { buildRelease } from './release.ts';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'release-test-'));
  temps.push(d);
  return d;
}
function npm(cwd: string, args: string[], timeoutMs = 120_000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      args,
      { cwd, timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: 'false' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr });
      },
    );
  });
}
const hiddenTitles = listFiles(path.join(projectRoot, 'grading', 'hidden')).flatMap((f) =>
  [...readFileSync(path.join(projectRoot, 'grading', 'hidden', f), 'utf8').matchAll(/test\('([^']+)'/g)].map(
    (m) => m[1]!,
  ),
);

describe('npm run release', () => {
  test('--help prints the usage and exits 0; a wrong call exits 2', () => {
    const log = console.log;
    const error = console.error;
    console.log = () => {};
    console.error = () => {};
    try {
      expect(main(['--help'])).toBe(0);
      expect(main(['--', '-h'])).toBe(0);
      expect(main([])).toBe(2);
    } finally {
      console.log = log;
      console.error = error;
    }
  });

  test('has no solutions, hidden tests or grader; npm run check works there (symlinked node_modules)', async () => {
    const dest = path.join(tempDir(), 'student');
    const { files } = buildRelease(dest);
    for (const f of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'vitest.config.ts',
      'vitest.checkpoints.config.ts',
      'README.md',
      'scripts/learn.ts',
      'tools/learner/LEARN.md',
      'exercises/p1-pipeline/m1-mpsc/README.md',
      'stubs/p1-pipeline/m1-mpsc/log-entry.ts',
      'kit/channel.ts',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith('fixtures/images/'))).toBe(true);
    for (const f of files) {
      expect(f).not.toMatch(/^(solutions|grading|benches|reports)\//);
      expect(f).not.toMatch(/grader|grade\.ts|release\.ts|hidden/);
    }
    for (const f of files.filter((x) => /^(exercises|stubs|kit)\//.test(x))) {
      const text = readFileSync(path.join(dest, f), 'utf8');
      expect(text).not.toContain('#region solution');
      for (const title of hiddenTitles) expect(text).not.toContain(title);
    }
    const pkg = JSON.parse(readFileSync(path.join(dest, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(Object.keys(pkg.scripts).sort()).toEqual(['check', 'hint', 'learn', 'progress', 'reset', 'typecheck']);
    expect(() => buildRelease(dest)).toThrow(/not empty/);
    expect(() => buildRelease(path.join(projectRoot, 'tmp-release'))).toThrow(/outside the repository/);

    symlinkSync(path.join(projectRoot, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
    const stub = await npm(dest, ['run', '--silent', 'check', '--', 'p1/m1']);
    expect(stub.code).toBe(1);
    expect(stub.output).toContain('still a stub: parseLogLine (NotImplementedError)');
    // A solved milestone passes there, and an edited test under exercises/ changes nothing (stubs/ is canonical).
    for (const f of ['log-entry.ts', 'mpsc.ts'])
      cpSync(
        path.join(projectRoot, 'solutions/p1-pipeline/m1-mpsc', f),
        path.join(dest, 'exercises/p1-pipeline/m1-mpsc', f),
      );
    writeFileSync(
      path.join(dest, 'exercises/p1-pipeline/m2-stages/checkpoint.test.ts'),
      "import { test } from 'vitest';\ntest('nothing', () => {});\n",
    );
    const solved = await npm(dest, ['run', '--silent', 'check', '--', 'p1/m1', 'p1/m2']);
    expect(solved.code).toBe(1);
    expect(solved.output).toMatch(/✓ p1\/m1: all \d+ checkpoint tests pass/);
    expect(solved.output).toMatch(/✗ p1\/m2: 0\/\d+ checkpoint tests pass/);
    const reset = await npm(dest, ['run', '--silent', 'reset', '--', 'p1/m1', '--yes']);
    expect(reset.code).toBe(0);
    expect(readFileSync(path.join(dest, 'exercises/p1-pipeline/m1-mpsc/mpsc.ts'), 'utf8')).toBe(
      readFileSync(path.join(projectRoot, 'exercises/p1-pipeline/m1-mpsc/mpsc.ts'), 'utf8'),
    );
  }, 60_000);

  test('carries a valid GitHub Classroom workflow: one step per milestone running npm run check, with its points', () => {
    const dest = path.join(tempDir(), 'student');
    buildRelease(dest);
    const text = readFileSync(path.join(dest, '.github', 'workflows', 'classroom.yml'), 'utf8');
    const workflow = YAML.parse(text) as {
      on: unknown;
      jobs: Record<
        string,
        {
          'runs-on': string;
          steps: Array<{
            id?: string;
            uses?: string;
            run?: string;
            env?: Record<string, string>;
            with?: Record<string, string | number>;
          }>;
        }
      >;
    };
    expect(workflow.on).toContain('push');
    const job = Object.values(workflow.jobs)[0]!;
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job.steps.some((s) => s.run === 'npm ci --no-audit --no-fund')).toBe(true);
    const graders = job.steps.filter((s) => s.uses?.startsWith('classroom-resources/autograding-command-grader@'));
    const milestones = listMilestones(path.join(projectRoot, 'solutions'));
    expect(graders.map((s) => s.with?.['command'])).toEqual(milestones.map((m) => `npm run check -- ${m.id}`));
    const points = loadPoints();
    const expected = milestones.map((m) => milestonePoints(points, m.id));
    expect(graders.map((s) => s.with?.['max-score'])).toEqual(expected);
    expect(graders.reduce((sum, s) => sum + Number(s.with?.['max-score']), 0)).toBe(
      expected.reduce((a, b) => a + b, 0),
    );
    const reporter = job.steps.find((s) => s.uses?.startsWith('classroom-resources/autograding-grading-reporter@'))!;
    expect(String(reporter.with?.['runners']).split(',')).toEqual(graders.map((s) => s.id));
    for (const s of graders)
      expect(reporter.env?.[`${s.id!.toUpperCase()}_RESULTS`]).toBe(`\${{ steps.${s.id}.outputs.result }}`);
    // The scripts it runs exist in the release.
    const pkg = JSON.parse(readFileSync(path.join(dest, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['check']).toBeDefined();
  });

  test.skipIf(process.env['RELEASE_NPM_CI'] === '0')(
    'a fresh npm ci in the release, then npm run check -- p1/m1 fails on the stub',
    async () => {
      const dest = path.join(tempDir(), 'student');
      buildRelease(dest);
      const ci = await npm(dest, ['ci', '--prefer-offline', '--no-audit', '--no-fund'], 110_000);
      expect(ci.code, ci.output).toBe(0);
      expect(existsSync(path.join(dest, 'node_modules', 'vitest'))).toBe(true);
      const stub = await npm(dest, ['run', '--silent', 'check', '--', 'p1/m1']);
      expect(stub.code).toBe(1);
      expect(stub.output).toContain('still a stub: parseLogLine (NotImplementedError)');
    },
    120_000,
  );
});
