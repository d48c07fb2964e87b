/**
 * Tasks: what a thread pool runs.
 *
 * Rust's pool takes `Box<dyn FnOnce() + Send>`: a closure that carries its captures into the worker. A
 * JavaScript closure cannot cross into another thread, so a task here is two things that can:
 *
 *   - a *named export* of a module, declared with `defineTask(import.meta.url, 'exportName', fn)` exactly like a
 *     kit thread body (the worker imports the module and looks the export up), and
 *   - its *arguments*, which are structured-cloned into the job queue (plain data: numbers, strings, arrays,
 *     plain objects, typed arrays...).
 *
 * Kit handles (Mutex, atomics, channel endpoints, Condvar...) cannot be arguments: a job travels through a
 * channel, and channels carry bytes, while a handle is a view onto a SharedArrayBuffer that only `spawn` can
 * hand to a thread. So every task receives, as its first parameter, the pool's *context*: a plain object of kit
 * handles given to the pool once, at creation, and handed to every worker when it is spawned. That is the
 * honest JavaScript version of "captures an Arc": what a task shares with other threads is decided when the
 * pool is built, not per task.
 *
 *     export const increment = defineTask(import.meta.url, 'increment', (ctx: { counter: Mutex<SharedI32Array> }) => {
 *       ctx.counter.withLock((c) => { c.array[0]! += 1; });
 *     });
 *     const pool = new ThreadPool(4, { context: { counter } });
 *     pool.execute(increment);
 */
import { workerModuleUrl as loadableModule } from '#kit/thread.ts';

const kTask: unique symbol = Symbol.for('p2-image-pool.task');
const kShare = Symbol.for('threadkit.share');

/** A function a pool can run: a named export declared with defineTask. `C` is the pool context it expects. */
export interface Task<C, A extends unknown[], R> {
  readonly [kTask]: true;
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly run: (context: C, ...args: A) => R | Promise<R>;
}

/**
 * Declare a task. `moduleUrl` is the declaring module's `import.meta.url`, `exportName` the name it is
 * exported under (the worker finds the task by that name, so they must match). The function may be async.
 */
export function defineTask<C, A extends unknown[], R>(
  moduleUrl: string,
  exportName: string,
  run: (context: C, ...args: A) => R,
): Task<C, A, Awaited<R>> {
  return { [kTask]: true, moduleUrl, exportName, run: run as (context: C, ...args: A) => Awaited<R> };
}

export function isTask(value: unknown): value is Task<unknown, unknown[], unknown> {
  return typeof value === 'object' && value !== null && (value as { [kTask]?: boolean })[kTask] === true;
}

/** A job as it travels through the queue: which task to run, with which arguments. */
export interface RunJob {
  readonly kind: 'run';
  /** Pool-wide job number, returned by `execute`, used in failure reports. */
  readonly id: number;
  /** URL a worker can import (the compiled mirror of the task's module, see kit/internal/compile.ts). */
  readonly module: string;
  readonly name: string;
  readonly args: unknown[];
}

/** Tells the worker that takes it to stop (shutdown sends one per worker, scale-down one per retiring worker). */
export interface StopJob {
  readonly kind: 'stop';
  /** Scale-down (milestone 5): stop only if more than this many workers would remain; shutdown leaves it out. */
  readonly ifAbove?: number;
}

export type Job = RunJob | StopJob;

// Per thread: the URL a worker imports for each task module. loadableModule compiles TypeScript on first use
// (and checks mtimes), so remembering its answer keeps `execute` cheap.
const importable = new Map<string, string>();

/** What identifies a task, whatever its types: enough to build a job. */
export interface TaskRef {
  readonly moduleUrl: string;
  readonly exportName: string;
}

/** The URL a worker should import to find `task`. */
export function importableUrl(task: TaskRef): string {
  let url = importable.get(task.moduleUrl);
  if (url === undefined) {
    url = loadableModule(task.moduleUrl);
    importable.set(task.moduleUrl, url);
  }
  return url;
}

/**
 * Refuse kit handles in task arguments, with a message that says what to do instead (a handle would otherwise
 * fail deep inside the codec, or worse, arrive as a lifeless copy).
 */
export function checkTaskArgs(name: string, args: readonly unknown[]): void {
  const seen = new Set<object>();
  const visit = (value: unknown, where: string): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (kShare in value) {
      throw new TypeError(
        `task '${name}': argument ${where} is a kit handle (lock, atomic, channel...). Handles cannot travel inside ` +
          `a job; put it in the pool's context (new ThreadPool(n, { context })) and read it from the task's first parameter`,
      );
    }
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${where}[${i}]`));
    else if (Object.getPrototypeOf(value) === Object.prototype) {
      for (const [key, item] of Object.entries(value)) visit(item, `${where}.${key}`);
    }
  };
  args.forEach((arg, i) => visit(arg, `#${i + 1}`));
}

// Per worker: tasks already imported, by module URL and export name.
const loaded = new Map<string, Task<unknown, unknown[], unknown>>();

/** The task a job names: from this worker's cache, else imported (the returned promise only on first use). */
export function taskFor(job: RunJob): Task<unknown, unknown[], unknown> | Promise<Task<unknown, unknown[], unknown>> {
  const key = `${job.module}#${job.name}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  return import(job.module).then((module: Record<string, unknown>) => {
    const task = module[job.name];
    if (!isTask(task)) {
      throw new Error(
        `${job.module} has no task exported as '${job.name}' (the name given to defineTask must be the export's name)`,
      );
    }
    loaded.set(key, task);
    return task;
  });
}

/** A one-line description of whatever a task threw. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return `a non-Error value was thrown: ${String(error)}`;
}
