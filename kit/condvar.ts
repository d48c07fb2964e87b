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
 */
import { type Destination, registerKind, share, type WireHandle } from './internal/handles.ts';
import { type Deadline, deadlineAfter, parkSlice, parkSliceAsync } from './internal/park.ts';
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
    this.waitUntil(guard, Infinity);
    return guard;
  }

  /** `wait` for at most `timeoutMs` (the lock is always taken back, however long that takes, as in Rust). */
  waitTimeout<T extends SharedValue>(guard: MutexGuard<T>, timeoutMs: number): WaitTimeoutResult<T> {
    const notified = this.waitUntil(guard, deadlineAfter(timeoutMs));
    return { guard, timedOut: !notified };
  }

  /** Wait until `condition(value)` is false; checked with the lock held, first before any waiting. */
  waitWhile<T extends SharedValue>(guard: MutexGuard<T>, condition: (value: T) => boolean): MutexGuard<T> {
    while (condition(guard.value)) this.waitUntil(guard, Infinity);
    return guard;
  }

  /** `waitWhile` with a time limit: `timedOut` is true when the condition still held at the deadline. */
  waitTimeoutWhile<T extends SharedValue>(
    guard: MutexGuard<T>,
    timeoutMs: number,
    condition: (value: T) => boolean,
  ): WaitTimeoutResult<T> {
    const deadline = deadlineAfter(timeoutMs);
    while (condition(guard.value)) {
      if (performance.now() >= deadline) return { guard, timedOut: true };
      this.waitUntil(guard, deadline);
    }
    return { guard, timedOut: false };
  }

  /** `wait` for the main thread: parks without blocking the event loop. */
  async waitAsync<T extends SharedValue>(guard: MutexGuard<T>): Promise<MutexGuard<T>> {
    await this.waitUntilAsync(guard, Infinity);
    return guard;
  }

  async waitTimeoutAsync<T extends SharedValue>(guard: MutexGuard<T>, timeoutMs: number): Promise<WaitTimeoutResult<T>> {
    const notified = await this.waitUntilAsync(guard, deadlineAfter(timeoutMs));
    return { guard, timedOut: !notified };
  }

  async waitWhileAsync<T extends SharedValue>(guard: MutexGuard<T>, condition: (value: T) => boolean): Promise<MutexGuard<T>> {
    while (condition(guard.value)) await this.waitUntilAsync(guard, Infinity);
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

  /** Returns true if SEQ moved (a notification or a spurious wake-up), false if the deadline passed first. */
  private waitUntil<T extends SharedValue>(guard: MutexGuard<T>, deadline: Deadline): boolean {
    const lock = guard[kGuardLock];
    const seen = Atomics.load(this.ctl, SEQ);
    Atomics.add(this.ctl, WAITERS, 1);
    let moved = false;
    try {
      lock.suspend();
      for (;;) {
        if (Atomics.load(this.ctl, SEQ) !== seen) {
          moved = true;
          break;
        }
        if (!parkSlice(this.ctl, SEQ, seen, deadline)) {
          moved = Atomics.load(this.ctl, SEQ) !== seen;
          break;
        }
      }
    } finally {
      Atomics.sub(this.ctl, WAITERS, 1);
    }
    lock.resume();
    return moved;
  }

  private async waitUntilAsync<T extends SharedValue>(guard: MutexGuard<T>, deadline: Deadline): Promise<boolean> {
    const lock = guard[kGuardLock];
    const seen = Atomics.load(this.ctl, SEQ);
    Atomics.add(this.ctl, WAITERS, 1);
    let moved = false;
    try {
      lock.suspend();
      for (;;) {
        if (Atomics.load(this.ctl, SEQ) !== seen) {
          moved = true;
          break;
        }
        if (!(await parkSliceAsync(this.ctl, SEQ, seen, deadline))) {
          moved = Atomics.load(this.ctl, SEQ) !== seen;
          break;
        }
      }
    } finally {
      Atomics.sub(this.ctl, WAITERS, 1);
    }
    await lock.resumeAsync();
    return moved;
  }
}

registerKind('sync.condvar', (wire) => new Condvar((wire as CondvarWire).ctl));
