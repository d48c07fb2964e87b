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
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMutantCatalogPath, stubSource } from '../exercises/generate.ts';
import type { CheckpointEvent } from './stream-reporter.ts';
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
}

/** One test as vitest reported it, keyed by its file relative to the vitest root. */
export interface RawTest {
  readonly file: string;
  readonly name: string;
  readonly status: TestStatus;
  readonly durationMs: number;
  readonly failure?: string;
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
}

const vitestBin = (): string => path.join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs');
const checkpointConfig = (): string => path.join(projectRoot, 'vitest.checkpoints.config.ts');

/** Run vitest in a child process; resolves with its exit code and output (kept for error messages). */
function runVitestProcess(
  args: readonly string[],
  env: Record<string, string>,
  killAfterMs: number,
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
  stall?: { readonly file: string; readonly ms: number },
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
    const timer = setTimeout(() => {
      killed = true;
      killGroup();
    }, killAfterMs);
    // A run whose events file has not grown for `stall.ms` is stuck (every file still running blocks its
    // worker's main thread): stop it now rather than at the overall limit.
    let lastSize = -1;
    let lastChange = Date.now();
    const stallTimer =
      stall === undefined
        ? undefined
        : setInterval(() => {
            let size = 0;
            try {
              size = statSync(stall.file).size;
            } catch {
              size = 0;
            }
            if (size !== lastSize) {
              lastSize = size;
              lastChange = Date.now();
            } else if (Date.now() - lastChange > stall.ms) {
              killed = true;
              killGroup();
            }
          }, 500);
    // Being in its own group, the child would not get the terminal's Ctrl-C: pass it on, then stop (the exit
    // handler of makeWorkspace removes the workspace).
    const onSignal = (signal: NodeJS.Signals): void => {
      killGroup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const done = (): void => {
      clearTimeout(timer);
      if (stallTimer !== undefined) clearInterval(stallTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    child.on('error', (error) => {
      done();
      reject(error);
    });
    child.on('close', (code) => {
      done();
      resolve({ code, output, killed });
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
  /** Skip the rest of a test file after its first failure (enough to know that the file fails). */
  readonly bailPerFile?: boolean;
  /** Test files run side by side (vitest's default when unset). */
  readonly maxWorkers?: number;
  /** Stop the run when no test has reported for this long (a main thread blocked for good); off when unset. */
  readonly stallMs?: number;
}): Promise<RawRun> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const runTimeoutMs = options.runTimeoutMs ?? 5 * 60_000;
  rmSync(options.eventsFile, { force: true });
  const reporter = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stream-reporter.ts');
  const { code, output, killed } = await runVitestProcess(
    ['run', '--config', checkpointConfig(), `--reporter=${reporter}`],
    {
      CHECKPOINTS_INCLUDE: JSON.stringify(options.include),
      CHECKPOINTS_TEST_TIMEOUT_MS: String(timeoutMs),
      CHECKPOINTS_EVENTS: options.eventsFile,
      ...(options.bailPerFile === true ? { CHECKPOINTS_BAIL_PER_FILE: '1' } : {}),
      ...(options.maxWorkers !== undefined ? { CHECKPOINTS_MAX_WORKERS: String(options.maxWorkers) } : {}),
    },
    runTimeoutMs,
    options.env,
    options.stallMs === undefined ? undefined : { file: options.eventsFile, ms: options.stallMs },
  );
  const events: CheckpointEvent[] = existsSync(options.eventsFile)
    ? readFileSync(options.eventsFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as CheckpointEvent)
    : [];
  const rel = (file: string): string => posix(path.relative(options.relativeTo, file));
  // Messages name files in the workspace, which is gone by the time anyone reads them: show them relative.
  const prefix = `${options.relativeTo}${path.sep}`;
  const clean = (message: string, lines?: number): string => firstLines(message.split(prefix).join(''), lines);
  const key = (file: string, name: string): string => `${file}\0${name}`;
  const tests = new Map<string, RawTest>();
  const fileErrors: RawFileError[] = [];
  const unhandled: string[] = [];
  let ended = false;
  for (const ev of events) {
    if (ev.e === 'result') {
      if (ev.state === 'pending') continue;
      tests.set(key(ev.file, ev.name), {
        file: rel(ev.file),
        name: ev.name,
        status: ev.state,
        durationMs: ev.durationMs,
        ...(ev.error !== undefined ? { failure: clean(ev.error) } : {}),
      });
    } else if (ev.e === 'module') {
      if (ev.errors.length > 0) fileErrors.push({ file: rel(ev.file), message: clean(ev.errors.join('\n')) });
    } else if (ev.e === 'unhandled') unhandled.push(clean(ev.message, 4));
    else ended = true;
  }
  let runError: string | undefined;
  if (killed) {
    // Other tools recognize a hang by 'did not finish within'.
    const why = `within ${runTimeoutMs / 1000} s${options.stallMs === undefined ? '' : ` (or ${options.stallMs / 1000} s without a test reporting)`}`;
    // A worker blocked in a synchronous wait cannot even send the results of the tests before it (vitest sends
    // them in batches), so what is known is which files never finished.
    const finished = new Set(events.flatMap((ev) => (ev.e === 'module' ? [rel(ev.file)] : [])));
    const unfinished = options.include.map((f) => rel(path.join(projectRoot, f))).filter((f) => !finished.has(f));
    for (const file of unfinished) {
      fileErrors.push({ file, message: `did not finish ${why}: a test in it blocks the main thread or never ends (a synchronous wait cannot time out)` });
    }
    runError = `vitest did not finish ${why} and was stopped; unfinished test files: ${unfinished.join(', ') || '(none)'}`;
  } else if (!ended) {
    runError = `vitest exited with code ${code} before the run ended:\n${firstLines(output, 40)}`;
  }
  return { tests: [...tests.values()], fileErrors, unhandled, ...(runError !== undefined ? { runError } : {}) };
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
      // Wrong solutions are for instructors' checks only; code under test never sees them.
      if (isStudentFile(from) || isMutantCatalogPath(rel)) continue;
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
      results.push({ milestone, file: e.file, name: e.name, status: t.status, durationMs: t.durationMs, ...(t.failure !== undefined ? { failure: t.failure } : {}) });
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
  return results;
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
      ok: tests.some((t) => t.status === 'passed') && !tests.some((t) => t.status === 'failed'),
    };
  } finally {
    removeWorkspace(workspace);
  }
}
