/**
 * Dynamic submission: a pool whose queue is bounded, that any thread can submit to while work is running, and
 * that reports its load.
 *
 * ── Shared state and who writes it ──────────────────────────────────────────────────────────────────────────
 * Everything is milestone 1's: the bounded job channel (written by every submitter, read by every worker) and
 * the counters (thread-pool.ts). A `PoolHandle` is a plain object holding a *clone* of the job sender and the
 * counters; passed to `spawn`, it gives another thread the same queue, and `PoolClient.from(handle)` wraps it
 * with the submission API. Submitters never touch the workers; only the thread that created the pool spawns,
 * watches and joins them.
 *
 * ── What a waiter waits on ──────────────────────────────────────────────────────────────────────────────────
 * A submitter facing a full queue parks inside the channel until a worker takes a job (the channel's
 * TX_SIGNAL), or until its timeout passes (`executeWithTimeout`). Load figures are lock-free snapshots:
 * `queueDepth` is the channel's length, `activeWorkers` the ACTIVE counter that workers raise and lower around
 * each job.
 */
import type { Sender } from '#kit/channel.ts';
import { err, ok, type Result } from '#kit/result.ts';
import type { SharedI32Array } from '#kit/shared-data.ts';
import type { Job, Task, TaskRef } from '../m1-thread-pool/task.ts';
import {
  ACTIVE,
  makeJob,
  SHUT_DOWN,
  ThreadPool,
  type ThreadPoolOptions,
  unsubmit,
} from '../m1-thread-pool/thread-pool.ts';

/** A pool's submission side, as a plain object of kit handles: pass it to `spawn`. `C` is the pool's context type. */
export interface PoolHandle<C> {
  readonly jobs: Sender<Job>;
  readonly counters: SharedI32Array;
  /** Type only: ties the handle to the context its tasks expect. */
  readonly context?: C;
}

/** `executeWithTimeout` gave up: the queue stayed full for the whole timeout, or the pool is shut down. */
export class SubmitError extends Error {
  override readonly name = 'SubmitError';
  constructor(readonly kind: 'timeout' | 'shut down') {
    super(kind === 'timeout' ? 'the job queue stayed full until the timeout' : 'the pool is shut down');
  }
}

/** The default bound of a dynamic pool's queue: enough to keep workers fed, small enough to push back. */
export const DEFAULT_QUEUE_CAPACITY = 1024;

/** Submitting to a pool from any thread, through a PoolHandle. */
export class PoolClient<C> {
  protected constructor(
    private readonly jobs: Sender<Job>,
    private readonly counters: Int32Array,
  ) {}

  static from<C>(handle: PoolHandle<C>): PoolClient<C> {
    return new PoolClient<C>(handle.jobs, handle.counters.array);
  }

  /** Queue a task, waiting for room if the queue is full (blocks: for worker threads). Returns the job id. */
  execute<A extends unknown[]>(task: Task<C, A, unknown>, ...args: A): number {
    // #region solution
    const result = this.executeWithTimeout(Infinity, task, ...args);
    if (!result.ok) throw result.error;
    return result.value;
    // #endregion solution
  }

  /** Queue a task if there is room within `timeoutMs`; otherwise an error, and the task is not queued. */
  executeWithTimeout<A extends unknown[]>(
    timeoutMs: number,
    task: Task<C, A, unknown>,
    ...args: A
  ): Result<number, SubmitError> {
    // #region solution
    return submitWithTimeout(this.jobs, this.counters, timeoutMs, task, args);
    // #endregion solution
  }

  queueDepth(): number {
    return queueDepthOf(this.jobs);
  }

  activeWorkers(): number {
    return activeWorkersOf(this.counters);
  }

  /** Give the handle's sender back (also happens when the thread ends). */
  close(): void {
    this.jobs.close();
  }
}

function submitWithTimeout(
  jobs: Sender<Job>,
  counters: Int32Array,
  timeoutMs: number,
  task: TaskRef,
  args: readonly unknown[],
): Result<number, SubmitError> {
  // #region solution
  if (Atomics.load(counters, SHUT_DOWN) !== 0) return err(new SubmitError('shut down'));
  const job = makeJob(counters, task, args);
  const sent = jobs.sendTimeout(job, timeoutMs);
  if (sent.ok) return ok(job.id);
  unsubmit(counters);
  return err(new SubmitError(sent.error.kind === 'timeout' ? 'timeout' : 'shut down'));
  // #endregion solution
}

function queueDepthOf(jobs: Sender<Job>): number {
  // #region solution
  return jobs.len();
  // #endregion solution
}

function activeWorkersOf(counters: Int32Array): number {
  // #region solution
  return Atomics.load(counters, ACTIVE);
  // #endregion solution
}

export class DynamicThreadPool<C = undefined> extends ThreadPool<C> {
  static override new<C = undefined>(size: number, options: ThreadPoolOptions<C> = {}): DynamicThreadPool<C> {
    return new DynamicThreadPool(size, options);
  }

  constructor(size: number, options: ThreadPoolOptions<C> = {}) {
    super(size, { ...options, queueCapacity: options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY });
  }

  /** A submission handle for another thread (pass it to spawn; rebuild with PoolClient.from). */
  handle(): PoolHandle<C> {
    // #region solution
    return { jobs: this.jobs.clone(), counters: this.counters };
    // #endregion solution
  }

  /**
   * Rust's `execute_with_timeout`: queue the task if room frees up within `timeoutMs`. Blocks the calling
   * thread while it waits; on the main thread prefer `executeWithTimeoutAsync`.
   */
  executeWithTimeout<A extends unknown[]>(
    timeoutMs: number,
    task: Task<C, A, unknown>,
    ...args: A
  ): Result<number, SubmitError> {
    // #region solution
    if (this.shuttingDown) return err(new SubmitError('shut down'));
    return submitWithTimeout(this.jobs, this.counters.array, timeoutMs, task, args);
    // #endregion solution
  }

  /** `executeWithTimeout` that waits without blocking the event loop. */
  async executeWithTimeoutAsync<A extends unknown[]>(
    timeoutMs: number,
    task: Task<C, A, unknown>,
    ...args: A
  ): Promise<Result<number, SubmitError>> {
    // #region solution
    if (this.shuttingDown) return err(new SubmitError('shut down'));
    const counters = this.counters.array;
    const job = makeJob(counters, task, args);
    const sent = await this.jobs.sendTimeoutAsync(job, timeoutMs);
    if (sent.ok) return ok(job.id);
    unsubmit(counters);
    return err(new SubmitError(sent.error.kind === 'timeout' ? 'timeout' : 'shut down'));
    // #endregion solution
  }

  /** `execute` that waits for room without blocking the event loop. */
  async executeAsync<A extends unknown[]>(task: Task<C, A, unknown>, ...args: A): Promise<number> {
    const result = await this.executeWithTimeoutAsync(Infinity, task, ...args);
    if (!result.ok) throw result.error;
    return result.value;
  }

  /** Jobs waiting in the queue (not yet taken by a worker). */
  queueDepth(): number {
    return queueDepthOf(this.jobs);
  }

  /** Workers running a job right now. */
  activeWorkers(): number {
    return activeWorkersOf(this.counters.array);
  }
}
