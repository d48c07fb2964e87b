/**
 * The stub log: a record, readable by every thread of the process, of the threads whose body ended in a `todo()`
 * stub (todo.ts), so a test runner can say "still a stub: F (thrown in thread 'x')" when a test fails because a
 * thread it started hit a stub, even when the test never joins that thread and fails with some other error
 * (a disconnected channel, a missing message).
 *
 * Each record carries a tag: the value of the log's epoch word when the thread's root ancestor was spawned from
 * the main thread (threads spawned by threads inherit their parent's tag). A test runner bumps the epoch before
 * each test (`beginStubWatch`) and afterwards reads the records carrying that tag (`threadStubsOf`): the threads
 * that test started, directly or not.
 *
 * Memory layout (one fixed SharedArrayBuffer, created by the main thread on first use and inherited by every
 * thread through its start data, like the thread registry):
 *
 *   bytes 0..15    header, Int32 words: 0 WRITE_END (byte offset where the next record goes), 1 EPOCH,
 *                  2 DROPPED (records that did not fit)
 *   records        at 4-aligned offsets: Int32 LENGTH (0 until the record is complete), Int32 TAG, then LENGTH
 *                  bytes of UTF-8 JSON `{ milestone, functionName, thread }`, padded to 4 bytes
 *
 * A writer reserves its space with one Atomics.add on WRITE_END, fills it, then publishes LENGTH with
 * Atomics.store; a reader walks records up to WRITE_END and stops at the first one not yet published.
 *
 * Trust: the code under test runs in the same process and can write here too. A record can only change the words
 * of a test that already failed (the checkpoint runner never turns a verdict on it), so a forged record misleads
 * nobody but its author.
 *
 * Invariants (checked when KIT_DEBUG=1):
 *   S1  a thread records its stub before it releases its endpoints and publishes its end (worker-main.ts), so a
 *       peer that sees the thread's channels disconnect or its join return can already read the record;
 *   S2  LENGTH is written once, after the record's bytes; a record never overlaps another.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { check, DEBUG } from './debug.ts';

const HEADER_BYTES = 16;
const WRITE_END = 0;
const EPOCH = 1;
const DROPPED = 2;
const LOG_BYTES = 256 * 1024;
/** A record's JSON is cut to this many bytes' worth of names (names longer than this are not real ones). */
const MAX_NAME = 200;

export interface StubLogWire {
  readonly buffer: SharedArrayBuffer;
  readonly tag: number;
}

/** One thread that ended in a stub: the stub's milestone and function, and the thread's name. */
export interface ThreadStub {
  readonly milestone: string;
  readonly functionName: string;
  readonly thread: string;
}

const GLOBAL_KEY = Symbol.for('threadkit.stubLog');

interface Log {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  /** This thread's tag (worker threads: inherited; the main thread: read from EPOCH at each spawn). */
  readonly tag: number | undefined;
}

function adopt(): Log {
  const inherited = (workerData as { __threadkit?: { stubs?: StubLogWire } } | null)?.__threadkit?.stubs;
  if (!isMainThread && inherited) {
    return { buffer: inherited.buffer, words: new Int32Array(inherited.buffer, 0, 4), tag: inherited.tag };
  }
  // The main thread may load the kit more than once (a test runner's own copy beside the tests'): one log.
  const holder = globalThis as { [GLOBAL_KEY]?: SharedArrayBuffer };
  let buffer = holder[GLOBAL_KEY];
  if (buffer === undefined) {
    buffer = new SharedArrayBuffer(LOG_BYTES);
    Atomics.store(new Int32Array(buffer, 0, 4), WRITE_END, HEADER_BYTES);
    holder[GLOBAL_KEY] = buffer;
  }
  return { buffer, words: new Int32Array(buffer, 0, 4), tag: undefined };
}

let log: Log | undefined;
const theLog = (): Log => (log ??= adopt());

/** What a thread being spawned inherits: the log, and the tag of the test it belongs to. */
export function stubLogWire(): StubLogWire {
  const l = theLog();
  return { buffer: l.buffer, tag: l.tag ?? Atomics.load(l.words, EPOCH) };
}

/** Start a new epoch (before a test, on the main thread): threads spawned from now on carry the tag returned. */
export function beginStubWatch(): number {
  return Atomics.add(theLog().words, EPOCH, 1) + 1;
}

const clip = (s: string): string => (s.length > MAX_NAME ? `${s.slice(0, MAX_NAME)}…` : s);

/** Record that this thread's body ended in `stub` (called by the thread itself, before it releases anything). */
export function recordThreadStub(stub: ThreadStub): void {
  const l = theLog();
  const tag = l.tag ?? Atomics.load(l.words, EPOCH);
  const json = JSON.stringify({
    milestone: clip(stub.milestone),
    functionName: clip(stub.functionName),
    thread: clip(stub.thread),
  });
  const bytes = new TextEncoder().encode(json);
  const size = 8 + Math.ceil(bytes.length / 4) * 4;
  const at = Atomics.add(l.words, WRITE_END, size);
  if (at + size > l.buffer.byteLength) {
    Atomics.add(l.words, DROPPED, 1);
    return;
  }
  const record = new Int32Array(l.buffer, at, 2);
  if (DEBUG) check(Atomics.load(record, 0) === 0, 'S2', `stub record at ${at} was already published`);
  Atomics.store(record, 1, tag);
  new Uint8Array(l.buffer, at + 8, bytes.length).set(bytes);
  Atomics.store(record, 0, bytes.length);
}

function isStub(value: unknown): value is ThreadStub {
  const v = value as Partial<Record<keyof ThreadStub, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.milestone === 'string' &&
    typeof v.functionName === 'string' &&
    typeof v.thread === 'string'
  );
}

/** The threads carrying `tag` that ended in a stub, in the order they recorded it (the first is the earliest). */
export function threadStubsOf(tag: number): ThreadStub[] {
  const l = theLog();
  const end = Math.min(Atomics.load(l.words, WRITE_END), l.buffer.byteLength);
  const found: ThreadStub[] = [];
  const decoder = new TextDecoder();
  for (let at = HEADER_BYTES; at + 8 <= end; ) {
    const record = new Int32Array(l.buffer, at, 2);
    const length = Atomics.load(record, 0);
    if (length <= 0 || at + 8 + length > end) break; // not published yet (or not a record): nothing after it is read
    if (Atomics.load(record, 1) === tag) {
      // Copied out first: TextDecoder does not read shared memory.
      const text = decoder.decode(new Uint8Array(l.buffer, at + 8, length).slice());
      try {
        const value: unknown = JSON.parse(text);
        if (isStub(value)) found.push(value);
      } catch {
        // not a record this module wrote: skipped
      }
    }
    at += 8 + Math.ceil(length / 4) * 4;
  }
  return found;
}
