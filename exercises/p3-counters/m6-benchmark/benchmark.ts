// generated from solutions/p3-counters/m6-benchmark/benchmark.ts (npm run exercises -- generate); students edit this copy
/**
 * Mutex against RwLock against atomics, on one workload: `numOps` operations split over `numThreads` threads,
 * each operation a read with probability `readRatio`, otherwise an increment.
 *
 * Workers draw their reads and writes from a seeded generator (so a run is reproducible and the two sides of a
 * comparison do the same work), wait at a barrier so that thread start-up is not timed, and report what they did;
 * the final counter value must equal the number of increments, which the tests check.
 */
import { Barrier } from '#kit/barrier.ts';
import { channel, type Sender } from '#kit/channel.ts';
import { defineThread, spawn } from '#kit/thread.ts';
import { Counter } from '../m1-mutex-counter/counter.ts';
import { RwCounter } from '../m3-rwlock/rw-counter.ts';
import { AtomicCounter } from '../m4-atomic/atomic-counter.ts';
import { todo } from '#kit/todo.ts';

export type CounterKind = 'mutex' | 'rwlock' | 'atomic';

export interface CounterRun {
  readonly kind: CounterKind;
  readonly threads: number;
  readonly readRatio: number;
  readonly elapsedMs: number;
  readonly reads: number;
  readonly writes: number;
  /** The counter's value at the end: equal to `writes` when no increment was lost. */
  readonly finalValue: number;
}

/** A small, fast, seeded generator of numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type AnyCounter = Counter | RwCounter | AtomicCounter;

export const counterWorkload = defineThread(
  import.meta.url,
  'counterWorkload',
  (
    counter: AnyCounter,
    start: Barrier,
    done: Sender<number>,
    ops: number,
    readRatio: number,
    seed: number,
  ): { reads: number; writes: number } => {
    todo('p3/m6', 'counterWorkload');
  },
);

function makeCounter(kind: CounterKind): AnyCounter {
  return kind === 'mutex' ? Counter.new() : kind === 'rwlock' ? RwCounter.new() : AtomicCounter.new();
}

/** Run the workload on a fresh counter of `kind`; blocks until every worker is done. */
export function benchmarkCounter(kind: CounterKind, numOps: number, numThreads: number, readRatio: number): CounterRun {
  todo('p3/m6', 'benchmarkCounter');
}

export const benchmarkMutex = (numOps: number, numThreads: number, readRatio: number): CounterRun =>
  benchmarkCounter('mutex', numOps, numThreads, readRatio);
export const benchmarkRwLock = (numOps: number, numThreads: number, readRatio: number): CounterRun =>
  benchmarkCounter('rwlock', numOps, numThreads, readRatio);
/** The chapter's atomic benchmark has no reads; pass a ratio to compare like with like. */
export const benchmarkAtomic = (numOps: number, numThreads: number, readRatio = 0): CounterRun =>
  benchmarkCounter('atomic', numOps, numThreads, readRatio);

export interface ComparisonRow {
  readonly readRatio: number;
  readonly mutex: CounterRun;
  readonly rwlock: CounterRun;
  readonly atomic: CounterRun;
  /** Mutex time ÷ other time: how many times faster than the Mutex. */
  readonly rwlockSpeedup: number;
  readonly atomicSpeedup: number;
}

/** All three at each read ratio, same thread count and workload. */
export function runComparison(numOps: number, numThreads: number, readRatios: readonly number[]): ComparisonRow[] {
  todo('p3/m6', 'runComparison');
}
