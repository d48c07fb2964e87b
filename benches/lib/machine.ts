/**
 * The machine context that heads every benchmark report: what ran the numbers, how busy it was, and from which
 * commit. A report without it cannot be compared with another one.
 *
 * Guarantees:
 * - `collectMachineInfo` never throws for a missing or broken git: outside a repository (or without git on the
 *   PATH) `git.commit` and `git.dirty` are null and `git.error` says why.
 * - "Dirty" means tracked files differ from HEAD (staged or not). Untracked files do not count: the runner writes
 *   untracked reports into the tree and should not make its own run look dirty.
 * - Load averages are 1-minute averages read from the OS. On Windows, where Node reports [0, 0, 0], they are null
 *   rather than a misleading 0.
 * - Warnings (in `machineWarnings`), each a sentence for the report:
 *     * a 1-minute load average before the run strictly above 0.5 × available parallelism: other work competed
 *       for the cores, so absolute numbers are suspect (ratios of interleaved variants suffer less);
 *     * after the run, the same allowance on top of what the run itself explains (it keeps up to one thread per
 *       core busy, so its own load reaches about the core count): strictly above 1.5 × available parallelism;
 *     * requested threads strictly above os.availableParallelism(): those cells measure time-slicing, and their
 *       claims are "not testable here" (see verdict.ts).
 * - Everything the OS or git would be asked for can be injected (`MachineProbe`), so tests are deterministic.
 */

import { execFileSync } from 'node:child_process';
import os from 'node:os';
import process from 'node:process';
import { plural } from './table.ts';

export interface GitInfo {
  /** Short commit hash of HEAD, or null outside a repository / without git. */
  readonly commit: string | null;
  /** Whether tracked files differ from HEAD; null when unknown. */
  readonly dirty: boolean | null;
  readonly error?: string;
}

export interface MachineInfo {
  readonly cpuModel: string;
  /** os.cpus().length: logical CPUs the OS reports. */
  readonly logicalCores: number;
  /** os.availableParallelism(): the CPUs this process may use (can be fewer in a container). */
  readonly availableParallelism: number;
  readonly totalMemoryBytes: number;
  readonly nodeVersion: string;
  readonly v8Version: string;
  readonly platform: string;
  readonly arch: string;
  /** OS name and kernel release, e.g. "Linux 6.8.0-1019-gcp". */
  readonly osRelease: string;
  readonly loadAverage1mBefore: number | null;
  /** Filled by `finishMachineInfo` after the run. */
  readonly loadAverage1mAfter: number | null;
  /** ISO-8601 time of collection. */
  readonly date: string;
  readonly git: GitInfo;
  /** The most threads any cell of this run asks for, if known. */
  readonly requestedThreads: number | null;
  readonly warnings: string[];
}

/** The OS, clock and git access `collectMachineInfo` uses; every member can be replaced in tests. */
export interface MachineProbe {
  cpus(): readonly { model: string }[];
  availableParallelism(): number;
  totalmem(): number;
  loadavg(): readonly number[];
  platform(): string;
  arch(): string;
  type(): string;
  release(): string;
  nodeVersion(): string;
  v8Version(): string;
  now(): Date;
  /** Runs git with the arguments in `cwd` and returns stdout; throws on failure. */
  git(args: readonly string[], cwd: string): string;
}

export const defaultProbe: MachineProbe = {
  cpus: () => os.cpus(),
  availableParallelism: () => os.availableParallelism(),
  totalmem: () => os.totalmem(),
  loadavg: () => os.loadavg(),
  platform: () => process.platform,
  arch: () => process.arch,
  type: () => os.type(),
  release: () => os.release(),
  nodeVersion: () => process.version,
  v8Version: () => process.versions.v8,
  now: () => new Date(),
  git: (args, cwd) =>
    execFileSync('git', [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }),
};

export interface CollectOptions {
  /** Directory whose git state is reported (default: process.cwd()). */
  readonly cwd?: string;
  /** The most threads the run will ask for, for the oversubscription warning. */
  readonly requestedThreads?: number;
  readonly probe?: Partial<MachineProbe>;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? (e as Error & { stderr?: unknown }).stderr?.toString() || e.message : String(e);
  return msg.trim().split('\n')[0] ?? 'unknown error';
}

/** HEAD's short hash and dirtiness, or nulls with the reason. */
export function gitInfo(cwd: string, run: MachineProbe['git'] = defaultProbe.git): GitInfo {
  let commit: string;
  try {
    commit = run(['rev-parse', '--short', 'HEAD'], cwd).trim();
  } catch (e) {
    return { commit: null, dirty: null, error: firstLine(e) };
  }
  try {
    const status = run(['status', '--porcelain', '--untracked-files=no'], cwd);
    return { commit, dirty: status.trim() !== '' };
  } catch (e) {
    return { commit, dirty: null, error: firstLine(e) };
  }
}

function loadAverage(probe: MachineProbe): number | null {
  if (probe.platform() === 'win32') return null;
  const v = probe.loadavg()[0];
  return v === undefined || !Number.isFinite(v) ? null : v;
}

/** Warnings for a report; see the rules at the top of this file. */
export function machineWarnings(info: Omit<MachineInfo, 'warnings'>): string[] {
  const warnings: string[] = [];
  const limit = 0.5 * info.availableParallelism;
  const cores = plural(info.availableParallelism, 'core');
  const before = info.loadAverage1mBefore;
  if (before !== null && before > limit) {
    warnings.push(
      `load average before the run was ${before.toFixed(2)}, above 0.5 per core (${limit.toFixed(2)} for ${cores}): other work competed for the CPU`,
    );
  }
  // The run's own threads keep up to one core each busy, so they alone bring the average to about the core count.
  const after = info.loadAverage1mAfter;
  const ownAndLimit = info.availableParallelism + limit;
  if (after !== null && after > ownAndLimit) {
    warnings.push(
      `load average after the run was ${after.toFixed(2)}, above the run's own load plus 0.5 per core (${ownAndLimit.toFixed(2)} for ${cores}): other work competed for the CPU`,
    );
  }
  if (info.requestedThreads !== null && info.requestedThreads > info.availableParallelism) {
    warnings.push(
      `the run asks for up to ${info.requestedThreads} threads but only ${info.availableParallelism} can run in parallel: cells above ${plural(info.availableParallelism, 'thread')} measure time-slicing`,
    );
  }
  return warnings;
}

/** Collects everything for the report header; call before the run, then `finishMachineInfo` after it. */
export function collectMachineInfo(options: CollectOptions = {}): MachineInfo {
  const probe: MachineProbe = { ...defaultProbe, ...options.probe };
  const cpus = probe.cpus();
  const base = {
    cpuModel: cpus[0]?.model.trim() || 'unknown CPU',
    logicalCores: cpus.length,
    availableParallelism: probe.availableParallelism(),
    totalMemoryBytes: probe.totalmem(),
    nodeVersion: probe.nodeVersion(),
    v8Version: probe.v8Version(),
    platform: probe.platform(),
    arch: probe.arch(),
    osRelease: `${probe.type()} ${probe.release()}`,
    loadAverage1mBefore: loadAverage(probe),
    loadAverage1mAfter: null,
    date: probe.now().toISOString(),
    git: gitInfo(options.cwd ?? process.cwd(), probe.git),
    requestedThreads: options.requestedThreads ?? null,
  };
  return { ...base, warnings: machineWarnings(base) };
}

/** The same info with the load average after the run and the warnings recomputed. Does not mutate `info`. */
export function finishMachineInfo(info: MachineInfo, probe: Partial<MachineProbe> = {}): MachineInfo {
  const p: MachineProbe = { ...defaultProbe, ...probe };
  const { warnings: _old, ...rest } = info;
  const updated = { ...rest, loadAverage1mAfter: loadAverage(p) };
  return { ...updated, warnings: machineWarnings(updated) };
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** The header as markdown lines: a compact bullet list, then the warnings as a quoted block. */
export function formatMachineHeader(info: MachineInfo): string {
  const load = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
  const git =
    info.git.commit === null
      ? `not available (${info.git.error ?? 'unknown'})`
      : `${info.git.commit}${info.git.dirty === true ? ' (dirty)' : info.git.dirty === null ? ' (dirty state unknown)' : ''}`;
  const lines = [
    `- CPU: ${info.cpuModel}, ${info.logicalCores} logical cores, ${info.availableParallelism} available to Node`,
    `- Memory: ${gib(info.totalMemoryBytes)}`,
    `- Node ${info.nodeVersion}, V8 ${info.v8Version}, ${info.osRelease} (${info.platform}/${info.arch})`,
    `- Load average (1 min): ${load(info.loadAverage1mBefore)} before, ${load(info.loadAverage1mAfter)} after`,
    `- Date: ${info.date}`,
    `- Commit: ${git}`,
  ];
  if (info.warnings.length > 0) {
    // One blockquote per warning, a blank line between: consecutive quoted lines would run into one paragraph.
    for (const w of info.warnings) lines.push('', `> **Warning:** ${w}`);
  }
  return lines.join('\n');
}
