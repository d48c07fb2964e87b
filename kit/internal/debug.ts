/**
 * Debug mode: with `KIT_DEBUG=1` in the environment, kit modules assert the invariants listed in their headers
 * and throw an InvariantError naming the one that failed. Off by default, and then free: each module reads the
 * flag once when it loads (`DEBUG`) and guards its checks with it, so the checks are never even called.
 * Worker threads inherit the environment, so a process started with the flag checks in every thread.
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

/** Throw an InvariantError naming `invariant` unless `holds`. Call it only under `if (DEBUG)`. */
export function check(holds: boolean, invariant: string, detail: string): void {
  if (!holds) throw new InvariantError(invariant, detail);
}
