/**
 * Threads: Rust's `std::thread` over Node's worker_threads.
 *
 * A closure cannot cross into another thread in JavaScript, so a thread body is a named export of a module,
 * declared with `defineThread`:
 *
 *     // stages.ts
 *     export const producer = defineThread(import.meta.url, 'producer', (tx: Sender<LogEntry>, n: number) => {...});
 *     // elsewhere
 *     const handle = spawn(producer, tx.clone(), 1000);   // arguments are type-checked against the body
 *     handle.join();                                      // its return value, or ThreadPanicError
 *
 * Arguments are structured-cloned, except kit objects, which arrive as handles onto the same shared memory
 * (internal/handles.ts): channel endpoints are moved into the thread, locks and atomics are shared.
 *
 * ── Per-thread state (Int32 words in a SharedArrayBuffer, `state`) ─────────────────────────────────────────
 *   word 0  RUNNING 0 → FINISHED 1 | PANICKED 2, written by the thread itself after it has posted its result on
 *           its result port; → DIED 3 (by compare-exchange from RUNNING), written by the thread's own process
 *           `exit` hook when it calls process.exit() before reporting, or by the parent when the worker exited
 *           without a result (terminated, fatal error). Joiners park on this word; the result itself travels
 *           on a MessagePort and is read with `receiveMessageOnPort`, so a blocking join needs no event loop.
 *   word 1  the exit code + 1, written by that `exit` hook before it publishes DIED (0: not reported).
 *
 * ── Lifetime ───────────────────────────────────────────────────────────────────────────────────────────────
 * When the body returns or throws, the thread closes every kit endpoint it still holds (like Rust dropping the
 * closure's captures), then reports. When a worker dies without reporting, its parent marks it dead in the
 * thread registry, so peers waiting on its channels or locks are released (channel.ts, owner-lock.ts).
 * A thread that calls process.exit() reports its own death (state word above), so even a synchronous join sees
 * it. A worker killed by a fatal error (e.g. out of memory) reports nothing, and Node tells its parent only through
 * an event, which a parent blocked in a synchronous `join()` cannot receive: so a blocking join that has waited for
 * a while asks Node, once a second, whether the worker still runs (`process.report`, which lists the live workers
 * of this thread synchronously), and marks a vanished worker DIED itself.
 * `terminate()` marks the thread dead only once the worker has stopped: marked earlier, a thread still running
 * could have a channel lock it holds taken over by a waiter (owner-lock.ts).
 *
 * Blocking calls (`join`, `sleep`) are for worker threads; on the main thread they stop the event loop while
 * they wait. The `...Async` forms are for the main thread.
 *
 * Invariants (checked when KIT_DEBUG=1):
 *   T1  the state word leaves RUNNING once, for FINISHED, PANICKED or DIED, and never changes again;
 *   T2  a join returns only once the state word has left RUNNING.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker, workerData } from 'node:worker_threads';
import { THREAD_CODE_RANGE_MB } from './internal/code-range.ts';
import { loadableModule, workerEntry } from './internal/compile.ts';
import { Destination, fromWire, toWire } from './internal/handles.ts';
import {
  block,
  blockAsync,
  type Deadline,
  deadlineAfter,
  sleepBlocking,
  type Waiting,
  whileEqual,
} from './internal/wait.ts';
import { markDead, recordChild, registryWire, selfId } from './internal/registry.ts';
import { type StubLogWire, stubLogWire } from './internal/stub-log.ts';
import { check, DEBUG } from './internal/debug.ts';
import { err, ok, type Result } from './result.ts';

const RUNNING = 0;
const FINISHED = 1;
const PANICKED = 2;
const DIED = 3;
const STATE_WORDS = 2;
const EXIT_CODE = 1;

/** How long a blocking join waits before it starts asking Node whether its worker still runs, and how often. */
const VANISH_CHECK_MS = 1000;

/** Whether this thread's Node environment still lists worker `threadId` as running (synchronous, no event loop). */
function workerListed(threadId: number): boolean {
  const report = process.report?.getReport() as { workers?: { header?: { threadId?: number } }[] } | undefined;
  if (!report?.workers) return true; // cannot tell: assume it runs
  return report.workers.some((worker) => worker.header?.threadId === threadId);
}

const kBody: unique symbol = Symbol.for('threadkit.threadBody');

/** A function that can run as a thread: a named export of a module, declared with defineThread. */
export interface ThreadBody<A extends unknown[], R> {
  readonly [kBody]: true;
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly run: (...args: A) => R | Promise<R>;
}

/**
 * Declare a thread body. `moduleUrl` is the declaring module's `import.meta.url` and `exportName` the name it
 * is exported under, which is how the new thread finds it.
 */
export function defineThread<A extends unknown[], R>(
  moduleUrl: string,
  exportName: string,
  run: (...args: A) => R,
): ThreadBody<A, Awaited<R>> {
  return { [kBody]: true, moduleUrl, exportName, run: run as (...args: A) => Awaited<R> };
}

export function isThreadBody(value: unknown): value is ThreadBody<unknown[], unknown> {
  return typeof value === 'object' && value !== null && (value as { [kBody]?: boolean })[kBody] === true;
}

/** Identity of a thread, as `std::thread::Thread`. */
export interface ThreadInfo {
  readonly id: number;
  readonly name: string;
}

interface StartData {
  readonly registry: ReturnType<typeof registryWire>;
  readonly stubs: StubLogWire;
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown;
  readonly name: string;
  readonly parentId: number;
  readonly state: SharedArrayBuffer;
  readonly port: MessagePort;
}

const inherited = (workerData as { __threadkit?: StartData } | null)?.__threadkit;
const self: ThreadInfo = { id: selfId, name: inherited?.name ?? (selfId === 0 ? 'main' : `thread-${selfId}`) };

/** The calling thread's id and name. */
export function currentThread(): ThreadInfo {
  return self;
}

/** Block the calling thread (on the main thread, this also stops the event loop). */
export function sleep(ms: number): void {
  sleepBlocking(ms);
}

/** Wait without blocking the event loop. */
export function sleepAsync(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a thread's body threw, surfaced by `join` (Rust: `join()` returning `Err` after a panic). */
export class ThreadPanicError extends Error {
  override readonly name = 'ThreadPanicError';
  constructor(
    readonly thread: ThreadInfo,
    message: string,
    override readonly cause: Error | undefined,
  ) {
    super(`thread '${thread.name}' (id ${thread.id}) ${message}`);
    if (cause?.stack) this.stack = `${this.name}: ${this.message}\n  the thread's own stack:\n${cause.stack}`;
  }
}

/** `joinTimeout` ran out of time; the thread keeps running. */
export class JoinTimeoutError extends Error {
  override readonly name = 'JoinTimeoutError';
  constructor(readonly thread: ThreadInfo) {
    super(`thread '${thread.name}' (id ${thread.id}) has not finished yet`);
  }
}

interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly props?: Record<string, unknown>;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: SerializedError };

function reviveError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  if (serialized.props) Object.assign(error, serialized.props);
  return error;
}

/** A running (or finished) thread. */
export class JoinHandle<R> {
  private outcome: { value: R } | { error: ThreadPanicError } | undefined;
  private exitCode: number | undefined;
  private terminated = false;
  private readonly stateWords: Int32Array;

  /** @internal */
  constructor(
    readonly thread: ThreadInfo,
    private readonly worker: Worker,
    state: SharedArrayBuffer,
    private readonly port: MessagePort,
  ) {
    this.stateWords = new Int32Array(state);
    worker.once('exit', (code) => {
      this.exitCode = code;
      markDead(thread.id);
      if (Atomics.compareExchange(this.stateWords, 0, RUNNING, DIED) === RUNNING) Atomics.notify(this.stateWords, 0);
      this.settle();
      port.close();
    });
    // A worker error is also reported through `exit`; listening keeps it from becoming an uncaught exception.
    worker.on('error', () => {});
  }

  /** True once the body has returned or thrown, or the thread has died. */
  isFinished(): boolean {
    return Atomics.load(this.stateWords, 0) !== RUNNING;
  }

  /** Wait for the thread to finish: its return value, or a ThreadPanicError with the thread's own stack. */
  join(): R {
    if (!this.isFinished()) block(this.joining(Infinity));
    return this.result();
  }

  /** `join` for the main thread: waits without blocking the event loop. */
  async joinAsync(): Promise<R> {
    await blockAsync(whileEqual(this.stateWords, 0, RUNNING, Infinity));
    return this.result();
  }

  /** Wait at most `timeoutMs`; a timed-out join leaves the thread running. */
  joinTimeout(timeoutMs: number): Result<R, JoinTimeoutError> {
    return this.joined(this.isFinished() || block(this.joining(deadlineAfter(timeoutMs))));
  }

  async joinTimeoutAsync(timeoutMs: number): Promise<Result<R, JoinTimeoutError>> {
    return this.joined(await blockAsync(whileEqual(this.stateWords, 0, RUNNING, deadlineAfter(timeoutMs))));
  }

  /**
   * A blocking join: wait for the state word to leave RUNNING; from VANISH_CHECK_MS on, check once per interval
   * that the worker still runs, and publish DIED for one that stopped without a word (a fatal error).
   */
  private *joining(deadline: Deadline): Waiting<boolean> {
    const words = this.stateWords;
    let check = performance.now() + VANISH_CHECK_MS;
    while (Atomics.load(words, 0) === RUNNING) {
      const until = Math.min(deadline, check);
      if (yield { words, index: 0, seen: RUNNING, deadline: until }) continue;
      if (Atomics.load(words, 0) !== RUNNING) return true;
      if (performance.now() >= deadline) return false;
      check = performance.now() + VANISH_CHECK_MS;
      // The state is read again after the look: a worker that finished publishes its state before it stops.
      if (!workerListed(this.thread.id) && Atomics.load(words, 0) === RUNNING) this.diedUnseen();
    }
    return true;
  }

  /** The worker stopped without reporting, and its exit event cannot reach us yet: publish its death ourselves. */
  private diedUnseen(): void {
    markDead(this.thread.id);
    if (Atomics.compareExchange(this.stateWords, 0, RUNNING, DIED) === RUNNING) Atomics.notify(this.stateWords, 0);
  }

  private joined(finished: boolean): Result<R, JoinTimeoutError> {
    return finished ? ok(this.result()) : err(new JoinTimeoutError(this.thread));
  }

  /**
   * Stop the thread by force (no Rust equivalent; for a shutdown grace period that ran out). Its kit endpoints
   * and locks are released as for any thread that dies; a later join reports it as died.
   */
  async terminate(): Promise<void> {
    this.terminated = true;
    await this.worker.terminate();
    // Only now: a thread marked dead while it still runs could have its channel locks taken over mid-write.
    markDead(this.thread.id);
  }

  /** Let the process exit even while this thread runs (Node keeps it alive by default). */
  unref(): this {
    this.worker.unref();
    return this;
  }

  private settle(): void {
    if (this.outcome) return;
    const message = receiveMessageOnPort(this.port);
    if (message) {
      const outcome = message.message as Outcome;
      if (outcome.ok) this.outcome = { value: fromWire(outcome.value) as R };
      else
        this.outcome = {
          error: new ThreadPanicError(this.thread, `panicked: ${outcome.error.message}`, reviveError(outcome.error)),
        };
      return;
    }
    if (Atomics.load(this.stateWords, 0) === DIED) {
      const reported = Atomics.load(this.stateWords, EXIT_CODE);
      const code = this.exitCode ?? (reported > 0 ? reported - 1 : undefined);
      const how = this.terminated ? 'was terminated' : code === undefined ? 'died' : `exited with code ${code}`;
      this.outcome = { error: new ThreadPanicError(this.thread, `died before finishing: it ${how}`, undefined) };
    }
  }

  private result(): R {
    if (DEBUG) {
      const state = Atomics.load(this.stateWords, 0);
      check(state !== RUNNING, 'T2', `thread ${this.thread.id} joined while RUNNING`);
      check(state >= FINISHED && state <= DIED, 'T1', `thread ${this.thread.id}'s state word holds ${state}`);
    }
    this.settle();
    const outcome = this.outcome;
    if (!outcome) throw new Error(`threadkit: thread '${this.thread.name}' finished without a result`);
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
}

export interface SpawnOptions {
  /** The thread's name, shown in panics and by currentThread(). Defaults to the body's export name. */
  readonly name?: string;
  /** Heap, stack and code-space limits for the worker (Node's `resourceLimits`; code space THREAD_CODE_RANGE_MB by default). */
  readonly resourceLimits?: import('node:worker_threads').ResourceLimits;
}

/** Thread factory with settings, as `std::thread::Builder`. */
export class Builder {
  constructor(private readonly options: SpawnOptions = {}) {}

  name(name: string): Builder {
    return new Builder({ ...this.options, name });
  }

  resourceLimits(limits: import('node:worker_threads').ResourceLimits): Builder {
    return new Builder({ ...this.options, resourceLimits: limits });
  }

  spawn<A extends unknown[], R>(body: ThreadBody<A, R>, ...args: A): JoinHandle<R> {
    return spawnWith(this.options, body, args);
  }
}

/**
 * The URL a worker thread can import for a TypeScript module (compiled on demand, see internal/compile.ts).
 * For code that loads modules in workers by itself, such as a thread pool that runs tasks from many modules.
 */
export function workerModuleUrl(moduleUrl: string): string {
  return loadableModule(moduleUrl);
}

/** Run `body(...args)` in a new thread. */
export function spawn<A extends unknown[], R>(body: ThreadBody<A, R>, ...args: A): JoinHandle<R> {
  return spawnWith({}, body, args);
}

function spawnWith<A extends unknown[], R>(options: SpawnOptions, body: ThreadBody<A, R>, args: A): JoinHandle<R> {
  if (!isThreadBody(body)) throw new TypeError('spawn expects a thread body declared with defineThread()');
  const entry = workerEntry();
  const module = loadableModule(body.moduleUrl);
  const destination = new Destination();
  let wireArgs: unknown;
  try {
    wireArgs = toWire(args, destination);
  } catch (error) {
    // e.g. an endpoint passed twice: release what was already moved, since the thread will never get it
    destination.abandon();
    throw error;
  }
  const state = new SharedArrayBuffer(4 * STATE_WORDS);
  const { port1, port2 } = new MessageChannel();
  const name = options.name ?? body.exportName;
  const start: StartData = {
    registry: registryWire(),
    stubs: stubLogWire(),
    module,
    exportName: body.exportName,
    args: wireArgs,
    name,
    parentId: selfId,
    state,
    port: port2,
  };
  let worker: Worker;
  try {
    worker = new Worker(new URL(entry), {
      workerData: { __threadkit: start },
      transferList: [port2],
      execArgv: [],
      resourceLimits: { codeRangeSizeMb: THREAD_CODE_RANGE_MB, ...options.resourceLimits },
    });
  } catch (error) {
    destination.abandon();
    port1.close();
    throw new TypeError(
      `spawn(${body.exportName}): the arguments cannot be sent to a thread: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  recordChild(worker.threadId);
  destination.bind(worker.threadId);
  return new JoinHandle<R>({ id: worker.threadId, name }, worker, state, port1);
}

/** @internal Used by the worker entry point to report a finished body. */
export const internals = { RUNNING, FINISHED, PANICKED, DIED, EXIT_CODE, kBody };
