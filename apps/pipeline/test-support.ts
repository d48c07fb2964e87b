/**
 * Helpers shared by the pipeline tests: temporary files, the CLI as a child process, and a report with its
 * timing fields removed (timings differ run to run; everything else must match exactly).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineReport } from './report.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../scripts/pipeline.ts', import.meta.url));
/** How `npm run pipeline` starts the command: plain Node on its compiled modules (see scripts/launch.mjs). */
export const LAUNCHER = fileURLToPath(new URL('../../scripts/launch.mjs', import.meta.url));

export class TempDir {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'pipeline-test-'));

  file(name: string, content: string | Uint8Array): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, content);
    return file;
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the command as `npm run pipeline -- ...args` does, `node scripts/launch.mjs scripts/pipeline.ts ...args`
 * (stderr is a pipe, so no progress line is expected); `via: 'tsx'` runs it through the tsx loader instead. */
export function runCli(args: readonly string[], input?: string | Uint8Array, via: 'launch' | 'tsx' = 'launch'): CliRun {
  const [command, prefix] =
    via === 'tsx' ? [path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), []] : [process.execPath, [LAUNCHER]];
  const result = spawnSync(command, [...prefix, CLI, ...args], {
    cwd: PROJECT_ROOT,
    input: input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `runCli` without blocking, so that several runs can overlap. */
export function runCliAsync(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, CLI, ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The parts of a report that must be identical between runs, threaded or not. */
export function comparable(report: PipelineReport): Omit<PipelineReport, 'elapsedMs' | 'linesPerSecond' | 'workers'> {
  const { elapsedMs: _e, linesPerSecond: _l, workers: _w, ...rest } = report;
  return rest;
}

export function expectAccounted(report: PipelineReport): boolean {
  return report.total === report.kept + report.filtered + report.continued + report.deadLettered.count + report.blank;
}
