// generated from solutions/p2-image-pool/m4-dynamic-submission/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { Mutex } from '#kit/mutex.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { sleepAsync, spawn } from '#kit/thread.ts';
import { holdTask, submitRange, submitWithTimeout, type TallyContext, tallyTask } from './checkpoint-threads.ts';
import { DynamicThreadPool } from './dynamic-pool.ts';

const newContext = (values: number): TallyContext => ({
  tally: new Mutex(new SharedI32Array(2)),
  runs: new SharedI32Array(values),
});
const sumTo = (n: number) => (n * (n - 1)) / 2;

describe('p2/m4: dynamic submission', () => {
  test('takes new tasks while earlier ones are running (test_dynamic_submission)', async () => {
    const ctx = newContext(20);
    const pool = new DynamicThreadPool(4, { context: ctx });
    for (let i = 0; i < 10; i++) pool.execute(tallyTask, i, 20);
    await sleepAsync(50);
    const pendingBefore = pool.queueDepth() + pool.activeWorkers();
    for (let i = 10; i < 20; i++) pool.execute(tallyTask, i, 0);
    await pool.shutdown();
    expect(pendingBefore).toBeGreaterThan(0); // the second batch really arrived while the first was in flight
    expect(ctx.tally.data.array[0]).toBe(20);
    expect(ctx.tally.data.array[1]).toBe(sumTo(20));
    expect([...ctx.runs.array].every((n) => n === 1)).toBe(true);
  });

  test('four threads submit at once and every task runs (test_multi_threaded_submission)', async () => {
    const ctx = newContext(400);
    const pool = new DynamicThreadPool(4, { context: ctx });
    const submitters = [0, 1, 2, 3].map((t) => spawn(submitRange, pool.handle(), t * 100, 100, 0.01));
    for (const s of submitters) expect(await s.joinAsync()).toBe(100);
    await pool.shutdown();
    expect(ctx.tally.data.array[0]).toBe(400);
    expect(ctx.tally.data.array[1]).toBe(sumTo(400));
  });

  test('10,000 tasks from four submitting threads each run exactly once (count and checksum)', async () => {
    const ctx = newContext(10_000);
    const pool = new DynamicThreadPool(2, { context: ctx, queueCapacity: 256 });
    const submitters = [0, 1, 2, 3].map((t) => spawn(submitRange, pool.handle(), t * 2500, 2500, 0));
    for (const s of submitters) await s.joinAsync();
    await pool.waitIdle();
    expect(pool.completedCount()).toBe(10_000);
    expect(ctx.tally.data.array[0]).toBe(10_000);
    expect(ctx.tally.data.array[1]).toBe(sumTo(10_000));
    expect(ctx.runs.array.every((n) => n === 1)).toBe(true);
    await pool.shutdown();
  });

  test('queueDepth and activeWorkers report the load', async () => {
    const ctx = { ...newContext(6), release: new SharedI32Array(1) };
    const pool = new DynamicThreadPool(2, { context: ctx });
    await pool.ready();
    expect([pool.queueDepth(), pool.activeWorkers()]).toEqual([0, 0]);
    for (let i = 0; i < 6; i++) pool.execute(holdTask, i);
    // Both workers pick up a task and hold it until released; however long that takes, four stay queued.
    while (pool.activeWorkers() < 2) await sleepAsync(2);
    expect(pool.activeWorkers()).toBe(2);
    expect(pool.queueDepth()).toBe(4);
    Atomics.store(ctx.release.array, 0, 1);
    Atomics.notify(ctx.release.array, 0);
    await pool.waitIdle();
    expect([pool.queueDepth(), pool.activeWorkers()]).toEqual([0, 0]);
    await pool.shutdown();
  });

  test('executeWithTimeout gives up on a queue that stays full, and succeeds once there is room', async () => {
    const ctx = { ...newContext(10), release: new SharedI32Array(1) };
    const pool = new DynamicThreadPool(1, { context: ctx, queueCapacity: 2 });
    await pool.ready();
    pool.execute(holdTask, 0); // the only worker is busy until released below
    while (pool.activeWorkers() === 0) await sleepAsync(2);
    pool.execute(tallyTask, 1, 0);
    pool.execute(tallyTask, 2, 0); // the queue is now full, and stays so until the release
    const started = performance.now();
    let eventLoopRan = false;
    setTimeout(() => {
      eventLoopRan = true;
    }, 0);
    const refused = await pool.executeWithTimeoutAsync(60, tallyTask, 3, 0);
    expect(eventLoopRan).toBe(true); // the async form waits without blocking the event loop
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.kind).toBe('timeout');
    expect(pool.queueDepth()).toBe(2);
    // From another thread, with the blocking form: still full, still refused.
    expect(await spawn(submitWithTimeout, pool.handle(), 4, 30).joinAsync()).toBe('timeout');
    // Enough patience: once the busy task ends, room frees up.
    const waiting = pool.executeWithTimeoutAsync(10_000, tallyTask, 5, 0);
    Atomics.store(ctx.release.array, 0, 1);
    Atomics.notify(ctx.release.array, 0);
    const accepted = await waiting;
    expect(accepted.ok).toBe(true);
    // The refused submissions are not waited for: the pool goes idle.
    let idle = false;
    void pool.waitIdle().then(() => {
      idle = true;
    });
    for (let waited = 0; !idle && waited < 5000; waited += 5) await sleepAsync(5);
    expect(idle).toBe(true);
    await pool.shutdown();
    expect(ctx.tally.data.array[0]).toBe(4);
    expect([...ctx.runs.array]).toEqual([1, 1, 1, 0, 0, 1, 0, 0, 0, 0]);
    const late = pool.executeWithTimeout(10, tallyTask, 6, 0);
    expect(late.ok ? 'queued' : late.error.kind).toBe('shut down');
  });
});
