/**
 * ThreadPool: a fixed set of worker threads that take jobs from one shared queue (Rust's classic
 * `ThreadPool { workers, sender }` over `Arc<Mutex<Receiver<Job>>>`).
 *
 * ── Shared state and who writes it ──────────────────────────────────────────────────────────────────────────
 * jobs      a kit channel of Job messages. Submitters (the pool, or any thread given a submit handle) write;
 *           every worker holds its own clone of the receiver, so the channel itself hands each job to exactly
 *           one worker (crossbeam style: no Mutex around the receiver is needed).
 * counters  Int32 words in one SharedArrayBuffer (indices below):
 *             NEXT_ID, SUBMITTED   Atomics.add by submitters, before the job is sent
 *             DONE, FAILED         Atomics.add by the worker that ran the job (or by the pool, for a job whose
 *                                  worker died); DONE counts failures too
 *             ACTIVE               +1/−1 by a worker around each job
 *             DONE_WAITERS         +1/−1 by threads parked in waitIdle (so workers skip notify when nobody waits)
 *             WORKERS              live workers; written by the pool thread (spawn/exit), by retiring workers
 *             READY                workers that have started their loop: +1 by each worker as it starts
 *             SHUT_DOWN            1 once shutdown has begun; written by the pool thread, read by submitters
 *             SLOT_BASE + s        the id + 1 of the job worker slot `s` is running, 0 when idle; written by that
 *                                  worker, and cleared by the pool when the worker died (Atomics.exchange on both
 *                                  sides, so a job is counted DONE exactly once)
 * failures  a channel of TaskFailure records: written by workers when a task throws, read by the pool thread.
 *
 * ── What a waiter waits on ──────────────────────────────────────────────────────────────────────────────────
 * A worker parks inside the job channel until a job arrives (no polling). `waitIdle` parks on the DONE word
 * until DONE equals SUBMITTED; every worker bumps DONE after a job and notifies if DONE_WAITERS is non-zero.
 * `shutdown` sends one StopJob per worker *behind* everything already queued, so queued work finishes first,
 * then waits for each worker's exit.
 *
 * A worker that dies (process.exit in a task, terminate, crash) is noticed by the pool thread's event loop
 * (joinAsync): the job in its slot is reported failed and a replacement is spawned in the same slot.
 */
import { channel, Receiver, Sender, syncChannel } from '#kit/channel.ts';
import { waitWhileEqualAsync } from '#kit/futex.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { defineThread, type JoinHandle, spawn } from '#kit/thread.ts';
import {
  checkTaskArgs,
  describeError,
  importableUrl,
  type Job,
  type RunJob,
  type Task,
  type TaskRef,
  taskFor,
} from './task.ts';

export const NEXT_ID = 0;
export const SUBMITTED = 1;
export const DONE = 2;
export const FAILED = 3;
export const ACTIVE = 4;
export const DONE_WAITERS = 5;
export const WORKERS = 6;
export const READY = 7;
export const SHUT_DOWN = 8;
export const SLOT_BASE = 16;

/** What a worker body returns when it retired by itself and already decremented WORKERS (milestone 5). */
export const RETIRED = -1;

/** The most workers one pool may have at once (the size of the slot table). */
export const MAX_WORKERS = 256;

/** A job that did not complete: the task threw, or its worker died while running it. */
export interface TaskFailure {
  readonly id: number;
  /** The task's export name, when the worker could still report it. */
  readonly task: string;
  readonly error: string;
}

/** What each worker receives besides its queue and the context. */
export interface WorkerShared {
  readonly counters: SharedI32Array;
  readonly failures: Sender<TaskFailure>;
}

export interface ThreadPoolOptions<C> {
  /** Kit handles (and plain data) every task receives as its first argument; see task.ts. */
  readonly context?: C;
  /** Bound the job queue to this many jobs (milestone 4); unbounded by default. */
  readonly queueCapacity?: number;
}

/** Called by a worker as it starts: lets `ready()` (and the tests' timings) wait for start-up to be over. */
export function announceReady(counters: Int32Array): void {
  Atomics.add(counters, READY, 1);
  Atomics.notify(counters, READY);
}

/** Count one finished job and wake waitIdle if anyone waits. */
export function countDone(counters: Int32Array, failed: boolean): void {
  if (failed) Atomics.add(counters, FAILED, 1);
  Atomics.add(counters, DONE, 1);
  if (Atomics.load(counters, DONE_WAITERS) > 0) Atomics.notify(counters, DONE);
}

/**
 * Run one job in worker slot `slot`: mark the slot busy, run the task with the context, report a failure if it
 * throws, count it done. Never throws: a failing task must not take its worker down. Returns a promise only
 * when it has to wait (an async task, or the first import of a task module).
 */
export function runJob(job: RunJob, context: unknown, shared: WorkerShared, slot: number): void | Promise<void> {
  const counters = shared.counters.array;
  Atomics.store(counters, SLOT_BASE + slot, job.id + 1);
  Atomics.add(counters, ACTIVE, 1);
  const finish = (error: unknown, failed: boolean): void => {
    Atomics.sub(counters, ACTIVE, 1);
    // Whoever clears the slot counts the job: this worker, or the pool if the worker died first.
    if (Atomics.exchange(counters, SLOT_BASE + slot, 0) !== job.id + 1) return;
    if (failed) shared.failures.send({ id: job.id, task: job.name, error: describeError(error) });
    countDone(counters, failed);
  };
  try {
    const task = taskFor(job);
    const result =
      task instanceof Promise ? task.then((t) => t.run(context, ...job.args)) : task.run(context, ...job.args);
    if (result instanceof Promise) {
      return result.then(
        () => finish(undefined, false),
        (error: unknown) => finish(error, true),
      );
    }
    finish(undefined, false);
  } catch (error) {
    finish(error, true);
  }
}

/**
 * The loop every worker runs: take a job, run it, repeat; return (with the number of jobs run) on a StopJob
 * or when every sender of the queue is gone.
 */
export const poolWorker = defineThread(
  import.meta.url,
  'poolWorker',
  async (jobs: Receiver<Job>, context: unknown, shared: WorkerShared, slot: number): Promise<number> => {
    announceReady(shared.counters.array);
    // #region solution
    let ran = 0;
    for (const job of jobs) {
      if (job.kind === 'stop') break;
      const pending = runJob(job, context, shared, slot);
      if (pending) await pending;
      ran++;
    }
    return ran;
    // #endregion solution
  },
);

/**
 * A copy of the context for one more worker: channel endpoints are *moved* by spawn, so each worker gets clones
 * (the pool keeps the originals until shutdown); locks, atomics and shared data are shared as they are.
 */
export function contextForWorker<C>(context: C): C {
  const visit = (value: unknown): unknown => {
    // A Receiver clone per worker makes the workers share that queue, each message going to one of them.
    if (value instanceof Sender || value instanceof Receiver) return value.clone();
    if (Array.isArray(value)) return value.map(visit);
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]));
    }
    return value;
  };
  return visit(context) as C;
}

function closeEndpoints(value: unknown): void {
  if (value instanceof Sender || value instanceof Receiver) value.close();
  else if (Array.isArray(value)) value.forEach(closeEndpoints);
  else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    Object.values(value).forEach(closeEndpoints);
  }
}

export class ThreadPool<C = undefined> {
  protected readonly jobs: Sender<Job>;
  /** Kept to clone a receiver for every worker spawned later (replacements, scale-up). */
  protected readonly jobsRx: Receiver<Job>;
  protected readonly counters: SharedI32Array;
  protected readonly context: C;
  /** As given to the constructor (subclasses keep their own settings here: it is set before any spawn). */
  protected readonly options: ThreadPoolOptions<C>;
  private readonly failuresTx: Sender<TaskFailure>;
  private readonly failuresRx: Receiver<TaskFailure>;
  private readonly failureLog: TaskFailure[] = [];
  /** Live workers by slot, with the promise that settles when each has exited and been dealt with. */
  protected readonly workers = new Map<number, { handle: JoinHandle<number>; exited: Promise<void> }>();
  protected shuttingDown = false;
  private closed = false;

  /** Rust's `ThreadPool::new(size)`. */
  static new<C = undefined>(size: number, options: ThreadPoolOptions<C> = {}): ThreadPool<C> {
    return new ThreadPool(size, options);
  }

  constructor(size: number, options: ThreadPoolOptions<C> = {}) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_WORKERS) {
      throw new RangeError(`a pool needs between 1 and ${MAX_WORKERS} workers, got ${size}`);
    }
    this.options = options;
    this.context = options.context as C;
    this.counters = new SharedI32Array(SLOT_BASE + MAX_WORKERS);
    [this.failuresTx, this.failuresRx] = channel<TaskFailure>();
    // #region solution
    [this.jobs, this.jobsRx] =
      options.queueCapacity === undefined ? channel<Job>() : syncChannel<Job>(options.queueCapacity);
    for (let slot = 0; slot < size; slot++) this.spawnWorker(slot);
    // #endregion solution
  }

  /** Start a worker in `slot` and watch it: when it dies, report its job and replace it. */
  protected spawnWorker(slot: number): void {
    const handle = spawn(
      poolWorker,
      this.jobsRx.clone(),
      contextForWorker(this.context) as unknown,
      { counters: this.counters, failures: this.failureSender() },
      slot,
    );
    this.watch(slot, handle);
  }

  /** A sender of failure reports for one more worker. */
  protected failureSender(): Sender<TaskFailure> {
    return this.failuresTx.clone();
  }

  /** Track a spawned worker until it exits; a worker that died is replaced (subclasses spawn other bodies). */
  protected watch(slot: number, handle: JoinHandle<number>): void {
    Atomics.add(this.counters.array, WORKERS, 1);
    const exited = handle.joinAsync().then(
      (value) => this.workerExited(slot, undefined, value),
      (error: unknown) => this.workerExited(slot, error, undefined),
    );
    this.workers.set(slot, { handle, exited });
  }

  /**
   * Called on the pool thread when the worker in `slot` has exited: `error` is set when it died, `value` is
   * what its body returned otherwise.
   */
  protected workerExited(slot: number, error: unknown, value: number | undefined): void {
    const counters = this.counters.array;
    this.workers.delete(slot);
    // A worker that retired by itself (milestone 5) already took itself off the count.
    if (value !== RETIRED) Atomics.sub(counters, WORKERS, 1);
    if (error === undefined) return;
    const running = Atomics.exchange(counters, SLOT_BASE + slot, 0);
    if (running > 0) {
      Atomics.sub(counters, ACTIVE, 1);
      this.failureLog.push({
        id: running - 1,
        task: '(unknown)',
        error: `its worker died while running it: ${describeError(error)}`,
      });
      countDone(counters, true);
    }
    if (!this.closed) this.spawnWorker(slot);
  }

  /**
   * Queue `task(context, ...args)` for some worker; returns the job's id. Arguments are copied (structured
   * clone); kit handles are refused (put them in the context). Throws once the pool is shutting down.
   */
  execute<A extends unknown[]>(task: Task<C, A, unknown>, ...args: A): number {
    // #region solution
    const job = this.prepareJob(task, args);
    this.jobs.send(job);
    return job.id;
    // #endregion solution
  }

  /** Number a job, count it as submitted, and check it can be sent. Undo with `unsubmit` if it is not sent. */
  protected prepareJob<A extends unknown[]>(task: Task<C, A, unknown>, args: A): RunJob {
    if (this.shuttingDown) throw new Error('this pool is shut down; it takes no more tasks');
    return makeJob(this.counters.array, task, args);
  }

  /** Wait (without blocking the event loop) until every submitted job has finished. */
  async waitIdle(): Promise<void> {
    await waitIdleAsync(this.counters.array);
  }

  /**
   * Wait until `count` workers (default: all of them) have started since the pool was made. Starting a worker
   * costs tens of milliseconds; timing a batch after `ready()` measures the work, not the start-up.
   */
  async ready(count: number = this.workerCount()): Promise<void> {
    const counters = this.counters.array;
    for (;;) {
      const seen = Atomics.load(counters, READY);
      if (seen >= count) return;
      await waitWhileEqualAsync(counters, READY, seen);
    }
  }

  /** Jobs finished so far, failed ones included. */
  completedCount(): number {
    return Atomics.load(this.counters.array, DONE);
  }

  failedCount(): number {
    return Atomics.load(this.counters.array, FAILED);
  }

  /** Every failure reported so far, oldest first. */
  failures(): TaskFailure[] {
    for (const failure of this.failuresRx.tryIter()) this.failureLog.push(failure);
    return [...this.failureLog];
  }

  /** Live workers right now. */
  workerCount(): number {
    return Atomics.load(this.counters.array, WORKERS);
  }

  /**
   * Rust's `shutdown(self)`: accept no more tasks, let the workers finish everything already queued, and wait
   * for every one of them to exit. Idempotent.
   */
  async shutdown(): Promise<void> {
    // #region solution
    if (this.shuttingDown) {
      while (this.workers.size > 0) await Promise.all([...this.workers.values()].map((w) => w.exited));
      return;
    }
    this.shuttingDown = true;
    Atomics.store(this.counters.array, SHUT_DOWN, 1);
    for (let i = 0; i < this.workers.size; i++) await this.jobs.sendAsync({ kind: 'stop' });
    // A worker that dies now is replaced (the job queue must still be drained); wait for replacements too.
    while (this.workers.size > 0) await Promise.all([...this.workers.values()].map((w) => w.exited));
    this.closed = true;
    this.jobs.close();
    this.jobsRx.close();
    this.failuresTx.close();
    closeEndpoints(this.context);
    // #endregion solution
  }
}

/** Build a numbered job and count it as submitted (shared by the pool and, later, by remote submitters). */
export function makeJob(counters: Int32Array, task: TaskRef, args: readonly unknown[]): RunJob {
  checkTaskArgs(task.exportName, args);
  const id = Atomics.add(counters, NEXT_ID, 1);
  Atomics.add(counters, SUBMITTED, 1);
  return { kind: 'run', id, module: importableUrl(task), name: task.exportName, args: args as unknown[] };
}

/** A job that was counted but could not be queued (timeout, disconnected). */
export function unsubmit(counters: Int32Array): void {
  Atomics.sub(counters, SUBMITTED, 1);
  if (Atomics.load(counters, DONE_WAITERS) > 0) Atomics.notify(counters, DONE);
}

/** Park on DONE until DONE === SUBMITTED (async: for the main thread). */
export async function waitIdleAsync(counters: Int32Array): Promise<void> {
  Atomics.add(counters, DONE_WAITERS, 1);
  try {
    for (;;) {
      const done = Atomics.load(counters, DONE);
      if (done >= Atomics.load(counters, SUBMITTED)) return;
      await waitWhileEqualAsync(counters, DONE, done);
    }
  } finally {
    Atomics.sub(counters, DONE_WAITERS, 1);
  }
}
