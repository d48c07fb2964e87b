/**
 * Condvar: Rust's std::sync::Condvar, used with a kit Mutex, shared with threads like an `Arc<Condvar>`.
 *
 *     using guard = queue.lock();
 *     cv.waitWhile(guard, (q) => q.isEmpty());   // releases the lock while waiting, holds it again on return
 *     ... elsewhere: { using g = queue.lock(); g.value.push(job); } cv.notifyOne();
 *
 * ── Memory layout ───────────────────────────────────────────────────────────────────────────────────────────
 * `ctl`: Int32Array of 2 words.
 *   0  SEQ      a sequence number; every notifyOne/notifyAll adds 1 (wrapping) before it wakes anyone
 *   1  WAITERS  threads between "read SEQ" and "woke up": +1/−1 by each waiter, so notifiers skip the
 *               `Atomics.notify` system call when nobody waits
 *
 * ── What a waiter waits on ──────────────────────────────────────────────────────────────────────────────────
 * A waiter reads SEQ while it still holds the mutex, registers in WAITERS, releases the mutex, then parks on SEQ
 * until SEQ differs from what it read. A notification that lands anywhere after the read changes SEQ, so the
 * park returns at once and nothing is lost; a notification before the read came from a thread that had the mutex
 * before the waiter did, so the waiter saw the state it published before deciding to wait. Then the waiter takes
 * the mutex back (and reports poisoning as `lock` does).
 *
 * Spurious wake-ups are possible, as in Rust: `notifyOne` wakes one parked thread, but a waiter that is between
 * registering and parking also sees SEQ move and returns. Use `waitWhile` (or loop on your condition).
 * A Condvar should be used with one mutex at a time, as in Rust (not checked).
 *
 * Invariants:
 *   C1  WAITERS counts the threads between their read of SEQ and their wake-up, so it is never negative (checked
 *       when KIT_DEBUG=1);
 *   C2  a waiter returns holding its mutex again, whatever ended the wait (notification, timeout, poisoning).
 */
import { check, DEBUG } from './internal/debug.ts';
import { type Destination, registerKind, share, type WireHandle } from './internal/handles.ts';
import { block, blockAsync, type Deadline, deadlineAfter, type Waiting, whileEqual } from './internal/wait.ts';
import { kGuardLock, type MutexGuard, type SharedValue } from './mutex.ts';

const SEQ = 0;
const WAITERS = 1;

/** What `waitTimeout` returns: the guard (holding the lock again) and whether the wait ended by timeout. */
export interface WaitTimeoutResult<T extends SharedValue> {
  readonly guard: MutexGuard<T>;
  /** True when the time ran out without a notification (Rust's `WaitTimeoutResult::timed_out`). */
  readonly timedOut: boolean;
}

interface CondvarWire extends WireHandle {
  readonly ctl: SharedArrayBuffer;
}

export class Condvar {
  private readonly ctl: Int32Array;

  /** `ctl` is internal: it rebuilds a condvar received from another thread. */
  constructor(ctl?: SharedArrayBuffer) {
    this.ctl = new Int32Array(ctl ?? new SharedArrayBuffer(8));
  }

  /** Release the guard's lock, block until notified (or spuriously woken), then take the lock back. */
  wait<T extends SharedValue>(guard: MutexGuard<T>): MutexGuard<T> {
    block(this.waiting(guard, Infinity, false));
    return guard;
  }

  /** `wait` for at most `timeoutMs` (the lock is always taken back, however long that takes, as in Rust). */
  waitTimeout<T extends SharedValue>(guard: MutexGuard<T>, timeoutMs: number): WaitTimeoutResult<T> {
    return { guard, timedOut: !block(this.waiting(guard, deadlineAfter(timeoutMs), false)) };
  }

  /** Wait until `condition(value)` is false; checked with the lock held, first before any waiting. */
  waitWhile<T extends SharedValue>(guard: MutexGuard<T>, condition: (value: T) => boolean): MutexGuard<T> {
    block(this.waitingWhile(guard, Infinity, condition, false));
    return guard;
  }

  /** `waitWhile` with a time limit: `timedOut` is true when the condition still held at the deadline. */
  waitTimeoutWhile<T extends SharedValue>(
    guard: MutexGuard<T>,
    timeoutMs: number,
    condition: (value: T) => boolean,
  ): WaitTimeoutResult<T> {
    return { guard, timedOut: !block(this.waitingWhile(guard, deadlineAfter(timeoutMs), condition, false)) };
  }

  /** `wait` for the main thread: parks without blocking the event loop. */
  async waitAsync<T extends SharedValue>(guard: MutexGuard<T>): Promise<MutexGuard<T>> {
    await blockAsync(this.waiting(guard, Infinity, true));
    return guard;
  }

  async waitTimeoutAsync<T extends SharedValue>(
    guard: MutexGuard<T>,
    timeoutMs: number,
  ): Promise<WaitTimeoutResult<T>> {
    return { guard, timedOut: !(await blockAsync(this.waiting(guard, deadlineAfter(timeoutMs), true))) };
  }

  async waitWhileAsync<T extends SharedValue>(
    guard: MutexGuard<T>,
    condition: (value: T) => boolean,
  ): Promise<MutexGuard<T>> {
    await blockAsync(this.waitingWhile(guard, Infinity, condition, true));
    return guard;
  }

  /** Wake one waiting thread (if any). */
  notifyOne(): void {
    Atomics.add(this.ctl, SEQ, 1);
    if (Atomics.load(this.ctl, WAITERS) > 0) Atomics.notify(this.ctl, SEQ, 1);
  }

  /** Wake every waiting thread. */
  notifyAll(): void {
    Atomics.add(this.ctl, SEQ, 1);
    if (Atomics.load(this.ctl, WAITERS) > 0) Atomics.notify(this.ctl, SEQ);
  }

  [share](_destination: Destination): WireHandle {
    return { __threadkit: 'sync.condvar', ctl: this.ctl.buffer as SharedArrayBuffer } as CondvarWire;
  }

  /**
   * One wait: true if SEQ moved (a notification or a spurious wake-up), false if the deadline passed first.
   * `queued`: an async caller, which may have to queue behind another task of its thread for the lock.
   */
  private *waiting<T extends SharedValue>(guard: MutexGuard<T>, deadline: Deadline, queued: boolean): Waiting<boolean> {
    const lock = guard[kGuardLock];
    const seen = Atomics.load(this.ctl, SEQ);
    Atomics.add(this.ctl, WAITERS, 1);
    let moved: boolean;
    try {
      lock.suspend();
      moved = yield* whileEqual(this.ctl, SEQ, seen, deadline);
    } finally {
      const left = Atomics.sub(this.ctl, WAITERS, 1);
      if (DEBUG) check(left > 0, 'C1', `WAITERS was ${left} before a waiter left`);
    }
    yield* lock.reacquire(queued);
    return moved;
  }

  /** Wait while `condition` holds: false if it still held at the deadline. */
  private *waitingWhile<T extends SharedValue>(
    guard: MutexGuard<T>,
    deadline: Deadline,
    condition: (value: T) => boolean,
    queued: boolean,
  ): Waiting<boolean> {
    while (condition(guard.value)) {
      if (deadline !== Infinity && performance.now() >= deadline) return false;
      yield* this.waiting(guard, deadline, queued);
    }
    return true;
  }
}

registerKind('sync.condvar', (wire) => new Condvar((wire as CondvarWire).ctl));
