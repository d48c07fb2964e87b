/**
 * A futex lock that records its owner, so that a lock held by a thread that died can be taken over. Used by
 * Mutex, by RwLock's writer lock and by a channel's send and receive locks; the helpers those locks share live
 * here too (taking over a dead owner without waiting, async tasks of one thread queueing behind each other).
 *
 * Memory: two Int32 words at `index + OWNER` and `index + WAITERS` of a shared Int32Array.
 *   OWNER    0 when free, otherwise the owner's threadId + 1. Written by CAS when taking the lock and by a plain
 *            atomic store of 0 when the owner releases it.
 *   WAITERS  the low 16 bits: how many threads are registered to sleep on OWNER (each waiter adds 1 before its
 *            last check and subtracts 1 when it leaves); bit 16, WAKING: a releaser woke one of them and that
 *            waiter has not yet returned from its sleep.
 *
 * Waiters sleep on OWNER with the value they saw (wait.ts). The releaser stores 0, then reads WAITERS and wakes
 * one thread if any is registered: since both sides use sequentially consistent atomics, either the waiter sees 0
 * or the releaser sees the waiter. One wake-up at a time (wakeOne): the releaser that notifies sets WAKING, and
 * releasers skip the notify while it is set; a waiter clears it when it returns from a sleep, and the releaser
 * clears it itself if its notify found nobody asleep yet (a registered waiter then sees OWNER changed before it
 * sleeps, or sleeps on a value that a later release changes and notifies again). Without WAKING, a holder that
 * releases and retakes the lock many times before the woken thread gets a core paid a notify system call on every
 * release (2 threads × 200,000 contended increments: stretches of 1–15 ms at ~0.5 µs per increment instead of 0.05).
 * Go's sync.Mutex keeps the same fact in its mutexWoken bit. Before registering, a blocking waiter spins on OWNER (adaptively, and not at all when
 * the owner is itself asleep: it cannot release while it sleeps). A waiter that finds the owner dead (registry.ts)
 * takes the lock over with a CAS from the dead owner's value; callers then learn that it was abandoned (Mutex
 * poisoning; harmless for the channel's internal locks, whose holders publish nothing until they are done).
 *
 * Not reentrant: a thread that locks twice gets an error, except async tasks of one thread (`queued`), which wait
 * for the task that holds the lock to let go.
 *
 * Invariants (checked when KIT_DEBUG=1):
 *   L1  a thread that acquired the lock finds its own id in OWNER;
 *   L2  the waiter count in WAITERS never goes below zero;
 *   L3  only the owner releases the lock (OWNER holds the releaser's id when it stores 0).
 */
import { check, DEBUG } from './debug.ts';
import { isThreadDead, isThreadParked, selfId } from './registry.ts';
import { block, type Deadline, Spinner, type Waiting } from './wait.ts';

/** Offsets from a lock's base index. */
export const OWNER = 0;
export const WAITERS = 1;
/** The WAITERS bit that says a woken waiter is on its way; the bits below it count the waiters. */
export const WAKING = 1 << 16;
const WAITER_COUNT = WAKING - 1;

/** Outcome of acquiring: taken normally, taken over from a dead owner, or not taken before the deadline. */
export type LockOutcome = 'acquired' | 'abandoned' | 'timeout';

const me = selfId + 1;
/** Spinner for locks that have none of their own (the channel's internal locks). */
const sharedSpinner = new Spinner();

export function tryAcquire(words: Int32Array, index: number): boolean {
  return Atomics.compareExchange(words, index + OWNER, 0, me) === 0;
}

/** One non-blocking attempt that also takes over a lock whose owner is dead. */
function attempt(words: Int32Array, index: number, queued: boolean): LockOutcome | undefined {
  const owner = Atomics.compareExchange(words, index + OWNER, 0, me);
  if (owner === 0) return taken(words, index, 'acquired');
  if (owner === me) {
    if (queued) return undefined;
    throw new Error('threadkit: this thread already holds the lock (locks are not reentrant)');
  }
  if (isThreadDead(owner - 1) && Atomics.compareExchange(words, index + OWNER, owner, me) === owner) {
    return taken(words, index, 'abandoned');
  }
  return undefined;
}

function taken(words: Int32Array, index: number, outcome: LockOutcome): LockOutcome {
  if (DEBUG) check(Atomics.load(words, index + OWNER) === me, 'L1', `OWNER is ${words[index + OWNER]}, not ${me}`);
  return outcome;
}

/**
 * Take the lock, waiting until `deadline`. `spin`: the site's adaptive spinner (blocking callers only).
 * `queued`: the lock may be held by another async task of this thread; wait for it instead of throwing.
 */
export function* acquiring(
  words: Int32Array,
  index: number,
  deadline: Deadline,
  spin: Spinner | undefined,
  queued: boolean,
  spun = false,
): Waiting<LockOutcome> {
  const first = attempt(words, index, queued);
  if (first) return first;
  const owner = Atomics.load(words, index + OWNER);
  if (!spun && spin !== undefined && owner !== 0 && owner !== me && !isThreadParked(owner - 1) && spin.willSpin()) {
    yield { words, index: index + OWNER, seen: owner, deadline, spin, mode: 'spin' };
  }
  Atomics.add(words, index + WAITERS, 1);
  try {
    for (;;) {
      const outcome = attempt(words, index, queued);
      if (outcome) return outcome;
      const seen = Atomics.load(words, index + OWNER);
      if (seen === 0) continue;
      const more = yield { words, index: index + OWNER, seen, deadline, spin, mode: 'park' };
      // Back from a sleep (woken, timed out, or the word had changed): any releaser may wake the next one.
      if ((Atomics.load(words, index + WAITERS) & WAKING) !== 0) Atomics.and(words, index + WAITERS, ~WAKING);
      if (!more) return attempt(words, index, queued) ?? 'timeout';
    }
  } finally {
    const left = Atomics.sub(words, index + WAITERS, 1);
    if (DEBUG) check((left & WAITER_COUNT) > 0, 'L2', `WAITERS was ${left} before a waiter left`);
    // A waiter that leaves (with the lock, or at its deadline, or abandoned) lets the next release notify again,
    // whichever waiter the pending wake-up was for: at worst one notify more, never one too few.
    if ((left & WAKING) !== 0) Atomics.and(words, index + WAITERS, ~WAKING);
  }
}

/**
 * The releasing side, after OWNER was set to 0 and `seen` (WAITERS, read atomically or not) is non-zero: notify one
 * registered waiter, unless one is already on its way (WAKING).
 */
export function wakeOne(words: Int32Array, index: number, seen: number): void {
  let waiters = seen;
  for (;;) {
    if ((waiters & WAITER_COUNT) === 0 || (waiters & WAKING) !== 0) return;
    const found = Atomics.compareExchange(words, index + WAITERS, waiters, waiters | WAKING);
    if (found === waiters) break;
    waiters = found;
  }
  if (Atomics.notify(words, index + OWNER, 1) === 0) Atomics.and(words, index + WAITERS, ~WAKING);
}

/**
 * A blocking acquire's spin, inline: a lock is usually held for less time than it takes to build and drive the
 * waiting generator (about 0.3 µs), so a blocking caller whose CAS failed spins here first, and runs `acquiring`
 * with `spun` only if the lock is still taken. Spins only while the owner runs and the spinner allows (the same
 * rules as `acquiring`'s own spin). True when the lock was taken.
 */
export function spinToAcquire(words: Int32Array, index: number, spin: Spinner): boolean {
  const owner = Atomics.load(words, index + OWNER);
  if (
    owner === me ||
    (owner !== 0 && (isThreadParked(owner - 1) || !spin.willSpin() || !spin.spin(words, index + OWNER, owner)))
  ) {
    return false;
  }
  if (Atomics.compareExchange(words, index + OWNER, 0, me) !== 0) return false;
  if (DEBUG) taken(words, index, 'acquired');
  return true;
}

/** Blocking acquire: the uncontended CAS and the spin inline, the rest in `acquiring`. */
export function acquire(
  words: Int32Array,
  index: number,
  deadline: Deadline = Infinity,
  spin = sharedSpinner,
): LockOutcome {
  if (Atomics.compareExchange(words, index + OWNER, 0, me) === 0) return 'acquired';
  if (spinToAcquire(words, index, spin)) return 'acquired';
  return block(acquiring(words, index, deadline, spin, false, true));
}

export function release(words: Int32Array, index: number): void {
  if (DEBUG) check(Atomics.load(words, index + OWNER) === me, 'L3', `released by ${me}, owner ${words[index + OWNER]}`);
  Atomics.store(words, index + OWNER, 0);
  const waiters = Atomics.load(words, index + WAITERS);
  if (waiters !== 0) wakeOne(words, index, waiters);
}

/**
 * `release` with a plain read of the waiter count: the uncontended lock+unlock pair is then one CAS and one store.
 * A stale read can only be a missed wake-up, and waiters never sleep longer than one park slice before looking
 * again, so it costs latency in a rare race, never a lost lock.
 */
export function releaseFast(words: Int32Array, index: number): void {
  if (DEBUG) check(Atomics.load(words, index + OWNER) === me, 'L3', `released by ${me}, owner ${words[index + OWNER]}`);
  Atomics.store(words, index + OWNER, 0);
  const waiters = words[index + WAITERS]!;
  if (waiters !== 0) wakeOne(words, index, waiters);
}

export function isHeldByMe(words: Int32Array, index: number): boolean {
  return Atomics.load(words, index + OWNER) === me;
}

/** Take over a lock whose holder's thread has died, without waiting. */
export function takeOverDeadOwner(words: Int32Array, index: number): boolean {
  const owner = Atomics.load(words, index + OWNER);
  return (
    owner !== 0 &&
    owner !== me &&
    isThreadDead(owner - 1) &&
    Atomics.compareExchange(words, index + OWNER, owner, me) === owner
  );
}
