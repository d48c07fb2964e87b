// generated from solutions/p2-image-pool/m3-progress/progress.ts (npm run exercises -- generate); students edit this copy
/**
 * ProgressTracker: how many tasks of a batch have finished, how each one ended, and a way to wait for the end
 * without spinning.
 *
 * ── Shared state and who writes it ──────────────────────────────────────────────────────────────────────────
 *   completed  AtomicU32: +1 per recorded result, written *while holding* `results`' lock, so that a thread
 *              holding the lock sees a count that matches the list; read lock-free for progress displays
 *   failed     AtomicU32: +1 per failed result, under the same lock
 *   results    Mutex<SharedVec<ProcessingResult>>: appended by whoever records a completion (worker threads)
 *   changed    Condvar paired with `results`' mutex: notified (all) after every recorded result
 *   total      a plain number, fixed at creation and copied into every handle
 *
 * ── What a waiter waits on ──────────────────────────────────────────────────────────────────────────────────
 * `waitForCompletion` takes the lock and waits on `changed` while completed < total: it sleeps in the kernel
 * (futex) between results instead of spinning as the chapter's version does. Reporters wait on the same
 * condvar with a timeout, so they redraw at most every interval and at once when the batch ends.
 *
 * A tracker crosses into threads as a `TrackerHandle` (plain object of kit handles): pass `tracker.handle()`
 * to spawn or put it in a pool context, and rebuild the tracker with `ProgressTracker.from(handle)`.
 */
import { AtomicU32 } from '#kit/atomic.ts';
import { Condvar } from '#kit/condvar.ts';
import { Mutex } from '#kit/mutex.ts';
import { SharedVec } from '#kit/shared-data.ts';
import { defineThread } from '#kit/thread.ts';
import { todo } from '#kit/todo.ts';

export const TaskStatus = { Success: 'Success', Failed: 'Failed' } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export interface ProcessingResult {
  readonly taskId: number;
  readonly status: TaskStatus;
  readonly durationMs: number;
  /** Why it failed (only for Failed). */
  readonly error?: string;
}

/** What crosses into another thread: the tracker's shared parts. */
export interface TrackerHandle {
  readonly total: number;
  readonly completed: AtomicU32;
  readonly failed: AtomicU32;
  readonly results: Mutex<SharedVec<ProcessingResult>>;
  readonly changed: Condvar;
}

export interface ProgressSnapshot {
  readonly completed: number;
  readonly failed: number;
  readonly total: number;
  readonly percentage: number;
}

/** "Progress: 45/100 (45%)" */
export function formatProgress(completed: number, total: number): string {
  return `Progress: ${completed}/${total} (${Math.floor(percentageOf(completed, total))}%)`;
}

function percentageOf(completed: number, total: number): number {
  return total === 0 ? 100 : Math.min(100, (completed / total) * 100);
}

export class ProgressTracker {
  readonly total: number;
  readonly completed: AtomicU32;
  readonly failed: AtomicU32;
  private readonly results: Mutex<SharedVec<ProcessingResult>>;
  private readonly changed: Condvar;

  static new(total: number): ProgressTracker {
    return new ProgressTracker(total);
  }

  /** Rebuild a tracker in another thread from `tracker.handle()`. */
  static from(handle: TrackerHandle): ProgressTracker {
    return new ProgressTracker(handle.total, handle);
  }

  constructor(total: number, shared?: TrackerHandle) {
    if (!Number.isInteger(total) || total < 0)
      throw new RangeError(`total must be a whole number from 0, got ${total}`);
    this.total = total;
    this.completed = shared?.completed ?? new AtomicU32(0);
    this.failed = shared?.failed ?? new AtomicU32(0);
    this.results = shared?.results ?? new Mutex(new SharedVec<ProcessingResult>());
    this.changed = shared?.changed ?? new Condvar();
  }

  /** The shared parts, to pass to `spawn` or to put in a pool's context. */
  handle(): TrackerHandle {
    return {
      total: this.total,
      completed: this.completed,
      failed: this.failed,
      results: this.results,
      changed: this.changed,
    };
  }

  /** Record how one task ended and wake everyone waiting. Callable from any thread. */
  recordCompletion(taskId: number, status: TaskStatus, durationMs: number, error?: string): void {
    todo('p2/m3', 'ProgressTracker.recordCompletion');
  }

  /** 0–100; a tracker of 0 tasks is complete. */
  progressPercentage(): number {
    todo('p2/m3', 'ProgressTracker.progressPercentage');
  }

  isComplete(): boolean {
    return this.completed.load() >= this.total;
  }

  snapshot(): ProgressSnapshot {
    const completed = this.completed.load();
    return {
      completed,
      failed: this.failed.load(),
      total: this.total,
      percentage: percentageOf(completed, this.total),
    };
  }

  /** Block until every task is recorded, then return all results (for worker threads). */
  waitForCompletion(): ProcessingResult[] {
    todo('p2/m3', 'ProgressTracker.waitForCompletion');
  }

  /** `waitForCompletion` for the main thread: parks without blocking the event loop. */
  async waitForCompletionAsync(): Promise<ProcessingResult[]> {
    todo('p2/m3', 'ProgressTracker.waitForCompletionAsync');
  }

  /**
   * Wait until the completed count differs from `seen` or `timeoutMs` passes; returns the count now. For
   * progress displays: they redraw on change, and at least every interval.
   */
  waitForChange(seen: number, timeoutMs: number): number {
    todo('p2/m3', 'ProgressTracker.waitForChange');
  }

  async waitForChangeAsync(seen: number, timeoutMs: number): Promise<number> {
    todo('p2/m3', 'ProgressTracker.waitForChangeAsync');
  }

  /** Wait at most `timeoutMs` for the batch to end; true if it has. */
  waitForCompletionTimeout(timeoutMs: number): boolean {
    using guard = this.results.lock();
    return !this.changed.waitTimeoutWhile(guard, timeoutMs, () => this.completed.load() < this.total).timedOut;
  }

  /** The results recorded so far (a copy). */
  resultsSoFar(): ProcessingResult[] {
    return this.results.withLock((results) => results.toArray());
  }
}

/**
 * The chapter's progress reporter, as a thread: print a progress line at most every `intervalMs` when the
 * count has moved, and at once when the batch ends; return the lines it printed. Never busy-waits: between
 * lines it sleeps on the tracker's condvar, which also wakes it the moment the last task is recorded.
 */
export const progressReporter = defineThread(
  import.meta.url,
  'progressReporter',
  (handle: TrackerHandle, intervalMs: number, print: boolean = true): string[] => {
    todo('p2/m3', 'progressReporter');
  },
);
