/**
 * Results as values, for operations whose failure is an ordinary outcome (a queue that is momentarily empty, a
 * timeout). Blocking operations whose failure is exceptional (a disconnected channel, a panicked thread) throw.
 *
 * Invariants: none (plain values, no shared state).
 */

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}

export type Result<T, E> = Ok<T> | Err<E>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}

/** The value of an Ok, or throw the error of an Err (Rust's `unwrap`). */
export function unwrap<T, E>(result: Result<T, E>): T {
  if (result.ok) return result.value;
  throw result.error;
}
