// generated from solutions/p1-pipeline/m4-shutdown/shutdown.ts (npm run exercises -- generate); students edit this copy
/**
 * Graceful shutdown: stop a running pipeline without losing what it already accepted.
 *
 * Two signals end a worker. Closing the data channel says "no more data" and needs nothing extra. A shutdown
 * signal says "stop soon, even though producers still hold senders": the coordinator broadcasts it on one
 * channel per worker (a message is delivered to one receiver only, so a broadcast needs a channel each) and
 * also raises a shared flag for code that polls instead of selecting. A worker that gets the signal drains
 * what is already queued, then returns. A worker that does not return within a grace period is stopped by
 * force and reported, so shutdown always finishes.
 */
import { AtomicBool } from '#kit/atomic.ts';
import { channel, type Receiver, type Sender } from '#kit/channel.ts';
import { select } from '#kit/select.ts';
import type { JoinHandle } from '#kit/thread.ts';
import { todo } from '#kit/todo.ts';

export interface WorkerRegistration {
  /** Raised when shutdown starts; shared with the coordinator. */
  readonly flag: AtomicBool;
  /** Receives one `null` when shutdown starts (or reports disconnection if the coordinator is gone). */
  readonly signal: Receiver<null>;
}

export class ShutdownCoordinator {
  readonly shutdownFlag: AtomicBool;
  private readonly shutdownSenders: Sender<null>[];

  constructor() {
    todo('p1/m4', 'ShutdownCoordinator.constructor');
  }

  /** A flag and a signal receiver for one more worker; pass both to the worker's thread. */
  registerWorker(): WorkerRegistration {
    todo('p1/m4', 'ShutdownCoordinator.registerWorker');
  }

  /** Raise the flag and signal every registered worker. Safe to call twice; workers already gone are skipped. */
  shutdown(): void {
    todo('p1/m4', 'ShutdownCoordinator.shutdown');
  }

  get isShuttingDown(): boolean {
    return this.shutdownFlag.load();
  }
}

/**
 * Process messages until the data channel closes or shutdown is signalled; after the signal, process what is
 * already queued and stop. Returns how many messages were processed. Meant to run inside a worker thread.
 */
export function gracefulWorker<T>(dataRx: Receiver<T>, shutdownRx: Receiver<null>, process: (item: T) => void): number {
  todo('p1/m4', 'gracefulWorker');
}

export interface ShutdownReport<R> {
  /** Workers that returned within the grace period, with what they returned. */
  readonly finished: Array<{ readonly name: string; readonly result: R }>;
  /** Workers that threw while shutting down. */
  readonly failed: Array<{ readonly name: string; readonly error: Error }>;
  /** Workers that were still running when the grace period ran out, and were terminated. */
  readonly forced: string[];
}

/**
 * Signal shutdown, give the workers `graceMs` in total to return, then terminate the ones still running.
 * Never waits longer than the grace period plus the time to terminate.
 */
export async function shutdownWithGrace<R>(
  coordinator: ShutdownCoordinator,
  workers: ReadonlyArray<JoinHandle<R>>,
  graceMs: number,
): Promise<ShutdownReport<R>> {
  todo('p1/m4', 'shutdownWithGrace');
}
