// generated from solutions/p2-image-pool/m5-adaptive-sizing/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { SharedI32Array } from '#kit/shared-data.ts';
import { sleepAsync } from '#kit/thread.ts';
import { AdaptiveThreadPool } from './adaptive-pool.ts';
import { meetTask, napTask } from './checkpoint-threads.ts';

const newContext = () => ({ counts: new SharedI32Array(1) });

/** Poll `read` until `done(value)` or the deadline; returns the last value. */
async function waitFor<T>(read: () => T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let value = read();
  while (!done(value) && performance.now() < deadline) {
    await sleepAsync(10);
    value = read();
  }
  return value;
}

describe('p2/m5: adaptive pool size', () => {
  test('grows when the queue outgrows the workers (test_scale_up)', async () => {
    const ctx = newContext();
    const pool = new AdaptiveThreadPool({ minWorkers: 2, maxWorkers: 8, context: ctx });
    for (let i = 0; i < 100; i++) pool.execute(napTask, 30);
    // 100 tasks of 30 ms keep two workers busy for 1.5 s: long enough for the monitor, even on a busy machine.
    expect(
      await waitFor(
        () => pool.workerCount(),
        (n) => n > 2,
        5_000,
      ),
    ).toBeGreaterThan(2);
    expect(pool.workerCount()).toBeLessThanOrEqual(8);
    await pool.shutdown();
    expect(ctx.counts.array[0]).toBe(100);
  });

  test('shrinks after the idle timeout, down to its minimum (test_scale_down)', async () => {
    const ctx = { ...newContext(), met: new SharedI32Array(2) };
    const pool = new AdaptiveThreadPool({
      minWorkers: 2,
      maxWorkers: 8,
      initialWorkers: 8,
      idleTimeoutMs: 150,
      context: ctx,
    });
    for (let i = 0; i < 4; i++) pool.execute(napTask, 10);
    expect(pool.workerCount()).toBe(8);
    // The chapter waits 2 s for a 30 s timeout's stand-in; here the timeout is short and the wait polls.
    const settled = await waitFor(
      () => pool.workerCount(),
      (n) => n === 2,
      4_000,
    );
    expect(settled).toBe(2);
    await sleepAsync(300); // never below the minimum, however long it idles
    expect(pool.workerCount()).toBe(2);
    expect(ctx.counts.array[0]).toBe(4);
    // The count is the truth: two tasks that wait for each other both get through only if two workers live.
    pool.execute(meetTask, 2);
    pool.execute(meetTask, 2);
    await pool.waitIdle();
    expect(ctx.met.array[1]).toBe(2);
    await pool.shutdown();
  });

  test('grows again after shrinking, never past its maximum, and loses no task', async () => {
    const ctx = newContext();
    const pool = new AdaptiveThreadPool({
      minWorkers: 1,
      maxWorkers: 3,
      idleTimeoutMs: 100,
      monitorIntervalMs: 5,
      context: ctx,
    });
    let most = 0;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 40; i++) pool.execute(napTask, 5);
      while (pool.completedCount() < 40 * (round + 1)) {
        most = Math.max(most, pool.workerCount());
        await sleepAsync(3);
      }
      expect(
        await waitFor(
          () => pool.workerCount(),
          (n) => n === 1,
          3_000,
        ),
      ).toBe(1);
    }
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
    await pool.shutdown();
    expect(ctx.counts.array[0]).toBe(80);
    expect(pool.workerCount()).toBe(0);
  });

  test('scaleUp and scaleDown respect the bounds', async () => {
    const ctx = newContext();
    const pool = new AdaptiveThreadPool({ minWorkers: 2, maxWorkers: 4, context: ctx });
    expect(pool.scaleUp(10)).toBe(2);
    expect(pool.workerCount()).toBe(4);
    expect(pool.scaleUp(1)).toBe(0);
    expect(await pool.scaleDown(10)).toBe(2);
    expect(
      await waitFor(
        () => pool.workerCount(),
        (n) => n === 2,
        3_000,
      ),
    ).toBe(2);
    expect(await pool.scaleDown(1)).toBe(0);
    for (let i = 0; i < 10; i++) pool.execute(napTask, 1);
    await pool.shutdown();
    expect(ctx.counts.array[0]).toBe(10);
    expect(() => new AdaptiveThreadPool({ minWorkers: 3, maxWorkers: 2 })).toThrow(RangeError);
  });
});
