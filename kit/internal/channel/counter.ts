/**
 * A channel's holders and disconnection (crossbeam-channel's `counter.rs`): how many senders and receivers are
 * alive, which thread holds them, and who is parked, so that a channel disconnects when the last endpoint of a
 * side goes, whether it was closed, moved away, or lost with a thread that died.
 *
 * SENDERS and RECEIVERS are the totals. Each thread that holds endpoints of the channel also has a holder slot
 * (layout.ts): [threadId+1, senders, receivers, parked receivers, parked senders]. When a thread dies, whoever
 * notices (any operation, once the registry's death epoch moves) releases what its slot counted: its endpoints
 * (possibly disconnecting the other side) and its parked counts (a thread killed while parked never ran the code
 * that would have uncounted it). A waiter adds to the total before its slot and removes from its slot first, so a
 * thread killed in between leaves the total too high (a spare notify), never too low.
 *
 * Invariants (checked when KIT_DEBUG=1):
 *   H1  SENDERS and RECEIVERS never go below zero;
 *   H2  a holder slot's counts are never negative.
 * Scans stop at HOLDERS_USED, which only grows and is raised right after a slot is claimed: a scan that races a
 * claim may miss that one slot, whose thread is alive (it is claiming), so nothing is lost.
 */
import { check, DEBUG } from '../debug.ts';
import { deathEpoch, deathEpochRelaxed, isThreadDead, isThreadParked, selfId } from '../registry.ts';
import {
  CTL_WORDS,
  HOLDER_RECEIVERS,
  HOLDER_RX_PARKED,
  HOLDER_SENDERS,
  HOLDER_TX_PARKED,
  HOLDER_WORDS,
  HOLDERS,
  HOLDERS_USED,
  RECEIVERS,
  RX_WAITERS,
  SENDERS,
  TX_WAITERS,
} from './layout.ts';
import { uncount, type Waker } from './waker.ts';

export type Side = 'sender' | 'receiver';

export class Counter {
  // -1, not the current epoch: a channel revived in a thread that starts after a peer died must still scan once.
  private seenEpoch = -1;
  private cachedSlot = -1;

  constructor(
    private readonly ctl: Int32Array,
    private readonly waker: Waker,
  ) {}

  senders(): number {
    return Atomics.load(this.ctl, SENDERS);
  }

  receiversGone(): boolean {
    return Atomics.load(this.ctl, RECEIVERS) <= 0;
  }

  sendersGone(): boolean {
    return Atomics.load(this.ctl, SENDERS) <= 0;
  }

  /** One more endpoint of `side`, held by the calling thread. */
  add(side: Side): void {
    Atomics.add(this.ctl, side === 'sender' ? SENDERS : RECEIVERS, 1);
    this.adjustHolder(selfId, side, 1);
  }

  /** One endpoint of `side` fewer; the last one of a side disconnects the channel for the other side. */
  remove(side: Side): void {
    this.adjustHolder(selfId, side, -1);
    if (side === 'sender') {
      if (this.decrement(SENDERS, 1) === 1) this.waker.signalRx();
    } else if (this.decrement(RECEIVERS, 1) === 1) {
      this.waker.signalTx();
    }
  }

  /** Move one endpoint of `side` from the calling thread's slot to thread `tid`'s (the endpoint moved there). */
  moveTo(tid: number, side: Side): void {
    this.adjustHolder(tid, side, 1);
    this.adjustHolder(selfId, side, -1);
  }

  /** Add `delta` endpoints of `side` to thread `tid`'s holder slot. */
  private adjustHolder(tid: number, side: Side, delta: number): void {
    const ctl = this.ctl;
    const key = tid + 1;
    const offset = side === 'sender' ? HOLDER_SENDERS : HOLDER_RECEIVERS;
    for (let attempt = 0; attempt < 2; attempt++) {
      const slot = this.findOrClaim(key);
      if (slot >= 0) {
        const before = Atomics.add(ctl, slot + offset, delta);
        if (DEBUG) check(before + delta >= 0, 'H2', `holder slot ${slot} would count ${before + delta} ${side}s`);
        return;
      }
      this.reclaimDead();
    }
    // Every slot is taken by a live thread: the endpoint is counted in the totals only, and will not be
    // released automatically if this thread dies without closing it.
  }

  private findOrClaim(key: number): number {
    const ctl = this.ctl;
    const used = Atomics.load(ctl, HOLDERS_USED);
    for (let i = 0; i < used; i++) {
      const slot = HOLDERS + i * HOLDER_WORDS;
      if (Atomics.load(ctl, slot) === key) return slot;
    }
    for (let slot = HOLDERS; slot < CTL_WORDS; slot += HOLDER_WORDS) {
      if (Atomics.compareExchange(ctl, slot, 0, key) === 0) {
        const i = (slot - HOLDERS) / HOLDER_WORDS;
        for (let seen = Atomics.load(ctl, HOLDERS_USED); seen < i + 1; seen = Atomics.load(ctl, HOLDERS_USED)) {
          Atomics.compareExchange(ctl, HOLDERS_USED, seen, i + 1);
        }
        return slot;
      }
    }
    return -1;
  }

  /** The calling thread's holder slot (found or claimed), or -1 when every slot is taken. */
  private ownSlot(): number {
    const key = selfId + 1;
    if (this.cachedSlot >= 0 && Atomics.load(this.ctl, this.cachedSlot) === key) return this.cachedSlot;
    return (this.cachedSlot = this.findOrClaim(key));
  }

  /** Count the calling thread as parked on `side`'s signal, in the total and in its holder slot. */
  parked(side: Side): void {
    const ctl = this.ctl;
    Atomics.add(ctl, side === 'receiver' ? RX_WAITERS : TX_WAITERS, 1);
    const slot = this.ownSlot();
    if (slot >= 0) Atomics.add(ctl, slot + (side === 'receiver' ? HOLDER_RX_PARKED : HOLDER_TX_PARKED), 1);
  }

  unparked(side: Side): void {
    const ctl = this.ctl;
    const slot = this.ownSlot();
    if (slot >= 0) {
      const before = Atomics.sub(ctl, slot + (side === 'receiver' ? HOLDER_RX_PARKED : HOLDER_TX_PARKED), 1);
      if (DEBUG) check(before >= 1, 'H2', `holder slot ${slot} parked count was ${before} when one left`);
    }
    uncount(ctl, side === 'receiver' ? RX_WAITERS : TX_WAITERS, 1);
  }

  /**
   * True when every other thread that holds an endpoint of `side` is asleep in a blocking wait: waiting for one of
   * them to act by spinning cannot pay. False when some holder may be running (or cannot be told).
   */
  allAsleep(side: Side): boolean {
    const ctl = this.ctl;
    const offset = side === 'sender' ? HOLDER_SENDERS : HOLDER_RECEIVERS;
    const used = Atomics.load(ctl, HOLDERS_USED);
    let holders = 0;
    for (let i = 0; i < used; i++) {
      const slot = HOLDERS + i * HOLDER_WORDS;
      const key = Atomics.load(ctl, slot);
      if (key <= 0 || key === selfId + 1 || Atomics.load(ctl, slot + offset) <= 0) continue;
      if (!isThreadParked(key - 1)) return false;
      holders++;
    }
    return holders > 0;
  }

  /** Release the endpoints, parked counts and selector registrations of threads that have died. */
  reclaimDead(): void {
    const ctl = this.ctl;
    this.seenEpoch = deathEpoch();
    const used = Atomics.load(ctl, HOLDERS_USED);
    for (let i = 0; i < used; i++) {
      const slot = HOLDERS + i * HOLDER_WORDS;
      const key = Atomics.load(ctl, slot);
      if (key <= 0 || !isThreadDead(key - 1)) continue;
      if (Atomics.compareExchange(ctl, slot, key, -1) !== key) continue;
      const senders = Atomics.exchange(ctl, slot + HOLDER_SENDERS, 0);
      const receivers = Atomics.exchange(ctl, slot + HOLDER_RECEIVERS, 0);
      // A thread killed while parked never ran its `finally`: uncount it, or senders would keep believing that
      // a receiver waits (a rendezvous trySend would then "succeed" with nobody there).
      const rxParked = Atomics.exchange(ctl, slot + HOLDER_RX_PARKED, 0);
      const txParked = Atomics.exchange(ctl, slot + HOLDER_TX_PARKED, 0);
      Atomics.store(ctl, slot, 0);
      if (rxParked > 0) uncount(ctl, RX_WAITERS, rxParked);
      if (txParked > 0) uncount(ctl, TX_WAITERS, txParked);
      if (senders > 0 && this.decrement(SENDERS, senders) === senders) this.waker.signalRx();
      if (receivers > 0 && this.decrement(RECEIVERS, receivers) === receivers) this.waker.signalTx();
    }
    this.waker.reclaimDeadSelectors();
  }

  /** One atomic load, unless a thread died since the last look. */
  reclaimIfSomeoneDied(): void {
    if (deathEpoch() !== this.seenEpoch) this.reclaimDead();
  }

  /** The same with a plain load, for every message's fast path (see registry.ts, deathEpochRelaxed). */
  reclaimIfSomeoneDiedRelaxed(): void {
    if (deathEpochRelaxed() !== this.seenEpoch) this.reclaimDead();
  }

  private decrement(index: number, n: number): number {
    const before = Atomics.sub(this.ctl, index, n);
    if (DEBUG) check(before >= n, 'H1', `${index === SENDERS ? 'SENDERS' : 'RECEIVERS'} was ${before} when ${n} left`);
    return before;
  }
}
