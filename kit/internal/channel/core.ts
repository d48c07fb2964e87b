/**
 * The shared state of one channel as seen from one thread, assembled from its parts: the memory map (layout.ts),
 * holders and disconnection (counter.ts), waiters and signals (waker.ts), the ring (ring.ts) and a send strategy
 * (buffered here, rendezvous in rendezvous.ts). Every endpoint of the channel in this thread refers to one core
 * (clones share it; a handle revived in another thread gets its own).
 *
 * Waiting (internal/wait.ts): `waitingFor` is the one wait of a channel, for either side: spin on the word the other
 * side writes (only if some holder of the other side may be running), then count in as parked, arm the side's
 * signal word and sleep on it (waker.ts), re-checking for dead peers on every wake-up, so a peer that crashes or is
 * terminated never leaves anyone waiting forever. `receiving` and the strategies' `sending` are the whole blocking
 * operations; the endpoints (channel.ts) make their fast attempt inline and run these only when it fails.
 *
 * Invariants: those of the parts (K1–K3 waker, H1–H2 counter, R1–R5 ring), checked when KIT_DEBUG=1.
 */
import { type Codec, structured } from '../../codec.ts';
import { DEBUG } from '../debug.ts';
import { CHANNEL_SPIN, type Deadline, FIRST_PARK_MS, nextParkCap, Spinner, type Waiting } from '../wait.ts';
import { Counter, type Side } from './counter.ts';
import {
  CAPACITY,
  type ChannelOptions,
  createBuffers,
  RECEIVED,
  RX_SIGNAL,
  RX_WAITERS,
  SENT,
  TX_SIGNAL,
  UNBOUNDED,
} from './layout.ts';
import { Rendezvous } from './rendezvous.ts';
import { EMPTY, type Polled, Ring } from './ring.ts';
import { Waker } from './waker.ts';

export const TIMED_OUT: unique symbol = Symbol('timed out');
export type SendOutcome = 'sent' | 'timeout' | 'disconnected';

/** How a send completes: the ring alone (buffered), or the ring plus a wait for pickup (rendezvous). */
export interface SendStrategy {
  /** The uncontended attempt, inline in the endpoints: true when sent; false means "run `sending`". */
  sendNow(prepared: unknown): boolean;
  /**
   * A blocking send's spin, inline, after `sendNow` failed (the counterpart of ChannelCore.spinPoll): true when
   * sent; false means "run `sending(…, spun = true)`".
   */
  spinSend(prepared: unknown): boolean;
  /** `trySend`: one attempt that never waits. */
  trySend(prepared: unknown): 'sent' | 'full' | 'disconnected';
  /** The whole send, waiting until `deadline`; `spun`: the caller has just had its spin, so the first wait parks. */
  sending(prepared: unknown, deadline: Deadline, spin: Spinner | undefined, spun?: boolean): Waiting<SendOutcome>;
}

/** Buffered channels (bounded or not): a send is done once the message is in the ring. */
class Buffered implements SendStrategy {
  /** Free places a spinning sender waits for (spinSend): half the bound, at most 8 cache lines of 8-byte records. */
  private readonly resumeRoom: number;

  constructor(private readonly core: ChannelCore<unknown>) {
    this.resumeRoom = Math.max(1, Math.min(core.ring.limit >> 1, 64));
  }

  sendNow(prepared: unknown): boolean {
    return typeof this.core.ring.tryEnqueue(prepared) === 'number';
  }

  /**
   * The ring was full: from a running receiver, room comes sooner than a generator is built and driven, so watch
   * RECEIVED here while the send spinner allows, then try once more. The spin waits for room for a batch
   * (`resumeRoom`), not for one message: a sender that outruns its receiver and resumes at the first free place
   * fills it at once and finds the ring full again on the next message, and the two then move in lockstep, the
   * sender writing the cache line the receiver is reading and each re-reading the other's counter on every message
   * (measured: 1M f64 through a ring of 16k, 300–400k sends found it full and the round took twice as long). If the
   * spin ends first, any room will do: a receiver that stopped after one message must not keep the sender waiting.
   */
  spinSend(prepared: unknown): boolean {
    const { ring, ctl, txSpin: spin } = this.core;
    if (!spin.willSpin()) return false;
    const seen = Atomics.load(ctl, RECEIVED);
    if (!ring.hasRoom()) spin.spin(ctl, RECEIVED, seen, this.resumeRoom);
    return typeof ring.tryEnqueue(prepared) === 'number';
  }

  trySend(prepared: unknown): 'sent' | 'full' | 'disconnected' {
    const seq = this.core.ring.tryEnqueue(prepared);
    return typeof seq === 'number' ? 'sent' : seq;
  }

  *sending(prepared: unknown, deadline: Deadline, spin: Spinner | undefined, spun = false): Waiting<SendOutcome> {
    const { ring, counter } = this.core;
    for (let first = true; ; first = false) {
      const seq = ring.tryEnqueue(prepared);
      if (typeof seq === 'number') return 'sent';
      if (seq === 'disconnected') return 'disconnected';
      const room = () => ring.hasRoom() || counter.receiversGone();
      if (!(yield* this.core.waitingFor('sender', room, deadline, spin, spun && first))) return 'timeout';
    }
  }
}

export interface ChannelWire {
  readonly __threadkit: string;
  readonly ctl: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  readonly codec: Codec<unknown>['spec'];
}

export class ChannelCore<T> {
  readonly ctl: Int32Array;
  readonly waker: Waker;
  readonly counter: Counter;
  readonly ring: Ring<T>;
  readonly strategy: SendStrategy;
  /** This thread's adaptive spin budgets, one per side. */
  readonly rxSpin = new Spinner(CHANNEL_SPIN, true);
  readonly txSpin = new Spinner(CHANNEL_SPIN, true);

  constructor(
    ctl: SharedArrayBuffer,
    readonly data: SharedArrayBuffer,
    readonly codec: Codec<T>,
  ) {
    this.ctl = new Int32Array(ctl);
    this.waker = new Waker(this.ctl);
    this.counter = new Counter(this.ctl, this.waker);
    const rendezvous = this.ctl[CAPACITY] === 0;
    this.ring = new Ring(this.ctl, data, codec, this.counter, this.waker, rendezvous);
    this.strategy = rendezvous
      ? new Rendezvous(this as ChannelCore<unknown>)
      : new Buffered(this as ChannelCore<unknown>);
  }

  wire(kind: string): ChannelWire {
    return { __threadkit: kind, ctl: this.ctl.buffer as SharedArrayBuffer, data: this.data, codec: this.codec.spec };
  }

  get capacity(): number | undefined {
    const cap = this.ctl[CAPACITY]!;
    return cap === UNBOUNDED ? undefined : cap;
  }

  addEndpoint(side: Side): void {
    this.ring.endpointAdded();
    this.counter.add(side);
  }

  removeEndpoint(side: Side): void {
    this.counter.remove(side);
  }

  /** Some receiver is parked waiting for a message (what makes a rendezvous trySend possible). */
  receiverWaiting(): boolean {
    this.counter.reclaimIfSomeoneDied();
    return Atomics.load(this.ctl, RX_WAITERS) > 0;
  }

  /** Used by select (before parking on the thread's waker) and by the isDisconnected getters. */
  checkForDeaths(): void {
    this.counter.reclaimIfSomeoneDied();
  }

  /**
   * Wait, as `side`, until `ready()` (or the deadline: then the last answer of `ready()`). A blocking caller
   * passes its `spin`ner: it first watches the word the other side writes (SENT for a receiver, RECEIVED for a
   * sender), for as long as its spinner allows.
   */
  *waitingFor(
    side: Side,
    ready: () => boolean,
    deadline: Deadline,
    spin: Spinner | undefined,
    spun = false,
  ): Waiting<boolean> {
    const ctl = this.ctl;
    // Whether the other side is asleep right now says little here: the message this thread has just sent may be
    // what wakes it (a ping-pong), so the spinner's record of recent waits alone decides (it stops spinning when
    // spins stop paying, as on a loaded machine).
    if (!spun && spin?.willSpin()) {
      const watch = side === 'receiver' ? SENT : RECEIVED;
      const seen = Atomics.load(ctl, watch);
      if (ready()) return true;
      yield { words: ctl, index: watch, seen, deadline, spin, mode: 'spin' };
    }
    const signal = side === 'receiver' ? RX_SIGNAL : TX_SIGNAL;
    this.counter.parked(side);
    try {
      // Sleeps are capped (FIRST_PARK_MS, then doubling): the peer publishes without a fence (ring.ts) and may miss
      // this waiter's arming; a missed wake-up then costs one capped sleep.
      for (let maxMs = FIRST_PARK_MS; ; maxMs = nextParkCap(maxMs)) {
        const seen = this.waker.arm(signal);
        this.counter.reclaimIfSomeoneDied();
        if (ready()) return true;
        if (DEBUG) this.waker.checkArmed(signal, seen);
        if (!(yield { words: ctl, index: signal, seen, deadline, spin, mode: 'park', maxMs })) return ready();
      }
    } finally {
      this.counter.unparked(side);
    }
  }

  /**
   * The whole receive: a message, DISCONNECTED (empty and every sender gone), or TIMED_OUT. `spun`: the caller has
   * just had its spin (spinPoll), so the first wait parks at once.
   */
  *receiving(deadline: Deadline, spin: Spinner | undefined, spun = false): Waiting<Polled<T> | typeof TIMED_OUT> {
    const ring = this.ring;
    const ready = () => ring.readyToReceive();
    for (let first = true; ; first = false) {
      const value = ring.poll();
      if (value !== EMPTY) return value;
      if (!(yield* this.waitingFor('receiver', ready, deadline, spin, spun && first))) {
        const last = ring.poll();
        return last === EMPTY ? TIMED_OUT : last;
      }
    }
  }

  /**
   * A blocking receive's spin, inline: from a running peer a message arrives sooner than a generator is built and
   * driven, so the spin happens before `receiving` and outside it. While the receive spinner allows, watch SENT,
   * then poll once more; EMPTY when nothing came (or no spin was allowed): then `receiving(…, spun = true)`.
   */
  spinPoll(): Polled<T> {
    const spin = this.rxSpin;
    if (!spin.willSpin()) return EMPTY;
    const ctl = this.ctl;
    const seen = Atomics.load(ctl, SENT);
    if (!this.ring.readyToReceive() && !spin.spin(ctl, SENT, seen)) return EMPTY;
    return this.ring.poll();
  }
}

/** A new channel of `capacity` (UNBOUNDED, 0 for a rendezvous, or a bound), as seen from the creating thread. */
export function createCore<T>(capacity: number, options: ChannelOptions<T>): ChannelCore<T> {
  const codec = options.codec ?? structured<T>();
  const { ctl, data } = createBuffers(capacity, codec as Codec<unknown>, options as ChannelOptions<unknown>);
  return new ChannelCore<T>(ctl, data, codec);
}
