/**
 * Mutex<T>: Rust's std::sync::Mutex over shared memory. It guards a value that itself lives in shared memory
 * (shared-data.ts: SharedVec, SharedStruct, SharedI32Array..., an atomic, or a plain object/array of those), and is
 * shared with threads like an `Arc<Mutex<T>>`: `spawn(body, mutex)` gives the thread a handle onto the same lock
 * and the same data.
 *
 *     const log = new Mutex(new SharedVec(logEntry));
 *     { using guard = log.lock(); guard.value.push(entry); }      // released at the end of the block
 *     log.withLock((entries) => entries.push(entry));              // the same, and poisons if the callback throws
 *     using guard = await log.lockAsync();                         // on the main thread (keeps the event loop)
 *
 * ── Memory layout ───────────────────────────────────────────────────────────────────────────────────────────
 * `ctl`: Int32Array of 4 words.
 *   0  OWNER    0 when free, else the holder's threadId + 1: CAS by lockers, store 0 by the holder (owner-lock.ts)
 *   1  WAITERS  threads parked or about to park on OWNER: +1/−1 by each waiter around its wait
 *   2  POISON   1 once a holder failed while holding the lock: set by `withLock` when its callback throws, by a
 *               thread that takes the lock over from a dead holder (which includes a thread whose body ended
 *               without releasing its guard); cleared only by `clearPoison()`
 *   3  reserved
 * The guarded value has its own buffers; it is written by whoever holds the lock.
 *
 * ── What a waiter waits on ──────────────────────────────────────────────────────────────────────────────────
 * A blocked locker spins briefly, then parks on OWNER with the value it saw; the releaser stores 0 and notifies one
 * waiter if WAITERS is non-zero (read without an atomic load, to keep the uncontended path cheap: see releaseFast). Waiters wake at least every PARK_SLICE_MS to look for a dead holder: when the
 * holder's thread has died (terminated, process.exit in the thread, crashed), the waiter takes the lock over and
 * the mutex becomes poisoned, so no thread is left blocked forever.
 *
 * ── Poisoning ───────────────────────────────────────────────────────────────────────────────────────────────
 * As in Rust: once poisoned, `lock`, `lockAsync`, `lockTimeout` and `tryLock` throw a PoisonError *that holds the
 * lock*; `error.intoInner()` returns the guard (the data may be half-updated: check it), or `error.release()` gives
 * the lock back. JavaScript cannot tell whether a `using` block is being left by an exception, so a guard released
 * by `using` never poisons; use `withLock` where a failure in the middle of an update must be remembered.
 *
 * Not reentrant: locking twice from one thread throws instead of deadlocking. On the main thread, concurrent
 * `lockAsync` calls queue behind each other.
 */
import { type Destination, fromWire, registerKind, type Shareable, share, toWire, type WireHandle } from './internal/handles.ts';
import { acquire, acquireAsync, isHeldByMe, type LockOutcome, tryAcquire } from './internal/owner-lock.ts';
import { deadlineAfter, parkSliceAsync } from './internal/park.ts';
import { isThreadDead, selfId } from './internal/registry.ts';
import { err, ok, type Result } from './result.ts';

/**
 * What a lock can guard: data in shared memory (shared-data.ts, atomics, other locks), or plain objects and arrays
 * of them. Not channel endpoints: passing one to a thread moves it (channel.ts), so a lock holding one could be
 * passed only once.
 */
export type SharedValue = Shareable | undefined | readonly SharedValue[] | { readonly [key: string]: SharedValue };

const OWNER = 0;
const POISON = 2;
const CTL_WORDS = 4;

// ── errors ───────────────────────────────────────────────────────────────────────────────────────────────────

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

const WOULD_BLOCK = new WouldBlockError();
const TIMED_OUT = new LockTimeoutError();

// ── guard ────────────────────────────────────────────────────────────────────────────────────────────────────

/** @internal Used by Condvar to release the lock while it waits and to take it back afterwards. */
export const kGuardLock: unique symbol = Symbol('threadkit.guardLock');

/** Access to the guarded value while the lock is held; `unlock()` or leave the `using` block to release it. */
export class MutexGuard<T extends SharedValue> implements LockGuard {
  // `declare`d and assigned in the constructor: class-field initializers would cost a define per field, and a
  // guard is created on every lock.
  private declare held: boolean;
  private declare readonly ctl: Int32Array;
  private declare readonly mutex: Mutex<T>;

  /** @internal */
  constructor(mutex: Mutex<T>) {
    this.held = true;
    this.ctl = mutex.ctl;
    this.mutex = mutex;
  }

  /** The guarded value. Throws once the guard is released, so a stale guard cannot touch the data. */
  get value(): T {
    if (!this.held) throw new Error('threadkit: this MutexGuard was released; lock the mutex again');
    return this.mutex.data;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Release the lock (Rust: dropping the guard). Idempotent. */
  unlock(): void {
    if (!this.held) return;
    this.held = false;
    releaseFast(this.ctl);
  }

  /** Mark the mutex poisoned, as a Rust guard dropped during a panic does. */
  poison(): void {
    if (this.held) Atomics.store(this.mutex.ctl, POISON, 1);
  }

  [Symbol.dispose](): void {
    this.unlock();
  }

  /** @internal */
  get [kGuardLock](): GuardLockAccess {
    const mutex = this.mutex;
    const check = (): void => {
      if (!this.held) throw new Error('threadkit: Condvar.wait needs a guard that holds its lock');
    };
    return {
      suspend: () => {
        check();
        this.held = false;
        releaseFast(mutex.ctl);
      },
      resume: (deadline = Infinity) => {
        const outcome = acquire(mutex.ctl, OWNER, deadline);
        if (outcome === 'timeout') return false;
        this.held = true;
        mutex.afterAcquire(outcome, this);
        return true;
      },
      resumeAsync: async () => {
        const outcome = await mutex.acquireAsync(Infinity);
        this.held = true;
        mutex.afterAcquire(outcome, this);
      },
    };
  }
}

/** @internal What Condvar needs from a guard: give the lock up while waiting, take it back afterwards. */
export interface GuardLockAccess {
  suspend(): void;
  /** Take the lock back (false if the deadline passed first); throws PoisonError, holding the lock, if poisoned. */
  resume(deadline?: number): boolean;
  resumeAsync(): Promise<void>;
}

/**
 * owner-lock's `release`, with a plain read of the waiter count: the uncontended lock+unlock pair is then one CAS
 * and one store, which is what makes it cost about two `Atomics.add`s. A stale read can only be a missed wake-up,
 * and waiters never sleep longer than one park slice (PARK_SLICE_MS) before looking again, so it costs latency in
 * a rare race, never a lost lock. Same words as owner-lock.ts: OWNER, then its waiter count.
 */
function releaseFast(ctl: Int32Array): void {
  Atomics.store(ctl, OWNER, 0);
  if (ctl[OWNER + 1]! > 0) Atomics.notify(ctl, OWNER, 1);
}

// ── mutex ────────────────────────────────────────────────────────────────────────────────────────────────────

interface MutexWire extends WireHandle {
  readonly ctl: SharedArrayBuffer;
  readonly data: unknown;
}

const me = selfId + 1;

export class Mutex<T extends SharedValue = undefined> implements Shareable {
  /** @internal */
  readonly ctl: Int32Array;
  /** @internal */
  readonly data: T;

  /**
   * A new, unlocked mutex guarding `value` (omit it for a mutex that guards nothing but a critical section).
   * `ctl` is internal: it rebuilds a mutex received from another thread.
   */
  constructor(value?: T, ctl?: SharedArrayBuffer) {
    this.data = value as T;
    this.ctl = new Int32Array(ctl ?? new SharedArrayBuffer(CTL_WORDS * 4));
  }

  /** Block until the lock is free, then take it. For worker threads; on the main thread use lockAsync. */
  lock(): MutexGuard<T> {
    if (Atomics.compareExchange(this.ctl, OWNER, 0, me) === 0) {
      // A plain read is enough here: every write of POISON that matters happened before the release this CAS
      // synchronized with (see releaseFast).
      return this.ctl[POISON] === 0 ? new MutexGuard(this) : this.afterAcquire('acquired');
    }
    return this.afterAcquire(acquire(this.ctl, OWNER));
  }

  /** Wait without blocking the event loop. */
  async lockAsync(): Promise<MutexGuard<T>> {
    return this.afterAcquire(await this.acquireAsync(Infinity));
  }

  /** Take the lock only if it is free right now. */
  tryLock(): Result<MutexGuard<T>, WouldBlockError> {
    if (tryAcquire(this.ctl, OWNER)) return ok(this.afterAcquire('acquired'));
    if (takeOverDeadOwner(this.ctl, OWNER)) return ok(this.afterAcquire('abandoned'));
    return err(WOULD_BLOCK);
  }

  /** Wait at most `timeoutMs` for the lock. */
  lockTimeout(timeoutMs: number): Result<MutexGuard<T>, LockTimeoutError> {
    const outcome = acquire(this.ctl, OWNER, deadlineAfter(timeoutMs));
    return outcome === 'timeout' ? err(TIMED_OUT) : ok(this.afterAcquire(outcome));
  }

  async lockTimeoutAsync(timeoutMs: number): Promise<Result<MutexGuard<T>, LockTimeoutError>> {
    const outcome = await this.acquireAsync(deadlineAfter(timeoutMs));
    return outcome === 'timeout' ? err(TIMED_OUT) : ok(this.afterAcquire(outcome));
  }

  /**
   * Run `fn` with the value while holding the lock, and release it afterwards. If `fn` throws, the mutex is
   * poisoned (as when a Rust thread panics holding the guard) and the error propagates. A poisoned mutex makes
   * this throw PoisonError without running `fn`, with the lock already released: recover with `lock()` and
   * `intoInner()`, or `clearPoison()` first.
   */
  withLock<R>(fn: (value: T) => R): R {
    return this.runLocked(this.lockOrRelease(), fn);
  }

  async withLockAsync<R>(fn: (value: T) => R | Promise<R>): Promise<R> {
    let guard: MutexGuard<T>;
    try {
      guard = await this.lockAsync();
    } catch (error) {
      if (error instanceof PoisonError) error.release();
      throw error;
    }
    try {
      return await fn(guard.value);
    } catch (error) {
      guard.poison();
      throw error;
    } finally {
      guard.unlock();
    }
  }

  /** True once a holder failed while holding the lock (Rust's `is_poisoned`). */
  isPoisoned(): boolean {
    return Atomics.load(this.ctl, POISON) !== 0;
  }

  /** Declare the data consistent again (Rust's `clear_poison`). */
  clearPoison(): void {
    Atomics.store(this.ctl, POISON, 0);
  }

  /** Whether some thread holds the lock right now (a snapshot, for diagnostics). */
  isLocked(): boolean {
    return Atomics.load(this.ctl, OWNER) !== 0;
  }

  [share](destination: Destination): WireHandle {
    return { __threadkit: 'sync.mutex', ctl: this.ctl.buffer as SharedArrayBuffer, data: toWire(this.data, destination) } as MutexWire;
  }

  /** @internal Wrap an acquisition in a guard; record and report poisoning. */
  afterAcquire(outcome: LockOutcome, guard: MutexGuard<T> = new MutexGuard(this)): MutexGuard<T> {
    if (outcome === 'timeout') throw new Error('threadkit: afterAcquire called without the lock');
    if (outcome === 'abandoned') Atomics.store(this.ctl, POISON, 1);
    if (Atomics.load(this.ctl, POISON) !== 0) throw new PoisonError(guard);
    return guard;
  }

  private lockOrRelease(): MutexGuard<T> {
    try {
      return this.lock();
    } catch (error) {
      if (error instanceof PoisonError) error.release();
      throw error;
    }
  }

  private runLocked<R>(guard: MutexGuard<T>, fn: (value: T) => R): R {
    let result: R;
    try {
      result = fn(guard.value);
    } catch (error) {
      guard.poison();
      throw error;
    } finally {
      guard.unlock();
    }
    return notAsync(result, 'withLock', 'withLockAsync');
  }

  /** @internal */
  acquireAsync(deadline: number): Promise<LockOutcome> {
    return acquireQueuedAsync(this.ctl, OWNER, deadline);
  }
}

/** @internal Take over a lock whose holder's thread has died (a non-blocking form of owner-lock's takeover). */
export function takeOverDeadOwner(words: Int32Array, index: number): boolean {
  const owner = Atomics.load(words, index);
  return owner !== 0 && owner !== me && isThreadDead(owner - 1) && Atomics.compareExchange(words, index, owner, me) === owner;
}

/** @internal An async callback would run on after the lock is released: refuse it loudly. */
export function notAsync<R>(result: R, method: string, instead: string): R {
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    throw new TypeError(`${method} got a callback that returned a promise, which would run on without the lock; use ${instead}`);
  }
  return result;
}

/**
 * @internal owner-lock's acquireAsync, except that several async tasks of one thread may want the lock at once:
 * owner-lock sees them all as the same owner and would call that reentrancy, so tasks of the holding thread first
 * wait for it to let go. `index` is the owner-lock's OWNER word; its waiter count is the next word.
 */
export async function acquireQueuedAsync(words: Int32Array, index: number, deadline: number): Promise<LockOutcome> {
  for (;;) {
    if (isHeldByMe(words, index)) {
      Atomics.add(words, index + 1, 1);
      try {
        if (!(await parkSliceAsync(words, index, me, deadline)) && isHeldByMe(words, index)) return 'timeout';
      } finally {
        Atomics.sub(words, index + 1, 1);
      }
      continue;
    }
    try {
      return await acquireAsync(words, index, deadline);
    } catch (error) {
      // Another task of this thread took the lock while this one was parked: queue behind it.
      if (!isHeldByMe(words, index)) throw error;
    }
  }
}

registerKind('sync.mutex', (wire) => {
  const w = wire as MutexWire;
  return new Mutex(fromWire(w.data) as SharedValue, w.ctl);
});
