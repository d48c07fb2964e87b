/**
 * Pool against sequential: the same tasks run one after another on the calling thread, then on pools of 1, 2,
 * 4... workers, for several task lengths.
 *
 * Three kinds of task, because they answer different questions:
 *   - 'sleep'  the chapter's task. It needs no CPU, so a pool of n workers approaches n× however few cores
 *              the machine has: it measures overlap of waiting, not parallel computation;
 *   - 'cpu'    a busy loop calibrated to last about `taskMs`: the speed-up is capped by the cores (2 here);
 *   - 'image'  real image work with sharp (decode, resize, blur, encode), one image per task.
 *
 * ── Shared state and who writes it ──────────────────────────────────────────────────────────────────────────
 * The pool context holds one SharedI32Array `done`: [0] tasks finished, [1] a checksum (XOR of what the tasks
 * computed). Tasks add to it with Atomics; the calling thread reads it after waitIdle(), to check that every
 * task ran, and ran to the end, before any time counts.
 *
 * Timing starts once the pool's workers have started (`ready()`), as Rust's pool is ready when `new` returns,
 * and have each run one warm-up task (loading a task module, and sharp with it, is a worker's first-use cost,
 * paid once per pool); it stops when the last task has finished (`waitIdle()`); shutdown is not timed.
 */
import type { SharedI32Array as SharedI32ArrayType } from '#kit/shared-data.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { sleep } from '#kit/thread.ts';
import { defineTask } from '../m1-thread-pool/task.ts';
import { ThreadPool } from '../m1-thread-pool/thread-pool.ts';
import { type ImageTask, processImage } from '../m2-image-tasks/image-task.ts';
import { waitWhileEqual, wake } from '#kit/futex.ts';

export type TaskKind = 'sleep' | 'cpu' | 'image';

export interface BenchContext {
  readonly done: SharedI32ArrayType;
  /** [0] warm-up tasks that have started (see `warmUpTask`); absent when no warm-up is run. */
  readonly warm?: SharedI32ArrayType;
}

/** A busy loop of `iterations` steps of a xorshift generator; returns its last value (so it cannot be skipped). */
export function spin(iterations: number): number {
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}

/** Iterations of `spin` that take about `ms` on this thread (measured, median of a few tries). */
export function calibrateSpin(ms: number): number {
  let iterations = 100_000;
  for (;;) {
    const start = performance.now();
    spin(iterations);
    const took = performance.now() - start;
    if (took > 20) {
      const perMs = iterations / took;
      return Math.max(1, Math.round(perMs * ms));
    }
    iterations *= 2;
  }
}

function record(ctx: BenchContext, value: number): void {
  Atomics.add(ctx.done.array, 0, 1);
  Atomics.xor(ctx.done.array, 1, value | 0);
}

export const sleepTask = defineTask(import.meta.url, 'sleepTask', (ctx: BenchContext, ms: number) => {
  sleep(ms);
  record(ctx, 0);
});

export const cpuTask = defineTask(import.meta.url, 'cpuTask', (ctx: BenchContext, iterations: number) => {
  record(ctx, spin(iterations));
});

export const imageTask = defineTask(import.meta.url, 'imageTask', async (ctx: BenchContext, task: ImageTask) => {
  const result = await processImage(task);
  if (!result.ok) throw new Error(`${task.inputPath}: ${result.error}`);
  record(ctx, result.width * 65_536 + result.height);
});

/**
 * One per worker before the timing starts: it makes the worker load this module (and sharp, through
 * milestone 2) the first time, which costs tens of milliseconds per worker and is not what is measured. Each
 * waits (up to 5 s) until `workers` of them have started, so that every worker gets exactly one.
 */
export const warmUpTask = defineTask(import.meta.url, 'warmUpTask', (ctx: BenchContext, workers: number) => {
  const warm = ctx.warm!.array;
  Atomics.add(warm, 0, 1);
  wake(warm, 0);
  const deadline = performance.now() + 5000;
  for (let seen = Atomics.load(warm, 0); seen < workers && performance.now() < deadline; seen = Atomics.load(warm, 0)) {
    waitWhileEqual(warm, 0, seen);
  }
});

/** What each task of a run gets: milliseconds to sleep, spin iterations, or one image task per job. */
export type Workload =
  | { readonly kind: 'sleep'; readonly ms: number; readonly count: number }
  | { readonly kind: 'cpu'; readonly iterations: number; readonly count: number }
  | { readonly kind: 'image'; readonly images: readonly ImageTask[] };

export interface RunResult {
  readonly elapsedMs: number;
  /** Tasks that finished (must equal the workload's size). */
  readonly completed: number;
  readonly checksum: number;
}

export function workloadSize(workload: Workload): number {
  return workload.kind === 'image' ? workload.images.length : workload.count;
}

/** Run the workload on the calling thread, one task after another. */
export async function benchmarkSequential(workload: Workload): Promise<RunResult> {
  // #region solution
  const ctx: BenchContext = { done: new SharedI32Array(2) };
  const start = performance.now();
  if (workload.kind === 'image') {
    for (const task of workload.images) await imageTask.run(ctx, task);
  } else {
    for (let i = 0; i < workload.count; i++) {
      if (workload.kind === 'sleep') sleepTask.run(ctx, workload.ms);
      else cpuTask.run(ctx, workload.iterations);
    }
  }
  const elapsedMs = performance.now() - start;
  return { elapsedMs, completed: ctx.done.array[0]!, checksum: ctx.done.array[1]! };
  // #endregion solution
}

/** Run the workload on a pool of `workers` threads (timed from ready and warm to idle). */
export async function benchmarkThreadPool(workload: Workload, workers: number): Promise<RunResult> {
  // #region solution
  const ctx: BenchContext = { done: new SharedI32Array(2), warm: new SharedI32Array(1) };
  const pool = new ThreadPool<BenchContext>(workers, { context: ctx });
  try {
    await pool.ready();
    for (let i = 0; i < workers; i++) pool.execute(warmUpTask, workers);
    await pool.waitIdle();
    const start = performance.now();
    if (workload.kind === 'image') for (const task of workload.images) pool.execute(imageTask, task);
    else if (workload.kind === 'sleep') for (let i = 0; i < workload.count; i++) pool.execute(sleepTask, workload.ms);
    else for (let i = 0; i < workload.count; i++) pool.execute(cpuTask, workload.iterations);
    await pool.waitIdle();
    const elapsedMs = performance.now() - start;
    const failures = pool.failures();
    if (failures.length > 0) throw new Error(`${failures.length} task(s) failed, first: ${failures[0]!.error}`);
    return { elapsedMs, completed: ctx.done.array[0]!, checksum: ctx.done.array[1]! };
  } finally {
    await pool.shutdown();
  }
  // #endregion solution
}

export interface ComparisonRow {
  readonly kind: TaskKind;
  /** The task's nominal length (sleep or calibrated CPU time); for images, the measured sequential mean. */
  readonly taskMs: number;
  readonly tasks: number;
  readonly workers: number;
  readonly sequentialMs: number;
  readonly poolMs: number;
  /** sequentialMs / poolMs */
  readonly speedup: number;
  readonly tasksPerSecond: number;
}

export interface ComparisonOptions {
  /** Tasks per run for the sleep and cpu kinds (the chapter uses 100 and 1,000). */
  readonly tasks: number;
  readonly taskMs: readonly number[];
  readonly workers: readonly number[];
  readonly kinds: readonly TaskKind[];
  /** The image batch for the 'image' kind. */
  readonly images?: readonly ImageTask[];
  /** Called after each row, e.g. to print it. */
  readonly onRow?: (row: ComparisonRow) => void;
}

/**
 * The chapter's `run_comparison`: for each kind and task length, one sequential run, then one pool run per
 * worker count. Checks that every run completed every task (and, for deterministic work, that the checksums
 * agree) and returns the rows; it does not judge the speed-ups.
 */
export async function runComparison(options: ComparisonOptions): Promise<ComparisonRow[]> {
  // #region solution
  const rows: ComparisonRow[] = [];
  const workloads: Array<{ kind: TaskKind; taskMs: number; workload: Workload }> = [];
  for (const kind of options.kinds) {
    if (kind === 'image') {
      if (!options.images?.length) throw new Error("the 'image' kind needs options.images");
      workloads.push({ kind, taskMs: Number.NaN, workload: { kind: 'image', images: options.images } });
      continue;
    }
    for (const ms of options.taskMs) {
      const workload: Workload =
        kind === 'sleep'
          ? { kind, ms, count: options.tasks }
          : { kind, iterations: calibrateSpin(ms), count: options.tasks };
      workloads.push({ kind, taskMs: ms, workload });
    }
  }
  for (const { kind, taskMs, workload } of workloads) {
    const size = workloadSize(workload);
    const sequential = await benchmarkSequential(workload);
    if (sequential.completed !== size)
      throw new Error(`sequential ${kind}: ${sequential.completed} of ${size} tasks completed`);
    for (const workers of options.workers) {
      const pooled = await benchmarkThreadPool(workload, workers);
      if (pooled.completed !== size)
        throw new Error(`pool ${kind} × ${workers}: ${pooled.completed} of ${size} tasks completed`);
      if (pooled.checksum !== sequential.checksum)
        throw new Error(`pool ${kind} × ${workers}: checksum differs from the sequential run`);
      const row: ComparisonRow = {
        kind,
        taskMs: Number.isNaN(taskMs) ? sequential.elapsedMs / size : taskMs,
        tasks: size,
        workers,
        sequentialMs: sequential.elapsedMs,
        poolMs: pooled.elapsedMs,
        speedup: sequential.elapsedMs / pooled.elapsedMs,
        tasksPerSecond: (size * 1000) / pooled.elapsedMs,
      };
      rows.push(row);
      options.onRow?.(row);
    }
  }
  return rows;
  // #endregion solution
}
