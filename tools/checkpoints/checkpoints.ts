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
import { randomBytes, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMutantCatalogPath, stubSource } from '../exercises/generate.ts';
import { joinOutput, type OutputChunk } from './output.ts';
import { type CheckpointEvent, eventMac } from './stream-reporter.ts';
import { allPass, hangMessage, timeoutAsHang } from './verdict.ts';
import { isTestFile, isTypeScriptModule, listFiles, listMilestones, type Milestone, milestoneIdOf, projectRoot, selectMilestones } from '../../course/layout.ts';
import { cacheDir } from '../../kit/internal/compile.ts';
import { milestoneInfo } from '../../course/milestones.ts';
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
   * not finished; their tests that never reported fail with the hang message (verdict.ts).
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
  /** Signs that the results were forged or the test framework was tampered with (empty when none). */
  readonly tampering: readonly string[];
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

/** Turns the command that starts vitest into the one that runs it somewhere else (the grader's sandbox). */
export type CommandWrapper = (command: string, args: readonly string[]) => { command: string; args: string[] };

interface ProcessOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  readonly killed: boolean;
  /** What the child wrote to its results descriptor (fd 3), if one was asked for. */
  readonly events: string;
  /** Killed because the results channel stayed silent for the stall limit (not the overall limit). */
  readonly stalled: boolean;
}

/** Run vitest in a child process; resolves with how it ended and its output (kept for error messages). */
function runVitestProcess(
  args: readonly string[],
  env: Record<string, string>,
  killAfterMs: number,
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
  channel?: { readonly key: string; readonly onData?: (chunk: string) => void },
  wrap?: CommandWrapper,
  stallMs?: number,
): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const started = wrap ? wrap(process.execPath, [vitestBin(), ...args]) : { command: process.execPath, args: [vitestBin(), ...args] };
    // detached: the child leads its own process group, so a hung run is killed with its fork workers.
    // With a channel, the child's stdin carries the key and fd 3 is the results pipe: inherited, never a path.
    const child = spawn(started.command, started.args, {
      cwd: projectRoot,
      env: { ...baseEnv, ...env, FORCE_COLOR: '0', ...(channel ? { CHECKPOINTS_EVENTS_FD: '3' } : {}) },
      stdio: channel ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const eventChunks: Buffer[] = [];
    let lastEvent = Date.now();
    if (channel) {
      child.stdin!.on('error', () => {}); // a child that died at once: its exit tells why
      child.stdin!.end(`${channel.key}\n`);
      const results = child.stdio[3] as NodeJS.ReadableStream;
      results.on('data', (chunk: Buffer) => {
        lastEvent = Date.now();
        eventChunks.push(chunk);
        channel.onData?.(chunk.toString('utf8'));
      });
      results.on('error', () => {});
    }
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
    // A run whose results channel has been silent for `stallMs` is stuck (every file still running blocks its
    // worker's main thread): stop it now rather than at the overall limit.
    let stalled = false;
    const stallTimer =
      stallMs === undefined
        ? undefined
        : setInterval(() => {
            if (Date.now() - lastEvent > stallMs) {
              killed = true;
              stalled = true;
              killGroup();
            }
          }, 500);
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      killGroup();
    };
    liveRuns.add(stop);
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
      liveRuns.delete(stop);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    child.on('error', (error) => {
      done();
      reject(error);
    });
    child.on('close', (code, signal) => {
      done();
      // Whatever the child left running in its group goes too (without a sandbox, a detached grandchild with a
      // group of its own can still escape this; the grader's sandbox kills everything).
      killGroup();
      if (stopped) reject(new RunStoppedError('the checkpoint run was stopped'));
      else resolve({ code, signal, output, killed, stalled, events: Buffer.concat(eventChunks).toString('utf8') });
    });
  });
}

/** How a process ended, in words: the signal when a signal ended it (a sandbox reports it as exit code 128+n). */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `was killed by ${signal}`;
  if (code !== null && code > 128) {
    const name = Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0];
    if (name !== undefined) return `was killed by ${name} (exit code ${code})`;
  }
  return `exited with code ${code ?? 'unknown'}`;
}

function firstLines(message: string, lines = 12): string {
  return message.split('\n').slice(0, lines).join('\n').trim();
}

/** At most `lines` lines and `chars` characters of a message, saying so when it was cut. */
export function capText(message: string, lines = 12, chars = 2000): string {
  let text = firstLines(message, lines);
  if (text.length > chars) text = `${text.slice(0, chars)}… (cut at ${chars} characters)`;
  return text;
}

/**
 * Read the authenticated event lines of stream-reporter.ts. Anything that does not verify (a bad MAC, a sequence
 * number out of order, a line that is not an event, an event after the end) stops the reading and is reported as
 * tampering; a last line cut short by a killed run is not.
 */
export function readEvents(text: string, key: string, killed: boolean): { events: CheckpointEvent[]; tampering: string[] } {
  const events: CheckpointEvent[] = [];
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const tampering: string[] = [];
  if (last !== '' && !killed) tampering.push('the results channel ended in the middle of a line');
  let ended = false;
  for (const [i, line] of lines.entries()) {
    const [seq, mac, ...rest] = line.split('\t');
    const json = rest.join('\t');
    const expected = eventMac(key, i, json);
    if (seq !== String(i) || mac === undefined || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) {
      tampering.push(`line ${i + 1} of the results channel was not written by the test runner`);
      break;
    }
    if (ended) {
      tampering.push('the results channel went on after the end of the run');
      break;
    }
    const event = JSON.parse(json) as CheckpointEvent;
    if (event.e === 'end') ended = true;
    events.push(event);
  }
  return { events, tampering };
}

/** The names the canary adds to every test file of a run (tools/checkpoints/canary.ts). */
export const canaryNames = (nonce: string): { falseTest: string; trueTest: string; marker: string } => ({
  falseTest: `[canary ${nonce}] known false`,
  trueTest: `[canary ${nonce}] known true`,
  marker: `[canary ${nonce}] after the last test: ok`,
});

/** What a run's events say, checked: every sign of forgery or of a broken canary goes to `tampering`. */
export function interpretEvents(
  events: readonly CheckpointEvent[],
  context: { readonly include: readonly string[]; readonly relativeTo: string; readonly nonce?: string; readonly maxChars?: number },
): {
  tests: RawTest[];
  fileErrors: RawFileError[];
  unhandled: string[];
  tampering: string[];
  modulesEnded: Set<string>;
  ended: boolean;
  strayOutput: Array<{ file: string; output: string }>;
} {
  const { include, relativeTo, nonce } = context;
  const maxChars = context.maxChars ?? 2000;
  const tampering: string[] = [];
  const rel = (file: string): string => posix(path.relative(relativeTo, file));
  // Messages name files in the workspace, which is gone by the time anyone reads them: show them relative.
  const prefix = `${relativeTo}${path.sep}`;
  const clean = (message: string, lines?: number): string => capText(message.split(prefix).join(''), lines, maxChars);
  const key2 = (file: string, name: string): string => `${file}\0${name}`;
  const included = new Set(include.map((f) => path.join(projectRoot, f)));
  const tests = new Map<string, RawTest>();
  const fileErrors: RawFileError[] = [];
  const unhandled: string[] = [];
  const printed = new Map<string, { chunks: OutputChunk[]; dropped: number }>();
  const details = new Map<string, Assertion>();
  const modulesEnded = new Set<string>();
  const canary = nonce !== undefined ? canaryNames(nonce) : undefined;
  const canarySeen = new Map<string, { falseOk: boolean; trueOk: boolean; markerOk: boolean; scored: boolean }>();
  const canaryOf = (file: string) => {
    let c = canarySeen.get(file);
    if (c === undefined) canarySeen.set(file, (c = { falseOk: false, trueOk: false, markerOk: false, scored: false }));
    return c;
  };
  const canariesSeen = new Set<string>();
  let ended = false;
  for (const ev of events) {
    if ((ev.e === 'result' || ev.e === 'module') && !included.has(ev.file)) {
      tampering.push(`results came for a file outside the run: ${clean(ev.file, 1)}`);
      continue;
    }
    if (ev.e === 'result') {
      if (ev.state === 'pending') continue;
      // (No rule on order within a file: under load vitest can deliver a test's result after its file's end.)
      const k = key2(ev.file, ev.name);
      if (canary && (ev.name === canary.falseTest || ev.name === canary.trueTest)) {
        if (canariesSeen.has(k)) tampering.push('a canary test reported twice');
        canariesSeen.add(k);
      }
      if (canary && ev.name === canary.falseTest) {
        canaryOf(ev.file).falseOk = ev.state === 'failed' && (ev.error ?? '').includes(`${nonce}-left`) && (ev.error ?? '').includes(`${nonce}-right`);
        continue;
      }
      if (canary && ev.name === canary.trueTest) {
        canaryOf(ev.file).trueOk = ev.state === 'passed';
        continue;
      }
      if (tests.has(k)) {
        tampering.push(`the test '${clean(ev.name, 1)}' reported twice`);
        continue;
      }
      if (ev.state === 'passed') canaryOf(ev.file).scored = true;
      const failure = ev.error === undefined ? undefined : (timeoutAsHang(ev.error) ?? clean(ev.error));
      tests.set(k, {
        file: rel(ev.file),
        name: clean(ev.name, 1),
        status: ev.state,
        durationMs: ev.durationMs,
        ...(failure !== undefined ? { failure } : {}),
      });
    } else if (ev.e === 'log') {
      const k = key2(ev.file, ev.name ?? '');
      const entry = printed.get(k) ?? { chunks: [], dropped: 0 };
      entry.chunks.push({ stream: ev.stream, text: ev.text.split(prefix).join('') });
      entry.dropped += ev.dropped ?? 0;
      printed.set(k, entry);
    } else if (ev.e === 'detail') {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the colour codes vitest may leave in values
      const plain = (v: string): string => v.replace(/\u001b\[[0-9;]*m/g, '').split(prefix).join('');
      const clip = (v: string | undefined): string | undefined => (v === undefined ? undefined : capText(plain(v), 40, maxChars));
      const a = { expected: clip(ev.expected), actual: clip(ev.actual), diff: clip(ev.diff) };
      details.set(key2(ev.file, ev.name), Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Assertion);
    } else if (ev.e === 'module') {
      if (modulesEnded.has(ev.file)) tampering.push(`the test file ${rel(ev.file)} ended twice`);
      modulesEnded.add(ev.file);
      let errors = ev.errors;
      const isMarker = (e: string): boolean => canary !== undefined && e.replace(/^Error: /, '') === canary.marker;
      if (errors.some(isMarker)) {
        canaryOf(ev.file).markerOk = true;
        errors = errors.filter((e) => !isMarker(e));
      }
      if (errors.length > 0) fileErrors.push({ file: rel(ev.file), message: clean(errors.join('\n')) });
    } else if (ev.e === 'unhandled') unhandled.push(clean(ev.message, 4));
    else if (ev.e === 'end') ended = true;
    // Other kinds of event (a newer reporter's) are not results: nothing here depends on them.
  }
  if (canary) {
    // Only a file that would score needs an intact canary: one whose every test failed or never loaded has
    // nothing a broken framework could have won.
    for (const [file, c] of canarySeen) {
      if (!c.scored) continue;
      const broken = [!c.falseOk && 'a known-false expectation did not fail', !c.trueOk && 'a known-true expectation did not pass', modulesEnded.has(file) && !c.markerOk && 'the check after the last test did not report'].filter(Boolean);
      if (broken.length > 0) tampering.push(`the test framework was tampered with in ${rel(file)}: ${broken.join('; ')}`);
    }
  }
  // What the code printed goes with its test; what it printed outside any test, with its file.
  for (const [k, t] of tests) {
    const out = printed.get(k);
    const assertion = details.get(k);
    if (out !== undefined || assertion !== undefined) {
      tests.set(k, { ...t, ...(assertion !== undefined ? { assertion } : {}), ...(out !== undefined ? { output: joinOutput(out.chunks, undefined, out.dropped) } : {}) });
    }
  }
  const strayOutput = [...printed].filter(([k]) => k.endsWith('\0')).map(([k, v]) => ({ file: rel(k.slice(0, -1)), output: joinOutput(v.chunks, undefined, v.dropped) }));
  return { tests: [...tests.values()], fileErrors, unhandled, tampering, modulesEnded, ended, strayOutput };
}

/**
 * Run the given test files (paths relative to the project root) with the checkpoint config, and return what
 * vitest reported, file paths made relative to `relativeTo`. Results stream back over an inherited pipe
 * (stream-reporter.ts), so a run that has to be killed still reports the files that finished, and names the
 * ones that did not.
 */
export async function runVitest(options: {
  readonly include: readonly string[];
  readonly relativeTo: string;
  readonly timeoutMs?: number;
  readonly runTimeoutMs?: number;
  /**
   * The child's whole environment (the checkpoint variables are added to it); by default it inherits this
   * process's. The grader passes a stripped one, so code under test sees no secrets.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Run vitest through this (the grader's sandbox). */
  readonly wrap?: CommandWrapper;
  /** Add the canary to every test file and check it (see canary.ts); a broken canary is reported as tampering. */
  readonly canary?: boolean;
  /** Longest failure message kept, in characters (default 2000). */
  readonly maxMessageChars?: number;
  /** Called as each test finishes (file relative to `relativeTo`), for a progress display. */
  readonly onResult?: (test: { readonly file: string; readonly name: string; readonly status: TestStatus }) => void;
  /** Skip the rest of a test file after its first failure (enough to know that the file fails). */
  readonly bailPerFile?: boolean;
  /** Test files run side by side (vitest's default when unset). */
  readonly maxWorkers?: number;
  /** Stop the run when no test has reported for this long (a main thread blocked for good); off when unset. */
  readonly stallMs?: number;
}): Promise<RawRun> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const runTimeoutMs = options.runTimeoutMs ?? 5 * 60_000;
  const maxChars = options.maxMessageChars ?? 2000;
  const key = randomBytes(32).toString('hex');
  const nonce = options.canary ? randomBytes(12).toString('hex') : undefined;
  const reporter = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stream-reporter.ts');
  const rel = (file: string): string => posix(path.relative(options.relativeTo, file));
  // Progress only: lines are shown as they come and verified, all together, once the run has ended.
  let partial = '';
  const onData = (chunk: string): void => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const ev = JSON.parse(line.split('\t').slice(2).join('\t')) as CheckpointEvent;
        if (ev.e === 'result' && ev.state !== 'pending') options.onResult?.({ file: rel(ev.file), name: ev.name, status: ev.state });
      } catch {
        // not an event line: readEvents reports it
      }
    }
  };
  const outcome = await runVitestProcess(
    // Wrapped (the grader's sandbox sees the project read-only): the config is loaded on the fly, without the
    // temporary bundle vite would otherwise write next to node_modules.
    ['run', '--config', checkpointConfig(), `--reporter=${reporter}`, ...(options.wrap ? ['--configLoader', 'runner'] : [])],
    {
      CHECKPOINTS_INCLUDE: JSON.stringify(options.include),
      CHECKPOINTS_TEST_TIMEOUT_MS: String(timeoutMs),
      ...(nonce !== undefined ? { CHECKPOINTS_CANARY: nonce } : {}),
      ...(options.bailPerFile === true ? { CHECKPOINTS_BAIL_PER_FILE: '1' } : {}),
      ...(options.maxWorkers !== undefined ? { CHECKPOINTS_MAX_WORKERS: String(options.maxWorkers) } : {}),
    },
    runTimeoutMs,
    options.env,
    { key, ...(options.onResult !== undefined ? { onData } : {}) },
    options.wrap,
    options.stallMs,
  );
  const { code, signal, output, killed } = outcome;
  // A process that died (killed by the watchdog or by anything else; 1 is vitest for "tests failed") may have
  // been cut off mid-line.
  const { events, tampering } = readEvents(outcome.events, key, killed || signal !== null || (code !== 0 && code !== 1));
  const { tests, fileErrors, unhandled, modulesEnded, ended, strayOutput, tampering: interpreted } = interpretEvents(events, {
    include: options.include,
    relativeTo: options.relativeTo,
    maxChars,
    ...(nonce !== undefined ? { nonce } : {}),
  });
  tampering.push(...interpreted);
  let runError: string | undefined;
  let stopped: RawRun['stopped'];
  if (killed) {
    // A worker blocked in a synchronous wait cannot even send the results of the tests before it (vitest sends
    // them in batches), so what is known is which files never finished.
    const finished = new Set([...modulesEnded].map(rel));
    const unfinished = options.include.map((f) => rel(path.join(projectRoot, f))).filter((f) => !finished.has(f));
    // The limit that was applied: the whole run's, or the stall limit (no test reporting for that long).
    const limitSeconds = (outcome.stalled && options.stallMs !== undefined ? options.stallMs : runTimeoutMs) / 1000;
    for (const file of unfinished) fileErrors.push({ file, message: hangMessage(limitSeconds) });
    stopped = { limitSeconds, unfinished };
    runError = `the test run ${hangMessage(limitSeconds)}; it was stopped; unfinished test files: ${unfinished.join(', ') || '(none)'}`;
  } else if (!ended) {
    // The first line says what happened and why (the first thing vitest printed); the rest follows.
    const printed = capText(output.split('\n').filter((l) => l.trim() !== '').join('\n'), 40, maxChars * 2);
    runError = `vitest ${describeExit(code, signal)} before the run ended${printed !== '' ? `: ${printed}` : ' (it printed nothing)'}`;
  }
  return {
    tests,
    fileErrors,
    unhandled,
    tampering: [...new Set(tampering)],
    ...(runError !== undefined ? { runError } : {}),
    ...(stopped !== undefined ? { stopped } : {}),
    ...(strayOutput.length > 0 ? { strayOutput } : {}),
  };
}

/**
 * The tests vitest finds in the given files (paths relative to the project root), without running them; file
 * paths made relative to `relativeTo`.
 */
export async function listTests(include: readonly string[], relativeTo: string, reportFile: string, env?: Readonly<Record<string, string>>): Promise<Array<{ file: string; name: string }>> {
  rmSync(reportFile, { force: true });
  const { code, output } = await runVitestProcess(
    ['list', '--config', checkpointConfig(), `--json=${reportFile}`],
    { CHECKPOINTS_INCLUDE: JSON.stringify(include) },
    5 * 60_000,
    env,
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
  let dir: string | undefined;
  for (let attempt = 0; dir === undefined; attempt++) {
    mkdirSync(base, { recursive: true });
    try {
      dir = mkdtempSync(path.join(base, `${prefix}-`));
    } catch (error) {
      // Another process removed the (then empty) base folder in between: make it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw error;
    }
  }
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
    // Symbolic links are left out: followed on this side they would read or (copying canonical files on top)
    // write whatever they point at, outside the submission.
    if (projects.has(folder.split('/')[0] ?? '')) cpSync(m.dir, path.join(dir, folder), { recursive: true, filter: (src) => !lstatSync(src).isSymbolicLink() });
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
  const hung = new Set((run.stopped?.unfinished ?? []).map(toCanonical));
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
      // A test of a file the run had to stop fails with the hang message itself (verdict.ts): the same words in
      // check, learn and the grader. Tests of that file that finished before the hang keep their results.
      const failure = hung.has(e.file)
        ? hangMessage(run.stopped!.limitSeconds)
        : fileFailure !== undefined
          ? `its test file failed: ${fileFailure}`
          : `did not run: ${run.runError ?? 'vitest did not report it'}`;
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
      runErrors: [...run.tampering, ...run.unhandled, ...(run.runError !== undefined ? [run.runError] : [])],
      ok: run.tampering.length === 0 && allPass(tests),
      ...(run.stopped !== undefined ? { stopped: run.stopped } : {}),
      ...(run.strayOutput !== undefined
        ? { strayOutput: run.strayOutput.map((o) => ({ ...o, milestone: milestoneIdOf(o.file) ?? '?' })) }
        : {}),
    };
  } finally {
    removeWorkspace(workspace);
  }
}
