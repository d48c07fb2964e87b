/**
 * The rendezvous strategy (`syncChannel(0)`): a send completes only once a receiver has taken the message.
 *
 * The message goes through the ring like any other (with a limit of one queued message), then the sender waits for
 * RECEIVED to pass its sequence number. A send that times out, or whose receivers all leave, takes its message back
 * if no receiver has started to receive it (ring.takeBack, under RECV_LOCK, so a receiver either got it whole or not
 * at all); if a receiver got there first, the send counts as done.
 *
 * `trySend` needs a receiver parked waiting (RX_WAITERS > 0), as in Rust, where `try_send` on a zero-capacity
 * channel needs a receiver blocked in `recv`. A waiting receiver may still leave without taking the message (a
 * `select` that took another channel's message, a timeout), so `trySend` reports success only once the message has
 * been picked up: it waits for the pickup while some receiver is still registered, at most TRY_SEND_GRACE_MS, and
 * otherwise takes the message back and reports 'full' (a receiver that was not ready after all). A parked thread
 * killed before it could uncount itself is uncounted by counter.ts's reclaimDead.
 *
 * Invariants: a sender waits for pickup only for the sequence number it enqueued (checked when KIT_DEBUG=1 by the
 * ring's R1: at most one message is queued).
 */
import { block, type Deadline, type Spinner, type Waiting } from '../wait.ts';
import type { ChannelCore, SendOutcome, SendStrategy } from './core.ts';
import { RX_WAITERS } from './layout.ts';

/** The longest a rendezvous `trySend` waits for a receiver that announced itself to take the message. */
export const TRY_SEND_GRACE_MS = 5;

export class Rendezvous implements SendStrategy {
  constructor(private readonly core: ChannelCore<unknown>) {}

  /** No fast path: every rendezvous send waits for a receiver. */
  sendNow(_prepared: unknown): boolean {
    return false;
  }

  /** Nor a spin: the wait is for a receiver to come, which `sending` does. */
  spinSend(_prepared: unknown): boolean {
    return false;
  }

  trySend(prepared: unknown): 'sent' | 'full' | 'disconnected' {
    const core = this.core;
    if (!core.receiverWaiting()) return core.counter.receiversGone() ? 'disconnected' : 'full';
    const { ring, counter } = core;
    const seq = ring.tryEnqueue(prepared);
    if (typeof seq !== 'number') return seq;
    // Delivered only once picked up; a receiver that leaves without it (or none left registered) means 'full'.
    const ctl = core.ctl;
    const settled = () => ring.pickedUp(seq) || counter.receiversGone() || Atomics.load(ctl, RX_WAITERS) === 0;
    block(core.waitingFor('sender', settled, performance.now() + TRY_SEND_GRACE_MS, core.txSpin));
    if (ring.pickedUp(seq) || !ring.takeBack(seq)) return 'sent';
    return counter.receiversGone() ? 'disconnected' : 'full';
  }

  *sending(prepared: unknown, deadline: Deadline, spin: Spinner | undefined): Waiting<SendOutcome> {
    const { ring, counter } = this.core;
    for (;;) {
      const seq = ring.tryEnqueue(prepared);
      if (seq === 'disconnected') return 'disconnected';
      if (seq === 'full') {
        const room = () => ring.hasRoom() || counter.receiversGone();
        if (!(yield* this.core.waitingFor('sender', room, deadline, spin))) return 'timeout';
        continue;
      }
      const taken = () => ring.pickedUp(seq) || counter.receiversGone();
      let waited = false;
      try {
        // waitingFor also ends when every receiver left: only a pickup counts as delivered.
        const delivered = (yield* this.core.waitingFor('sender', taken, deadline, spin)) && ring.pickedUp(seq);
        waited = true;
        if (!delivered && ring.takeBack(seq)) return counter.receiversGone() ? 'disconnected' : 'timeout';
        return 'sent';
      } finally {
        // Ended while waiting for pickup (its sender was closed by another task: E3, channel.ts): a send that fails
        // must not deliver later, so the message comes back unless a receiver already has it.
        if (!waited) ring.takeBack(seq);
      }
    }
  }
}
