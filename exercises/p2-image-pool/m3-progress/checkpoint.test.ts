// generated from solutions/p2-image-pool/m3-progress/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { AtomicU32 } from '#kit/atomic.ts';
import { sleepAsync, spawn } from '#kit/thread.ts';
import { type ImageTask, Operation } from '../m2-image-tasks/image-task.ts';
import { fixtures, makeImage, tempDir } from '../m2-image-tasks/test-images.ts';
import { Barrier } from '#kit/barrier.ts';
import { recordAfter, recordTogether, spinUntilTold, startedReporter, waitInThread } from './checkpoint-threads.ts';

/** `promise`, or a failure saying what never happened if it takes more than 5 s. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within 5 s (is every waiter woken?)`)), 5000);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}
import { formatProgress, type ProgressSnapshot, ProgressTracker, TaskStatus } from './progress.ts';
import { processWithProgress } from './tracked-batch.ts';

const work = tempDir('p2-m3-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('p2/m3: progress and results', () => {
  test('ten threads record their completion; the waiter gets all ten (test_progress_tracking)', async () => {
    const tracker = ProgressTracker.new(10);
    const started = new AtomicU32(0);
    const waiter = spawn(waitInThread, tracker.handle(), started);
    for (let i = 0; i < 10; i++) spawn(recordAfter, tracker.handle(), i, 10, TaskStatus.Success, 10);
    const results = await within(tracker.waitForCompletionAsync(), 'the wake-up after the tenth completion');
    expect(results).toHaveLength(10);
    expect(tracker.completed.load('SeqCst')).toBe(10);
    expect(results.map((r) => r.taskId).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await waiter.joinAsync()).toBe(10); // a blocking waiter in another thread wakes too
  });

  test('four threads recording 40,000 completions at the same moment lose none', async () => {
    const tracker = ProgressTracker.new(40_000);
    const gate = new Barrier(4);
    for (let t = 0; t < 4; t++) {
      spawn(
        recordTogether,
        tracker.handle(),
        gate,
        t * 10_000,
        (t + 1) * 10_000,
        t % 2 === 0 ? TaskStatus.Success : TaskStatus.Failed,
      );
    }
    const results = await within(tracker.waitForCompletionAsync(), 'the wake-up after the last completion');
    expect(results).toHaveLength(40_000);
    expect(new Set(results.map((r) => r.taskId)).size).toBe(40_000);
    expect(tracker.snapshot()).toEqual({ completed: 40_000, failed: 20_000, total: 40_000, percentage: 100 });
  });

  test('failures are collected with their messages (test_error_collection)', async () => {
    const tracker = ProgressTracker.new(5);
    for (let i = 0; i < 5; i++) {
      if (i % 2 === 0) spawn(recordAfter, tracker.handle(), i, 0, TaskStatus.Success, 10);
      else spawn(recordAfter, tracker.handle(), i, 0, TaskStatus.Failed, 5, 'Processing error');
    }
    const results = await tracker.waitForCompletionAsync();
    const failed = results.filter((r) => r.status === TaskStatus.Failed);
    expect(failed).toHaveLength(2);
    expect(failed.map((r) => r.taskId).sort()).toEqual([1, 3]);
    expect(failed.every((r) => r.error === 'Processing error' && r.durationMs === 5)).toBe(true);
    expect(results.filter((r) => r.status === TaskStatus.Success).every((r) => r.error === undefined)).toBe(true);
    expect(tracker.failed.load()).toBe(2);
  });

  test('the percentage follows the completions', () => {
    const tracker = ProgressTracker.new(4);
    expect(tracker.progressPercentage()).toBe(0);
    tracker.recordCompletion(0, TaskStatus.Success, 1);
    expect(tracker.progressPercentage()).toBe(25);
    tracker.recordCompletion(1, TaskStatus.Failed, 1, 'x');
    expect(tracker.progressPercentage()).toBe(50);
    expect(tracker.snapshot()).toEqual({ completed: 2, failed: 1, total: 4, percentage: 50 });
    expect(ProgressTracker.new(0).progressPercentage()).toBe(100);
    expect(formatProgress(45, 100)).toBe('Progress: 45/100 (45%)');
  });

  test('waiting for completion parks instead of spinning', async () => {
    const cpuMs = (since: NodeJS.CpuUsage): number => {
      const used = process.cpuUsage(since);
      return (used.user + used.system) / 1000;
    };
    // Calibration, in the same test: a thread that never parks runs until it has had 200 ms of CPU (at most 4 s).
    // On a busy machine that takes longer, and the waiter below is watched for as long: a spinning waiter would get
    // about as much CPU as the spinner did, a parked one next to nothing, however busy the machine.
    const state = new AtomicU32(0);
    const spinner = spawn(spinUntilTold, state);
    while (state.load() === 0) await sleepAsync(5);
    const calibration = process.cpuUsage();
    const calibrationStart = performance.now();
    let spun = 0;
    while (spun < 200 && performance.now() - calibrationStart < 4000) {
      await sleepAsync(10);
      spun = cpuMs(calibration);
    }
    const windowMs = performance.now() - calibrationStart;
    state.store(2);
    await spinner.joinAsync();

    const tracker = ProgressTracker.new(1);
    const started = new AtomicU32(0);
    const waiter = spawn(waitInThread, tracker.handle(), started);
    while (started.load() === 0) await sleepAsync(5);
    await sleepAsync(20);
    const before = process.cpuUsage();
    await sleepAsync(windowMs);
    const used = cpuMs(before);
    tracker.recordCompletion(0, TaskStatus.Success, 1);
    expect(await waiter.joinAsync()).toBe(1);
    expect(used, `CPU used while waiting (a thread that never parks had ${Math.round(spun)} ms)`).toBeLessThan(
      spun / 4,
    );
  });

  test('the reporter prints progress lines that only go up and end at 100%', async () => {
    const tracker = ProgressTracker.new(5);
    const started = new AtomicU32(0);
    const reporter = spawn(startedReporter, tracker.handle(), 10, started);
    while (started.load() === 0) await sleepAsync(2);
    for (let i = 0; i < 5; i++) {
      await sleepAsync(40);
      tracker.recordCompletion(i, TaskStatus.Success, 40);
    }
    const lines = await reporter.joinAsync();
    expect(lines.at(-1)).toBe('Progress: 5/5 (100%)');
    const counts = lines.map((line) => Number(/Progress: (\d+)\/5/.exec(line)?.[1]));
    expect(counts.every((n, i) => i === 0 || n > counts[i - 1]!)).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(2);
  });

  test('an image batch on the pool reports each task, its failures and its progress', async () => {
    const tasks: ImageTask[] = [];
    for (let i = 0; i < 4; i++) {
      await makeImage(path.join(work, 'in', `img-${i}.png`), 120, 90);
      tasks.push({
        inputPath: path.join(work, 'in', `img-${i}.png`),
        outputPath: path.join(work, 'out', `img-${i}.jpg`),
        operations: [Operation.resize(40, 40)],
      });
    }
    tasks.push({
      inputPath: path.join(fixtures.broken, 'xc9n2c08.png'),
      outputPath: path.join(work, 'out', 'x.png'),
      operations: [],
    });
    tasks.push({
      inputPath: path.join(work, 'in', 'missing.png'),
      outputPath: path.join(work, 'out', 'missing.png'),
      operations: [],
    });
    const seen: ProgressSnapshot[] = [];
    const results = await processWithProgress(tasks, { workers: 2, onProgress: (p) => seen.push(p), intervalMs: 10 });
    expect(results.map((r) => r.taskId)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => r.status)).toEqual(['Success', 'Success', 'Success', 'Success', 'Failed', 'Failed']);
    expect(results[4]!.error).toMatch(/corrupt header/);
    expect(results[5]!.error).toMatch(/missing/i);
    expect(seen.at(-1)).toEqual({ completed: 6, failed: 2, total: 6, percentage: 100 });
  });
});
