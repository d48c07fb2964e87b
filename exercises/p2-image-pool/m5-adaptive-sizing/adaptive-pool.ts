// generated from solutions/p2-image-pool/m5-adaptive-sizing/adaptive-pool.ts (npm run exercises -- generate); students edit this copy
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
import { todo } from '#kit/todo.ts';

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
  todo('p2/m5', 'tryRetire');
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
    todo('p2/m5', 'adaptiveWorker');
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
    todo('p2/m5', 'AdaptiveThreadPool.spawnWorker');
  }

  /** One look at the load (the monitor calls this): add workers while the queue outgrows them. */
  autoScale(): void {
    todo('p2/m5', 'AdaptiveThreadPool.autoScale');
  }

  /** Add up to `count` workers, never beyond maxWorkers; returns how many were added. */
  scaleUp(count: number): number {
    todo('p2/m5', 'AdaptiveThreadPool.scaleUp');
  }

  /**
   * Ask up to `count` workers to retire once they reach the request in the queue (after the jobs queued
   * before it); the pool never goes below minWorkers. Returns how many requests were queued.
   */
  async scaleDown(count: number): Promise<number> {
    todo('p2/m5', 'AdaptiveThreadPool.scaleDown');
  }

  override async shutdown(): Promise<void> {
    clearInterval(this.monitor);
    await super.shutdown();
  }
}
