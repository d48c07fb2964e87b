// generated from solutions/p2-image-pool/m3-progress/tracked-batch.ts (npm run exercises -- generate); students edit this copy
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
import { todo } from '#kit/todo.ts';

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
    todo('p2/m3', 'trackedImageTask');
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
  todo('p2/m3', 'processWithProgress');
}
