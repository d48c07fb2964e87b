/**
 * AdaptiveThreadPool: between `minWorkers` and `maxWorkers` workers, growing when the queue outgrows them and
 * shrinking after workers have been idle for `idleTimeoutMs`.
 *
 * ── Shared state and who writes it ──────────────────────────────────────────────────────────────────────────
 * Milestone 1's counters and queue, plus these rules for WORKERS (the live worker count):
 *   - the pool thread adds 1 when it spawns a worker and subtracts 1 when a worker exits, *unless* the worker
 *     retired by itself (its body returned RETIRED), in which case the worker already subtracted it;
 *   - a worker retires only through a compare-exchange WORKERS: w → w − 1 that requires w > minWorkers, so two
 *     idle workers deciding at once can never take the pool below its minimum.
 * Scaling up happens on the pool thread only (it owns the JoinHandles): a monitor timer on its event loop
 * compares the queue depth with the worker count every `monitorIntervalMs`. Scaling down is decided by the
 * workers themselves (idle timeout), or requested with `scaleDown(n)`, which queues n conditional StopJobs
 * (`ifAbove: minWorkers`): a worker that takes one retires only if the minimum still holds.
 *
 * ── What a waiter waits on ──────────────────────────────────────────────────────────────────────────────────
 * An idle worker parks in the job channel with a timeout (`recvTimeout(idleTimeoutMs)`); the timeout is its
 * cue to try to retire. Nothing polls except the monitor timer, which never blocks.
 */
import type { Receiver } from '#kit/channel.ts';
import { defineThread, spawn } from '#kit/thread.ts';
import type { Job } from '../m1-thread-pool/task.ts';
import {
  announceReady,
  contextForWorker,
  MAX_WORKERS,
  RETIRED,
  runJob,
  type ThreadPoolOptions,
  WORKERS,
  type WorkerShared,
} from '../m1-thread-pool/thread-pool.ts';
import { DynamicThreadPool } from '../m4-dynamic-submission/dynamic-pool.ts';

export interface AdaptiveOptions<C> extends ThreadPoolOptions<C> {
  readonly minWorkers: number;
  readonly maxWorkers: number;
  /** Workers to start with (default: minWorkers). */
  readonly initialWorkers?: number;
  /** A worker idle this long retires, if the pool is above its minimum. Default 30 s, as in the chapter. */
  readonly idleTimeoutMs?: number;
  /** Scale up when the queue holds more than this many jobs per worker. Default 2. */
  readonly scaleUpThreshold?: number;
  /** How often the pool thread looks at the queue. Default 20 ms. */
  readonly monitorIntervalMs?: number;
}

/**
 * Take this worker off the count if that leaves more than `minWorkers`; true if it did (the worker must then
 * exit and return RETIRED).
 */
export function tryRetire(counters: Int32Array, minWorkers: number): boolean {
  // #region solution
  for (;;) {
    const workers = Atomics.load(counters, WORKERS);
    if (workers <= minWorkers) return false;
    if (Atomics.compareExchange(counters, WORKERS, workers, workers - 1) === workers) return true;
  }
  // #endregion solution
}

/** Milestone 1's worker loop, with an idle timeout after which the worker retires (if above the minimum). */
export const adaptiveWorker = defineThread(
  import.meta.url,
  'adaptiveWorker',
  async (
    jobs: Receiver<Job>,
    context: unknown,
    shared: WorkerShared,
    slot: number,
    idleTimeoutMs: number,
    minWorkers: number,
  ): Promise<number> => {
    announceReady(shared.counters.array);
    // #region solution
    const counters = shared.counters.array;
    let ran = 0;
    for (;;) {
      const next = jobs.recvTimeout(idleTimeoutMs);
      if (!next.ok) {
        if (next.error.isDisconnected) return ran;
        if (tryRetire(counters, minWorkers)) return RETIRED;
        continue;
      }
      const job = next.value;
      if (job.kind === 'stop') {
        if (job.ifAbove === undefined) return ran;
        if (tryRetire(counters, job.ifAbove)) return RETIRED;
        continue;
      }
      const pending = runJob(job, context, shared, slot);
      if (pending) await pending;
      ran++;
    }
    // #endregion solution
  },
);

export class AdaptiveThreadPool<C = undefined> extends DynamicThreadPool<C> {
  private readonly monitor: NodeJS.Timeout;

  constructor(options: AdaptiveOptions<C>) {
    const { minWorkers, maxWorkers } = options;
    if (
      !Number.isInteger(minWorkers) ||
      minWorkers < 1 ||
      !Number.isInteger(maxWorkers) ||
      maxWorkers < minWorkers ||
      maxWorkers > MAX_WORKERS
    ) {
      throw new RangeError(`need 1 <= minWorkers <= maxWorkers <= ${MAX_WORKERS}, got ${minWorkers} and ${maxWorkers}`);
    }
    const initial = options.initialWorkers ?? minWorkers;
    if (!(initial >= minWorkers && initial <= maxWorkers))
      throw new RangeError(`initialWorkers must be within [${minWorkers}, ${maxWorkers}]`);
    super(initial, options);
    this.monitor = setInterval(() => this.autoScale(), options.monitorIntervalMs ?? 20);
    this.monitor.unref();
  }

  private get settings(): AdaptiveOptions<C> {
    return this.options as AdaptiveOptions<C>;
  }

  protected override spawnWorker(slot: number): void {
    // #region solution
    const handle = spawn(
      adaptiveWorker,
      this.jobsRx.clone(),
      contextForWorker(this.context) as unknown,
      { counters: this.counters, failures: this.failureSender() },
      slot,
      this.settings.idleTimeoutMs ?? 30_000,
      this.settings.minWorkers,
    );
    this.watch(slot, handle);
    // #endregion solution
  }

  /** One look at the load (the monitor calls this): add workers while the queue outgrows them. */
  autoScale(): void {
    // #region solution
    if (this.shuttingDown) return;
    const workers = this.workerCount();
    const threshold = this.settings.scaleUpThreshold ?? 2;
    const depth = this.queueDepth();
    if (depth > threshold * workers) this.scaleUp(Math.ceil(depth / threshold) - workers);
    // #endregion solution
  }

  /** Add up to `count` workers, never beyond maxWorkers; returns how many were added. */
  scaleUp(count: number): number {
    // #region solution
    if (this.shuttingDown) return 0;
    const room = this.settings.maxWorkers - this.workerCount();
    const adding = Math.max(0, Math.min(count, room));
    for (let i = 0; i < adding; i++) {
      let slot = 0;
      while (this.workers.has(slot)) slot++;
      this.spawnWorker(slot);
    }
    return adding;
    // #endregion solution
  }

  /**
   * Ask up to `count` workers to retire once they reach the request in the queue (after the jobs queued
   * before it); the pool never goes below minWorkers. Returns how many requests were queued.
   */
  async scaleDown(count: number): Promise<number> {
    // #region solution
    const requests = Math.max(0, Math.min(count, this.workerCount() - this.settings.minWorkers));
    for (let i = 0; i < requests; i++) await this.jobs.sendAsync({ kind: 'stop', ifAbove: this.settings.minWorkers });
    return requests;
    // #endregion solution
  }

  override async shutdown(): Promise<void> {
    clearInterval(this.monitor);
    await super.shutdown();
  }
}
