/**
 * A channel's waiters and signals (crossbeam-channel's `waker.rs`): how a side that changed the state tells the
 * threads that wait for it, and how `select` registers a thread that waits on several channels at once.
 *
 * A receiver parks on RX_SIGNAL until a message is published (SENT changes) or SENDERS reaches 0; a sender parks on
 * TX_SIGNAL until there is room, the receiver picked up its message (rendezvous), or RECEIVERS reaches 0. Whoever
 * changes one of those conditions bumps the signal word, then notifies, but only if the waiter count is non-zero:
 * the hot path of an uncontended send costs no notify. The waiter side of the protocol is internal/wait.ts; the
 * waiter counts themselves are kept by counter.ts (they also live in the per-thread holder slots).
 *
 * A selecting thread parks on its own registry waker word instead (registry.ts). It takes a selector slot on every
 * channel it selects on, and counts in SELECTORS and RX_WAITERS, so that senders take the signalling path.
 * Counts go up before the slot is taken and down after it is freed (see addSelector), so that a thread killed in
 * between leaves the counts too high (a spare wake-up), never too low (a lost one).
 *
 * Invariants (checked when KIT_DEBUG=1):
 *   K1  RX_WAITERS, TX_WAITERS and SELECTORS never undercount: each decrement finds at least what it takes away;
 *   K2  a selector slot holds the id of a thread counted in SELECTORS (it is freed before it is uncounted).
 */
import { check, DEBUG } from '../debug.ts';
import { isThreadDead, selfId, wakeThread } from '../registry.ts';
import {
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
    if (Atomics.load(ctl, RX_WAITERS) > 0) {
      Atomics.add(ctl, RX_SIGNAL, 1);
      Atomics.notify(ctl, RX_SIGNAL);
      if (Atomics.load(ctl, SELECTORS) > 0) {
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
    if (Atomics.load(ctl, TX_WAITERS) > 0) {
      Atomics.add(ctl, TX_SIGNAL, 1);
      Atomics.notify(ctl, TX_SIGNAL);
    }
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

/**
 * Take `n` from a waiter or selector count. A count goes up before what it counts and down after it, so it is never
 * lower than the truth: a decrement that finds less than `n` is a bug (K1).
 */
export function uncount(ctl: Int32Array, index: number, n: number): void {
  const before = Atomics.sub(ctl, index, n);
  if (DEBUG) check(before >= n, 'K1', `count word ${index} was ${before} when ${n} left`);
}
