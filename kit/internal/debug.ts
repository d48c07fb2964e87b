/**
 * Debug mode: with `KIT_DEBUG=1` in the environment, kit modules assert the invariants listed in their headers
 * and throw an InvariantError naming the one that failed. Off by default, and then free: each module reads the
 * flag once when it loads (`DEBUG`) and guards its checks with it, so the checks are never even called.
 * Worker threads inherit the environment, so a process started with the flag checks in every thread.
 *
 * Chaos mode (`KIT_CHAOS=1`, read once at load like KIT_DEBUG): at the places where a thread acts on shared state it
 * read a moment earlier (the race windows a header names), `stall()` (wait.ts: the one module that sleeps) now and then holds the thread for a few
 * microseconds to a fraction of a millisecond, so that other threads run in between. A scheduler opens such a window
 * only when it happens to preempt a thread at that exact instruction; chaos opens it on purpose, and a stress test
 * then meets in one run the interleavings that a quiet machine shows once in thousands. A worker inherits the
 * environment its parent had when it spawned it, so a test can turn chaos on for the threads it starts.
 *
 * Invariants: none of its own (it only reports those of other modules).
 */

/** True when the process was started with KIT_DEBUG=1 (read once, at load). */
export const DEBUG: boolean = process.env.KIT_DEBUG === '1';

/** A kit invariant did not hold: a bug in the kit (or shared memory written by something else). */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
  constructor(
    readonly invariant: string,
    detail: string,
  ) {
    super(`threadkit invariant ${invariant} violated: ${detail}`);
  }
}

/** True when the thread was started with KIT_CHAOS=1 (read once, at load): `stall()` perturbs schedules. */
export const CHAOS: boolean = process.env.KIT_CHAOS === '1';

/** Throw an InvariantError naming `invariant` unless `holds`. Call it only under `if (DEBUG)`. */
export function check(holds: boolean, invariant: string, detail: string): void {
  if (!holds) throw new InvariantError(invariant, detail);
}
