// generated from solutions/p3-counters/m1-mutex-counter/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { spawn } from '#kit/thread.ts';
import { addTimes, decrementTimes, incrementTimes } from './checkpoint-threads.ts';
import { Counter } from './counter.ts';

describe('p3/m1: a counter behind a Mutex', () => {
  test('ten threads of 1,000 increments give exactly 10,000 (test_concurrent_increments)', async () => {
    const counter = Counter.new();
    const handles = Array.from({ length: 10 }, () => spawn(incrementTimes, counter.clone(), 1000));
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(10_000);
  });

  test('increments and decrements from two threads net out (test_mixed_operations)', async () => {
    const counter = Counter.new();
    const h1 = spawn(incrementTimes, counter.clone(), 100);
    const h2 = spawn(decrementTimes, counter.clone(), 50);
    await h1.joinAsync();
    await h2.joinAsync();
    expect(counter.get()).toBe(50);
  });

  test('add applies the whole amount at once, positive or negative', async () => {
    const counter = Counter.new();
    counter.add(5);
    counter.add(-2);
    expect(counter.get()).toBe(3);
    const handles = [spawn(addTimes, counter.clone(), 7, 1000), spawn(addTimes, counter.clone(), -3, 1000)];
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(3 + 7000 - 3000);
  });

  test('four threads hammering one counter lose nothing (200,000 operations)', async () => {
    const counter = Counter.new();
    const handles = [
      spawn(incrementTimes, counter.clone(), 50_000),
      spawn(incrementTimes, counter.clone(), 50_000),
      spawn(decrementTimes, counter.clone(), 50_000),
      spawn(incrementTimes, counter.clone(), 50_000),
    ];
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(100_000);
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
