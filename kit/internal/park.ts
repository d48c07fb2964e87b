/**
 * Parking: how a kit thread waits for a word in shared memory to change.
 *
 * Every blocking operation in the kit follows the same futex protocol:
 *   1. spin a bounded number of times re-checking its condition (cheap when the peer answers within ~µs;
 *      bounded because spinning with more runnable threads than cores starves the peer);
 *   2. announce itself as a waiter (the caller increments a waiter count), read the signal word, re-check the
 *      condition, then `Atomics.wait(signal, seenValue, slice)`. Wakers change the signal word *before* they
 *      notify, so a wake-up between the re-check and the wait is never lost: the wait sees a new value and
 *      returns at once;
 *   3. sleep in slices of at most PARK_SLICE_MS so that the caller can look for dead peers (see registry.ts)
 *      and honour its deadline.
 *
 * `Atomics.wait` blocks the whole thread: on the main thread it also stops the event loop. The async variants
 * use `Atomics.waitAsync` and are what main-thread code should call.
 */
import { PARK_SLICE_MS } from './registry.ts';

/** Iterations of the bounded spin before parking. */
export const SPIN_LIMIT = 2000;

/** A deadline in `performance.now()` milliseconds, or Infinity. */
export type Deadline = number;

export function deadlineAfter(timeoutMs: number | undefined): Deadline {
  if (timeoutMs === undefined || timeoutMs === Infinity) return Infinity;
  if (!(timeoutMs >= 0)) throw new RangeError(`timeout must be a non-negative number of milliseconds, got ${timeoutMs}`);
  return performance.now() + timeoutMs;
}

function sliceUntil(deadline: Deadline): number {
  if (deadline === Infinity) return PARK_SLICE_MS;
  return Math.max(0, Math.min(PARK_SLICE_MS, deadline - performance.now()));
}

/**
 * Sleep while `words[index] === seen`, for at most one slice or until the deadline.
 * Returns false once the deadline has passed.
 */
export function parkSlice(words: Int32Array, index: number, seen: number, deadline: Deadline): boolean {
  const ms = sliceUntil(deadline);
  if (ms <= 0) return false;
  Atomics.wait(words, index, seen, ms);
  return deadline === Infinity || performance.now() < deadline;
}

/** Async form of parkSlice, for threads that must keep their event loop running. */
export async function parkSliceAsync(
  words: Int32Array,
  index: number,
  seen: number,
  deadline: Deadline,
): Promise<boolean> {
  const ms = sliceUntil(deadline);
  if (ms <= 0) return false;
  const result = Atomics.waitAsync(words, index, seen, ms);
  if (result.async) await result.value;
  return deadline === Infinity || performance.now() < deadline;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Block the calling thread for `ms` milliseconds (on the main thread this also stops the event loop). */
export function sleepBlocking(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}
