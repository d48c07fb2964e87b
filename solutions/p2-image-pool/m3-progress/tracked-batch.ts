/**
 * An image batch with progress: milestone 2's image tasks on milestone 1's pool, each recording its outcome in
 * a ProgressTracker that travels in the pool's context.
 *
 * Who writes what: workers record one result per task in the tracker; the pool thread only reads the tracker
 * (progress callbacks) and, once the pool is idle, records a failure for any task whose worker died before it
 * could record anything (pool.failures()), so the tracker always reaches its total and nobody waits forever.
 */
import { defineTask } from '../m1-thread-pool/task.ts';
import { ThreadPool } from '../m1-thread-pool/thread-pool.ts';
import { type ImageTask, processImage, type ProcessOptions } from '../m2-image-tasks/image-task.ts';
import {
  type ProcessingResult,
  type ProgressSnapshot,
  ProgressTracker,
  TaskStatus,
  type TrackerHandle,
} from './progress.ts';

export interface TrackerContext {
  readonly tracker: TrackerHandle;
}

// One tracker object per handle per worker: the context is the same object for every task a worker runs.
const trackers = new WeakMap<TrackerHandle, ProgressTracker>();

/** Process one image and record the outcome under `taskId`. */
export const trackedImageTask = defineTask(
  import.meta.url,
  'trackedImageTask',
  async (ctx: TrackerContext, taskId: number, task: ImageTask, options: ProcessOptions = {}): Promise<void> => {
    // #region solution
    let tracker = trackers.get(ctx.tracker);
    if (!tracker) trackers.set(ctx.tracker, (tracker = ProgressTracker.from(ctx.tracker)));
    const result = await processImage(task, options);
    if (result.ok) tracker.recordCompletion(taskId, TaskStatus.Success, result.durationMs);
    else tracker.recordCompletion(taskId, TaskStatus.Failed, result.durationMs, result.error);
    // #endregion solution
  },
);

export interface BatchOptions {
  readonly workers: number;
  readonly process?: ProcessOptions;
  /** Called on the calling thread when the count moves (at most every `intervalMs`) and at the end. */
  readonly onProgress?: (progress: ProgressSnapshot) => void;
  readonly intervalMs?: number;
  /** Called once the pool is running, before any task is submitted (e.g. to tune sharp). */
  readonly pool?: (pool: ThreadPool<TrackerContext>) => void;
}

/** Run the tasks on a pool; returns one result per task, `taskId` being the task's index in `tasks`. */
export async function processWithProgress(
  tasks: readonly ImageTask[],
  options: BatchOptions,
): Promise<ProcessingResult[]> {
  // #region solution
  const tracker = ProgressTracker.new(tasks.length);
  const pool = new ThreadPool<TrackerContext>(options.workers, { context: { tracker: tracker.handle() } });
  options.pool?.(pool);
  const taskIdOfJob = new Map<number, number>();
  tasks.forEach((task, taskId) =>
    taskIdOfJob.set(pool.execute(trackedImageTask, taskId, task, options.process ?? {}), taskId),
  );
  // A task whose worker died records nothing: once the pool is idle, record those from pool.failures().
  // (Done in this loop rather than in the callback: the loop holds the tracker's lock at times, and a kit lock
  // is not reentrant, even across async tasks of one thread.)
  let idle = false;
  const whenIdle = pool.waitIdle().then(() => {
    idle = true;
  });
  let shown = -1;
  while (!tracker.isComplete()) {
    const now = await tracker.waitForChangeAsync(shown, options.intervalMs ?? 100);
    if (now !== shown && !tracker.isComplete()) {
      shown = now;
      options.onProgress?.(tracker.snapshot());
    }
    if (idle && !tracker.isComplete()) {
      const recorded = new Set(tracker.resultsSoFar().map((r) => r.taskId));
      for (const failure of pool.failures()) {
        const taskId = taskIdOfJob.get(failure.id);
        if (taskId !== undefined && !recorded.has(taskId))
          tracker.recordCompletion(taskId, TaskStatus.Failed, 0, failure.error);
      }
    }
  }
  options.onProgress?.(tracker.snapshot());
  await whenIdle;
  await pool.shutdown();
  return (await tracker.waitForCompletionAsync()).sort((a, b) => a.taskId - b.taskId);
  // #endregion solution
}
