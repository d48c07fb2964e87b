/**
 * The waiting core: the one module of the kit that puts a thread to sleep (`Atomics.wait`, `Atomics.waitAsync`).
 *
 * Every blocking operation of the kit is written once, as a generator (a `Waiting<R>`): it does its checks and
 * bookkeeping, and when it has to wait it yields a request "sleep while `words[index] === seen`, until `deadline`"
 * (a `Park`). A driver carries the request out and resumes the generator with `true` while the deadline has not
 * passed, `false` once it has. Two drivers run the same generator:
 *   - `block` (worker threads): first, if the request carries a `Spinner`, watch the word for a bounded, adaptive
 *     number of steps (cheap when the peer answers within microseconds), then `Atomics.wait` in slices;
 *   - `blockAsync` (the main thread, or any code that must keep its event loop): `Atomics.waitAsync`, never spins.
 * Deadlines are `performance.now()` milliseconds; `Infinity` waits forever. Sleeps last at most PARK_SLICE_MS, so
 * that a waiter comes back to look for dead peers (registry.ts) even if nobody wakes it.
 *
 * The futex protocol that operations follow (waker side and waiter side):
 *   1. the waiter announces itself (a waiter count the operation keeps), reads the word it will sleep on,
 *      re-checks its condition, then yields `{ words, index, seen }`;
 *   2. a waker changes the condition, changes the word (a bump), then notifies if the waiter count is non-zero
 *      (channels bump and notify only once per sleep: a waiter arms the word, the first waker disarms it, waker.ts).
 * Both sides use sequentially consistent atomics, so either the waiter sees the new condition or the waker sees
 * the waiter; a bump between the re-check and the sleep makes the sleep return at once. Nothing is lost. (Channels
 * on x86-64 change their condition with a plain store, which gives up that guarantee for speed; their waiters cap
 * each sleep instead, `Park.maxMs`, see channel/ring.ts.)
 *
 * Fast paths stay outside generators (a generator step costs about 100 ns; a park costs microseconds): callers
 * make their uncontended attempt inline and build a generator only when that attempt fails. The hottest waits also
 * spin inline first (a blocking receive: ChannelCore.spinPoll; a blocking lock: owner-lock's spinToAcquire), since
 * building and driving a generator (~0.3 µs) costs more than a running peer takes to answer; the generator they
 * start afterwards is told (`spun`) and parks at once.
 *
 * Adaptive spinning (`Spinner`): spinning pays only while the peer is running and answers soon. With more runnable
 * threads than cores, the peer is often descheduled and every spin burns the time slice it needs. A spinner keeps a
 * budget per waiting site that grows when spins succeed (or when a park ended almost at once: a spin would have
 * caught it) and halves when a spin failed and the park that followed was long; at zero the waiter parks at once.
 * A blocking waiter also publishes itself as parked in the thread registry, so a site can skip spinning when the
 * thread it waits for is itself asleep (`isThreadParked`), and a channel's spinner skips it while more kit threads
 * want a core than the machine has (registry.ts `runnableThreads`): its peer may be waiting for that very core.
 *
 * Invariants (checked when KIT_DEBUG=1; see debug.ts):
 *   W1  a generator is resumed with `false` only once its deadline has passed;
 *   W2  a park request has an integer index inside its word array;
 *   W3  a spinner's budget stays within [0, its max].
 */
import { check, DEBUG } from './debug.ts';
import { availableParallelism } from 'node:os';
import { PARK_SLICE_MS, runnableThreads, setParked } from './registry.ts';

/** A deadline in `performance.now()` milliseconds, or Infinity. */
export type Deadline = number;

/**
 * Sleep while `words[index] === seen` (at most until `deadline`). With a `spin`ner, the blocking driver first
 * watches the word for the spinner's budget. `mode` 'spin' only spins (the async driver resumes at once): for a
 * waiter that spins before it registers, so that wakers need not notify while it spins; 'park' only sleeps, and
 * tells the spinner how long (the request that follows a failed 'spin').
 */
export interface Park {
  readonly words: Int32Array;
  readonly index: number;
  readonly seen: number;
  readonly deadline: Deadline;
  readonly spin?: Spinner | undefined;
  readonly mode?: 'spin' | 'park';
  /**
   * The longest this one sleep may last, in milliseconds (PARK_SLICE_MS when absent): for a waiter whose waker may
   * miss it (a channel's unfenced publication, channel/ring.ts), so that a missed wake-up costs at most this.
   */
  readonly maxMs?: number | undefined;
}

/** A blocking operation, written once: yields park requests, resumed with "deadline not yet passed". */
export type Waiting<R> = Generator<Park, R, boolean>;

/**
 * The most steps a lock's spinner spends before parking (a step is about a nanosecond of pause; the word is read
 * every 32 steps at most): roughly 3 µs, the time a lock is typically held. Channels wait for a peer that produces
 * or consumes a whole message, and allow four times as long (CHANNEL_SPIN).
 */
export const MAX_SPIN = 2048;
export const CHANNEL_SPIN = 8192;
/** At a budget of 0, one wait in PROBE_EVERY spins PROBE_SPIN steps to see whether spinning pays again. */
const PROBE_EVERY = 8;
const PROBE_SPIN = 256;
/** A park that ended within this many milliseconds would have been caught by a full spin. */
const SHORT_PARK_MS = 0.05;

export function deadlineAfter(timeoutMs: number | undefined): Deadline {
  if (timeoutMs === undefined || timeoutMs === Infinity) return Infinity;
  if (!(timeoutMs >= 0))
    throw new RangeError(`timeout must be a non-negative number of milliseconds, got ${timeoutMs}`);
  return performance.now() + timeoutMs;
}

function sliceUntil(deadline: Deadline, maxMs: number = PARK_SLICE_MS): number {
  const slice = Math.min(PARK_SLICE_MS, maxMs);
  if (deadline === Infinity) return slice;
  return Math.max(0, Math.min(slice, deadline - performance.now()));
}

/**
 * A waiter's sleep caps when its waker may miss it (Park.maxMs): FIRST_PARK_MS for the first sleep of a wait, then
 * doubling up to PARK_SLICE_MS. The first sleep is the one a racing publication can most often miss (the waiter has
 * just found nothing while its peer is busy publishing); one that has lasted a while, with nobody waking it, met a
 * quiet peer, and sleeps longer.
 */
export const FIRST_PARK_MS = 1;
export function nextParkCap(cap: number): number {
  return Math.min(PARK_SLICE_MS, cap * 2);
}

function notPassed(deadline: Deadline): boolean {
  return deadline === Infinity || performance.now() < deadline;
}

let relaxSink = 0;

/** Burn roughly `n` cheap steps without touching shared memory (JavaScript has no pause instruction). */
export function relax(n: number): void {
  let x = relaxSink;
  for (let j = 0; j < n; j++) x = (x * 31 + j) | 0;
  relaxSink = x;
}

const CORES = availableParallelism();

/** An adaptive spin budget for one waiting site (one per lock or channel side, per thread). */
export class Spinner {
  /** Steps the next spin may take; 0 parks at once (but for a probe, see willSpin). */
  budget: number;
  private idle = 0;

  /**
   * `max`: the most steps one spin may take. `forPeerWork`: the wait is for another thread to do a piece of work
   * (a channel's peer producing or consuming a message), not for a holder to finish a short critical section.
   * Such a spin never runs while more kit threads want a core than there are cores: the peer it waits for may be
   * one of those waiting for the core it would hold (Go's runtime spins under the same rule: only if no other
   * goroutine is runnable). A lock's holder, by contrast, is most likely running and about to release.
   */
  constructor(
    readonly max: number = MAX_SPIN,
    private readonly forPeerWork = false,
  ) {
    this.budget = max >> 2;
  }

  /**
   * Watch `words[index]` until it differs from `seen` (with `atLeast` > 1, a counter: until it has counted at least
   * that far past `seen`, mod 2^32), for at most `budget` steps, with a growing pause between looks (re-reading a
   * word in a tight loop pulls its cache line away from the thread that must write it). True if the word got there.
   */
  spin(words: Int32Array, index: number, seen: number, atLeast = 1): boolean {
    const limit = this.budget > 0 ? this.budget : PROBE_SPIN;
    for (let spent = 0, gap = 1; spent < limit; spent += gap) {
      const now = Atomics.load(words, index);
      if (atLeast === 1 ? now !== seen : ((now - seen) | 0) >= atLeast) {
        this.succeeded(spent);
        return true;
      }
      relax(gap);
      if (gap < 32) gap *= 2;
    }
    return false;
  }

  /**
   * Whether this wait should spin. At a budget of 0 a waiter parks at once, except every PROBE_EVERY-th wait, which
   * spins briefly: otherwise a budget that reached 0 under load could never learn that the load has gone (a park
   * that ends within SHORT_PARK_MS is the other way back).
   */
  willSpin(): boolean {
    if (this.forPeerWork && runnableThreads() > CORES) return false;
    if (this.budget > 0) return true;
    return ++this.idle % PROBE_EVERY === 0;
  }

  /**
   * A spin saw the change after `spent` steps: allow at least twice that next time. A success never shrinks the
   * budget (a quick answer now says nothing against a slower one next time, and a missed spin costs a park, tens of
   * microseconds); only long parks do (see `parked`).
   */
  succeeded(spent: number): void {
    const target = Math.min(this.max, Math.max(64, spent * 2));
    this.budget = Math.max(this.budget, target);
    if (debugOn) this.checkBudget();
  }

  /** A spin failed and the waiter then slept for `parkedMs`. */
  parked(parkedMs: number): void {
    if (parkedMs < SHORT_PARK_MS) this.budget = Math.min(this.max, Math.max(64, this.budget * 2));
    else this.budget >>= 1;
    if (debugOn) this.checkBudget();
  }

  private checkBudget(): void {
    check(this.budget >= 0 && this.budget <= this.max, 'W3', `spinner budget ${this.budget} of ${this.max}`);
  }
}

const debugOn = DEBUG;

function checkRequest(park: Park): void {
  check(Number.isInteger(park.index) && park.index >= 0 && park.index < park.words.length, 'W2', `index ${park.index}`);
}

/** Carry out one park request on a thread that may block. Returns "deadline not yet passed". */
function parkBlocking(park: Park): boolean {
  if (debugOn) checkRequest(park);
  const { words, index, seen, deadline, spin, mode, maxMs } = park;
  if (spin !== undefined && mode !== 'park') {
    // A 'spin' request was decided by the operation (willSpin); a plain one is decided here.
    if ((mode === 'spin' || spin.willSpin()) && spin.spin(words, index, seen)) return notPassed(deadline);
    if (mode === 'spin') return notPassed(deadline);
  }
  const ms = sliceUntil(deadline, maxMs);
  if (ms <= 0) return false;
  const start = spin === undefined ? 0 : performance.now();
  setParked(true);
  try {
    Atomics.wait(words, index, seen, ms);
  } finally {
    setParked(false);
  }
  if (spin !== undefined) spin.parked(performance.now() - start);
  const more = notPassed(deadline);
  if (debugOn && !more) check(performance.now() >= deadline, 'W1', 'resumed with false before the deadline');
  return more;
}

/** Carry out one park request without blocking the event loop. */
async function parkAsync(park: Park): Promise<boolean> {
  if (debugOn) checkRequest(park);
  if (park.mode === 'spin') return notPassed(park.deadline);
  const ms = sliceUntil(park.deadline, park.maxMs);
  if (ms <= 0) return false;
  const result = Atomics.waitAsync(park.words, park.index, park.seen, ms);
  if (result.async) await result.value;
  return notPassed(park.deadline);
}

/** Run a waiting operation to its end, blocking the calling thread while it waits. */
export function block<R>(op: Waiting<R>): R {
  let step = op.next(true);
  while (!step.done) step = op.next(parkBlocking(step.value));
  return step.value;
}

/** Run a waiting operation to its end without blocking the event loop. */
export async function blockAsync<R>(op: Waiting<R>): Promise<R> {
  let step = op.next(true);
  while (!step.done) step = op.next(await parkAsync(step.value));
  return step.value;
}

/** What `blockAsyncWhile` returns when its operation's owner went away while the operation waited. */
export const ABANDONED: unique symbol = Symbol('abandoned');

/**
 * `blockAsync` for an operation whose owner can go away while it waits: a channel endpoint that another async task of
 * the same thread closes or moves. After every wait, if `live()` is false, the operation is ended where it waits (its
 * `finally` blocks run: it uncounts itself, takes back what it must) and ABANDONED is returned (also when `live()` is
 * already false before it starts). A blocking wait needs
 * no such check: nothing else runs on its thread while it waits.
 */
export async function blockAsyncWhile<R>(op: Waiting<R>, live: () => boolean): Promise<R | typeof ABANDONED> {
  if (!live()) return ABANDONED;
  let step = op.next(true);
  while (!step.done) {
    const more = await parkAsync(step.value);
    if (!live()) {
      op.return(undefined as R);
      return ABANDONED;
    }
    step = op.next(more);
  }
  return step.value;
}

/** A generator that waits while `words[index] === value` (one slice at a time) until `deadline`; true if changed. */
export function* whileEqual(
  words: Int32Array,
  index: number,
  value: number,
  deadline: Deadline,
  spin?: Spinner,
): Waiting<boolean> {
  while (Atomics.load(words, index) === value) {
    if (!(yield { words, index, seen: value, deadline, spin })) return Atomics.load(words, index) !== value;
  }
  return true;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

let chaosState = (Date.now() ^ (process.pid << 8) ^ Math.floor(Math.random() * 0x7fffffff)) | 1;

/**
 * A race window (chaos mode, debug.ts): under KIT_CHAOS=1, one call in 8 holds the calling thread here, most often
 * by spinning 2–30 µs (a thread on another core overtakes it), sometimes by sleeping 0.1–0.4 ms (its core goes to
 * another thread). Call it only under `if (CHAOS)`.
 */
export function stall(): void {
  let x = chaosState;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  chaosState = x;
  if ((x & 7) !== 0) return;
  if ((x & 0x300) === 0) {
    Atomics.wait(sleepCell, 0, 0, 0.1 + ((x >>> 10) & 3) * 0.1);
    return;
  }
  const until = performance.now() + 0.002 + ((x >>> 10) & 15) * 0.002;
  while (performance.now() < until) relax(16);
}

/** Block the calling thread for `ms` milliseconds (on the main thread this also stops the event loop). */
export function sleepBlocking(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

/**
 * The public form, for code outside the kit that keeps its own counters in shared memory: sleep while
 * `words[index] === value`, at most `timeoutMs` (default one park slice). Spurious returns are possible: callers
 * loop on their own condition. Returns false once the timeout has passed with the word unchanged.
 */
export function waitWhileEqual(
  words: Int32Array,
  index: number,
  value: number,
  timeoutMs: number = PARK_SLICE_MS,
): boolean {
  const ms = Math.max(0, timeoutMs);
  return Atomics.wait(words, index, value, ms) !== 'timed-out';
}

export async function waitWhileEqualAsync(
  words: Int32Array,
  index: number,
  value: number,
  timeoutMs: number = PARK_SLICE_MS,
): Promise<boolean> {
  const result = Atomics.waitAsync(words, index, value, Math.max(0, timeoutMs));
  return (result.async ? await result.value : result.value) !== 'timed-out';
}
