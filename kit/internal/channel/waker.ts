/**
 * A channel's waiters and signals (crossbeam-channel's `waker.rs`): how a side that changed the state tells the
 * threads that wait for it, and how `select` registers a thread that waits on several channels at once.
 *
 * A receiver parks on RX_SIGNAL until a message is published (SENT changes) or SENDERS reaches 0; a sender parks on
 * TX_SIGNAL until there is room, the receiver picked up its message (rendezvous), or RECEIVERS reaches 0. The
 * waiter side of the protocol is internal/wait.ts; the waiter counts themselves are kept by counter.ts (they also
 * live in the per-thread holder slots).
 *
 * A signal word's low bit says "armed": some waiter is about to sleep on its current value. A waiter counts itself
 * in, arms the word (arm: sets the bit unless it is set), re-checks its condition, and sleeps on the armed value.
 * Whoever changes the condition looks at the waiter count, and only if it is non-zero at the bit: it clears it
 * (one compare-exchange, which also moves the word on) and notifies, but only if the bit was set. So one park
 * costs one notify, however many messages are published before the parked thread runs again: with a bump and
 * notify per signal, a sender that outran a parked receiver paid a futex call on nearly every message until the
 * receiver was scheduled and uncounted itself (measured: 5–17k notifies for 20k messages, with under 100 parks).
 * With sequentially consistent atomics on both sides nothing is lost: a waiter that armed before the condition
 * changed is seen armed by the waker, which clears the bit and notifies (or another waker did); one that armed after
 * sees the new condition in its re-check. A compare-exchange that fails lost to another waker that cleared the bit
 * (and notifies), or the bit was set again by a waiter that armed after the change, which will see it. On x86-64 the
 * change itself (SENT, RECEIVED) is a plain store (ring.ts, PLAIN_PUBLISH), which the CPU may make visible only after
 * the waker has read the waiter count and the signal word: a waiter arming in that moment can be missed. Its sleep is
 * capped (FIRST_PARK_MS, then doubling, core.ts), and its next re-check sees the change. On x86-64 the waiter counts
 * that every send and receive looks at are read with plain loads too: the CPU executes the same `mov` either way, but
 * V8 does not inline `Atomics.load` (a builtin call, ~4.5 ns on Node 20 against 0.6 ns; measured in the transport
 * cell, 1M numbers: 29.4–29.7 ms against 37.7–40.3 ms). So are the signal word and SELECTORS when a waiter is counted:
 * a woken peer stays counted until it runs, and one that waits for a core (a loaded machine, or both threads on one
 * core) kept every send or receive of its peer in the meantime paying those builtin calls (two threads on one core,
 * 1M numbers: 53–69 ms with them, 39–48 ms without). A stale read can only miss a waiter, which the cap covers.
 *
 * A selecting thread parks on its own registry waker word instead (registry.ts). It takes a selector slot on every
 * channel it selects on, and counts in SELECTORS and RX_WAITERS, so that senders take the signalling path.
 * Counts go up before the slot is taken and down after it is freed (see addSelector), so that a thread killed in
 * between leaves the counts too high (a spare wake-up), never too low (a lost one).
 *
 * Invariants (checked when KIT_DEBUG=1):
 *   K1  RX_WAITERS, TX_WAITERS and SELECTORS never undercount: each decrement finds at least what it takes away;
 *   K2  a selector slot holds the id of a thread counted in SELECTORS (it is freed before it is uncounted);
 *   K3  a waiter sleeps on a signal word only with the armed value it has just read, and only while it is counted in
 *       that side's waiter count (so that a waker looks at the bit).
 */
import { check, DEBUG } from '../debug.ts';
import { isThreadDead, selfId, wakeThread } from '../registry.ts';
import {
  PLAIN_PUBLISH,
  RX_SIGNAL,
  RX_WAITERS,
  SELECTOR_SLOT_COUNT,
  SELECTOR_SLOTS,
  SELECTORS,
  TX_SIGNAL,
  TX_WAITERS,
} from './layout.ts';

export class Waker {
  constructor(private readonly ctl: Int32Array) {}

  /** A message was published or the last sender left: wake the receivers and selectors that wait. */
  signalRx(): void {
    const ctl = this.ctl;
    if ((PLAIN_PUBLISH ? ctl[RX_WAITERS]! : Atomics.load(ctl, RX_WAITERS)) > 0) {
      wake(ctl, RX_SIGNAL);
      if ((PLAIN_PUBLISH ? ctl[SELECTORS]! : Atomics.load(ctl, SELECTORS)) > 0) {
        for (let slot = SELECTOR_SLOTS; slot < SELECTOR_SLOTS + SELECTOR_SLOT_COUNT; slot++) {
          const key = Atomics.load(ctl, slot);
          if (key > 0) wakeThread(key - 1);
        }
      }
    }
  }

  /** Room appeared, a message was picked up, or the last receiver left: wake the senders that wait. */
  signalTx(): void {
    const ctl = this.ctl;
    if ((PLAIN_PUBLISH ? ctl[TX_WAITERS]! : Atomics.load(ctl, TX_WAITERS)) > 0) wake(ctl, TX_SIGNAL);
  }

  /**
   * For a waiter counted in `signal`'s waiter count: mark the signal word armed (see the header) and return the
   * value to sleep on. Re-check the condition after this, then sleep while the word still holds that value.
   */
  arm(signal: number): number {
    const ctl = this.ctl;
    for (;;) {
      const seen = Atomics.load(ctl, signal);
      if ((seen & 1) !== 0) return seen;
      const armed = (seen + 1) | 0;
      if (Atomics.compareExchange(ctl, signal, seen, armed) === seen) return armed;
    }
  }

  /** K3, before a waiter sleeps on `seen`: an armed value, and the waiter is counted. */
  checkArmed(signal: number, seen: number): void {
    const count = Atomics.load(this.ctl, signal === RX_SIGNAL ? RX_WAITERS : TX_WAITERS);
    check((seen & 1) !== 0, 'K3', `a waiter would sleep on the unarmed value ${seen} of signal word ${signal}`);
    check(count > 0, 'K3', `a waiter would sleep on signal word ${signal} with its waiter count at ${count}`);
  }

  /** Register the calling thread as a selector; false when every slot is taken (the caller then polls). */
  addSelector(): boolean {
    const ctl = this.ctl;
    Atomics.add(ctl, SELECTORS, 1);
    Atomics.add(ctl, RX_WAITERS, 1);
    for (let slot = SELECTOR_SLOTS; slot < SELECTOR_SLOTS + SELECTOR_SLOT_COUNT; slot++) {
      if (Atomics.compareExchange(ctl, slot, 0, selfId + 1) === 0) {
        if (DEBUG) check(Atomics.load(ctl, SELECTORS) > 0, 'K2', 'a selector slot was taken with SELECTORS at 0');
        return true;
      }
    }
    uncount(ctl, RX_WAITERS, 1);
    uncount(ctl, SELECTORS, 1);
    return false;
  }

  removeSelector(): void {
    const ctl = this.ctl;
    for (let slot = SELECTOR_SLOTS; slot < SELECTOR_SLOTS + SELECTOR_SLOT_COUNT; slot++) {
      if (Atomics.compareExchange(ctl, slot, selfId + 1, 0) === selfId + 1) {
        uncount(ctl, RX_WAITERS, 1);
        uncount(ctl, SELECTORS, 1);
        return;
      }
    }
  }

  /** Free the selector slots of threads that died while selecting (and uncount them). */
  reclaimDeadSelectors(): void {
    const ctl = this.ctl;
    for (let slot = SELECTOR_SLOTS; slot < SELECTOR_SLOTS + SELECTOR_SLOT_COUNT; slot++) {
      const key = Atomics.load(ctl, slot);
      if (key > 0 && isThreadDead(key - 1) && Atomics.compareExchange(ctl, slot, key, 0) === key) {
        uncount(ctl, SELECTORS, 1);
        uncount(ctl, RX_WAITERS, 1);
      }
    }
  }
}

/** Wake the waiters sleeping on `signal` if one armed it: clear the bit (moving the word on) and notify. */
function wake(ctl: Int32Array, signal: number): void {
  const seen = PLAIN_PUBLISH ? ctl[signal]! : Atomics.load(ctl, signal);
  if ((seen & 1) !== 0 && Atomics.compareExchange(ctl, signal, seen, (seen + 1) | 0) === seen) {
    Atomics.notify(ctl, signal);
  }
}

/**
 * Take `n` from a waiter or selector count. A count goes up before what it counts and down after it, so it is never
 * lower than the truth: a decrement that finds less than `n` is a bug (K1).
 */
export function uncount(ctl: Int32Array, index: number, n: number): void {
  const before = Atomics.sub(ctl, index, n);
  if (DEBUG) check(before >= n, 'K1', `count word ${index} was ${before} when ${n} left`);
}
