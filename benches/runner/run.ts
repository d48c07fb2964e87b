/**
 * The runner: plans the cells of the chosen suites, runs each cell in fresh child processes with zx, files the
 * samples by process, judges the claims and writes the report. scripts/bench.ts is its command line.
 *
 * Order of work: for each suite, the whole sweep (every cell) runs once per process round, and the rounds
 * repeat `profile.processes` times, so a slow minute on the machine hits one round of every cell rather than
 * every repetition of one cell. A child that crashes or times out is recorded as a failure of that cell and
 * the run goes on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, cpSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { collectMachineInfo, finishMachineInfo } from '../lib/machine.ts';
import { ProgressReporter } from '../lib/progress.ts';
import { cellKey } from './analysis.ts';
import { parseAnswer } from './cell.ts';
import { compareReports, type ComparableReport, METHOD_VERSION } from './compare.ts';
import { judgeAll } from './judge.ts';
import { colourWanted, REPORT_SCHEMA, renderTerminal, type RunRecord, writeReport } from './report.ts';
import { planSuite, type PlanContext, suiteSection } from './suites.ts';
import {
  BENCHMARKED_MILESTONES,
  type MilestoneState,
  milestoneState,
  repoRoot,
  type ResolvedTarget,
  solutionsDir,
} from './target.ts';
import type { CellAnswer, CellResult, CellSpec, Implementation, Profile, SuiteName } from './types.ts';

const CELL_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cell.ts');

export interface RunOptions {
  readonly suites: readonly SuiteName[];
  readonly profile: Profile;
  readonly target: ResolvedTarget;
  /** Parent folder of the reports: <outRoot>/<timestamp>/ and <outRoot>/latest/. */
  readonly outRoot: string;
  readonly compare?: string;
  /** Only the cells whose `<suite>:<id>` matches: comma-separated globs (`*` = anything), e.g. 'locks:p3m6/*'. */
  readonly cells?: string;
  readonly argv: readonly string[];
  readonly progress?: ProgressReporter;
  /** Colour the terminal summary (default: on a terminal without NO_COLOR). */
  readonly colour?: boolean;
  /** Print the terminal summary (default true). */
  readonly print?: boolean;
  /** Busy processes to run beside the cells (competing load, as on a laptop with a browser open); 0 by default. */
  readonly load?: number;
}

/**
 * Start `n` child processes that spin forever, to measure under oversubscription; stop them with the result.
 * They run at normal priority (the cells compete with them as with any other program) and die with this process.
 */
export function startLoad(n: number): { readonly pids: readonly number[]; stop(): void } {
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) children.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  const stop = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stop);
  return {
    pids: children.map((child) => child.pid!),
    stop: () => {
      stop();
      process.removeListener('exit', stop);
    },
  };
}

export interface RunOutcome {
  readonly record: RunRecord;
  readonly reportDir: string;
  readonly latestDir: string;
  readonly terminal: string;
}

/** A predicate for `--cells`: comma-separated globs over `<suite>:<id>`; `*` matches anything, the rest literally. */
export function cellMatcher(pattern: string): (key: string) => boolean {
  const globs = pattern
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const res = globs.map(
    (g) =>
      new RegExp(
        `^${g
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      ),
  );
  return (key) => res.some((r) => r.test(key));
}

/** Whether `node --harmony-struct` starts and defines Atomics.Mutex here. */
export async function probeHarmonyStruct(): Promise<boolean> {
  const r = await $({
    nothrow: true,
    quiet: true,
    timeout: '20s',
  })`${process.execPath} --harmony-struct -e ${'process.stdout.write(typeof Atomics.Mutex)'}`;
  return r.exitCode === 0 && r.stdout.trim() === 'function';
}

/** Runs one cell in a fresh process and returns its answer (or the failure). */
export async function runChild(spec: CellSpec): Promise<CellAnswer> {
  const flags = [...(spec.nodeFlags ?? []), '--import', 'tsx'];
  const r = await $({
    nothrow: true,
    quiet: true,
    cwd: repoRoot,
    timeout: spec.timeoutMs,
  })`${process.execPath} ${flags} ${CELL_SCRIPT} ${JSON.stringify(spec)}`;
  const answer = parseAnswer(r.stdout);
  if (answer) return answer;
  const why = r.signal ? `killed by ${r.signal} (timeout ${spec.timeoutMs} ms?)` : `exit code ${r.exitCode}`;
  return {
    ok: false,
    error: `the cell process printed no answer (${why}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
  };
}

function emptyResult(spec: CellSpec): CellResult {
  return {
    spec,
    samples: {},
    info: {},
    series: {},
    unavailable: {},
    notImplemented: {},
    failures: [],
    notes: [],
    processMs: [],
    resources: [],
  };
}

/** Files one process's answer into the cell's result, at process index `p`. */
export function fileAnswer(result: CellResult, answer: CellAnswer, p: number, ms: number): CellResult {
  const r = result as { -readonly [K in keyof CellResult]: CellResult[K] };
  r.processMs = [...r.processMs, ms];
  if (!answer.ok) {
    r.failures = [...r.failures, answer.error];
    return r;
  }
  const o = answer.output;
  if (o.resources) r.resources = [...(r.resources ?? []), o.resources];
  for (const [variant, values] of Object.entries(o.samples)) {
    const groups = (r.samples[variant] ??= []);
    while (groups.length < p) groups.push([]);
    groups[p] = values;
  }
  Object.assign(r.info, o.info);
  for (const [name, runs] of Object.entries(o.series ?? {})) (r.series[name] ??= []).push(...runs);
  Object.assign(r.unavailable, o.unavailable ?? {});
  Object.assign(r.notImplemented, o.notImplemented ?? {});
  for (const n of o.notes ?? []) if (!r.notes.includes(n)) r.notes.push(n);
  return r;
}

/** Pads every variant's groups to `processes` entries (a failed process leaves an empty group). */
function padGroups(result: CellResult, processes: number): void {
  for (const groups of Object.values(result.samples)) while (groups.length < processes) groups.push([]);
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export async function runBenchmarks(options: RunOptions): Promise<RunOutcome> {
  const { profile, target } = options;
  const progress = options.progress ?? new ProgressReporter();
  const cores = os.availableParallelism();
  const started = new Date();
  const t0 = performance.now();
  const harmonyStruct = await probeHarmonyStruct();

  // Which implementations each benchmarked milestone runs: the reference, plus the target when it is ready.
  const milestones: Record<string, MilestoneState> = {};
  const implsFor = (m: keyof typeof BENCHMARKED_MILESTONES): Implementation[] => {
    const ref: Implementation = { label: 'reference', dir: solutionsDir };
    if (target.isReference) return [ref];
    const { id, folder, file } = BENCHMARKED_MILESTONES[m];
    const state = milestoneState(target.dir, folder, file);
    milestones[id] = state;
    return state.status === 'ready' ? [ref, { label: 'target', dir: target.dir }] : [ref];
  };
  const ctx: PlanContext = {
    profile,
    p1m6Impls: implsFor('p1m6'),
    p2m6Impls: implsFor('p2m6'),
    p3m6Impls: implsFor('p3m6'),
    harmonyStruct,
    cores,
  };
  const chosen = options.cells ? cellMatcher(options.cells) : () => true;
  const plans = options.suites
    .map((suite) => ({ suite, cells: planSuite(suite, ctx).filter((c) => chosen(cellKey(c.suite, c.id))) }))
    .filter((p) => p.cells.length > 0);
  if (plans.length === 0)
    throw new RangeError(
      `--cells ${options.cells}: no planned cell matches (cells are named <suite>:<id>, e.g. locks:p3m6/t2)`,
    );
  const maxThreads = Math.max(
    1,
    ...plans.flatMap((p) => p.cells.map((c) => c.threads - (c.kind === 'p1m6' || c.kind === 'p3m6' ? 1 : 0))),
  );
  let machine = collectMachineInfo({ cwd: repoRoot, requestedThreads: maxThreads });

  const results = new Map<string, CellResult>();
  const load = options.load ?? 0;
  if (load > 0) progress.note(`competing load: ${load} busy process${load === 1 ? '' : 'es'} beside the cells`);
  const competing = startLoad(load);
  try {
    for (const { suite, cells } of plans) {
      progress.startSuite(suite, cells.length * profile.processes);
      for (let p = 0; p < profile.processes; p++) {
        for (const spec of cells) {
          progress.step({ cell: spec.label, repetition: p + 1, repetitions: profile.processes });
          const key = cellKey(spec.suite, spec.id);
          const began = performance.now();
          const answer = await runChild({ ...spec, round: p });
          if (!answer.ok)
            progress.note(`[${suite}] ${spec.label}: process ${p + 1} failed: ${answer.error.split('\n')[0]}`);
          results.set(key, fileAnswer(results.get(key) ?? emptyResult(spec), answer, p, performance.now() - began));
        }
      }
      progress.endSuite();
    }
  } finally {
    competing.stop();
  }
  for (const r of results.values()) padGroups(r, profile.processes);
  machine = finishMachineInfo(machine);

  const claims = judgeAll(results, profile, cores);
  let comparison;
  if (options.compare) {
    const earlier = JSON.parse(readFileSync(options.compare, 'utf8')) as ComparableReport;
    comparison = compareReports(
      { method: { version: METHOD_VERSION }, cells: [...results.values()], machine },
      earlier,
    );
  }
  const record: RunRecord = {
    schema: REPORT_SCHEMA,
    method: {
      version: METHOD_VERSION,
      description:
        'each cell in fresh child processes; variants interleaved within a process, the order starting one place further in each process; medians; bootstrap intervals over processes',
    },
    settings: {
      profile,
      suites: plans.map((p) => p.suite),
      ...(options.cells ? { cells: options.cells } : {}),
      target: { name: target.name, dir: target.dir, isReference: target.isReference },
      milestones,
      harmonyStruct,
      load,
      argv: options.argv,
      ...(options.compare ? { compare: options.compare } : {}),
    },
    machine,
    startedAt: started.toISOString(),
    wallMs: performance.now() - t0,
    cells: [...results.values()],
    claims,
    ...(comparison ? { comparison } : {}),
  };
  const sections = plans.map((p) => suiteSection(p.suite, results));
  const reportDir = path.join(options.outRoot, timestamp(started));
  const latestDir = path.join(options.outRoot, 'latest');
  writeReport(reportDir, record, sections, results);
  if (existsSync(latestDir)) rmSync(latestDir, { recursive: true, force: true });
  mkdirSync(latestDir, { recursive: true });
  cpSync(reportDir, latestDir, { recursive: true });
  const terminal = renderTerminal(record, sections, reportDir, {
    colour: options.colour ?? colourWanted(process.stdout),
  });
  if (options.print ?? true) process.stdout.write(`${terminal}\n`);
  return { record, reportDir, latestDir, terminal };
}
