/**
 * Running the canonical checkpoint tests against any tree laid out like exercises/.
 *
 * The tests and the code they depend on but students don't write (thread bodies for the tests, data files) come
 * from solutions/; only the files a student writes (those with solution regions in solutions/) come from the
 * target. So a submission cannot pass by editing a test, and a stale or missing helper cannot fail it.
 *
 * The run happens in a temporary workspace inside the project, `.checkpoints/<random>/` (gitignored), because
 * the milestone code imports the kit as `#kit/...` through package.json "imports" and packages from
 * node_modules: both resolve only from inside the project. Vitest runs as a child process with its own config
 * (vitest.checkpoints.config.ts) and the JSON reporter; a process of its own keeps this script's loader (tsx)
 * out of vitest's workers, and lets a run that hangs (a test blocking the main thread cannot be timed out from
 * inside) be killed as a whole.
 */
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stubSource } from '../exercises/generate.ts';
import type { CheckpointEvent } from './stream-reporter.ts';
import { joinOutput, type OutputChunk } from './output.ts';
import { allPass, failHungMilestones, hangMessage, timeoutAsHang } from './verdict.ts';
import { isTestFile, isTypeScriptModule, listFiles, listMilestones, type Milestone, milestoneIdOf, projectRoot, selectMilestones } from '../../course/layout.ts';
import { cacheDir } from '../../kit/internal/compile.ts';
import { posix, rootRel } from '../../lib/paths.ts';

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  /** Milestone id, e.g. 'p1/m1'. */
  readonly milestone: string;
  /** Test file relative to the tree, e.g. 'p1-pipeline/m1-mpsc/checkpoint.test.ts'. */
  readonly file: string;
  /** Suite titles and test title joined by ' > ', as `vitest list` prints them. */
  readonly name: string;
  readonly status: TestStatus;
  readonly durationMs: number;
  /** Why it failed: the assertion message, or why the test never ran (its file failed to load, the run hung). */
  readonly failure?: string;
  /** A failed assertion's expected and received values (as vitest printed them) and its diff, when it has them. */
  readonly assertion?: Assertion;
  /** What the student's code printed during the test (main thread and worker threads), capped (output.ts). */
  readonly output?: string;
}

export interface Assertion {
  readonly expected?: string;
  readonly actual?: string;
  readonly diff?: string;
}

export interface MilestoneSummary {
  readonly milestone: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface CheckpointReport {
  readonly target: string;
  readonly tests: readonly TestResult[];
  readonly milestones: readonly MilestoneSummary[];
  readonly durationMs: number;
  /** Chosen milestones the target has no folder for (their tests fail: the code they import is missing). */
  readonly missingFolders: readonly string[];
  /** Errors vitest caught outside any test, and why a run stopped early; they do not change `ok`. */
  readonly runErrors: readonly string[];
  /** No canonical test failed or went missing, and at least one passed (skipped tests are not held against it). */
  readonly ok: boolean;
  /**
   * Set when the run was stopped for taking too long: the limit and the test files (relative to the tree) that had
   * not finished; the tests of their milestones failed with the hang message (verdict.ts).
   */
  readonly stopped?: { readonly limitSeconds: number; readonly unfinished: readonly string[] };
  /** What the code printed outside any test (while its test file loaded, in a hook), per test file and milestone. */
  readonly strayOutput?: ReadonlyArray<{ readonly milestone: string; readonly file: string; readonly output: string }>;
}

export interface RunCheckpointsOptions {
  /** A folder laid out like exercises/ (a student's copy, a submission). */
  readonly target: string;
  /** Milestone ids to test; all milestones of the canonical tree by default. */
  readonly milestones?: readonly string[];
  /** Per-test timeout, 15 s by default. */
  readonly timeoutMs?: number;
  /** Kill the whole vitest run after this long (a test that blocks the main thread never times out). */
  readonly runTimeoutMs?: number;
  /** Where the canonical tests live; `<project>/solutions` by default. */
  readonly canonical?: string;
  /** Called as each test finishes (progress display). */
  readonly onResult?: (test: { readonly file: string; readonly name: string; readonly status: TestStatus }) => void;
}

/** One test as vitest reported it, keyed by its file relative to the vitest root. */
export interface RawTest {
  readonly file: string;
  readonly name: string;
  readonly status: TestStatus;
  readonly durationMs: number;
  readonly failure?: string;
  readonly assertion?: Assertion;
  readonly output?: string;
}

/** A test file that failed as a whole (import error, error in a hook outside tests, ...). */
export interface RawFileError {
  readonly file: string;
  readonly message: string;
}

export interface RawRun {
  readonly tests: readonly RawTest[];
  readonly fileErrors: readonly RawFileError[];
  /** Errors vitest caught outside any test (an unhandled rejection, an error thrown after a test ended). */
  readonly unhandled: readonly string[];
  /** Set when the run was killed or stopped early. */
  readonly runError?: string;
  /** Set when the run was stopped because it did not finish in time: the limit, and the files that never ended. */
  readonly stopped?: { readonly limitSeconds: number; readonly unfinished: readonly string[] };
  /** Output printed in a test file outside any test (while loading, in hooks, after the tests), per file. */
  readonly strayOutput?: ReadonlyArray<{ readonly file: string; readonly output: string }>;
}

/** Stops for the vitest runs under way (stopRuns). */
const liveRuns = new Set<() => void>();

/** A run ended by stopRuns: it has no results, and its promise rejects with this. */
export class RunStoppedError extends Error {
  override readonly name = 'RunStoppedError';
}

/**
 * Kill every checkpoint run under way (a student quit the watch loop mid-run); their promises reject with
 * RunStoppedError, so nothing half-run is reported or remembered.
 */
export function stopRuns(): void {
  for (const stop of [...liveRuns]) stop();
}

const vitestBin = (): string => path.join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs');
const checkpointConfig = (): string => path.join(projectRoot, 'vitest.checkpoints.config.ts');

/** Run vitest in a child process; resolves with its exit code and output (kept for error messages). */
function runVitestProcess(
  args: readonly string[],
  env: Record<string, string>,
  killAfterMs: number,
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
): Promise<{ code: number | null; output: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    // detached: the child leads its own process group, so a hung run is killed with its fork workers.
    const child = spawn(process.execPath, [vitestBin(), ...args], {
      cwd: projectRoot,
      env: { ...baseEnv, ...env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let killed = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      killGroup();
    };
    liveRuns.add(stop);
    const timer = setTimeout(() => {
      killed = true;
      killGroup();
    }, killAfterMs);
    // Being in its own group, the child would not get the terminal's Ctrl-C: pass it on, then stop (the exit
    // handler of makeWorkspace removes the workspace).
    const onSignal = (signal: NodeJS.Signals): void => {
      killGroup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const done = (): void => {
      liveRuns.delete(stop);
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    child.on('error', (error) => {
      done();
      reject(error);
    });
    child.on('close', (code) => {
      done();
      if (stopped) reject(new RunStoppedError('the checkpoint run was stopped'));
      else resolve({ code, output, killed });
    });
  });
}

function firstLines(message: string, lines = 12): string {
  return message.split('\n').slice(0, lines).join('\n').trim();
}

/**
 * Run the given test files (paths relative to the project root) with the checkpoint config, and return what
 * vitest reported, file paths made relative to `relativeTo`. Results stream into `eventsFile`
 * (stream-reporter.ts), so a run that has to be killed still reports the files that finished, and names the
 * ones that did not.
 */
export async function runVitest(options: {
  readonly include: readonly string[];
  readonly relativeTo: string;
  readonly eventsFile: string;
  readonly timeoutMs?: number;
  readonly runTimeoutMs?: number;
  /**
   * The child's whole environment (the checkpoint variables are added to it); by default it inherits this
   * process's. The grader passes a stripped one, so code under test sees no secrets.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Called as each test finishes (file relative to `relativeTo`), for a progress display. */
  readonly onResult?: (test: { readonly file: string; readonly name: string; readonly status: TestStatus }) => void;
}): Promise<RawRun> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const runTimeoutMs = options.runTimeoutMs ?? 5 * 60_000;
  rmSync(options.eventsFile, { force: true });
  const reporter = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stream-reporter.ts');
  const rel = (file: string): string => posix(path.relative(options.relativeTo, file));
  const stopFollowing = options.onResult === undefined ? () => {} : followEvents(options.eventsFile, (ev) => {
    if (ev.e === 'result' && ev.state !== 'pending') options.onResult?.({ file: rel(ev.file), name: ev.name, status: ev.state });
  });
  const { code, output, killed } = await runVitestProcess(
    ['run', '--config', checkpointConfig(), `--reporter=${reporter}`],
    {
      CHECKPOINTS_INCLUDE: JSON.stringify(options.include),
      CHECKPOINTS_TEST_TIMEOUT_MS: String(timeoutMs),
      CHECKPOINTS_EVENTS: options.eventsFile,
    },
    runTimeoutMs,
    options.env,
  ).finally(stopFollowing);
  const events: CheckpointEvent[] = existsSync(options.eventsFile)
    ? readFileSync(options.eventsFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as CheckpointEvent)
    : [];
  // Messages name files in the workspace, which is gone by the time anyone reads them: show them relative.
  const prefix = `${options.relativeTo}${path.sep}`;
  const clean = (message: string, lines?: number): string => firstLines(message.split(prefix).join(''), lines);
  const key = (file: string, name: string): string => `${file}\0${name}`;
  const tests = new Map<string, RawTest>();
  const fileErrors: RawFileError[] = [];
  const unhandled: string[] = [];
  const printed = new Map<string, { chunks: OutputChunk[]; dropped: number }>();
  const details = new Map<string, Assertion>();
  let ended = false;
  for (const ev of events) {
    if (ev.e === 'result') {
      if (ev.state === 'pending') continue;
      const failure = ev.error === undefined ? undefined : (timeoutAsHang(ev.error) ?? clean(ev.error));
      tests.set(key(ev.file, ev.name), {
        file: rel(ev.file),
        name: ev.name,
        status: ev.state,
        durationMs: ev.durationMs,
        ...(failure !== undefined ? { failure } : {}),
      });
    } else if (ev.e === 'log') {
      const k = key(ev.file, ev.name ?? '');
      const entry = printed.get(k) ?? { chunks: [], dropped: 0 };
      entry.chunks.push({ stream: ev.stream, text: ev.text.split(prefix).join('') });
      entry.dropped += ev.dropped ?? 0;
      printed.set(k, entry);
    } else if (ev.e === 'detail') {
      // eslint-disable-next-line no-control-regex
      const plain = (v: string): string => v.replace(/\u001b\[[0-9;]*m/g, '').split(prefix).join('');
      const clip = (v: string | undefined): string | undefined => (v === undefined ? undefined : firstLines(plain(v), 40));
      const a = { expected: clip(ev.expected), actual: clip(ev.actual), diff: clip(ev.diff) };
      details.set(key(ev.file, ev.name), Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Assertion);
    } else if (ev.e === 'module') {
      if (ev.errors.length > 0) fileErrors.push({ file: rel(ev.file), message: clean(ev.errors.join('\n')) });
    } else if (ev.e === 'unhandled') unhandled.push(clean(ev.message, 4));
    else if (ev.e === 'end') ended = true;
  }
  for (const [k, t] of tests) {
    const out = printed.get(k);
    const assertion = details.get(k);
    if (out !== undefined || assertion !== undefined) {
      tests.set(k, { ...t, ...(assertion !== undefined ? { assertion } : {}), ...(out !== undefined ? { output: joinOutput(out.chunks, undefined, out.dropped) } : {}) });
    }
  }
  const strayOutput = [...printed].filter(([k]) => k.endsWith('\0')).map(([k, v]) => ({ file: rel(k.slice(0, -1)), output: joinOutput(v.chunks, undefined, v.dropped) }));
  let runError: string | undefined;
  let stopped: RawRun['stopped'];
  if (killed) {
    // A worker blocked in a synchronous wait cannot even send the results of the tests before it (vitest sends
    // them in batches), so what is known is which files never finished.
    const finished = new Set(events.flatMap((ev) => (ev.e === 'module' ? [rel(ev.file)] : [])));
    const unfinished = options.include.map((f) => rel(path.join(projectRoot, f))).filter((f) => !finished.has(f));
    for (const file of unfinished) fileErrors.push({ file, message: hangMessage(runTimeoutMs / 1000) });
    stopped = { limitSeconds: runTimeoutMs / 1000, unfinished };
    runError = `the test run ${hangMessage(runTimeoutMs / 1000)}; it was stopped; unfinished test files: ${unfinished.join(', ') || '(none)'}`;
  } else if (!ended) {
    runError = `vitest exited with code ${code} before the run ended:\n${firstLines(output, 40)}`;
  }
  return {
    tests: [...tests.values()],
    fileErrors,
    unhandled,
    ...(runError !== undefined ? { runError } : {}),
    ...(stopped !== undefined ? { stopped } : {}),
    ...(strayOutput.length > 0 ? { strayOutput } : {}),
  };
}

/**
 * Call `onEvent` for each line appended to the events file while a run goes on (polling: the file is written by
 * another process); returns the function that stops following, after reading what is left.
 */
function followEvents(file: string, onEvent: (event: CheckpointEvent) => void): () => void {
  let offset = 0;
  let partial = '';
  const read = (): void => {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return; // not created yet
    }
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, offset);
        if (n <= 0) break;
        offset += n;
        partial += buffer.subarray(0, n).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        onEvent(JSON.parse(line) as CheckpointEvent);
      } catch {
        // A line cut by a killed run: the final parse reports what matters.
      }
    }
  };
  const timer = setInterval(read, 200);
  return () => {
    clearInterval(timer);
    read();
  };
}

/**
 * The tests vitest finds in the given files (paths relative to the project root), without running them; file
 * paths made relative to `relativeTo`.
 */
export async function listTests(include: readonly string[], relativeTo: string, reportFile: string): Promise<Array<{ file: string; name: string }>> {
  rmSync(reportFile, { force: true });
  const { code, output } = await runVitestProcess(
    ['list', '--config', checkpointConfig(), `--json=${reportFile}`],
    { CHECKPOINTS_INCLUDE: JSON.stringify(include) },
    5 * 60_000,
  );
  if (!existsSync(reportFile)) {
    // No test files at all is an empty list, not an error (vitest writes nothing then).
    if (code === 0) return [];
    throw new Error(`vitest list failed (exit code ${code}):\n${firstLines(output, 40)}`);
  }
  const listed = JSON.parse(readFileSync(reportFile, 'utf8')) as Array<{ file: string; name: string }>;
  return listed.map((t) => ({ file: posix(path.relative(relativeTo, t.file)), name: t.name }));
}

const liveWorkspaces = new Set<string>();
let exitHookInstalled = false;

/**
 * A fresh folder under `<project>/.checkpoints/`, where `#kit/*` and node_modules resolve. It is removed by
 * removeWorkspace, or when the process exits before that (an interrupted run).
 */
export function makeWorkspace(prefix: string): string {
  const base = path.join(projectRoot, '.checkpoints');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, `${prefix}-`));
  liveWorkspaces.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const d of liveWorkspaces) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/**
 * Remove a workspace, and the compiled copies the kit cached for its modules when tests spawned threads
 * (node_modules/.cache/threadkit holds one mirror per source path; a random workspace path would otherwise
 * leave new mirrors behind on every run).
 */
export function removeWorkspace(dir: string): void {
  liveWorkspaces.delete(dir);
  rmSync(dir, { recursive: true, force: true });
  const base = path.dirname(dir);
  try {
    if (readdirSync(base).length === 0) rmdirSync(base);
  } catch {
    // Another run is using .checkpoints/ too; leave it.
  }
  if (!existsSync(cacheDir)) return;
  for (const name of readdirSync(cacheDir)) {
    if (!name.endsWith('.mjs')) continue;
    const file = path.join(cacheDir, name);
    try {
      if (readFileSync(file, 'utf8').includes(dir)) {
        rmSync(file, { force: true });
        rmSync(`${file}.json`, { force: true });
      }
    } catch {
      // Replaced or removed concurrently: nothing to clean.
    }
  }
}

const STUB_IMPORT_RE = /^import \{ todo \} from '#kit\/todo\.ts';$/m;

/**
 * The tree whose tests are canonical when the caller names none: solutions/ in the instructors' repository; in a
 * student release (no solutions/), stubs/, the untouched copy of the exercises that the release ships for reset;
 * failing that, exercises/ itself.
 */
export function defaultCanonicalRoot(root: string = projectRoot): string {
  for (const name of ['solutions', 'stubs']) {
    const dir = path.join(root, name);
    if (existsSync(dir)) return dir;
  }
  return path.join(root, 'exercises');
}

/**
 * Whether a canonical file is written by students (it has solution regions), as opposed to given. A canonical
 * tree of stubs (the student release has no solutions/) marks the same files by importing the stubs' `todo`.
 */
export function isStudentFile(canonicalFile: string): boolean {
  if (!isTypeScriptModule(canonicalFile) || isTestFile(canonicalFile)) return false;
  try {
    const source = readFileSync(canonicalFile, 'utf8');
    if (STUB_IMPORT_RE.test(source)) return true;
    // The generator's own reading of the markers, so both agree on what a student writes.
    return stubSource(source, canonicalFile, 'p0/m0').regions.length > 0;
  } catch {
    return true; // malformed markers: certainly meant to be written by the student
  }
}

/**
 * Lay out, in `dir`, the milestone folders of `projects`: every file of `target`'s milestone folders, then every
 * canonical file that is not a student file on top (tests, helpers, data), and with test files the canonical tree
 * does not have removed (a student's own tests are not checkpoints). A target folder is matched to the canonical
 * one by milestone id and takes the canonical folder's name, because later milestones import earlier ones by
 * relative path (`../m1-mpsc/log-entry.ts`): a copy with `m1-channels/` for p1/m1 still works.
 */
export function composeTree(dir: string, target: string, canonical: readonly Milestone[], projects: ReadonlySet<string>): void {
  for (const m of listMilestones(target)) {
    const folder = canonical.find((c) => c.id === m.id)?.folder ?? m.folder;
    if (projects.has(folder.split('/')[0] ?? '')) cpSync(m.dir, path.join(dir, folder), { recursive: true });
  }
  for (const m of canonical) {
    if (!projects.has(m.project)) continue;
    const canonicalFiles = new Set(listFiles(m.dir));
    for (const rel of canonicalFiles) {
      const from = path.join(m.dir, rel);
      if (isStudentFile(from)) continue;
      const to = path.join(dir, m.folder, rel);
      mkdirSync(path.dirname(to), { recursive: true });
      cpSync(from, to);
    }
    for (const rel of listFiles(path.join(dir, m.folder))) {
      if (isTestFile(rel) && !canonicalFiles.has(rel)) rmSync(path.join(dir, m.folder, rel));
    }
  }
}

/** Summaries per milestone, in the order given. */
export function summarize(ids: readonly string[], tests: readonly TestResult[]): MilestoneSummary[] {
  return ids.map((milestone) => {
    const own = tests.filter((t) => t.milestone === milestone);
    return {
      milestone,
      passed: own.filter((t) => t.status === 'passed').length,
      failed: own.filter((t) => t.status === 'failed').length,
      skipped: own.filter((t) => t.status === 'skipped').length,
    };
  });
}

/**
 * Merge what ran with what should have run: every canonical test gets a result; one that never reported
 * (its file did not load, the run was killed) fails with the reason. `toCanonical` maps a file reported by
 * vitest to the canonical file path (relative to the tree) it stands for.
 */
export function mergeResults(
  expected: ReadonlyArray<{ file: string; name: string }>,
  run: RawRun,
  toCanonical: (file: string) => string,
): TestResult[] {
  const ran = new Map<string, RawTest>();
  for (const t of run.tests) ran.set(`${toCanonical(t.file)}\0${t.name}`, t);
  const fileError = new Map(run.fileErrors.map((e) => [toCanonical(e.file), e.message]));
  const results: TestResult[] = [];
  const seen = new Set<string>();
  for (const e of expected) {
    const key = `${e.file}\0${e.name}`;
    seen.add(key);
    const milestone = milestoneIdOf(e.file) ?? '?';
    const t = ran.get(key);
    if (t) {
      results.push({
        milestone,
        file: e.file,
        name: e.name,
        status: t.status,
        durationMs: t.durationMs,
        ...(t.failure !== undefined ? { failure: t.failure } : {}),
        ...(t.assertion !== undefined ? { assertion: t.assertion } : {}),
        ...(t.output !== undefined ? { output: t.output } : {}),
      });
    } else {
      const fileFailure = fileError.get(e.file);
      const failure = fileFailure !== undefined ? `its test file failed: ${fileFailure}` : `did not run: ${run.runError ?? 'vitest did not report it'}`;
      results.push({ milestone, file: e.file, name: e.name, status: 'failed', durationMs: 0, failure });
    }
  }
  // Tests that ran but are not canonical (a test title built from the code under test, say) are reported too.
  for (const [key, t] of ran) {
    if (seen.has(key)) continue;
    const file = toCanonical(t.file);
    // `vitest list` leaves out tests marked skip or todo; they show up here, and stay skipped.
    if (t.status === 'skipped') {
      results.push({ milestone: milestoneIdOf(file) ?? '?', file, name: t.name, status: 'skipped', durationMs: 0 });
      continue;
    }
    results.push({ milestone: milestoneIdOf(file) ?? '?', file, name: t.name, status: 'failed', durationMs: t.durationMs, failure: 'not a canonical checkpoint test (its name differs from the one in solutions/)' });
  }
  // A run stopped for hanging fails every test of the milestones it hung in (verdict.ts, shared with the grader).
  return run.stopped === undefined ? results : failHungMilestones(results, run.stopped.unfinished.map(toCanonical), run.stopped.limitSeconds);
}

/**
 * Run the canonical checkpoint tests of the chosen milestones against `target`. Resolves with a result for every
 * canonical test; never throws for failing tests, only for unusable input (unknown milestone, no such folder).
 */
export async function runCheckpoints(options: RunCheckpointsOptions): Promise<CheckpointReport> {
  const started = Date.now();
  const target = path.resolve(options.target);
  if (!existsSync(target)) throw new Error(`no such folder: ${target}`);
  const canonicalRoot = options.canonical ?? defaultCanonicalRoot();
  const all = listMilestones(canonicalRoot);
  const chosen = selectMilestones(all, options.milestones);
  const projects = new Set(chosen.map((m) => m.project));
  const targetIds = new Set(listMilestones(target).map((m) => m.id));
  const missingFolders = chosen.filter((m) => !targetIds.has(m.id)).map((m) => m.id);

  const workspace = makeWorkspace('run');
  try {
    composeTree(workspace, target, all, projects);
    const canonicalTests = chosen.flatMap((m) => listFiles(m.dir).filter(isTestFile).map((rel) => `${m.folder}/${rel}`));
    const [expectedRaw, run] = await Promise.all([
      listTests(canonicalTests.map((f) => rootRel(path.join(canonicalRoot, f))), canonicalRoot, path.join(workspace, '.list.json')),
      runVitest({
        include: canonicalTests.map((f) => rootRel(path.join(workspace, f))),
        relativeTo: workspace,
        eventsFile: path.join(workspace, '.events.jsonl'),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.runTimeoutMs !== undefined ? { runTimeoutMs: options.runTimeoutMs } : {}),
        ...(options.onResult !== undefined ? { onResult: options.onResult } : {}),
      }),
    ]);
    const tests = mergeResults(expectedRaw, run, (f) => f);
    const milestones = summarize(chosen.map((m) => m.id), tests);
    return {
      target,
      tests,
      milestones,
      durationMs: Date.now() - started,
      missingFolders,
      runErrors: [...run.unhandled, ...(run.runError !== undefined ? [run.runError] : [])],
      ok: allPass(tests),
      ...(run.stopped !== undefined ? { stopped: run.stopped } : {}),
      ...(run.strayOutput !== undefined
        ? { strayOutput: run.strayOutput.map((o) => ({ ...o, milestone: milestoneIdOf(o.file) ?? '?' })) }
        : {}),
    };
  } finally {
    removeWorkspace(workspace);
  }
}
