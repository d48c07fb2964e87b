/**
 * Waiting on a word of your own shared memory (a counter in a SharedI32Array, say) until another thread changes it:
 * the futex pattern, for code that keeps its own counters instead of using a channel, Condvar or Barrier.
 *
 *     while (Atomics.load(counters, DONE) < target) waitWhileEqual(counters, DONE, Atomics.load(counters, DONE));
 *     // elsewhere: Atomics.add(counters, DONE, 1); wake(counters, DONE);
 *
 * The waits sleep at most `timeoutMs` (by default one park slice, 50 ms) and may return early (a spurious return):
 * always loop on your own condition. Blocking `waitWhileEqual` is for worker threads (on the main thread it stops
 * the event loop); `waitWhileEqualAsync` keeps the event loop running. The kit's own waiting goes through the same
 * module (internal/wait.ts), the only place that calls `Atomics.wait`.
 *
 * Invariants: none of its own; the waker must change the word before it calls `wake`, or a waiter that read the old
 * value just before may sleep one slice.
 */
export { waitWhileEqual, waitWhileEqualAsync } from './internal/wait.ts';

/** Wake up to `count` threads waiting on `words[index]` (all by default). Returns how many were woken. */
export function wake(words: Int32Array, index: number, count: number = Infinity): number {
  return Atomics.notify(words, index, count);
}
