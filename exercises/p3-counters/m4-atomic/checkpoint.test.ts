// generated from solutions/p3-counters/m4-atomic/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { spawn } from '#kit/thread.ts';
import { AtomicCounter } from './atomic-counter.ts';
import { addAtomic, decrementAtomic, incrementAtomic, raceUntilStopped } from './checkpoint-threads.ts';

type Operation = readonly ['inc' | 'dec' | 'add', bigint];

/**
 * Race one thread per operation, released together, for at least `ms` and until they have been seen running at
 * the same moment often enough (up to 10 s on a very busy machine); return the net change they made.
 */
async function race(counter: AtomicCounter, operations: readonly Operation[], ms: number): Promise<bigint> {
  const gate = new Barrier(operations.length + 1);
  const stop = new AtomicBool(false);
  const beats = new SharedI32Array(operations.length + 1);
  const handles = operations.map(([op, amount], i) =>
    spawn(raceUntilStopped, counter.clone(), op, amount, 5000, gate, stop, beats, i),
  );
  await gate.waitAsync();
  const started = performance.now();
  const pause = (wait: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, wait));
  await pause(ms);
  // A racer that has ended (it threw: racers run until stopped) can add no more beats: stop waiting for them.
  while (
    Atomics.load(beats.array, operations.length) < 500 &&
    performance.now() - started < 10_000 &&
    !handles.some((handle) => handle.isFinished())
  )
    await pause(10);
  stop.store(true);
  let net = 0n;
  for (const [i, handle] of handles.entries()) {
    const [op, amount] = operations[i]!;
    const times = BigInt(await handle.joinAsync());
    net += op === 'inc' ? times : op === 'dec' ? -times : amount * times;
  }
  return net;
}

describe('p3/m4: a lock-free atomic counter', () => {
  test('ten threads of 10,000 increments give exactly 100,000 (test_atomic_counter)', async () => {
    const counter = AtomicCounter.new();
    const gate = new Barrier(10);
    const handles = Array.from({ length: 10 }, () => spawn(incrementAtomic, counter.clone(), 10_000, gate));
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(100_000n);
  });

  test('eight threads of 100,000 increments lose nothing (test_atomic_performance)', async () => {
    // The chapter's version only printed the time per operation; speed is the benchmark's business (milestone 6).
    const counter = AtomicCounter.new();
    const gate = new Barrier(8);
    const handles = Array.from({ length: 8 }, () => spawn(incrementAtomic, counter.clone(), 100_000, gate));
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(800_000n);
  });

  test('threads released together and racing for 200 ms lose no increment', async () => {
    const counter = AtomicCounter.new();
    const net = await race(
      counter,
      [
        ['inc', 1n],
        ['inc', 1n],
        ['inc', 1n],
      ],
      200,
    );
    expect(counter.get()).toBe(net);
  });

  test('increments, decrements and adds racing each other net out exactly', async () => {
    const counter = AtomicCounter.new();
    counter.add(1_000_000_000n);
    const gate = new Barrier(3);
    const handles = [
      spawn(incrementAtomic, counter.clone(), 50_000, gate),
      spawn(decrementAtomic, counter.clone(), 30_000, gate),
      spawn(addAtomic, counter.clone(), 5n, 10_000, gate),
    ];
    for (const handle of handles) await handle.joinAsync();
    expect(counter.get()).toBe(1_000_000_000n + 50_000n - 30_000n + 50_000n);
    const net = await race(
      counter,
      [
        ['inc', 1n],
        ['dec', 1n],
        ['add', 5n],
        ['dec', 1n],
      ],
      200,
    );
    expect(counter.get()).toBe(1_000_000_000n + 70_000n + net);
  });

  test('a u64 wraps below zero, as in Rust', () => {
    const counter = AtomicCounter.new();
    counter.decrement();
    expect(counter.get()).toBe(2n ** 64n - 1n);
    counter.increment();
    expect(counter.get()).toBe(0n);
  });
});
