// generated from solutions/p3-counters/m1-mutex-counter/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { spawn } from '#kit/thread.ts';
import { addTimes, decrementTimes, incrementTimes, raceUntilStopped, readOnce } from './checkpoint-threads.ts';
import { Counter } from './counter.ts';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run one racing thread per operation, all released at once, for at least `ms` and until they have been seen
 * running at the same moment often enough (up to 10 s on a very busy machine); return what the counter should
 * hold: the sum of every operation times the number of times it was done.
 */
async function race(counter: Counter, operations: readonly number[], ms: number): Promise<number> {
  const gate = new Barrier(operations.length + 1);
  const stop = new AtomicBool(false);
  const beats = new SharedI32Array(operations.length + 1);
  const handles = operations.map((op, i) => spawn(raceUntilStopped, counter.clone(), op, 2000, gate, stop, beats, i));
  await gate.waitAsync();
  const started = performance.now();
  await pause(ms);
  // A racer that has ended (it threw: racers run until stopped) can add no more beats: stop waiting for them.
  while (
    Atomics.load(beats.array, operations.length) < 500 &&
    performance.now() - started < 10_000 &&
    !handles.some((handle) => handle.isFinished())
  )
    await pause(10);
  stop.store(true);
  let expected = 0;
  for (const [i, handle] of handles.entries()) expected += operations[i]! * (await handle.joinAsync());
  return expected;
}

describe('p3/m1: a counter behind a Mutex', () => {
  test('ten threads of 1,000 increments give exactly 10,000 (test_concurrent_increments)', async () => {
    const counter = Counter.new();
    const gate = new Barrier(10);
    const handles = Array.from({ length: 10 }, () => spawn(incrementTimes, counter.clone(), 1000, gate));
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(10_000);
  });

  test('increments and decrements from two threads net out (test_mixed_operations)', async () => {
    const counter = Counter.new();
    const gate = new Barrier(2);
    const h1 = spawn(incrementTimes, counter.clone(), 100, gate);
    const h2 = spawn(decrementTimes, counter.clone(), 50, gate);
    await h1.joinAsync();
    await h2.joinAsync();
    expect(counter.get()).toBe(50);
  });

  test('threads released together and racing for 200 ms lose no increment', async () => {
    const counter = Counter.new();
    const expected = await race(counter, [1, 1, 1], 200);
    expect(counter.get()).toBe(expected);
  });

  test('increments racing decrements for 200 ms net out exactly', async () => {
    const counter = Counter.new();
    const expected = await race(counter, [1, -1, 1, -1], 200);
    expect(counter.get()).toBe(expected);
  });

  test('add applies the whole amount at once, positive or negative, also while others add', async () => {
    const counter = Counter.new();
    counter.add(5);
    counter.add(-2);
    expect(counter.get()).toBe(3);
    const gate = new Barrier(2);
    const handles = [spawn(addTimes, counter.clone(), 7, 1000, gate), spawn(addTimes, counter.clone(), -3, 1000, gate)];
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(3 + 7000 - 3000);
    const expected = await race(counter, [7, -3, 5, -2], 400);
    expect(counter.get()).toBe(3 + 7000 - 3000 + expected);
  });

  test('reads and changes wait while the lock is held elsewhere', async () => {
    // get() must take the lock too: a read without it can see a value in the middle of a change.
    const counter = Counter.new();
    const guard = await counter.cell.lockAsync();
    guard.value.array[0] = 41; // a change in progress, made consistent (42) before unlocking
    const gate = new Barrier(5);
    const stop = new AtomicBool(true);
    const reader = spawn(readOnce, counter.clone(), gate);
    const adder = spawn(raceUntilStopped, counter.clone(), 0, 1, gate, stop, new SharedI32Array(2), 0); // add(0) × 32
    // Controls, released by the same gate, do the same on a counter nobody holds: once they have finished (and
    // 200 ms more), a reader or an adder that did not wait would have finished too, however busy the machine is.
    const free = Counter.new();
    const controls = [
      spawn(readOnce, free.clone(), gate),
      spawn(raceUntilStopped, free.clone(), 0, 1, gate, stop, new SharedI32Array(2), 0),
    ];
    await gate.waitAsync();
    for (const control of controls) await control.joinAsync();
    await pause(200);
    const finishedWhileLocked = [reader.isFinished(), adder.isFinished()];
    guard.value.array[0] = 42;
    guard.unlock();
    expect(await reader.joinAsync()).toBe(42);
    await adder.joinAsync();
    expect(finishedWhileLocked).toEqual([false, false]);
    expect(counter.get()).toBe(42);
  });

  test('a fresh counter starts at 0 and a clone is the same counter', () => {
    const counter = Counter.new();
    expect(counter.get()).toBe(0);
    const other = counter.clone();
    other.increment();
    other.increment();
    counter.decrement();
    expect(counter.get()).toBe(1);
    expect(other.id).toBe(counter.id);
  });
});
