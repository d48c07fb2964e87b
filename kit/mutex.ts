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
 * waiter if WAITERS is non-zero (read without an atomic load, to keep the uncontended path cheap: see
 * owner-lock's releaseFast), one wake-up at a time (owner-lock's WAKING). Waiters wake at least every PARK_SLICE_MS to look for a dead holder: when the
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
 * `lockAsync` calls queue behind each other. The lock protocol itself is internal/owner-lock.ts; the errors are in
 * lock-errors.ts (re-exported here).
 *
 * Invariants (checked when KIT_DEBUG=1, with those of owner-lock.ts):
 *   M1  a guard is held only while OWNER holds this thread's id;
 *   M2  POISON is 0 or 1.
 */
import { check, DEBUG } from './internal/debug.ts';
import {
  type Destination,
  fromWire,
  registerKind,
  type Shareable,
  share,
  toWire,
  type WireHandle,
} from './internal/handles.ts';
import {
  acquire,
  acquiring,
  spinToAcquire,
  isHeldByMe,
  type LockOutcome,
  releaseFast,
  wakeOne,
  takeOverDeadOwner,
  tryAcquire,
} from './internal/owner-lock.ts';
import { selfId } from './internal/registry.ts';
import { block, blockAsync, deadlineAfter, Spinner, type Waiting } from './internal/wait.ts';
import {
  type LockGuard,
  LockTimeoutError,
  notAsync,
  PoisonError,
  runWithGuard,
  WouldBlockError,
} from './lock-errors.ts';
import { err, ok, type Result } from './result.ts';

export { type LockGuard, LockTimeoutError, PoisonError, WouldBlockError } from './lock-errors.ts';

/**
 * What a lock can guard: data in shared memory (shared-data.ts, atomics, other locks), or plain objects and arrays
 * of them. Not channel endpoints: passing one to a thread moves it (channel.ts), so a lock holding one could be
 * passed only once.
 */
export type SharedValue = Shareable | undefined | readonly SharedValue[] | { readonly [key: string]: SharedValue };

// The owner-lock's words (owner-lock.ts: OWNER at the lock's index, its waiter count next), as local constants:
// the uncontended lock/unlock below is a handful of nanoseconds, and V8 folds a local constant but loads an import.
const OWNER = 0;
const LOCK_WAITERS = 1;
const POISON = 2;
const CTL_WORDS = 4;

const WOULD_BLOCK = new WouldBlockError();
const TIMED_OUT = new LockTimeoutError();

// ── guard ────────────────────────────────────────────────────────────────────────────────────────────────────

/** @internal Used by Condvar to release the lock while it waits and to take it back afterwards. */
export const kGuardLock: unique symbol = Symbol('threadkit.guardLock');

/** Access to the guarded value while the lock is held; `unlock()` or leave the `using` block to release it. */
export class MutexGuard<T extends SharedValue> implements LockGuard {
  // `declare`d and assigned in the constructor: class-field initializers would cost a define per field, and a
  // guard is created on every lock.
  /** @internal */
  declare held: boolean;
  declare private readonly ctl: Int32Array;
  declare private readonly mutex: Mutex<T>;

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
    releasePlain(this.ctl);
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
    const guard = this;
    return {
      suspend: () => {
        if (!this.held) throw new Error('threadkit: Condvar.wait needs a guard that holds its lock');
        this.held = false;
        releaseFast(mutex.ctl, OWNER);
      },
      *reacquire(queued: boolean): Waiting<void> {
        const outcome = yield* acquiring(mutex.ctl, OWNER, Infinity, queued ? undefined : mutex.spinner, queued);
        guard.held = true;
        mutex.afterAcquire(outcome, guard);
      },
    };
  }
}

/** @internal What Condvar needs from a guard: give the lock up while waiting, take it back afterwards. */
export interface GuardLockAccess {
  suspend(): void;
  /** Take the lock back; throws PoisonError, holding the lock, if poisoned. `queued`: an async caller. */
  reacquire(queued: boolean): Waiting<void>;
}

/**
 * owner-lock's releaseFast on this mutex's words, with local constants (see above); KIT_DEBUG=1 swaps the guard's
 * unlock for one that calls the checked form (end of this module).
 */
function releasePlain(ctl: Int32Array): void {
  Atomics.store(ctl, OWNER, 0);
  const waiters = ctl[LOCK_WAITERS]!;
  if (waiters !== 0) wakeOne(ctl, OWNER, waiters);
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
  /** @internal This thread's adaptive spin budget for this lock. */
  readonly spinner = new Spinner();

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
    if (spinToAcquire(this.ctl, OWNER, this.spinner)) return this.afterAcquire('acquired');
    return this.afterAcquire(block(acquiring(this.ctl, OWNER, Infinity, this.spinner, false, true)));
  }

  /** Wait without blocking the event loop. */
  async lockAsync(): Promise<MutexGuard<T>> {
    return this.afterAcquire(await blockAsync(acquiring(this.ctl, OWNER, Infinity, undefined, true)));
  }

  /** Take the lock only if it is free right now. */
  tryLock(): Result<MutexGuard<T>, WouldBlockError> {
    if (tryAcquire(this.ctl, OWNER)) return ok(this.afterAcquire('acquired'));
    if (takeOverDeadOwner(this.ctl, OWNER)) return ok(this.afterAcquire('abandoned'));
    return err(WOULD_BLOCK);
  }

  /** Wait at most `timeoutMs` for the lock. */
  lockTimeout(timeoutMs: number): Result<MutexGuard<T>, LockTimeoutError> {
    return this.timedGuard(acquire(this.ctl, OWNER, deadlineAfter(timeoutMs), this.spinner));
  }

  async lockTimeoutAsync(timeoutMs: number): Promise<Result<MutexGuard<T>, LockTimeoutError>> {
    return this.timedGuard(await blockAsync(acquiring(this.ctl, OWNER, deadlineAfter(timeoutMs), undefined, true)));
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
    return runWithGuard(this.lockAsync(), (guard) => fn(guard.value));
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
    return {
      __threadkit: 'sync.mutex',
      ctl: this.ctl.buffer as SharedArrayBuffer,
      data: toWire(this.data, destination),
    } as MutexWire;
  }

  /** @internal Wrap an acquisition in a guard; record and report poisoning. */
  afterAcquire(outcome: LockOutcome, guard: MutexGuard<T> = new MutexGuard(this)): MutexGuard<T> {
    if (outcome === 'timeout') throw new Error('threadkit: afterAcquire called without the lock');
    if (outcome === 'abandoned') Atomics.store(this.ctl, POISON, 1);
    if (DEBUG) {
      check(isHeldByMe(this.ctl, OWNER), 'M1', 'a guard was made for a lock this thread does not hold');
      check((this.ctl[POISON]! & ~1) === 0, 'M2', `POISON is ${this.ctl[POISON]}`);
    }
    if (Atomics.load(this.ctl, POISON) !== 0) throw new PoisonError(guard);
    return guard;
  }

  private timedGuard(outcome: LockOutcome): Result<MutexGuard<T>, LockTimeoutError> {
    return outcome === 'timeout' ? err(TIMED_OUT) : ok(this.afterAcquire(outcome));
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
}

// Debug mode, decided once at load: the guard's unlock checks owner-lock's L3 (only the owner releases). Off, the
// unlock above stays as it is: no flag is read on the hot path.
if (DEBUG) {
  MutexGuard.prototype.unlock = function unlock(this: MutexGuard<SharedValue>): void {
    if (!this.held) return;
    this.held = false;
    releaseFast((this as unknown as { ctl: Int32Array }).ctl, OWNER);
  };
}

registerKind('sync.mutex', (wire) => {
  const w = wire as MutexWire;
  return new Mutex(fromWire(w.data) as SharedValue, w.ctl);
});
