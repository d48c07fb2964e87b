/**
 * RwLock<T>: Rust's std::sync::RwLock over shared memory: any number of readers, or one writer. Guards the same
 * kinds of values as Mutex (shared-data.ts), and is shared with threads like an `Arc<RwLock<T>>`.
 *
 * ── Fairness policy: writer-preferring ──────────────────────────────────────────────────────────────────────
 * A writer first takes the writer lock (WRITER), which at once stops *new* readers from entering; it then waits
 * only for the readers already inside to leave. So a writer waits at most for the read sections in progress when
 * it arrived, however dense the stream of readers. The price: a steady stream of writers can keep readers out,
 * and a thread that takes a second read lock while a writer waits deadlocks with it (Rust documents the same
 * hazard). Writers among themselves are served in no particular order.
 *
 * ── Memory layout ───────────────────────────────────────────────────────────────────────────────────────────
 * `ctl`: Int32Array; a 64-byte header, then one 64-byte line per reader slot (so that readers on different cores
 * do not write the same cache line; that is what lets read-mostly work scale with threads).
 *   0  WRITER     owner-lock word: 0, or the writer's threadId + 1 (held from "writer waiting" to "writer done")
 *   1  W_QUEUE    writers parked on WRITER (owner-lock's waiter count)
 *   2  POISON     1 once a writer failed while holding the lock (withWrite threw, or its thread died)
 *   3  R_WAITERS  readers parked on R_SIGNAL
 *   4  R_SIGNAL   bumped by a writer when it lets go, if R_WAITERS > 0
 *   5  W_WAITING  1 while the writer that holds WRITER is parked waiting for readers to leave
 *   6  W_SIGNAL   bumped by a reader leaving while WRITER is set
 *   7  SLOTS_USED reader slots handed out so far (a high-water mark; the writer scans only these)
 *   16 + 16·i    slot i: +0 KEY (threadId + 1 of the thread that owns the slot; 0 free; −1 being reclaimed),
 *                +1 COUNT (read guards that thread holds). Slot 0 is shared by threads that find no free slot.
 * A reader writes only its own slot's COUNT (and the signal words when it must wait or wake); the writer writes
 * WRITER, and clears the slots of dead threads.
 *
 * ── What a waiter waits on ──────────────────────────────────────────────────────────────────────────────────
 * Reader: add 1 to its COUNT, then read WRITER. Zero: it is in. Otherwise it takes the 1 back (waking the writer),
 * and parks on R_SIGNAL until WRITER is 0. Writer: after taking WRITER, read every COUNT; while one is non-zero,
 * park on W_SIGNAL. Both sides use sequentially consistent atomics, so either the reader sees WRITER or the writer
 * sees the reader's count (never neither). A leaving reader reads WRITER without an atomic load: a stale value
 * only delays the writer's wake-up to its next park slice. A writer whose thread died is taken over as in Mutex (and poisons);
 * the read guards of a dead thread are dropped by the next writer that waits for them.
 *
 * Invariants (checked when KIT_DEBUG=1, with those of owner-lock.ts):
 *   RW1 a reader slot's COUNT is never negative (a leave finds at least the guard it releases);
 *   RW2 a write guard is made only while WRITER holds this thread's id.
 */
import {
  type Destination,
  fromWire,
  registerKind,
  type Shareable,
  share,
  toWire,
  type WireHandle,
} from './internal/handles.ts';
import { check, DEBUG } from './internal/debug.ts';
import {
  acquiring,
  type LockOutcome,
  release,
  takeOverDeadOwner,
  tryAcquire,
  WAITERS as LOCK_WAITERS,
  wakeOne,
} from './internal/owner-lock.ts';
import { deathEpoch, isThreadDead, selfId } from './internal/registry.ts';
import { block, blockAsync, type Deadline, deadlineAfter, Spinner, type Waiting } from './internal/wait.ts';
import {
  type LockGuard,
  LockTimeoutError,
  notAsync,
  PoisonError,
  releasingPoisoned,
  WouldBlockError,
} from './lock-errors.ts';
import type { SharedValue } from './mutex.ts';
import { err, ok, type Result } from './result.ts';

const WRITER = 0;
const POISON = 2;
const R_WAITERS = 3;
const R_SIGNAL = 4;
const W_WAITING = 5;
const W_SIGNAL = 6;
const SLOTS_USED = 7;
const HEADER_WORDS = 16;
const SLOT_WORDS = 16;
const KEY = 0;
const COUNT = 1;
const SLOT_COUNT = 64;
const CTL_WORDS = HEADER_WORDS + SLOT_COUNT * SLOT_WORDS;
const OVERFLOW_SLOT = HEADER_WORDS;

const me = selfId + 1;
const WOULD_BLOCK = new WouldBlockError();
const TIMED_OUT = new LockTimeoutError();

/** Shared read access; `unlock()` or leave the `using` block to release it. */
export class RwLockReadGuard<T extends SharedValue> implements LockGuard {
  // Assigned in the constructor rather than with field initializers: a guard is created on every read.
  declare private held: boolean;
  declare private readonly lock: RwLock<T>;
  declare private readonly slot: number;

  /** @internal */
  constructor(lock: RwLock<T>, slot: number) {
    this.held = true;
    this.lock = lock;
    this.slot = slot;
  }

  /** The guarded value; other threads may be reading it at the same time, so do not change it. */
  get value(): T {
    if (!this.held) throw new Error('threadkit: this RwLockReadGuard was released');
    return this.lock.data;
  }

  get isHeld(): boolean {
    return this.held;
  }

  unlock(): void {
    if (!this.held) return;
    this.held = false;
    this.lock.readerLeave(this.slot);
  }

  [Symbol.dispose](): void {
    this.unlock();
  }
}

/** Exclusive access; `unlock()` or leave the `using` block to release it. */
export class RwLockWriteGuard<T extends SharedValue> implements LockGuard {
  declare private held: boolean;
  declare private readonly lock: RwLock<T>;

  /** @internal */
  constructor(lock: RwLock<T>) {
    this.held = true;
    this.lock = lock;
  }

  get value(): T {
    if (!this.held) throw new Error('threadkit: this RwLockWriteGuard was released');
    return this.lock.data;
  }

  get isHeld(): boolean {
    return this.held;
  }

  unlock(): void {
    if (!this.held) return;
    this.held = false;
    this.lock.writerLeave();
  }

  /** Mark the lock poisoned, as a Rust write guard dropped during a panic does. */
  poison(): void {
    if (this.held) Atomics.store(this.lock.ctl, POISON, 1);
  }

  [Symbol.dispose](): void {
    this.unlock();
  }
}

interface RwLockWire extends WireHandle {
  readonly ctl: SharedArrayBuffer;
  readonly data: unknown;
}

export class RwLock<T extends SharedValue = undefined> implements Shareable {
  /** @internal */
  readonly ctl: Int32Array;
  /** @internal */
  readonly data: T;
  private slot = -1;
  private seenEpoch = -1;
  private readonly readSpin = new Spinner();
  private readonly writeSpin = new Spinner();

  /** `ctl` is internal: it rebuilds a lock received from another thread. */
  constructor(value?: T, ctl?: SharedArrayBuffer) {
    this.data = value as T;
    this.ctl = new Int32Array(ctl ?? new SharedArrayBuffer(CTL_WORDS * 4));
    if (!ctl) {
      this.ctl[OVERFLOW_SLOT + KEY] = -2;
      this.ctl[SLOTS_USED] = 1;
    }
  }

  // ── readers ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Block until no writer holds or waits for the lock, then read. For worker threads. */
  read(): RwLockReadGuard<T> {
    const slot = this.readerSlot();
    return this.readGuard(this.readerEnter(slot) ? slot : block(this.reading(Infinity, true)));
  }

  async readAsync(): Promise<RwLockReadGuard<T>> {
    return this.readGuard(await blockAsync(this.reading(Infinity, false)));
  }

  tryRead(): Result<RwLockReadGuard<T>, WouldBlockError> {
    const slot = this.readerSlot();
    return this.readerEnter(slot, false) ? ok(this.readGuard(slot)) : err(WOULD_BLOCK);
  }

  readTimeout(timeoutMs: number): Result<RwLockReadGuard<T>, LockTimeoutError> {
    const slot = this.readerSlot();
    return this.timedRead(this.readerEnter(slot) ? slot : block(this.reading(deadlineAfter(timeoutMs), true)));
  }

  async readTimeoutAsync(timeoutMs: number): Promise<Result<RwLockReadGuard<T>, LockTimeoutError>> {
    return this.timedRead(await blockAsync(this.reading(deadlineAfter(timeoutMs), false)));
  }

  /** Run `fn` under a read lock. A poisoned lock throws PoisonError (lock released) without running `fn`. */
  withRead<R>(fn: (value: T) => R): R {
    const guard = releasingPoisoned(() => this.read());
    let result: R;
    try {
      result = fn(guard.value);
    } finally {
      guard.unlock();
    }
    return notAsync(result, 'withRead', 'readAsync');
  }

  // ── writers ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Block until every reader and writer has left, then write. For worker threads. */
  write(): RwLockWriteGuard<T> {
    this.refuseIfReading();
    if (!tryAcquire(this.ctl, WRITER)) return this.writeGuard(block(this.writing(Infinity, true)));
    if (this.readersInside()) block(this.waitingForReaders(Infinity, true));
    return this.writeGuard('acquired');
  }

  async writeAsync(): Promise<RwLockWriteGuard<T>> {
    return this.writeGuard(await blockAsync(this.writing(Infinity, false)));
  }

  tryWrite(): Result<RwLockWriteGuard<T>, WouldBlockError> {
    let outcome: LockOutcome;
    if (tryAcquire(this.ctl, WRITER)) outcome = 'acquired';
    else if (takeOverDeadOwner(this.ctl, WRITER)) outcome = 'abandoned';
    else return err(WOULD_BLOCK);
    if (this.readersInside()) {
      this.releaseWriter();
      return err(WOULD_BLOCK);
    }
    return ok(this.writeGuard(outcome));
  }

  writeTimeout(timeoutMs: number): Result<RwLockWriteGuard<T>, LockTimeoutError> {
    return this.timedWrite(block(this.writing(deadlineAfter(timeoutMs), true)));
  }

  async writeTimeoutAsync(timeoutMs: number): Promise<Result<RwLockWriteGuard<T>, LockTimeoutError>> {
    return this.timedWrite(await blockAsync(this.writing(deadlineAfter(timeoutMs), false)));
  }

  /** Run `fn` under the write lock; if it throws, the lock is poisoned and the error propagates. */
  withWrite<R>(fn: (value: T) => R): R {
    const guard = releasingPoisoned(() => this.write());
    let result: R;
    try {
      result = fn(guard.value);
    } catch (error) {
      guard.poison();
      throw error;
    } finally {
      guard.unlock();
    }
    return notAsync(result, 'withWrite', 'writeAsync');
  }

  // ── state ────────────────────────────────────────────────────────────────────────────────────────────────

  isPoisoned(): boolean {
    return Atomics.load(this.ctl, POISON) !== 0;
  }

  clearPoison(): void {
    Atomics.store(this.ctl, POISON, 0);
  }

  /** Read guards held right now, over all threads (a snapshot, for diagnostics and tests). */
  readerCount(): number {
    let total = 0;
    const used = Atomics.load(this.ctl, SLOTS_USED);
    for (let i = 0; i < used; i++) total += Atomics.load(this.ctl, HEADER_WORDS + i * SLOT_WORDS + COUNT);
    return total;
  }

  /** Whether a writer holds the lock or is waiting for readers to leave (a snapshot). */
  isWriterPending(): boolean {
    return Atomics.load(this.ctl, WRITER) !== 0;
  }

  [share](destination: Destination): WireHandle {
    return {
      __threadkit: 'sync.rwlock',
      ctl: this.ctl.buffer as SharedArrayBuffer,
      data: toWire(this.data, destination),
    } as RwLockWire;
  }

  // ── reader internals ─────────────────────────────────────────────────────────────────────────────────────

  private readGuard(slot: number): RwLockReadGuard<T> {
    const guard = new RwLockReadGuard(this, slot);
    // Plain read: POISON is only set by a writer before it lets go, which this reader's entry is ordered after.
    if (this.ctl[POISON] !== 0) throw new PoisonError(guard);
    return guard;
  }

  /** One attempt to enter as a reader; on failure the slot's count is back where it was. */
  private readerEnter(slot: number, blocking = true): boolean {
    const ctl = this.ctl;
    Atomics.add(ctl, slot + COUNT, 1);
    const writer = Atomics.load(ctl, WRITER);
    if (writer === 0) return true;
    this.readerLeave(slot);
    // An async reader may wait for another task of its own thread to finish writing; a blocking one never could.
    if (blocking && writer === me)
      throw new Error('threadkit: this thread holds the write lock; reading now would deadlock');
    return false;
  }

  /** @internal */
  readerLeave(slot: number): void {
    const ctl = this.ctl;
    const before = Atomics.sub(ctl, slot + COUNT, 1);
    if (DEBUG) check(before >= 1, 'RW1', `reader slot ${slot} counted ${before} guards when one left`);
    // A plain read keeps the read path cheap; if it is stale, the waiting writer finds the count at zero on its
    // next park slice instead of being woken now. (Entering, by contrast, must read WRITER atomically.)
    if (ctl[WRITER] !== 0) {
      Atomics.add(ctl, W_SIGNAL, 1);
      if (Atomics.load(ctl, W_WAITING) > 0) Atomics.notify(ctl, W_SIGNAL);
    }
  }

  /**
   * Enter as a reader, waiting while a writer holds or waits for the lock: the slot entered, or -1 if the deadline
   * passed first. `blocking`: a blocking caller (it spins first, and may not wait for its own thread's writer).
   */
  private *reading(deadline: Deadline, blocking: boolean): Waiting<number> {
    const ctl = this.ctl;
    const slot = this.readerSlot();
    for (;;) {
      if (this.readerEnter(slot, blocking)) return slot;
      const writer = Atomics.load(ctl, WRITER);
      if (blocking && writer !== 0 && this.readSpin.willSpin()) {
        yield { words: ctl, index: WRITER, seen: writer, deadline, spin: this.readSpin, mode: 'spin' };
      }
      if (Atomics.load(ctl, WRITER) === 0 && this.readerEnter(slot, blocking)) return slot;
      Atomics.add(ctl, R_WAITERS, 1);
      try {
        const seen = Atomics.load(ctl, R_SIGNAL);
        if (!this.writerGone() && !(yield { words: ctl, index: R_SIGNAL, seen, deadline })) {
          return this.readerEnter(slot, blocking) ? slot : -1;
        }
      } finally {
        Atomics.sub(ctl, R_WAITERS, 1);
      }
    }
  }

  private timedRead(slot: number): Result<RwLockReadGuard<T>, LockTimeoutError> {
    return slot < 0 ? err(TIMED_OUT) : ok(this.readGuard(slot));
  }

  /**
   * True when WRITER is free, or was held by a dead thread: then the lock is poisoned and freed here, since a
   * reader cannot take it over as a writer would.
   */
  private writerGone(): boolean {
    const owner = Atomics.load(this.ctl, WRITER);
    if (owner === 0) return true;
    if (owner !== me && isThreadDead(owner - 1) && Atomics.compareExchange(this.ctl, WRITER, owner, 0) === owner) {
      Atomics.store(this.ctl, POISON, 1);
      this.signalReaders();
      const waiters = Atomics.load(this.ctl, WRITER + LOCK_WAITERS);
      if (waiters !== 0) wakeOne(this.ctl, WRITER, waiters);
      return true;
    }
    return false;
  }

  /** This thread's reader slot: found by key, else claimed; the shared overflow slot if all are taken. */
  private readerSlot(): number {
    if (this.slot >= 0) return this.slot;
    const ctl = this.ctl;
    for (let attempt = 0; attempt < 2; attempt++) {
      for (let i = 1; i < SLOT_COUNT; i++) {
        if (Atomics.load(ctl, HEADER_WORDS + i * SLOT_WORDS + KEY) === me)
          return (this.slot = HEADER_WORDS + i * SLOT_WORDS);
      }
      for (let i = 1; i < SLOT_COUNT; i++) {
        const at = HEADER_WORDS + i * SLOT_WORDS;
        if (Atomics.compareExchange(ctl, at + KEY, 0, me) === 0) {
          for (let used = Atomics.load(ctl, SLOTS_USED); used < i + 1; used = Atomics.load(ctl, SLOTS_USED)) {
            Atomics.compareExchange(ctl, SLOTS_USED, used, i + 1);
          }
          return (this.slot = at);
        }
      }
      this.reclaimDeadReaders();
    }
    return (this.slot = OVERFLOW_SLOT);
  }

  // ── writer internals ─────────────────────────────────────────────────────────────────────────────────────

  private writeGuard(outcome: LockOutcome): RwLockWriteGuard<T> {
    if (outcome === 'abandoned') Atomics.store(this.ctl, POISON, 1);
    if (DEBUG) check(Atomics.load(this.ctl, WRITER) === me, 'RW2', `WRITER is ${this.ctl[WRITER]}, not ${me}`);
    const guard = new RwLockWriteGuard(this);
    if (Atomics.load(this.ctl, POISON) !== 0) throw new PoisonError(guard);
    return guard;
  }

  /** @internal */
  writerLeave(): void {
    this.releaseWriter();
  }

  private releaseWriter(): void {
    release(this.ctl, WRITER);
    this.signalReaders();
  }

  private signalReaders(): void {
    if (Atomics.load(this.ctl, R_WAITERS) > 0) {
      Atomics.add(this.ctl, R_SIGNAL, 1);
      Atomics.notify(this.ctl, R_SIGNAL);
    }
  }

  private readersInside(): boolean {
    const ctl = this.ctl;
    const used = Atomics.load(ctl, SLOTS_USED);
    for (let i = 0; i < used; i++) {
      if (Atomics.load(ctl, HEADER_WORDS + i * SLOT_WORDS + COUNT) !== 0) return true;
    }
    return false;
  }

  /** Drop the read guards of threads that died holding them. */
  private reclaimDeadReaders(): void {
    const ctl = this.ctl;
    this.seenEpoch = deathEpoch();
    const used = Atomics.load(ctl, SLOTS_USED);
    for (let i = 1; i < used; i++) {
      const at = HEADER_WORDS + i * SLOT_WORDS;
      const key = Atomics.load(ctl, at + KEY);
      if (key > 0 && isThreadDead(key - 1) && Atomics.compareExchange(ctl, at + KEY, key, -1) === key) {
        Atomics.store(ctl, at + COUNT, 0);
        Atomics.store(ctl, at + KEY, 0);
      }
    }
  }

  private reclaimIfSomeoneDied(): void {
    if (deathEpoch() !== this.seenEpoch) this.reclaimDeadReaders();
  }

  /** Take WRITER, then wait for the readers inside to leave. */
  private *writing(deadline: Deadline, blocking: boolean): Waiting<LockOutcome> {
    const outcome = yield* acquiring(this.ctl, WRITER, deadline, blocking ? this.writeSpin : undefined, !blocking);
    if (outcome === 'abandoned') Atomics.store(this.ctl, POISON, 1); // even if the readers outlast the deadline
    if (outcome === 'timeout' || !(yield* this.waitingForReaders(deadline, blocking))) return 'timeout';
    return outcome;
  }

  private timedWrite(outcome: LockOutcome): Result<RwLockWriteGuard<T>, LockTimeoutError> {
    return outcome === 'timeout' ? err(TIMED_OUT) : ok(this.writeGuard(outcome));
  }

  /** Holding WRITER, wait for the readers inside to leave; on timeout give WRITER back and return false. */
  private *waitingForReaders(deadline: Deadline, blocking: boolean): Waiting<boolean> {
    const ctl = this.ctl;
    if (!this.readersInside()) return true;
    const spin = blocking ? this.writeSpin : undefined;
    if (spin?.willSpin()) {
      yield { words: ctl, index: W_SIGNAL, seen: Atomics.load(ctl, W_SIGNAL), deadline, spin, mode: 'spin' };
    }
    Atomics.add(ctl, W_WAITING, 1);
    try {
      for (;;) {
        this.reclaimIfSomeoneDied();
        const seen = Atomics.load(ctl, W_SIGNAL);
        if (!this.readersInside()) return true;
        if (!(yield { words: ctl, index: W_SIGNAL, seen, deadline, spin, mode: 'park' }) && this.readersInside()) {
          this.releaseWriter();
          return false;
        }
      }
    } finally {
      Atomics.sub(ctl, W_WAITING, 1);
    }
  }

  private refuseIfReading(): void {
    if (this.slot > OVERFLOW_SLOT && Atomics.load(this.ctl, this.slot + COUNT) > 0) {
      throw new Error('threadkit: this thread holds a read lock; waiting for the write lock now would deadlock');
    }
  }
}

registerKind('sync.rwlock', (wire) => {
  const w = wire as RwLockWire;
  return new RwLock(fromWire(w.data) as SharedValue, w.ctl);
});
