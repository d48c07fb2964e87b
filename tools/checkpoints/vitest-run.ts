/** One vitest run of given test files (runVitest), and the tests they hold, listed without running them (listTests). */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckpointEvent } from './stream-reporter.ts';
import { hangMessage } from './verdict.ts';
import { projectRoot } from '../../course/layout.ts';
import { posix } from '../../lib/paths.ts';
import type { RawRun, TestStatus } from './types.ts';
import { checkpointConfig, describeExit, runVitestProcess, type CommandWrapper } from './child.ts';
import { capText, firstLines, interpretEvents, readEvents } from './events.ts';

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
  /**
   * In test files under these folders (absolute paths), run only the tests whose full name contains one of the
   * parts given for the folder; skip the rest (see only-named.ts).
   */
  readonly onlyNamed?: Readonly<Record<string, readonly string[]>>;
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
        if (ev.e === 'result' && ev.state !== 'pending')
          options.onResult?.({ file: rel(ev.file), name: ev.name, status: ev.state });
      } catch {
        // not an event line: readEvents reports it
      }
    }
  };
  const outcome = await runVitestProcess(
    // Wrapped (the grader's sandbox sees the project read-only): the config is loaded on the fly, without the
    // temporary bundle vite would otherwise write next to node_modules.
    [
      'run',
      '--config',
      checkpointConfig(),
      `--reporter=${reporter}`,
      ...(options.wrap ? ['--configLoader', 'runner'] : []),
    ],
    {
      CHECKPOINTS_INCLUDE: JSON.stringify(options.include),
      CHECKPOINTS_TEST_TIMEOUT_MS: String(timeoutMs),
      ...(nonce !== undefined ? { CHECKPOINTS_CANARY: nonce } : {}),
      ...(options.bailPerFile === true ? { CHECKPOINTS_BAIL_PER_FILE: '1' } : {}),
      ...(options.onlyNamed !== undefined ? { CHECKPOINTS_ONLY: JSON.stringify(options.onlyNamed) } : {}),
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
  const { events, tampering } = readEvents(
    outcome.events,
    key,
    killed || signal !== null || (code !== 0 && code !== 1),
  );
  const {
    tests,
    fileErrors,
    unhandled,
    modulesEnded,
    ended,
    strayOutput,
    tampering: interpreted,
  } = interpretEvents(events, {
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
    const printed = capText(
      output
        .split('\n')
        .filter((l) => l.trim() !== '')
        .join('\n'),
      40,
      maxChars * 2,
    );
    runError = `vitest ${describeExit(code, signal)} before the run ended${printed !== '' ? `: ${printed}` : ' (it printed nothing)'}`;
  }
  const crash = crashReason(output);
  return {
    tests,
    fileErrors,
    unhandled,
    tampering: [...new Set(tampering)],
    ...(runError !== undefined ? { runError } : {}),
    ...(crash !== undefined ? { crash } : {}),
    ...(stopped !== undefined ? { stopped } : {}),
    ...(strayOutput.length > 0 ? { strayOutput } : {}),
  };
}

/**
 * The tests vitest finds in the given files (paths relative to the project root), without running them; file
 * paths made relative to `relativeTo`.
 */
export async function listTests(
  include: readonly string[],
  relativeTo: string,
  reportFile: string,
  env?: Readonly<Record<string, string>>,
): Promise<Array<{ file: string; name: string }>> {
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

/**
 * Why a test process died, when Node or V8 printed a fatal error (the process is gone, and with it the results of the
 * tests it had not reported yet): one of a few fixed sentences, never the printed text, which the code under test
 * could have written itself (and a report must not carry what it chooses, hidden test names for one).
 */
export function crashReason(output: string): string | undefined {
  if (!/^(?:FATAL ERROR: |# Fatal )/m.test(output)) return undefined;
  if (/JavaScript heap out of memory/.test(output)) {
    return "a test process ran out of JavaScript heap (the run's heap limit) and died";
  }
  if (/Failed to reserve virtual memory/.test(output)) {
    return "a test process could not reserve memory for a thread under the run's data limit and died";
  }
  return 'a test process died of a fatal Node or V8 error';
}
