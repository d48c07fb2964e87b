/**
 * A futex lock that records its owner, so that a lock held by a thread that died can be taken over.
 *
 * Memory: two Int32 words at `index` and `index + 1` of a shared Int32Array.
 *   index     OWNER    0 when free, otherwise the owner's threadId + 1. Written by CAS when taking the lock and
 *                      by a plain atomic store of 0 when the owner releases it.
 *   index+1   WAITERS  how many threads are parked (or about to park) on OWNER. Each waiter adds 1 before its
 *                      last check and subtracts 1 after it wakes.
 *
 * Waiters park on OWNER with the value they saw. The releaser stores 0, then reads WAITERS and notifies one
 * thread if any: since both sides use sequentially consistent atomics, either the waiter sees 0 or the releaser
 * sees the waiter. A waiter that finds the owner dead (registry.ts) takes the lock over with a CAS from the dead
 * owner's value; callers then learn that it was abandoned (used for Mutex poisoning, and harmless for the
 * channel's internal locks, whose holders publish nothing until they are done).
 *
 * Not reentrant: a thread that locks twice deadlocks, as a Rust Mutex does.
 */
import { isThreadDead, selfId } from './registry.ts';
import { type Deadline, parkSlice, parkSliceAsync, SPIN_LIMIT } from './park.ts';

const OWNER = 0;
const WAITERS = 1;

/** Outcome of acquiring: taken normally, taken over from a dead owner, or not taken before the deadline. */
export type LockOutcome = 'acquired' | 'abandoned' | 'timeout';

const me = selfId + 1;

let relaxSink = 0;

/** Burn roughly `n` cheap steps without touching shared memory (JavaScript has no pause instruction). */
function relax(n: number): void {
  let x = relaxSink;
  for (let j = 0; j < n; j++) x = (x * 31 + j) | 0;
  relaxSink = x;
}

export function tryAcquire(words: Int32Array, index: number): boolean {
  return Atomics.compareExchange(words, index + OWNER, 0, me) === 0;
}

/** One non-blocking attempt that also takes over a lock whose owner is dead. */
function attempt(words: Int32Array, index: number): LockOutcome | undefined {
  const owner = Atomics.compareExchange(words, index + OWNER, 0, me);
  if (owner === 0) return 'acquired';
  if (owner === me) throw new Error('threadkit: this thread already holds the lock (locks are not reentrant)');
  if (isThreadDead(owner - 1) && Atomics.compareExchange(words, index + OWNER, owner, me) === owner) {
    return 'abandoned';
  }
  return undefined;
}

export function acquire(words: Int32Array, index: number, deadline: Deadline = Infinity): LockOutcome {
  if (Atomics.compareExchange(words, index + OWNER, 0, me) === 0) return 'acquired';
  // Test-and-test-and-set with a growing pause between looks: waiters that re-read the lock word in a tight
  // loop keep pulling its cache line away from the holder, who needs it to release.
  for (let spent = 0, gap = 1; spent < SPIN_LIMIT; spent += gap) {
    if (Atomics.load(words, index + OWNER) === 0 && tryAcquire(words, index)) return 'acquired';
    relax(gap);
    if (gap < 32) gap *= 2;
  }
  Atomics.add(words, index + WAITERS, 1);
  try {
    for (;;) {
      const outcome = attempt(words, index);
      if (outcome) return outcome;
      const seen = Atomics.load(words, index + OWNER);
      if (seen === 0) continue;
      if (!parkSlice(words, index + OWNER, seen, deadline)) {
        return attempt(words, index) ?? 'timeout';
      }
    }
  } finally {
    Atomics.sub(words, index + WAITERS, 1);
  }
}

export async function acquireAsync(words: Int32Array, index: number, deadline: Deadline = Infinity): Promise<LockOutcome> {
  const first = attempt(words, index);
  if (first) return first;
  Atomics.add(words, index + WAITERS, 1);
  try {
    for (;;) {
      const outcome = attempt(words, index);
      if (outcome) return outcome;
      const seen = Atomics.load(words, index + OWNER);
      if (seen === 0) continue;
      if (!(await parkSliceAsync(words, index + OWNER, seen, deadline))) {
        return attempt(words, index) ?? 'timeout';
      }
    }
  } finally {
    Atomics.sub(words, index + WAITERS, 1);
  }
}

export function release(words: Int32Array, index: number): void {
  Atomics.store(words, index + OWNER, 0);
  if (Atomics.load(words, index + WAITERS) > 0) Atomics.notify(words, index + OWNER, 1);
}

export function isHeldByMe(words: Int32Array, index: number): boolean {
  return Atomics.load(words, index + OWNER) === me;
}
