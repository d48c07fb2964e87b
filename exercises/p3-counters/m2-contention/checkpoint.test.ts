// generated from solutions/p3-counters/m2-contention/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { Barrier } from '#kit/barrier.ts';
import { channel } from '#kit/channel.ts';
import { spawn } from '#kit/thread.ts';
import { announceThenIncrement, incrementMonitored } from './checkpoint-threads.ts';
import { ContentionStats, MonitoredCounter } from './monitored-counter.ts';

describe('p3/m2: contention monitoring', () => {
  test('eight threads: exact count, every lock recorded, consistent stats (test_contention_tracking)', async () => {
    const counter = MonitoredCounter.new();
    const gate = new Barrier(8);
    const handles = Array.from({ length: 8 }, () => spawn(incrementMonitored, counter.clone(), 5000, gate));
    for (const handle of handles) await handle.joinAsync();
    const stats = counter.stats();
    expect(counter.get()).toBe(40_000);
    // The get() above took one more lock.
    expect(stats.totalLocks.load()).toBe(40_001n);
    expect(stats.contentionEvents.load()).toBeLessThanOrEqual(40_000n);
    expect(stats.avgWaitTimeUs()).toBe(stats.totalWaitTimeUs.load() / stats.totalLocks.load());
    if (stats.contentionEvents.load() === 0n) expect(stats.totalWaitTimeUs.load()).toBe(0n);
  });

  test('one thread alone never meets contention', () => {
    const counter = MonitoredCounter.new();
    for (let i = 0; i < 500; i++) counter.increment();
    expect(counter.get()).toBe(500);
    const stats = counter.stats();
    expect(stats.totalLocks.load()).toBe(501n);
    expect(stats.contentionEvents.load()).toBe(0n);
    expect(stats.totalWaitTimeUs.load()).toBe(0n);
    expect(stats.avgWaitTimeUs()).toBe(0n);
  });

  test('a lock held elsewhere is counted as contention, with its wait', async () => {
    const counter = MonitoredCounter.new();
    const guard = counter.cell.lock();
    const [aboutTx, aboutRx] = channel<null>();
    const waiter = spawn(announceThenIncrement, counter.clone(), aboutTx);
    await aboutRx.recvAsync(); // the thread is running and about to ask for the lock
    await new Promise((resolve) => setTimeout(resolve, 150));
    const unlockedAt = performance.timeOrigin + performance.now();
    guard.unlock();
    const { calledAt, returnedAt } = await waiter.joinAsync();
    const stats = counter.stats();
    expect(stats.contentionEvents.load()).toBe(1n);
    expect(stats.totalLocks.load()).toBe(1n);
    // The recorded wait (µs) lies between the time the lock was still held after the call, and the whole call.
    const waitedUs = Number(stats.totalWaitTimeUs.load());
    expect(unlockedAt).toBeGreaterThan(calledAt);
    expect(waitedUs).toBeGreaterThanOrEqual((unlockedAt - calledAt) * 1000 * 0.5);
    expect(waitedUs).toBeLessThanOrEqual((returnedAt - calledAt) * 1000 + 1000);
  });

  test('the average of no locks is 0, and divides whole microseconds', () => {
    const stats = new ContentionStats();
    expect(stats.avgWaitTimeUs()).toBe(0n);
    stats.totalLocks.fetchAdd(3n);
    stats.totalWaitTimeUs.fetchAdd(10n);
    expect(stats.avgWaitTimeUs()).toBe(3n);
  });
});
