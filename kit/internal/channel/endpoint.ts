/**
 * What a Sender and a Receiver share (channel.ts): an endpoint's state, counting it in and out of the channel, and
 * moving it into another thread (the wire form a spawned thread revives).
 *
 * Invariants:
 *   E1  an endpoint is open, closed or moved, and only an open one touches the channel (checked on every call, as
 *       EndpointClosedError);
 *   E2  an open endpoint is counted once in SENDERS or RECEIVERS, by this thread's holder slot or, once moved, by
 *       the receiving thread's (counter.ts).
 */
import { EndpointClosedError } from '../../channel-errors.ts';
import { type Destination, share, type WireHandle } from '../handles.ts';
import { type Releasable, track, untrack } from '../thread-scope.ts';
import type { ChannelCore } from './core.ts';

type EndpointState = 'open' | 'closed' | 'moved';

export abstract class Endpoint<T> implements Releasable, Disposable {
  protected state: EndpointState = 'open';
  protected abstract readonly kind: 'sender' | 'receiver';

  constructor(protected readonly core: ChannelCore<T>) {}

  protected open(counted: boolean): void {
    if (counted) this.core.addEndpoint(this.kind);
    track(this);
  }

  /** For the async drivers: the endpoint is still open (E3). */
  protected readonly live = (): boolean => this.state === 'open';

  protected usable(): ChannelCore<T> {
    if (this.state !== 'open') {
      throw new EndpointClosedError(
        this.state === 'moved'
          ? `this ${this.kind} was moved into another thread; clone it before passing it if you need to keep one`
          : `this ${this.kind} is closed`,
      );
    }
    return this.core;
  }

  /** Messages queued right now (a snapshot, for monitoring). */
  len(): number {
    return this.core.ring.len();
  }

  isEmpty(): boolean {
    return this.core.ring.len() === 0;
  }

  /** The bound given to syncChannel, or undefined for an unbounded channel. */
  get capacity(): number | undefined {
    return this.core.capacity;
  }

  get isClosed(): boolean {
    return this.state !== 'open';
  }

  /** Drop this endpoint. When the last sender (or receiver) goes, the other side is told. Idempotent. */
  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closed';
    untrack(this);
    this.core.removeEndpoint(this.kind);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  releaseAtThreadEnd(): void {
    this.close();
  }

  [share](destination: Destination): WireHandle {
    const core = this.usable();
    this.state = 'moved';
    untrack(this);
    const kind = this.kind;
    destination.onBound((threadId) => core.counter.moveTo(threadId, kind));
    destination.onAbandoned(() => core.removeEndpoint(kind));
    return core.wire(`channel.${kind}`);
  }
}
