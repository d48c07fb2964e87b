/**
 * `images --processes`: the same image tasks on worker *processes* instead of worker threads.
 *
 * Why: sharp runs libvips, and libvips (with the GLib object system under it) keeps process-wide state that
 * every pipeline touches: the operation cache, GObject type and property lookups, tracked memory. Two
 * pipelines in one process contend for it; the same work split over two processes does not. The command
 * measures both and picks per batch (run-images.ts); the course's thread pool stays what project 2 teaches.
 *
 * Guarantees:
 * - Every task gets exactly one result: its own answer, or a failure naming the process that died with it
 *   (a crashed child's task fails; the remaining tasks go to the other children; if every child is gone, each
 *   remaining task fails with that reason). Children end when this function settles (they are disconnected,
 *   and killed if they do not go).
 * - Children start before the first task is known (the constructor forks them), so their start-up overlaps
 *   the parent's folder walk. A child runs process-child.ts as plain JavaScript compiled ahead of time by the
 *   kit (the compiled mirror the kit's worker threads load), not under the TypeScript loader: ~0.15 s of CPU to
 *   start (Node, the compiled modules, sharp) instead of ~0.4 s. If that compilation is not possible, the child
 *   runs under tsx as the parent does.
 * - Tasks are handed out in the order given (the caller orders them, largest first), and a child gets its
 *   next task when it answers the previous one, so the load balances itself.
 * - This module loads neither sharp nor the reference solutions: a parent that only hands out files stays light.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { workerModuleUrl } from '#kit/thread.ts';
import type { OperationSpec } from './operations.ts';
import type { ProcessOptions, ProgressSnapshot } from './reference.ts';
import { mark } from './timeline.ts';

/** One file to process: where it is and where its result goes. */
export interface FileTask {
  readonly inputPath: string;
  readonly outputPath: string;
}

export interface ProcessResult {
  readonly taskId: number;
  readonly ok: boolean;
  readonly error?: string;
}

interface Answer {
  readonly ready?: true;
  readonly id?: number;
  readonly ok?: boolean;
  readonly error?: string;
}

const CHILD = new URL('./process-child.ts', import.meta.url).href;

/** What to fork: the compiled child with no Node options, or (if it cannot be compiled) the TypeScript source
 * under tsx's loader. */
function childEntry(): { file: string; execArgv: string[] } {
  try {
    return { file: fileURLToPath(workerModuleUrl(CHILD)), execArgv: [] };
  } catch {
    const tsx = process.execArgv.some((a) => a.includes('tsx'))
      ? process.execArgv
      : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
    return { file: fileURLToPath(CHILD), execArgv: tsx };
  }
}

/** Started worker processes, waiting for tasks. */
export class ProcessPool {
  readonly children: ChildProcess[];
  private readonly ready: Array<Promise<boolean>>;

  constructor(count: number) {
    const { file, execArgv } = childEntry();
    this.children = Array.from({ length: count }, () =>
      fork(file, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    );
    mark('forked');
    this.ready = this.children.map(
      (child, index) =>
        new Promise<boolean>((resolve) => {
          const onMessage = (m: Answer) => {
            if (m.ready) {
              mark(`child ${index + 1} ready`);
              child.off('message', onMessage);
              resolve(true);
            }
          };
          child.on('message', onMessage);
          child.once('exit', () => resolve(false));
          child.once('error', () => resolve(false));
        }),
    );
  }

  /** True once any child is ready for work; false if every child failed to start. */
  async anyStarted(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let failed = 0;
      for (const ready of this.ready) {
        void ready.then((ok) => {
          if (ok) resolve(true);
          else if (++failed === this.ready.length) resolve(false);
        });
      }
      if (this.ready.length === 0) resolve(false);
    });
  }

  /** Run every task; one result per task, in task order. Ends the children when done. */
  async run(
    tasks: readonly FileTask[],
    options: {
      readonly operations: OperationSpec;
      readonly process: ProcessOptions;
      readonly onProgress?: (p: ProgressSnapshot) => void;
      readonly intervalMs?: number;
    },
  ): Promise<ProcessResult[]> {
    const results: Array<ProcessResult | undefined> = new Array(tasks.length);
    let next = 0;
    let completed = 0;
    let failed = 0;
    let lastShown = 0;
    const interval = options.intervalMs ?? 100;
    const progress = (force: boolean) => {
      const now = performance.now();
      if (!options.onProgress || (!force && now - lastShown < interval)) return;
      lastShown = now;
      const total = tasks.length;
      options.onProgress({ completed, failed, total, percentage: total === 0 ? 100 : (100 * completed) / total });
    };
    const record = (taskId: number, ok: boolean, error?: string) => {
      if (results[taskId] !== undefined) return;
      results[taskId] = { taskId, ok, ...(ok ? {} : { error: error ?? 'unknown error' }) };
      completed++;
      if (completed === 1) mark('first result');
      if (completed === tasks.length) mark('last result');
      if (!ok) failed++;
      progress(completed === tasks.length);
    };
    try {
      await Promise.all(
        this.children.map(async (child, index) => {
          if (!(await this.ready[index]!)) return;
          await new Promise<void>((resolve) => {
            let current = -1;
            const give = () => {
              if (next >= tasks.length) {
                current = -1;
                cleanup();
                resolve();
                return;
              }
              current = next++;
              try {
                const { inputPath, outputPath } = tasks[current]!;
                child.send({
                  id: current,
                  task: { inputPath, outputPath },
                  operations: options.operations,
                  options: options.process,
                });
              } catch (error) {
                record(current, false, `worker process ${index + 1} cannot take work: ${(error as Error).message}`);
                current = -1;
                cleanup();
                resolve();
              }
            };
            const onMessage = (m: Answer) => {
              if (m.id === undefined || m.id !== current) return;
              record(m.id, m.ok === true, m.error);
              give();
            };
            const onExit = (code: number | null, signal: string | null) => {
              const how = signal ?? `code ${code}`;
              if (current >= 0)
                record(current, false, `worker process ${index + 1} exited (${how}) while processing this file`);
              cleanup();
              resolve();
            };
            const cleanup = () => {
              child.off('message', onMessage);
              child.off('exit', onExit);
            };
            child.on('message', onMessage);
            child.once('exit', onExit);
            give();
          });
        }),
      );
    } finally {
      await this.close();
      mark('children gone');
    }
    for (let id = 0; id < tasks.length; id++) {
      if (results[id] === undefined) {
        record(id, false, 'no worker process could be started (see the messages above)');
      }
    }
    progress(true);
    return results as ProcessResult[];
  }

  /** Disconnect every child (each exits when it sees that), and kill any still there after a second. */
  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
