/**
 * One error type per way a channel operation can fail, as in Rust's std::sync::mpsc and crossbeam-channel.
 * Errors that carry an unsent value hand it back in `.value`, so nothing is lost when a send fails.
 *
 * Blocking `send`/`recv` throw SendError/RecvError. `trySend`, `tryRecv`, `sendTimeout` and `recvTimeout`
 * return a Result whose `error` is one of the classes below; value-less errors are shared instances, so a
 * polling loop that keeps finding an empty queue allocates nothing.
 *
 * Invariants: an error that reports an unsent value holds exactly that value (nothing is copied or lost).
 */

/** `send` failed because every receiver is gone. */
export class SendError<T> extends Error {
  override readonly name = 'SendError';
  constructor(readonly value: T) {
    super('sending on a disconnected channel (every receiver is gone)');
  }
}

/** `recv` failed because every sender is gone and the queue is drained. */
export class RecvError extends Error {
  override readonly name = 'RecvError';
  constructor() {
    super('receiving on an empty and disconnected channel (every sender is gone)');
  }
}

export type TrySendErrorKind = 'full' | 'disconnected';

export class TrySendError<T> extends Error {
  override readonly name = 'TrySendError';
  constructor(
    readonly kind: TrySendErrorKind,
    readonly value: T,
  ) {
    super(kind === 'full' ? 'the channel is full' : 'sending on a disconnected channel');
  }
  get isFull(): boolean {
    return this.kind === 'full';
  }
  get isDisconnected(): boolean {
    return this.kind === 'disconnected';
  }
}

export type SendTimeoutErrorKind = 'timeout' | 'disconnected';

export class SendTimeoutError<T> extends Error {
  override readonly name = 'SendTimeoutError';
  constructor(
    readonly kind: SendTimeoutErrorKind,
    readonly value: T,
  ) {
    super(kind === 'timeout' ? 'timed out waiting for room in the channel' : 'sending on a disconnected channel');
  }
  get isTimeout(): boolean {
    return this.kind === 'timeout';
  }
  get isDisconnected(): boolean {
    return this.kind === 'disconnected';
  }
}

export type TryRecvErrorKind = 'empty' | 'disconnected';

export class TryRecvError extends Error {
  override readonly name = 'TryRecvError';
  static readonly Empty = new TryRecvError('empty');
  static readonly Disconnected = new TryRecvError('disconnected');
  private constructor(readonly kind: TryRecvErrorKind) {
    super(kind === 'empty' ? 'the channel is empty' : 'receiving on an empty and disconnected channel');
  }
  get isEmpty(): boolean {
    return this.kind === 'empty';
  }
  get isDisconnected(): boolean {
    return this.kind === 'disconnected';
  }
}

export type RecvTimeoutErrorKind = 'timeout' | 'disconnected';

export class RecvTimeoutError extends Error {
  override readonly name = 'RecvTimeoutError';
  static readonly Timeout = new RecvTimeoutError('timeout');
  static readonly Disconnected = new RecvTimeoutError('disconnected');
  private constructor(readonly kind: RecvTimeoutErrorKind) {
    super(kind === 'timeout' ? 'timed out waiting on the channel' : 'receiving on an empty and disconnected channel');
  }
  get isTimeout(): boolean {
    return this.kind === 'timeout';
  }
  get isDisconnected(): boolean {
    return this.kind === 'disconnected';
  }
}

/** Using an endpoint after `close()`, or after it was moved into another thread. */
export class EndpointClosedError extends Error {
  override readonly name = 'EndpointClosedError';
}
