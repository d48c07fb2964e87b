/**
 * A channel's memory map: the control words (indices into an Int32Array) and the byte ring, and how both are made.
 * The other channel modules agree on these indices and on nothing else.
 *
 * Two SharedArrayBuffers per channel:
 *   ctl   Int32Array of CTL_WORDS control words (indices below)
 *   data  a byte ring in a growable SharedArrayBuffer; its size is a power of two (RING_SIZE)
 *
 * Messages are records in the ring, each starting at an 8-aligned position. A codec with a fixed size (numbers)
 * writes its value with no header; otherwise a record is [i32 length][payload], and a negative length -k means
 * "skip k bytes": the record did not fit before the physical end of the ring and starts again at offset 0.
 * HEAD and TAIL are absolute byte positions that wrap at 2^32; the physical offset is `pos & (RING_SIZE - 1)`.
 *
 * Who writes what:
 *   SEND_LOCK (+waiter count)  taken by a sender for one write; owner-tracked (owner-lock.ts). A sender that
 *                              holds the only Sender skips it (nobody else can be sending; see ring.ts, needsLock)
 *   RECV_LOCK (+waiter count)  taken by a receiver for one read; skipped likewise by the only Receiver
 *   TAIL, SENT                 written by the sending side: payload first, then TAIL (a plain write: only
 *                              senders read it), then SENT (a receiver that sees SENT move sees the payload)
 *   HEAD, RECEIVED             written by the receiving side
 *   RING_SIZE                  written only while holding both locks (growing the ring)
 *   CAPACITY                   written once at creation: UNBOUNDED, 0 (rendezvous) or the bound
 *   SENDERS, RECEIVERS         live endpoint counts; change with clone/close/thread death (counter.ts)
 *   HOLDERS_USED               high-water mark of holder slots ever claimed (scans stop there)
 *   HOLDERS                    per-thread slots [threadId+1, senders, receivers, parked receivers, parked senders]
 *                              (counter.ts)
 *   RX_WAITERS / RX_SIGNAL     receivers (and selectors) about to park / the word they park on (waker.ts)
 *   TX_WAITERS / TX_SIGNAL     the same for senders waiting for room (or for pickup, on a rendezvous channel)
 *   SELECTORS + slots          threads parked in `select` on this channel; woken through their registry waker
 *
 * Invariants: the words are grouped by writer into separate 64-byte cache lines (16 words), so that the words one
 * side writes on every message never share a line with the words the other side writes.
 */
import type { Codec } from '../../codec.ts';

// Line 0: written by senders on every message.
export const SEND_LOCK = 0; // +1: waiters
export const TAIL = 2;
export const SENT = 3;
// Line 1: written by receivers on every message.
export const RECV_LOCK = 16; // +1: waiters
export const HEAD = 18;
export const RECEIVED = 19;
// Line 2: read on every message, written rarely (growth, clone/close).
export const CAPACITY = 32;
export const RING_SIZE = 33;
export const SENDERS = 34;
export const RECEIVERS = 35;
export const HOLDERS_USED = 36;
// Line 3: written when a receiver parks, read by senders on every message.
export const RX_WAITERS = 48;
export const RX_SIGNAL = 49;
export const SELECTORS = 50;
// Line 4: written when a sender parks, read by receivers on every message.
export const TX_WAITERS = 64;
export const TX_SIGNAL = 65;
// Lines 5+: selector registrations and per-thread endpoint counts.
export const SELECTOR_SLOTS = 80;
export const SELECTOR_SLOT_COUNT = 8;
export const HOLDERS = 96;
export const HOLDER_WORDS = 5;
export const HOLDER_SENDERS = 1;
export const HOLDER_RECEIVERS = 2;
export const HOLDER_RX_PARKED = 3;
export const HOLDER_TX_PARKED = 4;
export const HOLDER_SLOTS = 128;
export const CTL_WORDS = HOLDERS + HOLDER_SLOTS * HOLDER_WORDS;

/**
 * On CPUs that keep stores in order (x86-64) channels publish with plain stores (ring.ts, header) and read the waiter
 * counts on every message with plain loads (waker.ts), unless KIT_FENCED_PUBLISH=1 (read once, at load) asks for
 * `Atomics.store`/`Atomics.load` everywhere. Written out at each access, not as a helper function: a call between the
 * two stores of a publishing pair would be a place where a terminated thread can stop (ring.ts).
 */
export const PLAIN_PUBLISH: boolean =
  (process.arch === 'x64' || process.arch === 'ia32') && process.env.KIT_FENCED_PUBLISH !== '1';

export const UNBOUNDED = -1;
export const MIN_RING = 1024;
/** Default ceiling for one channel's ring; reserved address space only, memory is committed as it grows. */
export const DEFAULT_MAX_BYTES = 1 << 30;

export interface ChannelOptions<T> {
  /** How values are encoded in shared memory; `structured()` (any cloneable value) by default. */
  readonly codec?: Codec<T>;
  /** Initial ring size in bytes (rounded up to a power of two); it grows as needed. */
  readonly initialBytes?: number;
  /** The most memory the ring may grow to; a send that would need more throws a RangeError. */
  readonly maxBytes?: number;
}

export function nextPowerOfTwo(n: number): number {
  let size = MIN_RING;
  while (size < n) size *= 2;
  return size;
}

export function nextPowerOfTwo8(n: number): number {
  let size = 8;
  while (size < n) size *= 2;
  return size;
}

export const align8 = (n: number): number => (n + 7) & ~7;

/** The two buffers of a new channel of `capacity` (UNBOUNDED, 0 or a bound) encoded with `codec`. */
export function createBuffers(
  capacity: number,
  codec: Codec<unknown>,
  options: ChannelOptions<unknown>,
): {
  ctl: SharedArrayBuffer;
  data: SharedArrayBuffer;
} {
  const maxBytes = nextPowerOfTwo(options.maxBytes ?? DEFAULT_MAX_BYTES);
  const guess = options.initialBytes ?? (capacity > 0 ? capacity * (codec.fixedSize ?? 64) : 64 * 1024);
  const initial = Math.min(maxBytes, nextPowerOfTwo(guess));
  const ctl = new SharedArrayBuffer(CTL_WORDS * 4);
  const words = new Int32Array(ctl);
  words[CAPACITY] = capacity;
  words[RING_SIZE] = initial;
  const data = new SharedArrayBuffer(initial, { maxByteLength: maxBytes });
  return { ctl, data };
}
