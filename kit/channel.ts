/**
 * Channels with the semantics of Rust's std::sync::mpsc, plus what crossbeam-channel adds (multiple receivers,
 * timeouts on both sides, select), usable from any thread.
 *
 *   channel<T>()          unbounded: `send` never blocks
 *   syncChannel<T>(n)     bounded to n messages: `send` blocks while n are queued; n = 0 is a rendezvous, where
 *                         `send` returns only once a receiver has taken the message
 *
 * This module is the facade: the endpoints and the constructors. The channel itself is split along
 * crossbeam-channel's seams, in internal/channel/:
 *   endpoint.ts    what both endpoints share: open/closed/moved, counting in and out, moving to another thread
 *   layout.ts      the memory map: control words, who writes which, the byte ring's record format
 *   counter.ts     holders and disconnection: endpoint counts per thread, released when a thread dies
 *   waker.ts       waiters and signals: who parks on which word, who bumps and notifies it, select registration
 *   ring.ts        the ring flavor: write, read, grow, take back
 *   rendezvous.ts  the rendezvous send strategy (syncChannel(0)); buffered sends are in core.ts
 *   core.ts        one channel as seen from one thread, and its one wait (on internal/wait.ts)
 *
 * Every blocking call has one operation behind it (a generator in core.ts or a strategy), run by the blocking
 * driver (spins adaptively, then `Atomics.wait`) or the async driver (`Atomics.waitAsync`); the endpoint makes
 * its uncontended attempt inline first. Waiters sleep in slices and release the endpoints of threads that died,
 * so a peer that crashes or is terminated never leaves anyone waiting forever.
 *
 * Invariants: E1 and E2 (internal/channel/endpoint.ts); an async operation whose endpoint is closed or moved
 * while it waits ends at its next wake-up with EndpointClosedError and takes nothing (E3: only counted endpoints
 * act, which the ring's lock-free only receiver relies on, R5). The shared-memory invariants are the parts'.
 */
import {
  EndpointClosedError,
  RecvError,
  RecvTimeoutError,
  SendError,
  SendTimeoutError,
  TryRecvError,
  TrySendError,
} from './channel-errors.ts';
import { codecFromSpec } from './codec.ts';
import { ChannelCore, type ChannelWire, createCore, type SendOutcome, TIMED_OUT } from './internal/channel/core.ts';
import { type ChannelOptions, UNBOUNDED } from './internal/channel/layout.ts';
import { DISCONNECTED, EMPTY, type Polled } from './internal/channel/ring.ts';
import { Endpoint } from './internal/channel/endpoint.ts';
import { registerKind, type WireHandle } from './internal/handles.ts';
import { ABANDONED, block, blockAsyncWhile, deadlineAfter } from './internal/wait.ts';
import { err, ok, type Result } from './result.ts';

export * from './channel-errors.ts';
export type { ChannelOptions } from './internal/channel/layout.ts';

const SENT_OK: Result<void, never> = ok(undefined);

function sendResult<T>(outcome: SendOutcome | typeof ABANDONED, value: T): Result<void, SendTimeoutError<T>> {
  if (outcome === ABANDONED) throw closedWhileWaiting('sender');
  return outcome === 'sent' ? SENT_OK : err(new SendTimeoutError(outcome, value));
}

function recvResult<T>(value: Polled<T> | typeof TIMED_OUT | typeof ABANDONED): Result<T, RecvTimeoutError> {
  if (value === ABANDONED) throw closedWhileWaiting('receiver');
  if (value === TIMED_OUT || value === EMPTY) return err(RecvTimeoutError.Timeout);
  return value === DISCONNECTED ? err(RecvTimeoutError.Disconnected) : ok(value);
}

/**
 * An async operation whose endpoint was closed (or moved) by another task of its thread while it waited: it ends
 * there, taking nothing (E3). Left running, it would act for an endpoint that is no longer counted: a receive could
 * race the channel's now-only receiver, which reads without the lock.
 */
function closedWhileWaiting(kind: 'sender' | 'receiver'): EndpointClosedError {
  return new EndpointClosedError(`this ${kind} was closed or moved while its operation waited`);
}

/** The sending half. Clone it for more producers; close it (or let its thread end) to hang up. */
export class Sender<T> extends Endpoint<T> {
  protected readonly kind = 'sender' as const;

  /** @internal */
  constructor(core: ChannelCore<T>, counted: boolean) {
    super(core);
    this.open(counted);
  }

  clone(): Sender<T> {
    return new Sender(this.usable(), true);
  }

  /** Blocking send: waits for room on a bounded channel (and for pickup on a rendezvous channel). */
  send(value: T): void {
    const core = this.usable();
    const prepared = core.codec.prepare(value);
    if (core.strategy.sendNow(prepared) || core.strategy.spinSend(prepared)) return;
    if (block(core.strategy.sending(prepared, Infinity, core.txSpin, true)) !== 'sent') throw new SendError(value);
  }

  /** Send without waiting: fails with 'full' or 'disconnected' and hands the value back. */
  trySend(value: T): Result<void, TrySendError<T>> {
    const core = this.usable();
    const outcome = core.strategy.trySend(core.codec.prepare(value));
    return outcome === 'sent' ? SENT_OK : err(new TrySendError(outcome, value));
  }

  /** Like `send`, but gives up after `timeoutMs` and hands the value back. */
  sendTimeout(value: T, timeoutMs: number): Result<void, SendTimeoutError<T>> {
    const core = this.usable();
    const deadline = deadlineAfter(timeoutMs);
    const prepared = core.codec.prepare(value);
    if (core.strategy.sendNow(prepared) || core.strategy.spinSend(prepared)) return SENT_OK;
    return sendResult(block(core.strategy.sending(prepared, deadline, core.txSpin, true)), value);
  }

  /** `send` for the main thread: waits without blocking the event loop. */
  async sendAsync(value: T): Promise<void> {
    if (!(await this.sendTimeoutAsync(value, Infinity)).ok) throw new SendError(value);
  }

  async sendTimeoutAsync(value: T, timeoutMs: number): Promise<Result<void, SendTimeoutError<T>>> {
    const { strategy, codec } = this.usable();
    const sending = strategy.sending(codec.prepare(value), deadlineAfter(timeoutMs), undefined);
    return sendResult(await blockAsyncWhile(sending, this.live), value);
  }

  /** True once every receiver is gone: further sends will fail. */
  get isDisconnected(): boolean {
    this.core.checkForDeaths(); // a receiver's thread may have died without closing it
    return this.core.counter.receiversGone();
  }
}

/** The receiving half. Clone it to share one queue between several consumers (each message goes to one). */
export class Receiver<T> extends Endpoint<T> implements Iterable<T>, AsyncIterable<T> {
  protected readonly kind = 'receiver' as const;

  /** @internal */
  constructor(core: ChannelCore<T>, counted: boolean) {
    super(core);
    this.open(counted);
  }

  clone(): Receiver<T> {
    return new Receiver(this.usable(), true);
  }

  /** Blocking receive; throws RecvError once every sender is gone and the queue is drained. */
  recv(): T {
    const core = this.usable();
    let value: Polled<T> | typeof TIMED_OUT = core.ring.poll();
    if (value === EMPTY) value = core.spinPoll();
    if (value === EMPTY) value = block(core.receiving(Infinity, core.rxSpin, true));
    if (value === DISCONNECTED || value === EMPTY || value === TIMED_OUT) throw new RecvError();
    return value;
  }

  tryRecv(): Result<T, TryRecvError> {
    const value = this.usable().ring.poll();
    if (value === EMPTY) return err(TryRecvError.Empty);
    if (value === DISCONNECTED) return err(TryRecvError.Disconnected);
    return ok(value);
  }

  recvTimeout(timeoutMs: number): Result<T, RecvTimeoutError> {
    const core = this.usable();
    const deadline = deadlineAfter(timeoutMs);
    const value = core.ring.poll();
    return recvResult(value === EMPTY ? block(core.receiving(deadline, core.rxSpin)) : value);
  }

  /** `recv` for the main thread: waits without blocking the event loop. */
  async recvAsync(): Promise<T> {
    const result = await this.recvTimeoutAsync(Infinity);
    if (!result.ok) throw new RecvError();
    return result.value;
  }

  async recvTimeoutAsync(timeoutMs: number): Promise<Result<T, RecvTimeoutError>> {
    const deadline = deadlineAfter(timeoutMs);
    return recvResult(await blockAsyncWhile(this.usable().receiving(deadline, undefined), this.live));
  }

  /** Blocking iteration: yields every message until the channel is empty and disconnected. */
  *[Symbol.iterator](): Iterator<T> {
    const core = this.usable();
    for (;;) {
      let value: Polled<T> | typeof TIMED_OUT = core.ring.poll();
      if (value === EMPTY) value = core.spinPoll();
      if (value === EMPTY) value = block(core.receiving(Infinity, core.rxSpin, true));
      if (value === DISCONNECTED || value === EMPTY || value === TIMED_OUT) return;
      yield value;
    }
  }

  /** Async iteration, for the main thread. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const core = this.usable();
    for (;;) {
      const value = await blockAsyncWhile(core.receiving(Infinity, undefined), this.live);
      if (value === ABANDONED) throw closedWhileWaiting('receiver');
      if (value === DISCONNECTED || value === EMPTY || value === TIMED_OUT) return;
      yield value;
    }
  }

  /** Yields what is queued now, without waiting. */
  *tryIter(): Iterator<T> & Iterable<T> {
    const core = this.usable();
    for (;;) {
      const value = core.ring.poll();
      if (value === EMPTY || value === DISCONNECTED) return;
      yield value;
    }
  }

  /** True once every sender is gone (messages may still be queued). */
  get isDisconnected(): boolean {
    this.core.checkForDeaths(); // a sender's thread may have died without closing it
    return this.core.counter.sendersGone();
  }

  /** @internal For select. */
  get channelCore(): ChannelCore<T> {
    return this.usable();
  }

  /** @internal For select: one non-blocking attempt. */
  pollForSelect(): Polled<T> {
    return this.usable().ring.poll();
  }
}

/** An unbounded channel: `send` never blocks. */
export function channel<T>(options: ChannelOptions<T> = {}): [Sender<T>, Receiver<T>] {
  const core = createCore<T>(UNBOUNDED, options);
  return [new Sender(core, true), new Receiver(core, true)];
}

/** A channel that holds at most `capacity` messages; 0 makes every send a rendezvous with a receiver. */
export function syncChannel<T>(capacity: number, options: ChannelOptions<T> = {}): [Sender<T>, Receiver<T>] {
  if (!Number.isInteger(capacity) || capacity < 0 || capacity > 0x3fffffff) {
    throw new RangeError(`syncChannel capacity must be a whole number from 0, got ${capacity}`);
  }
  const core = createCore<T>(capacity, options);
  return [new Sender(core, true), new Receiver(core, true)];
}

function revive(kind: 'sender' | 'receiver') {
  return (wire: WireHandle): unknown => {
    const { ctl, data, codec } = wire as ChannelWire;
    const core = new ChannelCore(ctl, data, codecFromSpec(codec));
    return kind === 'sender' ? new Sender(core, false) : new Receiver(core, false);
  };
}

registerKind('channel.sender', revive('sender'));
registerKind('channel.receiver', revive('receiver'));

export { EMPTY as SELECT_EMPTY, DISCONNECTED as SELECT_DISCONNECTED };
export type { ChannelCore };
