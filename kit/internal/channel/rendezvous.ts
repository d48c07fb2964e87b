/**
 * The rendezvous strategy (`syncChannel(0)`): a send completes only once a receiver has taken the message.
 *
 * The message goes through the ring like any other (with a limit of one queued message), then the sender waits for
 * RECEIVED to pass its sequence number. A send that times out, or whose receivers all leave, takes its message back
 * if no receiver has started to receive it (ring.takeBack, under RECV_LOCK, so a receiver either got it whole or not
 * at all); if a receiver got there first, the send counts as done.
 *
 * `trySend` succeeds only when a receiver is parked waiting (RX_WAITERS > 0), as in Rust, where `try_send` on a
 * zero-capacity channel needs a receiver blocked in `recv`. A waiting receiver may still leave without taking the
 * message (a `select` that took another channel's message, a timeout): the message then stays queued for the next
 * receiver, and is lost only if none ever comes, like a message a buffered channel holds when its last receiver
 * closes. A parked thread killed before it could uncount itself is uncounted by counter.ts's reclaimDead.
 *
 * Invariants: a sender waits for pickup only for the sequence number it enqueued (checked when KIT_DEBUG=1 by the
 * ring's R1: at most one message is queued).
 */
import type { Deadline, Spinner, Waiting } from '../wait.ts';
import type { ChannelCore, SendOutcome, SendStrategy } from './core.ts';

export class Rendezvous implements SendStrategy {
  constructor(private readonly core: ChannelCore<unknown>) {}

  /** No fast path: every rendezvous send waits for a receiver. */
  sendNow(_prepared: unknown): boolean {
    return false;
  }

  trySend(prepared: unknown): 'sent' | 'full' | 'disconnected' {
    const core = this.core;
    if (!core.receiverWaiting()) return core.counter.receiversGone() ? 'disconnected' : 'full';
    const seq = core.ring.tryEnqueue(prepared);
    return typeof seq === 'number' ? 'sent' : seq;
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
      // waitingFor also ends when every receiver left: only a pickup counts as delivered.
      const delivered = (yield* this.core.waitingFor('sender', taken, deadline, spin)) && ring.pickedUp(seq);
      if (!delivered && ring.takeBack(seq)) return counter.receiversGone() ? 'disconnected' : 'timeout';
      return 'sent';
    }
  }
}
