/**
 * Channels with the semantics of Rust's std::sync::mpsc, plus what crossbeam-channel adds (multiple receivers,
 * timeouts on both sides, select), usable from any thread.
 *
 *   channel<T>()          unbounded: `send` never blocks
 *   syncChannel<T>(n)     bounded to n messages: `send` blocks while n are queued; n = 0 is a rendezvous, where
 *                         `send` returns only once a receiver has taken the message
 *
 * ── Memory layout ───────────────────────────────────────────────────────────────────────────────────────────
 * Two SharedArrayBuffers per channel:
 *   ctl   Int32Array of CTL_WORDS control words (indices below)
 *   data  a byte ring in a growable SharedArrayBuffer; its size is a power of two (RING_SIZE)
 *
 * Messages are records in the ring, each starting at an 8-aligned position. A codec with a fixed size (numbers)
 * writes its value with no header; otherwise a record is [i32 length][payload], and a negative length -k means
 * "skip k bytes": the record did not fit before the physical end of the ring and starts again at offset 0.
 * HEAD and TAIL are absolute byte positions that wrap at 2^32; the physical offset is `pos & (RING_SIZE - 1)`.
 *
 * ── Who writes what ─────────────────────────────────────────────────────────────────────────────────────────
 *   SEND_LOCK (+waiter count)  taken by a sender for one write; owner-tracked (owner-lock.ts). A sender that
 *                              holds the only Sender skips it (nobody else can be sending; see needsLock)
 *   RECV_LOCK (+waiter count)  taken by a receiver for one read; skipped likewise by the only Receiver
 *   TAIL, SENT                 written by the sending side: payload first, then TAIL (a plain write: only
 *                              senders read it), then SENT (a receiver that sees SENT move sees the payload)
 *   HEAD, RECEIVED             written by the receiving side
 *   RING_SIZE                  written only while holding both locks (growing the ring). A locked reader sees a
 *                              stable value; the lock-free sole receiver re-reads it after decoding and reads
 *                              the record again if the ring grew meanwhile (readRecord)
 *   SENDERS, RECEIVERS         live endpoint counts; change with clone/close/thread death
 *   HOLDERS                    per-thread counts (slot = [threadId+1, senders, receivers, parked receivers,
 *                              parked senders]), so that the endpoints and waiter counts of a thread that died
 *                              can be released by whoever notices (reclaimDead)
 *   RX_WAITERS / RX_SIGNAL     receivers (and selectors) that are about to park / the word they park on. A
 *                              thread adds to the total before its slot and removes from its slot first, so a
 *                              thread killed in between leaves the total too high (a spare notify), never low
 *   TX_WAITERS / TX_SIGNAL     the same for senders waiting for room (or for pickup, on a rendezvous channel)
 *   SELECTORS + slots          threads parked in `select` on this channel; woken through their registry waker
 *
 * ── What a waiter waits on ──────────────────────────────────────────────────────────────────────────────────
 * A receiver parks on RX_SIGNAL until a message is published (SENT changes) or SENDERS reaches 0; a sender parks
 * on TX_SIGNAL until there is room, the receiver picked up its message (rendezvous), or RECEIVERS reaches 0.
 * Whoever changes one of those conditions bumps the signal word, then notifies, but only if the waiter count is
 * non-zero: the hot path of an uncontended send costs no notify. Waiters sleep in slices (park.ts) and on each
 * wake-up release the endpoints of threads that died in the meantime, so a peer that crashes or is terminated
 * never leaves anyone waiting forever.
 *
 * Growing: an unbounded channel, or a bounded one whose messages are larger than expected, doubles its ring
 * while holding both locks; records keep their absolute positions, only their physical offsets are recomputed.
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
import { type Codec, type CodecSpec, codecFromSpec, type RingViews, structured } from './codec.ts';
import { type Destination, registerKind, share, type WireHandle } from './internal/handles.ts';
import { acquire, release } from './internal/owner-lock.ts';
import { type Deadline, deadlineAfter, parkSlice, parkSliceAsync, SPIN_LIMIT } from './internal/park.ts';
import { deathEpoch, isThreadDead, selfId, wakeThread } from './internal/registry.ts';
import { type Releasable, track, untrack } from './internal/thread-scope.ts';
import { err, ok, type Result } from './result.ts';

export * from './channel-errors.ts';

// Control words, grouped by writer into separate 64-byte cache lines (16 words): words that one side writes
// on every message must not share a line with words the other side writes, or each message would bounce the
// line between the two cores.
// Line 0: written by senders on every message.
const SEND_LOCK = 0; // +1: waiters
const TAIL = 2;
const SENT = 3;
// Line 1: written by receivers on every message.
const RECV_LOCK = 16; // +1: waiters
const HEAD = 18;
const RECEIVED = 19;
// Line 2: read on every message, written rarely (growth, clone/close).
const CAPACITY = 32;
const RING_SIZE = 33;
const SENDERS = 34;
const RECEIVERS = 35;
// Line 3: written when a receiver parks, read by senders on every message.
const RX_WAITERS = 48;
const RX_SIGNAL = 49;
const SELECTORS = 50;
// Line 4: written when a sender parks, read by receivers on every message.
const TX_WAITERS = 64;
const TX_SIGNAL = 65;
// Lines 5+: selector registrations and per-thread endpoint counts.
const SELECTOR_SLOTS = 80;
const SELECTOR_SLOT_COUNT = 8;
const HOLDERS = 96;
const HOLDER_WORDS = 5;
const HOLDER_RX_PARKED = 3;
const HOLDER_TX_PARKED = 4;
const HOLDER_SLOTS = 128;
const CTL_WORDS = HOLDERS + HOLDER_SLOTS * HOLDER_WORDS;

const UNBOUNDED = -1;
const MIN_RING = 1024;
/** Default ceiling for one channel's ring; reserved address space only, memory is committed as it grows. */
const DEFAULT_MAX_BYTES = 1 << 30;

export interface ChannelOptions<T> {
  /** How values are encoded in shared memory; `structured()` (any cloneable value) by default. */
  readonly codec?: Codec<T>;
  /** Initial ring size in bytes (rounded up to a power of two); it grows as needed. */
  readonly initialBytes?: number;
  /** The most memory the ring may grow to; a send that would need more throws a RangeError. */
  readonly maxBytes?: number;
}

interface ChannelWire extends WireHandle {
  readonly ctl: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  readonly codec: CodecSpec;
}

const EMPTY: unique symbol = Symbol('empty');
const DISCONNECTED: unique symbol = Symbol('disconnected');
type Polled<T> = T | typeof EMPTY | typeof DISCONNECTED;

function nextPowerOfTwo(n: number): number {
  let size = MIN_RING;
  while (size < n) size *= 2;
  return size;
}

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * The shared state of one channel as seen from one thread. Every endpoint of the channel in this thread refers
 * to one of these (clones share it; a handle revived in another thread gets its own).
 */
class ChannelCore<T> {
  readonly ctl: Int32Array;
  readonly data: SharedArrayBuffer;
  readonly codec: Codec<T>;
  private readonly recordSize: number | undefined;
  private ringSize = 0;
  private views!: RingViews;
  // -1, not the current epoch: a core revived in a thread that starts after a peer died must still scan once.
  private seenEpoch = -1;
  private cachedSlot = -1;
  // Last values seen of the other side's counters. They only grow (mod 2^32), so a stale copy is a safe
  // lower bound: a sender re-reads RECEIVED/HEAD only when the queue looks full, a receiver re-reads SENT only
  // when it looks empty. This keeps each side off the other's cache line while data flows.
  private seenReceived = 0;
  private soleSender = false;
  private soleReceiver = false;
  private seenHead = 0;
  private seenSent = 0;

  constructor(ctl: SharedArrayBuffer, data: SharedArrayBuffer, codec: Codec<T>) {
    this.ctl = new Int32Array(ctl);
    this.data = data;
    this.codec = codec;
    this.recordSize = codec.fixedSize === undefined ? undefined : nextPowerOfTwo8(codec.fixedSize);
    this.seenReceived = Atomics.load(this.ctl, RECEIVED);
    this.seenHead = this.loadHead();
    this.seenSent = Atomics.load(this.ctl, SENT);
    this.refreshViews();
  }

  wire(kind: string): ChannelWire {
    return { __threadkit: kind, ctl: this.ctl.buffer as SharedArrayBuffer, data: this.data, codec: this.codec.spec };
  }

  get capacity(): number | undefined {
    const cap = this.ctl[CAPACITY]!;
    return cap === UNBOUNDED ? undefined : cap;
  }

  len(): number {
    return Math.max(0, (Atomics.load(this.ctl, SENT) - Atomics.load(this.ctl, RECEIVED)) | 0);
  }

  private refreshViews(): void {
    const size = Atomics.load(this.ctl, RING_SIZE);
    if (size === this.ringSize) return;
    this.ringSize = size;
    this.views = {
      bytes: Buffer.from(this.data, 0, size),
      view: new DataView(this.data, 0, size),
      f64: new Float64Array(this.data, 0, size >> 3),
      i32: new Int32Array(this.data, 0, size >> 2),
    };
  }

  // ── endpoint accounting ──────────────────────────────────────────────────────────────────────────────────

  /** Add `senders`/`receivers` to thread `tid`'s holder slot (negative to remove). */
  adjustHolder(tid: number, senders: number, receivers: number): void {
    const ctl = this.ctl;
    const key = tid + 1;
    for (let attempt = 0; attempt < 2; attempt++) {
      for (let slot = HOLDERS; slot < CTL_WORDS; slot += HOLDER_WORDS) {
        if (Atomics.load(ctl, slot) === key) return this.addToSlot(slot, senders, receivers);
      }
      for (let slot = HOLDERS; slot < CTL_WORDS; slot += HOLDER_WORDS) {
        if (Atomics.compareExchange(ctl, slot, 0, key) === 0) return this.addToSlot(slot, senders, receivers);
      }
      this.reclaimDead();
    }
    // Every slot is taken by a live thread: the endpoint is counted in the totals only, and will not be
    // released automatically if this thread dies without closing it.
  }

  private addToSlot(slot: number, senders: number, receivers: number): void {
    if (senders) Atomics.add(this.ctl, slot + 1, senders);
    if (receivers) Atomics.add(this.ctl, slot + 2, receivers);
  }

  addEndpoint(kind: 'sender' | 'receiver'): void {
    this.soleSender = false;
    this.soleReceiver = false;
    Atomics.add(this.ctl, kind === 'sender' ? SENDERS : RECEIVERS, 1);
    this.adjustHolder(selfId, kind === 'sender' ? 1 : 0, kind === 'receiver' ? 1 : 0);
  }

  removeEndpoint(kind: 'sender' | 'receiver'): void {
    this.adjustHolder(selfId, kind === 'sender' ? -1 : 0, kind === 'receiver' ? -1 : 0);
    if (kind === 'sender') {
      if (Atomics.sub(this.ctl, SENDERS, 1) === 1) this.signalRx();
    } else if (Atomics.sub(this.ctl, RECEIVERS, 1) === 1) {
      this.signalTx();
    }
  }

  /** Release the endpoints and selector registrations of threads that have died. */
  reclaimDead(): void {
    const ctl = this.ctl;
    for (let slot = HOLDERS; slot < CTL_WORDS; slot += HOLDER_WORDS) {
      const key = Atomics.load(ctl, slot);
      if (key <= 0 || !isThreadDead(key - 1)) continue;
      if (Atomics.compareExchange(ctl, slot, key, -1) !== key) continue;
      const senders = Atomics.exchange(ctl, slot + 1, 0);
      const receivers = Atomics.exchange(ctl, slot + 2, 0);
      // A thread killed while parked never ran its `finally`: uncount it, or senders would keep believing that
      // a receiver waits (a rendezvous trySend would then "succeed" with nobody there).
      const rxParked = Atomics.exchange(ctl, slot + HOLDER_RX_PARKED, 0);
      const txParked = Atomics.exchange(ctl, slot + HOLDER_TX_PARKED, 0);
      Atomics.store(ctl, slot, 0);
      if (rxParked > 0) Atomics.sub(ctl, RX_WAITERS, rxParked);
      if (txParked > 0) Atomics.sub(ctl, TX_WAITERS, txParked);
      if (senders > 0 && Atomics.sub(ctl, SENDERS, senders) === senders) this.signalRx();
      if (receivers > 0 && Atomics.sub(ctl, RECEIVERS, receivers) === receivers) this.signalTx();
    }
    for (let slot = SELECTOR_SLOTS; slot < SELECTOR_SLOTS + SELECTOR_SLOT_COUNT; slot++) {
      const key = Atomics.load(ctl, slot);
      if (key > 0 && isThreadDead(key - 1) && Atomics.compareExchange(ctl, slot, key, 0) === key) {
        Atomics.sub(ctl, SELECTORS, 1);
        Atomics.sub(ctl, RX_WAITERS, 1);
      }
    }
  }

  private reclaimIfSomeoneDied(): void {
    const epoch = deathEpoch();
    if (epoch !== this.seenEpoch) {
      this.seenEpoch = epoch;
      this.reclaimDead();
    }
  }

  // ── signalling ───────────────────────────────────────────────────────────────────────────────────────────

  signalRx(): void {
    const ctl = this.ctl;
    if (Atomics.load(ctl, RX_WAITERS) > 0) {
      Atomics.add(ctl, RX_SIGNAL, 1);
      Atomics.notify(ctl, RX_SIGNAL);
      if (Atomics.load(ctl, SELECTORS) > 0) {
        for (let slot = SELECTOR_SLOTS; slot < SELECTOR_SLOTS + SELECTOR_SLOT_COUNT; slot++) {
          const key = Atomics.load(ctl, slot);
          if (key > 0) wakeThread(key - 1);
        }
      }
    }
  }

  signalTx(): void {
    const ctl = this.ctl;
    if (Atomics.load(ctl, TX_WAITERS) > 0) {
      Atomics.add(ctl, TX_SIGNAL, 1);
      Atomics.notify(ctl, TX_SIGNAL);
    }
  }

  /** Register the calling thread as a selector; false when every slot is taken (the caller then polls). */
  addSelector(): boolean {
    const ctl = this.ctl;
    // Counts first, slot last (and the reverse on removal): reclaimDead uncounts a dead thread's slot, so a
    // thread killed in between must leave the counts too high rather than too low.
    Atomics.add(ctl, SELECTORS, 1);
    Atomics.add(ctl, RX_WAITERS, 1);
    for (let slot = SELECTOR_SLOTS; slot < SELECTOR_SLOTS + SELECTOR_SLOT_COUNT; slot++) {
      if (Atomics.compareExchange(ctl, slot, 0, selfId + 1) === 0) return true;
    }
    Atomics.sub(ctl, RX_WAITERS, 1);
    Atomics.sub(ctl, SELECTORS, 1);
    return false;
  }

  removeSelector(): void {
    const ctl = this.ctl;
    for (let slot = SELECTOR_SLOTS; slot < SELECTOR_SLOTS + SELECTOR_SLOT_COUNT; slot++) {
      if (Atomics.compareExchange(ctl, slot, selfId + 1, 0) === selfId + 1) {
        Atomics.sub(ctl, RX_WAITERS, 1);
        Atomics.sub(ctl, SELECTORS, 1);
        return;
      }
    }
  }

  /** The calling thread's holder slot (found or claimed), or -1 when every slot is taken. */
  private ownSlot(): number {
    const ctl = this.ctl;
    const key = selfId + 1;
    if (this.cachedSlot >= 0 && Atomics.load(ctl, this.cachedSlot) === key) return this.cachedSlot;
    for (let slot = HOLDERS; slot < CTL_WORDS; slot += HOLDER_WORDS) {
      if (Atomics.load(ctl, slot) === key) return (this.cachedSlot = slot);
    }
    for (let slot = HOLDERS; slot < CTL_WORDS; slot += HOLDER_WORDS) {
      if (Atomics.compareExchange(ctl, slot, 0, key) === 0) return (this.cachedSlot = slot);
    }
    return -1;
  }

  /** Count the calling thread in `waiters` (RX_WAITERS or TX_WAITERS) and in its holder slot; see the header. */
  private parked(waiters: number): void {
    const ctl = this.ctl;
    Atomics.add(ctl, waiters, 1);
    const slot = this.ownSlot();
    if (slot >= 0) Atomics.add(ctl, slot + (waiters === RX_WAITERS ? HOLDER_RX_PARKED : HOLDER_TX_PARKED), 1);
  }

  private unparked(waiters: number): void {
    const ctl = this.ctl;
    const slot = this.ownSlot();
    if (slot >= 0) Atomics.sub(ctl, slot + (waiters === RX_WAITERS ? HOLDER_RX_PARKED : HOLDER_TX_PARKED), 1);
    Atomics.sub(ctl, waiters, 1);
  }

  // ── conditions ───────────────────────────────────────────────────────────────────────────────────────────

  private limit(): number {
    const cap = this.ctl[CAPACITY]!;
    return cap === UNBOUNDED ? Infinity : Math.max(cap, 1);
  }

  /** Some receiver is parked waiting for a message (what makes a rendezvous trySend possible). */
  receiverWaiting(): boolean {
    this.reclaimIfSomeoneDied();
    return Atomics.load(this.ctl, RX_WAITERS) > 0;
  }

  receiversGone(): boolean {
    return Atomics.load(this.ctl, RECEIVERS) <= 0;
  }

  /** A receiver would not block: a message is queued or every sender is gone. */
  readyToReceive(): boolean {
    const ctl = this.ctl;
    return Atomics.load(ctl, SENT) !== Atomics.load(ctl, RECEIVED) || Atomics.load(ctl, SENDERS) <= 0;
  }

  private hasRoom(): boolean {
    return this.len() < this.limit();
  }

  // ── sending ──────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Try to enqueue; returns the sequence number of the message, 'full' or 'disconnected'.
   * Never blocks for long: the send lock is held only while copying one message.
   */
  tryEnqueue(prepared: unknown): number | 'full' | 'disconnected' {
    const ctl = this.ctl;
    this.reclaimIfSomeoneDied(); // one atomic load unless a thread died since the last look
    if (Atomics.load(ctl, RECEIVERS) <= 0) return 'disconnected';
    const locked = this.needsLock(SENDERS);
    if (locked) acquire(ctl, SEND_LOCK);
    try {
      const sent = ctl[SENT]!;
      const limit = this.limit();
      if (((sent - this.seenReceived) | 0) >= limit) {
        this.seenReceived = Atomics.load(ctl, RECEIVED);
        if (((sent - this.seenReceived) | 0) >= limit) return 'full';
      }
      this.writeRecord(prepared);
      Atomics.store(ctl, SENT, (sent + 1) | 0);
      return (sent + 1) | 0;
    } finally {
      if (locked) release(ctl, SEND_LOCK);
      this.signalRx();
    }
  }

  /**
   * Whether this side must take its lock. When the endpoint in hand is the only sender (or receiver), nobody
   * else can be on this side: another endpoint can only be cloned from this one, by this thread, so the count
   * cannot grow behind our back during the operation. Rendezvous channels always lock (retract needs RECV_LOCK).
   */
  private needsLock(countWord: number): boolean {
    if (countWord === SENDERS ? this.soleSender : this.soleReceiver) return false;
    if (this.ctl[CAPACITY] === 0 || Atomics.load(this.ctl, countWord) !== 1) return true;
    // Once sole, always sole until this thread adds an endpoint on this core (addEndpoint clears the flags):
    // other threads can only close theirs. So the answer is cached, saving an atomic load per message.
    if (countWord === SENDERS) this.soleSender = true;
    else this.soleReceiver = true;
    return false;
  }

  private writeRecord(prepared: unknown): void {
    const ctl = this.ctl;
    this.refreshViews();
    const fixedRecord = this.recordSize;
    const need = fixedRecord ?? align8(4 + this.codec.bound(prepared));
    let tail = ctl[TAIL]!;
    let size = this.ringSize;
    let phys = tail & (size - 1);
    let waste = fixedRecord === undefined && need > size - phys ? size - phys : 0;
    if (((tail - this.seenHead) >>> 0) + waste + need > size) this.seenHead = this.loadHead();
    const used = (tail - this.seenHead) >>> 0;
    // A loop, not an if: after doubling, the tail may sit near the new ring's end, and the record that then
    // has to wrap to offset 0 (after a skip) can still collide with the head; grow again until it fits.
    while (used + waste + need > size) {
      this.grow(used + waste + need);
      size = this.ringSize;
      phys = tail & (size - 1);
      waste = fixedRecord === undefined && need > size - phys ? size - phys : 0;
    }
    const views = this.views;
    if (waste > 0) {
      views.i32[phys >> 2] = -waste;
      tail = (tail + waste) | 0;
      phys = 0;
    }
    let recordBytes: number;
    if (fixedRecord !== undefined) {
      this.codec.write(prepared, views, phys);
      recordBytes = fixedRecord;
    } else {
      const written = this.codec.write(prepared, views, phys + 4);
      views.i32[phys >> 2] = written;
      recordBytes = align8(4 + written);
    }
    // Only senders read TAIL (under SEND_LOCK, or as the sole sender): a plain write is enough; SENT publishes.
    ctl[TAIL] = (tail + recordBytes) | 0;
  }

  /** Called with SEND_LOCK held: take RECV_LOCK too and re-map the queued records onto a larger ring. */
  private grow(atLeast: number): void {
    const ctl = this.ctl;
    acquire(ctl, RECV_LOCK);
    try {
      const oldSize = Atomics.load(ctl, RING_SIZE);
      let newSize = oldSize * 2;
      while (newSize < atLeast) newSize *= 2;
      if (newSize > this.data.maxByteLength) {
        throw new RangeError(
          `channel buffer would need ${newSize} bytes, over its limit of ${this.data.maxByteLength} (maxBytes)`,
        );
      }
      const head = this.loadHead();
      const used = (ctl[TAIL]! - head) >>> 0;
      const saved = new Uint8Array(used);
      const oldBytes = new Uint8Array(this.data, 0, oldSize);
      const start = head & (oldSize - 1);
      const first = Math.min(used, oldSize - start);
      saved.set(oldBytes.subarray(start, start + first), 0);
      saved.set(oldBytes.subarray(0, used - first), first);
      if (this.data.byteLength < newSize) this.data.grow(newSize);
      const newBytes = new Uint8Array(this.data, 0, newSize);
      const newStart = head & (newSize - 1);
      const newFirst = Math.min(used, newSize - newStart);
      newBytes.set(saved.subarray(0, newFirst), newStart);
      newBytes.set(saved.subarray(newFirst), 0);
      Atomics.store(ctl, RING_SIZE, newSize);
      this.refreshViews();
    } finally {
      release(ctl, RECV_LOCK);
    }
  }

  /** Wait until there is room or every receiver is gone. False on timeout. */
  waitForRoom(deadline: Deadline): boolean {
    return this.waitOn(TX_WAITERS, TX_SIGNAL, () => this.hasRoom() || this.receiversGone(), deadline);
  }

  /** Rendezvous: wait until the message with sequence `seq` has been received. */
  waitForPickup(seq: number, deadline: Deadline): boolean {
    return this.waitOn(TX_WAITERS, TX_SIGNAL, () => this.pickedUp(seq) || this.receiversGone(), deadline);
  }

  pickedUp(seq: number): boolean {
    return ((Atomics.load(this.ctl, RECEIVED) - seq) | 0) >= 0;
  }

  async waitForRoomAsync(deadline: Deadline): Promise<boolean> {
    return this.waitOnAsync(TX_WAITERS, TX_SIGNAL, () => this.hasRoom() || this.receiversGone(), deadline);
  }

  async waitForPickupAsync(seq: number, deadline: Deadline): Promise<boolean> {
    return this.waitOnAsync(TX_WAITERS, TX_SIGNAL, () => this.pickedUp(seq) || this.receiversGone(), deadline);
  }

  /**
   * Rendezvous send that timed out or lost its receivers: take our message back if nobody has started to
   * receive it. True when it was taken back (the caller reports failure with the value).
   */
  retract(seq: number): boolean {
    const ctl = this.ctl;
    acquire(ctl, RECV_LOCK);
    try {
      if (this.pickedUp(seq)) return false;
      this.readRecord(false);
      return true;
    } finally {
      release(ctl, RECV_LOCK);
      this.signalTx();
    }
  }

  // ── receiving ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The receivers' byte position. Records of a fixed-size codec never need a skip marker, so their position is
   * always RECEIVED × record size (mod 2^32) and HEAD is not written at all: one atomic store per message saved.
   */
  private loadHead(): number {
    const ctl = this.ctl;
    return this.recordSize === undefined ? Atomics.load(ctl, HEAD) : Math.imul(Atomics.load(ctl, RECEIVED), this.recordSize);
  }

  /** True when no message is queued, re-reading SENT only if the cached copy says so. */
  private looksEmpty(received: number): boolean {
    if (((this.seenSent - received) | 0) > 0) return false;
    this.seenSent = Atomics.load(this.ctl, SENT);
    return this.seenSent === received;
  }

  poll(): Polled<T> {
    const ctl = this.ctl;
    if (this.looksEmpty(Atomics.load(ctl, RECEIVED))) {
      if (Atomics.load(ctl, SENDERS) > 0) {
        // A poller that never parks (tryRecv in a loop) must still learn that its last sender died.
        this.reclaimIfSomeoneDied();
        if (Atomics.load(ctl, SENDERS) > 0) return EMPTY;
      }
      // Every sender is gone; a message published just before the last one left is still visible now.
      if (this.looksEmpty(Atomics.load(ctl, RECEIVED))) return DISCONNECTED;
    }
    let value: Polled<T>;
    if (this.needsLock(RECEIVERS)) {
      acquire(ctl, RECV_LOCK);
      try {
        value = this.looksEmpty(ctl[RECEIVED]!) ? EMPTY : this.readRecord(false);
      } finally {
        release(ctl, RECV_LOCK);
      }
    } else {
      value = this.readRecord(true);
    }
    if (value !== EMPTY) this.signalTx();
    return value;
  }

  /**
   * Take the message at HEAD; at least one is queued. Called with RECV_LOCK held, or by the sole receiver
   * without it (`unlocked`): then a sender may grow the ring while we read, and once it has, it may overwrite
   * the old place of our record. RING_SIZE only grows, so reading it again after decoding tells whether that
   * could have happened; if so the record is read again at its new place (growing copied it there first).
   */
  private readRecord(unlocked: boolean): T {
    const ctl = this.ctl;
    for (;;) {
      this.refreshViews();
      const size = this.ringSize;
      const views = this.views;
      let head = this.recordSize === undefined ? ctl[HEAD]! : Math.imul(ctl[RECEIVED]!, this.recordSize);
      let phys = head & (size - 1);
      let value: T;
      let recordBytes: number;
      try {
        if (this.recordSize !== undefined) {
          value = this.codec.read(views, phys, this.recordSize);
          recordBytes = this.recordSize;
        } else {
          let length = views.i32[phys >> 2]!;
          if (length < 0) {
            head = (head - length) | 0;
            phys = head & (size - 1);
            length = views.i32[phys >> 2]!;
          }
          value = this.codec.read(views, phys + 4, length);
          recordBytes = align8(4 + length);
        }
      } catch (error) {
        if (unlocked && Atomics.load(ctl, RING_SIZE) !== size) continue;
        throw error;
      }
      if (unlocked && Atomics.load(ctl, RING_SIZE) !== size) continue;
      // Fixed-size records: HEAD is RECEIVED × record size, so one store publishes both (see loadHead).
      if (this.recordSize === undefined) Atomics.store(ctl, HEAD, (head + recordBytes) | 0);
      Atomics.store(ctl, RECEIVED, (ctl[RECEIVED]! + 1) | 0);
      return value;
    }
  }


  waitForMessage(deadline: Deadline): boolean {
    return this.waitOn(RX_WAITERS, RX_SIGNAL, () => this.readyToReceive(), deadline);
  }

  waitForMessageAsync(deadline: Deadline): Promise<boolean> {
    return this.waitOnAsync(RX_WAITERS, RX_SIGNAL, () => this.readyToReceive(), deadline);
  }

  // ── the futex protocol (park.ts) ─────────────────────────────────────────────────────────────────────────

  private waitOn(waiters: number, signal: number, ready: () => boolean, deadline: Deadline): boolean {
    for (let i = 0; i < SPIN_LIMIT; i++) if (ready()) return true;
    const ctl = this.ctl;
    this.parked(waiters);
    try {
      for (;;) {
        const seen = Atomics.load(ctl, signal);
        this.reclaimIfSomeoneDied();
        if (ready()) return true;
        if (!parkSlice(ctl, signal, seen, deadline)) return ready();
      }
    } finally {
      this.unparked(waiters);
    }
  }

  private async waitOnAsync(waiters: number, signal: number, ready: () => boolean, deadline: Deadline): Promise<boolean> {
    const ctl = this.ctl;
    this.parked(waiters);
    try {
      for (;;) {
        const seen = Atomics.load(ctl, signal);
        this.reclaimIfSomeoneDied();
        if (ready()) return true;
        if (!(await parkSliceAsync(ctl, signal, seen, deadline))) return ready();
      }
    } finally {
      this.unparked(waiters);
    }
  }

  /** Used by select (before parking on the thread's waker) and by the isDisconnected getters. */
  checkForDeaths(): void {
    this.reclaimIfSomeoneDied();
  }
}

function nextPowerOfTwo8(n: number): number {
  let size = 8;
  while (size < n) size *= 2;
  return size;
}

function createCore<T>(capacity: number, options: ChannelOptions<T>): ChannelCore<T> {
  const codec = options.codec ?? structured<T>();
  const maxBytes = nextPowerOfTwo(options.maxBytes ?? DEFAULT_MAX_BYTES);
  const guess = options.initialBytes ?? (capacity > 0 ? capacity * (codec.fixedSize ?? 64) : 64 * 1024);
  const initial = Math.min(maxBytes, nextPowerOfTwo(guess));
  const ctl = new SharedArrayBuffer(CTL_WORDS * 4);
  const words = new Int32Array(ctl);
  words[CAPACITY] = capacity;
  words[RING_SIZE] = initial;
  const data = new SharedArrayBuffer(initial, { maxByteLength: maxBytes });
  return new ChannelCore<T>(ctl, data, codec);
}

type EndpointState = 'open' | 'closed' | 'moved';

abstract class Endpoint<T> implements Releasable, Disposable {
  protected state: EndpointState = 'open';
  protected abstract readonly kind: 'sender' | 'receiver';

  constructor(protected readonly core: ChannelCore<T>) {}

  protected open(counted: boolean): void {
    if (counted) this.core.addEndpoint(this.kind);
    track(this);
  }

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
    return this.core.len();
  }

  isEmpty(): boolean {
    return this.core.len() === 0;
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
    destination.onBound((threadId) => {
      core.adjustHolder(threadId, kind === 'sender' ? 1 : 0, kind === 'receiver' ? 1 : 0);
      core.adjustHolder(selfId, kind === 'sender' ? -1 : 0, kind === 'receiver' ? -1 : 0);
    });
    destination.onAbandoned(() => core.removeEndpoint(kind));
    return core.wire(`channel.${kind}`);
  }
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
    for (;;) {
      const seq = core.tryEnqueue(prepared);
      if (seq === 'disconnected') throw new SendError(value);
      if (seq === 'full') {
        core.waitForRoom(Infinity);
        continue;
      }
      if (core.capacity === 0) {
        core.waitForPickup(seq, Infinity);
        if (!core.pickedUp(seq) && core.retract(seq)) throw new SendError(value);
      }
      return;
    }
  }

  /** Send without waiting: fails with 'full' or 'disconnected' and hands the value back. */
  trySend(value: T): Result<void, TrySendError<T>> {
    const core = this.usable();
    if (core.capacity === 0 && !core.receiverWaiting()) {
      return err(new TrySendError(core.receiversGone() ? 'disconnected' : 'full', value));
    }
    const seq = core.tryEnqueue(core.codec.prepare(value));
    if (seq === 'full' || seq === 'disconnected') return err(new TrySendError(seq, value));
    return ok(undefined);
  }

  /** Like `send`, but gives up after `timeoutMs` and hands the value back. */
  sendTimeout(value: T, timeoutMs: number): Result<void, SendTimeoutError<T>> {
    const core = this.usable();
    const deadline = deadlineAfter(timeoutMs);
    const prepared = core.codec.prepare(value);
    for (;;) {
      const seq = core.tryEnqueue(prepared);
      if (seq === 'disconnected') return err(new SendTimeoutError('disconnected', value));
      if (seq === 'full') {
        if (!core.waitForRoom(deadline)) return err(new SendTimeoutError('timeout', value));
        continue;
      }
      // waitForPickup also returns true when every receiver left: only a pickup counts as delivered.
      if (core.capacity === 0 && !(core.waitForPickup(seq, deadline) && core.pickedUp(seq)) && core.retract(seq)) {
        return err(new SendTimeoutError(core.receiversGone() ? 'disconnected' : 'timeout', value));
      }
      return ok(undefined);
    }
  }

  /** `send` for the main thread: waits without blocking the event loop. */
  async sendAsync(value: T): Promise<void> {
    const result = await this.sendTimeoutAsync(value, Infinity);
    if (!result.ok) throw new SendError(value);
  }

  async sendTimeoutAsync(value: T, timeoutMs: number): Promise<Result<void, SendTimeoutError<T>>> {
    const core = this.usable();
    const deadline = deadlineAfter(timeoutMs);
    const prepared = core.codec.prepare(value);
    for (;;) {
      const seq = core.tryEnqueue(prepared);
      if (seq === 'disconnected') return err(new SendTimeoutError('disconnected', value));
      if (seq === 'full') {
        if (!(await core.waitForRoomAsync(deadline))) return err(new SendTimeoutError('timeout', value));
        continue;
      }
      if (core.capacity === 0 && !((await core.waitForPickupAsync(seq, deadline)) && core.pickedUp(seq)) && core.retract(seq)) {
        return err(new SendTimeoutError(core.receiversGone() ? 'disconnected' : 'timeout', value));
      }
      return ok(undefined);
    }
  }

  /** True once every receiver is gone: further sends will fail. */
  get isDisconnected(): boolean {
    this.core.checkForDeaths(); // a receiver's thread may have died without closing it
    return this.core.receiversGone();
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
    for (;;) {
      const value = core.poll();
      if (value === DISCONNECTED) throw new RecvError();
      if (value !== EMPTY) return value;
      core.waitForMessage(Infinity);
    }
  }

  tryRecv(): Result<T, TryRecvError> {
    const value = this.usable().poll();
    if (value === EMPTY) return err(TryRecvError.Empty);
    if (value === DISCONNECTED) return err(TryRecvError.Disconnected);
    return ok(value);
  }

  recvTimeout(timeoutMs: number): Result<T, RecvTimeoutError> {
    const core = this.usable();
    const deadline = deadlineAfter(timeoutMs);
    for (;;) {
      const value = core.poll();
      if (value === DISCONNECTED) return err(RecvTimeoutError.Disconnected);
      if (value !== EMPTY) return ok(value);
      if (!core.waitForMessage(deadline)) {
        const last = core.poll();
        if (last === EMPTY) return err(RecvTimeoutError.Timeout);
        return last === DISCONNECTED ? err(RecvTimeoutError.Disconnected) : ok(last);
      }
    }
  }

  /** `recv` for the main thread: waits without blocking the event loop. */
  async recvAsync(): Promise<T> {
    const result = await this.recvTimeoutAsync(Infinity);
    if (!result.ok) throw new RecvError();
    return result.value;
  }

  async recvTimeoutAsync(timeoutMs: number): Promise<Result<T, RecvTimeoutError>> {
    const core = this.usable();
    const deadline = deadlineAfter(timeoutMs);
    for (;;) {
      const value = core.poll();
      if (value === DISCONNECTED) return err(RecvTimeoutError.Disconnected);
      if (value !== EMPTY) return ok(value);
      if (!(await core.waitForMessageAsync(deadline))) {
        const last = core.poll();
        if (last === EMPTY) return err(RecvTimeoutError.Timeout);
        return last === DISCONNECTED ? err(RecvTimeoutError.Disconnected) : ok(last);
      }
    }
  }

  /** Blocking iteration: yields every message until the channel is empty and disconnected. */
  *[Symbol.iterator](): Iterator<T> {
    const core = this.usable();
    for (;;) {
      const value = core.poll();
      if (value === DISCONNECTED) return;
      if (value === EMPTY) core.waitForMessage(Infinity);
      else yield value;
    }
  }

  /** Async iteration, for the main thread. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const core = this.usable();
    for (;;) {
      const value = core.poll();
      if (value === DISCONNECTED) return;
      if (value === EMPTY) await core.waitForMessageAsync(Infinity);
      else yield value;
    }
  }

  /** Yields what is queued now, without waiting. */
  *tryIter(): Iterator<T> & Iterable<T> {
    const core = this.usable();
    for (;;) {
      const value = core.poll();
      if (value === EMPTY || value === DISCONNECTED) return;
      yield value;
    }
  }

  /** True once every sender is gone (messages may still be queued). */
  get isDisconnected(): boolean {
    this.core.checkForDeaths(); // a sender's thread may have died without closing it
    return Atomics.load(this.core.ctl, SENDERS) <= 0;
  }

  /** @internal For select. */
  get channelCore(): ChannelCore<T> {
    return this.usable();
  }

  /** @internal For select: one non-blocking attempt. */
  pollForSelect(): Polled<T> {
    return this.usable().poll();
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
