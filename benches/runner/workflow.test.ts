/**
 * .github/workflows/bench-matrix.yml is shipped, not run here: this test parses it as YAML and checks the shape
 * GitHub Actions needs and the commands it runs against the bench CLI's real options (so a renamed flag breaks
 * here, not in a course's CI).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../cli.ts';
import { repoRoot } from './target.ts';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  strategy?: { matrix: { include: Record<string, string>[] } };
  steps: Step[];
}

const file = path.join(repoRoot, '.github', 'workflows', 'bench-matrix.yml');
const workflow = parse(readFileSync(file, 'utf8')) as { name: string; on: Record<string, unknown>; jobs: Record<string, Job> };

describe('bench-matrix workflow', () => {
  it('is a workflow with a matrix of runners and a merge job after them', () => {
    expect(workflow.name).toBe('bench-matrix');
    expect(Object.keys(workflow.on)).toContain('workflow_dispatch');
    const bench = workflow.jobs['bench']!;
    const merge = workflow.jobs['merge']!;
    const include = bench.strategy!.matrix.include;
    expect(include.length).toBeGreaterThanOrEqual(3);
    expect(new Set(include.map((m) => m['name'])).size).toBe(include.length);
    expect(include.some((m) => m['cpus'] === '0') && include.some((m) => m['cpus'] === '0,1')).toBe(true);
    expect(bench['runs-on']).toBe('${{ matrix.runs-on }}');
    expect(merge.needs).toBe('bench');
    for (const job of [bench, merge]) {
      expect(job.steps[0]!.uses).toMatch(/^actions\/checkout@v\d+$/);
      expect(job.steps.some((s) => s.run === 'npm ci --no-audit --no-fund')).toBe(true);
    }
  });

  it('runs the bench with --share and merges the artifacts with --merge', () => {
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    const benchRun = runs.find((r) => r.includes('npm run bench --') && r.includes('--share'))!;
    expect(benchRun).toContain('taskset -c');
    const mergeRun = runs.find((r) => r.includes('--merge'))!;
    expect(mergeRun).toMatch(/npm run bench -- --merge \S+ --out \S+/);
    const upload = workflow.jobs['bench']!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    const download = workflow.jobs['merge']!.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
    expect(String(upload.with!['name'])).toMatch(/^share-/);
    expect(download.with!['pattern']).toBe('share-*');
  });

  it('uses only options the bench command accepts', async () => {
    // --help parses every option the CLI defines; an unknown one is a usage error (exit 2 through runCli).
    await expect(main(['--help'])).resolves.toBe(0);
    await expect(main(['--share', '--quick', '--bogus'])).rejects.toThrow(/Unknown option '--bogus'/);
    await expect(main(['--merge'])).rejects.toThrow(/--merge needs report files/);
  });
});
