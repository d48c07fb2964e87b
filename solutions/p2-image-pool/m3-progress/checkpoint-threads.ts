/** Thread bodies used by this milestone's checkpoint tests. */
import type { AtomicU32 } from '#kit/atomic.ts';
import type { Barrier } from '#kit/barrier.ts';
import { defineThread, sleep } from '#kit/thread.ts';
import { ProgressTracker, progressReporter, type TaskStatus, type TrackerHandle } from './progress.ts';

/** Sleep, then record one completion (the chapter's spawned closures). */
export const recordAfter = defineThread(
  import.meta.url,
  'recordAfter',
  (handle: TrackerHandle, taskId: number, sleepMs: number, status: TaskStatus, durationMs: number, error?: string) => {
    sleep(sleepMs);
    ProgressTracker.from(handle).recordCompletion(taskId, status, durationMs, error);
  },
);

/** Say it is about to wait, then block in waitForCompletion; returns how many results it got. */
export const waitInThread = defineThread(
  import.meta.url,
  'waitInThread',
  (handle: TrackerHandle, started: AtomicU32) => {
    started.store(1);
    return ProgressTracker.from(handle).waitForCompletion().length;
  },
);

/** The student's progressReporter, run after saying it has started (so the test can pace its completions). */
export const startedReporter = defineThread(
  import.meta.url,
  'startedReporter',
  (handle: TrackerHandle, intervalMs: number, started: AtomicU32): string[] => {
    started.store(1);
    return progressReporter.run(handle, intervalMs, false) as string[];
  },
);

/** After the start gate (so that several threads record at the same moment), record tasks first … end − 1. */
export const recordTogether = defineThread(
  import.meta.url,
  'recordTogether',
  (handle: TrackerHandle, gate: Barrier, first: number, end: number, status: TaskStatus) => {
    const tracker = ProgressTracker.from(handle);
    gate.wait();
    for (let id = first; id < end; id++) tracker.recordCompletion(id, status, 1);
  },
);

/**
 * A thread that never parks, for calibration: sets `state` to 1 once running, then spins until it is set to 2;
 * returns how many times it looked.
 */
export const spinUntilTold = defineThread(import.meta.url, 'spinUntilTold', (state: AtomicU32) => {
  let looks = 0;
  state.store(1);
  while (state.load() === 1) looks++;
  return looks;
});
