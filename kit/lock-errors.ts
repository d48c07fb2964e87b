/**
 * The errors of the kit's locks (Mutex, RwLock), as in Rust's std::sync: a poisoned lock, a `try…` call that would
 * have had to wait, a `…Timeout` call that ran out of time. Beside channel-errors.ts; mutex.ts and rwlock.ts
 * re-export them, so `import { PoisonError } from '#kit/mutex.ts'` keeps working.
 *
 * Invariants: a PoisonError always holds its lock until `intoInner()` hands the guard out or `release()` gives it back.
 */

/** Anything that still holds a lock and can give it back. */
export interface LockGuard extends Disposable {
  readonly isHeld: boolean;
  unlock(): void;
}

/**
 * The lock was poisoned: a previous holder failed while holding it. The error holds the lock: take the guard with
 * `intoInner()` to use the data anyway (Rust's `PoisonError::into_inner`), or `release()` it.
 */
export class PoisonError<G extends LockGuard> extends Error implements Disposable {
  override readonly name = 'PoisonError';
  constructor(private readonly guard: G) {
    super('poisoned lock: another thread failed while holding it; the data may be inconsistent');
  }

  /** The guard, still holding the lock. */
  intoInner(): G {
    if (!this.guard.isHeld) throw new Error('threadkit: the guard inside this PoisonError was already released');
    return this.guard;
  }

  /** Give the lock back without using it. Idempotent. */
  release(): void {
    this.guard.unlock();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/** `tryLock`/`tryRead`/`tryWrite` found the lock taken (Rust's `TryLockError::WouldBlock`). */
export class WouldBlockError extends Error {
  override readonly name = 'WouldBlockError';
  constructor() {
    super('the lock is held by someone else');
  }
}

/** A `...Timeout` lock call ran out of time. */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor() {
    super('timed out waiting for the lock');
  }
}

/** @internal An async callback would run on after the lock is released: refuse it loudly. */
export function notAsync<R>(result: R, method: string, instead: string): R {
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    throw new TypeError(
      `${method} got a callback that returned a promise, which would run on without the lock; use ${instead}`,
    );
  }
  return result;
}

/** @internal Take a guard; if that throws a PoisonError, give its lock back before rethrowing. */
export function releasingPoisoned<G>(take: () => G): G {
  try {
    return take();
  } catch (error) {
    if (error instanceof PoisonError) error.release();
    throw error;
  }
}

/**
 * @internal The body of `withLockAsync`/`withWriteAsync`-style calls: take the guard (giving the lock back if that
 * reports poisoning), run `fn`, poison on failure when the guard can be poisoned, release in every case.
 */
export async function runWithGuard<G extends LockGuard & { poison?(): void }, R>(
  taking: Promise<G>,
  fn: (guard: G) => R | Promise<R>,
): Promise<R> {
  let guard: G;
  try {
    guard = await taking;
  } catch (error) {
    if (error instanceof PoisonError) error.release();
    throw error;
  }
  try {
    return await fn(guard);
  } catch (error) {
    guard.poison?.();
    throw error;
  } finally {
    guard.unlock();
  }
}
