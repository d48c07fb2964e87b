// generated from solutions/p3-counters/m4-atomic/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { spawn } from '#kit/thread.ts';
import { AtomicCounter } from './atomic-counter.ts';
import { addAtomic, decrementAtomic, incrementAtomic } from './checkpoint-threads.ts';

describe('p3/m4: a lock-free atomic counter', () => {
  test('ten threads of 10,000 increments give exactly 100,000 (test_atomic_counter)', async () => {
    const counter = AtomicCounter.new();
    const handles = Array.from({ length: 10 }, () => spawn(incrementAtomic, counter.clone(), 10_000));
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(100_000n);
  });

  test('eight threads of 100,000 increments lose nothing (test_atomic_performance)', async () => {
    // The chapter's version only printed the time per operation; speed is the benchmark's business (milestone 6).
    const counter = AtomicCounter.new();
    const handles = Array.from({ length: 8 }, () => spawn(incrementAtomic, counter.clone(), 100_000));
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(800_000n);
  });

  test('increments, decrements and adds from several threads net out exactly', async () => {
    const counter = AtomicCounter.new();
    counter.add(1_000_000n);
    const handles = [
      spawn(incrementAtomic, counter.clone(), 50_000),
      spawn(decrementAtomic, counter.clone(), 30_000),
      spawn(addAtomic, counter.clone(), 5n, 10_000),
    ];
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(1_000_000n + 50_000n - 30_000n + 50_000n);
  });

  test('a u64 wraps below zero, as in Rust', () => {
    const counter = AtomicCounter.new();
    counter.decrement();
    expect(counter.get()).toBe(2n ** 64n - 1n);
    counter.increment();
    expect(counter.get()).toBe(0n);
  });
});
