/**
 * The thread registry: one shared table per process that every kit thread can read, so that a survivor can
 * tell whether the holder of a channel endpoint or a lock is still alive.
 *
 * Memory layout (Int32Array over a growable SharedArrayBuffer; it only ever grows):
 *
 *   word 0            DEATH_EPOCH   bumped (Atomics.add) every time a thread is marked dead
 *   words 1..15       reserved (DEATH_EPOCH is read on every channel send: its cache line changes only at deaths)
 *   word 16           STARTED       threads ever recorded in this process (the main thread, then one per spawn)
 *   word 17           PARKED_COUNT  threads asleep in a blocking wait right now (the PARKED words that are 1)
 *   words 18..31      reserved
 *   words 32 + 4t ..  one record per Node threadId t:
 *       +0  PARENT    parent's threadId + 1 (0: unknown, i.e. a root thread)
 *       +1  DEAD      1 once thread t has exited (written once, never cleared)
 *       +2  WAKER     a word that thread t parks on while it waits for several things at once (select);
 *                     anyone who wants to wake it adds 1 and notifies
 *       +3  PARKED    1 while thread t sleeps in a blocking wait (wait.ts), so that others can see that
 *                     spinning for it cannot pay; written only by thread t
 *
 * Who writes what:
 *   - PARENT is written by the spawning thread right after `new Worker()`, before the child can run kit code
 *     that matters (the child only reads it through isThreadDead, and a missing link only means "alive").
 *   - DEAD is written by the parent when its Worker emits `exit`, by a thread that terminates a worker (once
 *     the worker has stopped, never before: a live thread marked dead could lose a lock it holds), or by the
 *     dying thread itself from its process `exit` hook. A thread counts as dead when it or any ancestor is
 *     marked: Node ends a worker's own workers when the worker exits.
 *   - WAKER is bumped by anyone, waited on only by its own thread.
 *
 * STARTED − DEATH_EPOCH − PARKED_COUNT estimates the kit threads that want a core (`runnableThreads`): a waiter
 * that spins while more threads want a core than there are cores holds one that another thread waits for.
 *
 * Nobody waits on DEATH_EPOCH: waiters wake in bounded slices (PARK_SLICE_MS) and compare the epoch with the
 * one they saw last, so a death is noticed within one slice without a signal from the dead thread.
 *
 * Invariants (checked when KIT_DEBUG=1):
 *   G1  DEAD goes from 0 to 1 once and is never cleared; DEATH_EPOCH only grows (bumped once per thread marked);
 *   G2  PARKED is written only by its own thread, and a thread never parks while already marked parked;
 *   G3  PARKED_COUNT is never negative: it is raised before a PARKED word is set, and lowered only by whoever
 *       clears that word (the thread itself, or markDead for a thread that died parked), once.
 */
import { isMainThread, threadId, workerData } from 'node:worker_threads';
import { check, DEBUG } from './debug.ts';

const HEADER_WORDS = 32;
const RECORD_WORDS = 4;
const DEATH_EPOCH = 0;
const STARTED = 16;
const PARKED_COUNT = 17;
const PARENT = 0;
const DEAD = 1;
const WAKER = 2;
const PARKED = 3;
const INITIAL_THREADS = 1024;
const MAX_THREADS = 1 << 20;

/** How long a blocked thread sleeps at most before it re-checks for dead peers. */
export const PARK_SLICE_MS = 50;

export interface RegistryWire {
  readonly buffer: SharedArrayBuffer;
}

function bytesFor(threads: number): number {
  return (HEADER_WORDS + threads * RECORD_WORDS) * 4;
}

function adoptOrCreate(): SharedArrayBuffer {
  const inherited = (workerData as { __threadkit?: { registry?: RegistryWire } } | null)?.__threadkit?.registry;
  if (!isMainThread && inherited) return inherited.buffer;
  const created = new SharedArrayBuffer(bytesFor(INITIAL_THREADS), { maxByteLength: bytesFor(MAX_THREADS) });
  new Int32Array(created)[STARTED] = 1; // this thread, the root
  return created;
}

const buffer = adoptOrCreate();
// Fixed-length views, rebuilt when the buffer has grown: V8 (Node 20) accesses length-tracking views of a
// growable buffer about 20× slower, and deathEpoch() is read on every channel operation.
const viewAll = (): Int32Array => new Int32Array(buffer, 0, buffer.byteLength >> 2);
let words = viewAll();

function ensure(tid: number): Int32Array {
  const needed = bytesFor(tid + 1);
  if (buffer.byteLength < needed) {
    if (tid >= MAX_THREADS) throw new RangeError(`threadkit: thread id ${tid} is beyond the registry's limit`);
    const target = Math.min(bytesFor(MAX_THREADS), Math.max(needed, buffer.byteLength * 2));
    try {
      buffer.grow(target);
    } catch (error) {
      // Another thread may have grown it concurrently to a size we can live with.
      if (buffer.byteLength < needed) throw error;
    }
  }
  if (words.length * 4 < needed) words = viewAll();
  return words;
}

function base(tid: number): number {
  return HEADER_WORDS + tid * RECORD_WORDS;
}

export function registryWire(): RegistryWire {
  return { buffer };
}

/** The current thread's Node threadId (0 on the main thread). */
export const selfId: number = threadId;

export function recordChild(childId: number, parentId: number = selfId): void {
  const w = ensure(childId);
  Atomics.store(w, base(childId) + PARENT, parentId + 1);
  Atomics.add(w, STARTED, 1);
}

export function markDead(tid: number): void {
  const w = ensure(tid);
  const was = Atomics.compareExchange(w, base(tid) + DEAD, 0, 1);
  if (was === 0) Atomics.add(w, DEATH_EPOCH, 1);
  else if (DEBUG) check(was === 1, 'G1', `thread ${tid}'s DEAD word holds ${was}`);
  // Killed while asleep in a wait (it never ran the code that unmarks it): it no longer counts as parked (G3).
  if (tid !== selfId && Atomics.compareExchange(w, base(tid) + PARKED, 1, 0) === 1) uncountParked(w);
}

function uncountParked(w: Int32Array): void {
  const before = Atomics.sub(w, PARKED_COUNT, 1);
  if (DEBUG) check(before > 0, 'G3', `PARKED_COUNT was ${before} when a thread left it`);
}

/**
 * Kit threads of this process that want a core: alive and not asleep in a blocking wait (an estimate, from plain
 * reads: a thread busy outside the kit, or idle in its event loop, counts as wanting one).
 */
export function runnableThreads(): number {
  return words[STARTED]! - words[DEATH_EPOCH]! - words[PARKED_COUNT]!;
}

/** True when thread `tid`, or a thread that (transitively) spawned it, has exited. */
export function isThreadDead(tid: number): boolean {
  let t = tid;
  for (let hops = 0; hops < 4096; hops++) {
    if (t === selfId) return false;
    const needed = bytesFor(t + 1);
    if (buffer.byteLength < needed) return false;
    if (words.length * 4 < needed) words = viewAll();
    const b = base(t);
    if (Atomics.load(words, b + DEAD) === 1) return true;
    const parent = Atomics.load(words, b + PARENT) - 1;
    if (parent < 0) return false;
    t = parent;
  }
  return false;
}

export function deathEpoch(): number {
  return Atomics.load(words, DEATH_EPOCH);
}

/**
 * `deathEpoch` as a plain read, for the checks made on every message (on Node 20 an atomic load is a call of about
 * 5 ns, a plain one under 1 ns). It cannot miss a death that happened before the caller synchronized with the
 * thread that marked it (no read may see a value overwritten before it in happens-before order, atomic or not); a
 * death racing with the call is seen by a later one, as it would be had the death come a moment later.
 */
export function deathEpochRelaxed(): number {
  return words[DEATH_EPOCH]!;
}

/** The word a thread parks on while waiting for any of several events; see `wakeThread`. */
export function wakerCell(tid: number = selfId): { readonly words: Int32Array; readonly index: number } {
  const w = ensure(tid);
  return { words: w, index: base(tid) + WAKER };
}

export function wakeThread(tid: number): void {
  const cell = wakerCell(tid);
  Atomics.add(cell.words, cell.index, 1);
  Atomics.notify(cell.words, cell.index);
}

ensure(selfId);
const ownParked = base(selfId) + PARKED;

/** Publish whether the calling thread is asleep in a blocking wait (wait.ts). */
export function setParked(parked: boolean): void {
  // Counted before the word is set and uncounted after it is cleared, and only by whoever clears it (this thread,
  // or markDead once it has died): a thread killed in between leaves the count one too high, never negative (G3).
  if (parked) Atomics.add(words, PARKED_COUNT, 1);
  const was = Atomics.exchange(words, ownParked, parked ? 1 : 0);
  if (DEBUG) check(was === (parked ? 0 : 1), 'G2', `PARKED was ${was} when it became ${parked ? 1 : 0}`);
  if (!parked && was === 1) uncountParked(words);
}

/** True while thread `tid` sleeps in a blocking wait: spinning for it to act cannot pay. */
export function isThreadParked(tid: number): boolean {
  const needed = bytesFor(tid + 1);
  if (buffer.byteLength < needed) return false;
  if (words.length * 4 < needed) words = viewAll();
  return Atomics.load(words, base(tid) + PARKED) === 1;
}
