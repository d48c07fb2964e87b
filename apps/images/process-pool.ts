/**
 * `images --processes` (and the default with more than one worker): the same image tasks on worker *processes*
 * instead of worker threads.
 *
 * Why: sharp runs libvips, and libvips (with the GLib object system under it) keeps process-wide state that
 * every pipeline touches: the operation cache, GObject type and property lookups, tracked memory. Two
 * pipelines in one process contend for it; the same work split over two processes does not. One pipeline per
 * process at a time, whichever process it is, does not contend, so with `inProcess` this process is one of the
 * workers: it runs one pipeline at a time itself, and `count - 1` children are forked. That saves one process
 * start (Node, the modules and sharp: ~0.12 s of CPU on an idle core, more when starts overlap) and keeps a
 * core busy while the children start; the command does so whenever it has more than one worker.
 *
 * Guarantees:
 * - Every task gets exactly one result: its own answer, or a failure naming the process that died with it
 *   (a crashed child's task fails; the remaining tasks go to the other workers; if every worker is gone, each
 *   remaining task fails with that reason). Children end when this function settles (they are disconnected,
 *   and killed if they do not go).
 * - Children start before the first task is known (the constructor forks them, then this process loads sharp
 *   and the reference for its own lane), so their start-up overlaps the parent's folder walk. A child runs
 *   process-child.ts as plain JavaScript compiled ahead of time by the kit (the compiled mirror the kit's worker
 *   threads load), not under the TypeScript loader: ~0.15 s of CPU to start instead of ~0.4 s. If that
 *   compilation is not possible, the child runs under tsx as the parent does.
 * - Tasks are handed out in the order given (the caller orders them, largest first), and a worker gets its
 *   next task when it has finished the previous one, so the load balances itself.
 * - Children start with glibc's AVX-512 string functions masked (worker-env.ts: on CPUs with AVX-512 this keeps
 *   libvips' legacy-SSE code, such as GIF palette search, from running up to ~3× slower in a dirty vector state).
 * - Without `inProcess` this module loads neither sharp nor the reference solutions.
 * - A file that crashes the process that decodes it takes only that process with it when it is a child; in this
 *   process's own lane it would end the command, as on the thread path (sharp reports bad files as errors, not
 *   crashes: every broken fixture is such an error).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { workerModuleUrl } from '#kit/thread.ts';
import type { OperationSpec } from './operations.ts';
import type { ProcessOptions, ProgressSnapshot } from './reference.ts';
import { mark } from './timeline.ts';
import { workerEnvironment } from './worker-env.ts';

/** One file to process: where it is and where its result goes. */
export interface FileTask {
  readonly inputPath: string;
  readonly outputPath: string;
}

export interface ProcessResult {
  readonly taskId: number;
  readonly ok: boolean;
  readonly error?: string;
  /** Which worker ran it: 0 this process (`inProcess`), k the k-th child; absent when no worker took it. */
  readonly worker?: number;
  /** Time the task took where it ran (for the timeline). */
  readonly durationMs?: number;
}

interface Answer {
  readonly ready?: true;
  readonly id?: number;
  readonly ok?: boolean;
  readonly error?: string;
  readonly durationMs?: number;
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

/** Processes one task in this process (the same call a child makes). */
type LocalWork = (
  task: FileTask,
  operations: OperationSpec,
  options: ProcessOptions,
) => Promise<{ readonly ok: boolean; readonly error?: string; readonly durationMs: number }>;

async function loadLocalWork(): Promise<LocalWork> {
  const [{ processImage }, { operationsOf }] = await Promise.all([import('./reference.ts'), import('./operations.ts')]);
  mark('parent ready');
  return async (task, operations, options) => {
    const result = await processImage({ ...task, operations: operationsOf(operations) }, options);
    return { ok: result.ok, ...(result.ok ? {} : { error: result.error }), durationMs: result.durationMs };
  };
}

/** Started worker processes, waiting for tasks. */
export class ProcessPool {
  readonly children: ChildProcess[];
  private readonly ready: Array<Promise<boolean>>;
  /** Which children have said they are ready (a child that has not holds no task). */
  private readonly started: boolean[];
  /** This process's own lane (`inProcess`): the loaded task function, or undefined if it could not load. */
  private readonly local: Promise<LocalWork | undefined> | undefined;

  /**
   * `count` workers. With `inProcess`, this process is one of them (it loads sharp and the reference while
   * the children start) and `count - 1` children are forked: one process start fewer, and on a machine with as
   * many cores as workers the parent, which only waits otherwise, keeps a core busy from the start.
   */
  constructor(count: number, options: { readonly inProcess?: boolean } = {}) {
    const { file, execArgv } = childEntry();
    const env = workerEnvironment();
    const forked = options.inProcess && count > 1 ? count - 1 : count;
    this.children = Array.from({ length: forked }, () =>
      fork(file, [], { execArgv, env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    );
    mark('forked');
    this.started = this.children.map(() => false);
    this.ready = this.children.map(
      (child, index) =>
        new Promise<boolean>((resolve) => {
          const onMessage = (m: Answer) => {
            if (m.ready) {
              mark(`child ${index + 1} ready`);
              this.started[index] = true;
              child.off('message', onMessage);
              resolve(true);
            }
          };
          child.on('message', onMessage);
          child.once('exit', () => resolve(false));
          child.once('error', () => resolve(false));
        }),
    );
    if (forked < count) {
      this.local = loadLocalWork().catch((error: unknown) => {
        process.stderr.write(`images: this process cannot process images itself: ${(error as Error).message}\n`);
        return undefined;
      });
      this.ready.push(this.local.then((work) => work !== undefined));
    }
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
    // Settles once every task has its result: a child still starting then has nothing left to do.
    let allDone!: () => void;
    const finished = new Promise<false>((resolve) => {
      allDone = () => resolve(false);
    });
    if (tasks.length === 0) allDone();
    const record = (taskId: number, ok: boolean, error?: string, worker?: number) => {
      if (results[taskId] !== undefined) return;
      results[taskId] = {
        taskId,
        ok,
        ...(ok ? {} : { error: error ?? 'unknown error' }),
        ...(worker === undefined ? {} : { worker }),
      };
      completed++;
      if (completed === 1) mark('first result');
      if (completed === tasks.length) {
        mark('last result');
        allDone();
      }
      if (!ok) failed++;
      progress(completed === tasks.length);
    };
    // Milliseconds each worker spent on its tasks, numbered as `ProcessResult.worker` (0: this process), for the
    // timeline.
    const busy = new Array<number>(this.children.length + 1).fill(0);
    const localLane = async (): Promise<void> => {
      const work = await this.local;
      while (work && next < tasks.length) {
        const id = next++;
        const result = await work(tasks[id]!, options.operations, options.process).catch((error: unknown) => ({
          ok: false,
          error: (error as Error).message,
          durationMs: 0,
        }));
        busy[0]! += result.durationMs;
        record(id, result.ok, result.error, 0);
      }
    };
    try {
      await Promise.all([
        localLane(),
        ...this.children.map(async (child, index) => {
          if (!(await Promise.race([this.ready[index]!, finished]))) return;
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
                record(
                  current,
                  false,
                  `worker process ${index + 1} cannot take work: ${(error as Error).message}`,
                  index + 1,
                );
                current = -1;
                cleanup();
                resolve();
              }
            };
            const onMessage = (m: Answer) => {
              if (m.id === undefined || m.id !== current) return;
              busy[index + 1]! += m.durationMs ?? 0;
              record(m.id, m.ok === true, m.error, index + 1);
              give();
            };
            const onExit = (code: number | null, signal: string | null) => {
              const how = signal ?? `code ${code}`;
              if (current >= 0)
                record(
                  current,
                  false,
                  `worker process ${index + 1} exited (${how}) while processing this file`,
                  index + 1,
                );
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
      ]);
    } finally {
      await this.close();
      mark('children gone');
      mark(`busy ${busy.map((ms) => ms.toFixed(0)).join('/')} ms (this process/children)`);
    }
    for (let id = 0; id < tasks.length; id++) {
      if (results[id] === undefined) {
        record(id, false, 'no worker process could be started (see the messages above)');
      }
    }
    progress(true);
    return results as ProcessResult[];
  }

  /**
   * Disconnect every child (each exits when it sees that), and kill any still there after a second. A child
   * still starting holds no task and is killed at once: on a small batch the other workers may be done before it
   * is ready, and waiting for it to finish loading only to exit would add its whole start-up to the run.
   */
  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (child, index) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (!this.started[index]) child.kill('SIGKILL');
        else if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
