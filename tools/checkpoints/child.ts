/**
 * The vitest child process of a checkpoint run: started in its own process group (optionally through the grader's
 * sandbox), results over an inherited pipe, killed as a whole at the run's limit, when its results stall, or when
 * stopRuns() is called (a student quit the watch loop).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../course/layout.ts';

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
export const checkpointConfig = (): string => path.join(projectRoot, 'vitest.checkpoints.config.ts');

/** Turns the command that starts vitest into the one that runs it somewhere else (the grader's sandbox). */
export type CommandWrapper = (command: string, args: readonly string[]) => { command: string; args: string[] };

export interface ProcessOutcome {
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
export function runVitestProcess(
  args: readonly string[],
  env: Record<string, string>,
  killAfterMs: number,
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
  channel?: { readonly key: string; readonly onData?: (chunk: string) => void },
  wrap?: CommandWrapper,
  stallMs?: number,
): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const started = wrap
      ? wrap(process.execPath, [vitestBin(), ...args])
      : { command: process.execPath, args: [vitestBin(), ...args] };
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
