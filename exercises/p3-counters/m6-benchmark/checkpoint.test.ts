// generated from solutions/p3-counters/m6-benchmark/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { benchmarkAtomic, benchmarkMutex, benchmarkRwLock, type CounterRun, runComparison } from './benchmark.ts';

function expectConsistent(run: CounterRun, numOps: number, readRatio: number): void {
  expect(run.reads + run.writes).toBe(numOps);
  expect(run.finalValue).toBe(run.writes);
  expect(run.elapsedMs).toBeGreaterThan(0);
  // The generator is uniform: with 20,000 draws the read share lands well within ±5 points of the ratio.
  expect(Math.abs(run.reads / numOps - readRatio)).toBeLessThan(0.05);
}

describe('p3/m6: Mutex against RwLock against atomics', () => {
  test('each benchmark does exactly the work asked, and no increment is lost', () => {
    for (const threads of [1, 3]) {
      expectConsistent(benchmarkMutex(20_000, threads, 0.9), 20_000, 0.9);
      expectConsistent(benchmarkRwLock(20_000, threads, 0.7), 20_000, 0.7);
      expectConsistent(benchmarkAtomic(20_000, threads, 0.5), 20_000, 0.5);
    }
    expectConsistent(benchmarkAtomic(20_000, 2), 20_000, 0);
  });

  test("the time covers the work and not the threads' start-up (measured against this run)", () => {
    // Starting a thread takes milliseconds; 400 operations take microseconds. Timed from the start barrier,
    // a small run is a small part of the whole call; timed from before the spawns, it is nearly all of it.
    const shares: number[] = [];
    const small: number[] = [];
    for (let i = 0; i < 3; i++) {
      const began = performance.now();
      const run = benchmarkAtomic(400, 2);
      const whole = performance.now() - began;
      shares.push(run.elapsedMs / whole);
      small.push(run.elapsedMs);
    }
    expect(Math.min(...shares)).toBeLessThan(0.5);
    // Five thousand times the work takes several times longer than a small run: the clock stops after the work. On
    // a busy machine a small run is mostly waiting for both threads to be scheduled (milliseconds, whatever the
    // work), while the big one's work grows with the load too: hence a big run of ~100 ms on an idle core, not 20.
    const median = [...small].sort((a, b) => a - b)[1]!;
    expect(benchmarkMutex(2_000_000, 2, 0).elapsedMs).toBeGreaterThan(5 * median);
  });

  test('the comparison covers every read ratio with consistent speedups', () => {
    const rows = runComparison(10_000, 2, [0.5, 0.99]);
    expect(rows.map((r) => r.readRatio)).toEqual([0.5, 0.99]);
    for (const row of rows) {
      for (const run of [row.mutex, row.rwlock, row.atomic]) expectConsistent(run, 10_000, row.readRatio);
      expect(row.rwlockSpeedup).toBeCloseTo(row.mutex.elapsedMs / row.rwlock.elapsedMs, 9);
      expect(row.atomicSpeedup).toBeCloseTo(row.mutex.elapsedMs / row.atomic.elapsedMs, 9);
    }
  });
});
