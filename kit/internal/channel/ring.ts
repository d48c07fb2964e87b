/**
 * The ring flavor of a channel: writing a message into the shared byte ring, reading one out, and growing the ring
 * (crossbeam-channel's `array`/`list` flavors in one: a bounded channel is the same ring with a limit on queued
 * messages). Layout and record format: layout.ts. A rendezvous channel uses this ring with a limit of one message
 * and a sender that waits for pickup (rendezvous.ts).
 *
 * Publication: a sender writes the payload, then TAIL, then SENT (a receiver that sees SENT move sees the payload);
 * a receiver reads the payload, then stores HEAD and RECEIVED (a sender that sees RECEIVED move may reuse the room).
 * With a fixed-size codec, TAIL and HEAD are not stored at all: they are SENT and RECEIVED × the record size.
 *
 * What these publishing stores need is release order (nothing before them is seen after them), what Rust's channels
 * ask of `Ordering::Release`. `Atomics.store` gives more, sequential consistency, and on x86-64 pays for it with a
 * locked exchange that drains the store buffer: ~8 ns, a third of a one-thread send of a number, and measured across
 * threads (1M numbers, `npm run bench -- --cells channels:transport --full`, 2 × 2 alternating runs) 42–51 ms with
 * it and 30–34 ms without. On x86-64 the hardware keeps stores in program order (TSO) and V8 emits typed-array
 * stores in program order, so a plain store is a release store there (PLAIN_PUBLISH); on other CPUs (arm64) it stays
 * `Atomics.store`, as it does everywhere with KIT_FENCED_PUBLISH=1. What a plain store does not give is the
 * store→load order of the waking handshake (waker.ts): the sender's check of the waiter count may be done while its
 * SENT store still sits in its store buffer, and miss a receiver that counted itself in and then read the old SENT.
 * The same holds for a waiter re-arming its signal word after a wake-up. So its sleeps are capped (core.ts: 1 ms the
 * first, FIRST_PARK_MS, then doubling to the park slice): a wake-up lost that way costs at most the sleep it falls
 * on, most likely the first and shortest (a waiter goes to sleep just after finding nothing while its peer is busy
 * publishing). Measured: no such loss in ~72,000 parks of two threads trading bursts, quiet and loaded.
 *
 * A thread killed between the two stores of a pair (TAIL/SENT, HEAD/RECEIVED) would leave them disagreeing, and the
 * next holder of the lock it held (taken over, owner-lock.ts) would misplace records. That cannot happen: the two
 * stores of a pair are adjacent statements of one function, with no call to JavaScript and no loop between them,
 * and V8 stops a terminated thread only where it checks for interrupts (function entries, loop back edges, returns
 * from the interpreter), never between two such stores. A test keeps the pairs adjacent (channel-death.test.ts).
 * Each side keeps the last values it saw of the other side's counters: they only grow (mod 2^32), so a stale copy is
 * a safe lower bound. A sender re-reads RECEIVED/HEAD only when the queue looks full, a receiver re-reads SENT only
 * when it looks empty, which keeps each side off the other's cache line while data flows.
 *
 * Growing: an unbounded channel, or a bounded one whose messages are larger than expected, doubles its ring while
 * holding both locks; records keep their absolute positions, only their physical offsets are recomputed. A locked
 * reader sees a stable RING_SIZE; the lock-free sole receiver re-reads it after decoding and reads the record again
 * if the ring grew meanwhile (readRecord).
 *
 * Invariants (checked when KIT_DEBUG=1):
 *   R1  0 ≤ SENT − RECEIVED ≤ the limit (capacity, 1 for a rendezvous, unbounded otherwise), mod 2^32;
 *   R2  0 ≤ TAIL − HEAD ≤ RING_SIZE, and RING_SIZE is a power of two that only grows;
 *   R3  a record's length word is within the ring (no decode past what was written);
 *   R4  a codec writes at most the bytes it announced (`bound`), so a record never overruns the room made for it;
 *   R5  a read starts only at a published message (RECEIVED ≠ SENT), and a lock-free read only in the only receiver,
 *       which must have been the only one already when it saw the message queued: it decides whether to lock
 *       before it looks (poll). Deciding after the look left a window in which the other receivers took the last
 *       message and closed, and the now-only receiver read an empty slot at HEAD (zeros or an old record).
 *
 * Race windows (chaos mode, KIT_CHAOS=1, stalls a thread in each; see debug.ts): between finding a message queued
 * and reading it, between finding room and writing, and between a lock-free decode and its RING_SIZE re-check.
 */
import type { Codec, RingViews } from '../../codec.ts';
import { CHAOS, check, DEBUG } from '../debug.ts';
import { acquire, release } from '../owner-lock.ts';
import { stall } from '../wait.ts';
import type { Counter } from './counter.ts';
import {
  align8,
  CAPACITY,
  HEAD,
  nextPowerOfTwo8,
  RECEIVED,
  RECEIVERS,
  RECV_LOCK,
  PLAIN_PUBLISH,
  RING_SIZE,
  SEND_LOCK,
  SENDERS,
  SENT,
  TAIL,
  UNBOUNDED,
} from './layout.ts';
import type { Waker } from './waker.ts';

export const EMPTY: unique symbol = Symbol('empty');
export const DISCONNECTED: unique symbol = Symbol('disconnected');
export type Polled<T> = T | typeof EMPTY | typeof DISCONNECTED;

export class Ring<T> {
  readonly limit: number;
  private readonly recordSize: number | undefined;
  private ringSize = 0;
  private views!: RingViews;
  private seenReceived = 0;
  private seenHead = 0;
  private seenSent = 0;
  private soleSender = false;
  private soleReceiver = false;
  /**
   * Fixed-size records and a bounded ring that already holds `limit` of them: no send ever needs to grow it (a free
   * place in the queue is room in the ring), so both sides skip the growth checks. RING_SIZE only grows, so once
   * true in one thread it stays true everywhere.
   */
  private readonly neverGrows: boolean;

  constructor(
    readonly ctl: Int32Array,
    readonly data: SharedArrayBuffer,
    readonly codec: Codec<T>,
    private readonly counter: Counter,
    private readonly waker: Waker,
    /** Lock even as the only sender/receiver: a rendezvous sender may take its message back (takeBack). */
    private readonly alwaysLock: boolean,
  ) {
    const cap = ctl[CAPACITY]!;
    this.limit = cap === UNBOUNDED ? Infinity : Math.max(cap, 1);
    this.recordSize = codec.fixedSize === undefined ? undefined : nextPowerOfTwo8(codec.fixedSize);
    this.seenReceived = Atomics.load(ctl, RECEIVED);
    this.seenHead = this.loadHead();
    this.seenSent = Atomics.load(ctl, SENT);
    this.refreshViews();
    this.neverGrows = this.recordSize !== undefined && this.limit * this.recordSize <= this.ringSize;
  }

  /** This thread added an endpoint: it may no longer be the only sender or receiver. */
  endpointAdded(): void {
    this.soleSender = false;
    this.soleReceiver = false;
  }

  len(): number {
    return Math.max(0, (Atomics.load(this.ctl, SENT) - Atomics.load(this.ctl, RECEIVED)) | 0);
  }

  hasRoom(): boolean {
    return this.len() < this.limit;
  }

  /** A receiver would not block: a message is queued or every sender is gone. */
  readyToReceive(): boolean {
    const ctl = this.ctl;
    return Atomics.load(ctl, SENT) !== Atomics.load(ctl, RECEIVED) || Atomics.load(ctl, SENDERS) <= 0;
  }

  /** The message with sequence number `seq` has been taken by a receiver. */
  pickedUp(seq: number): boolean {
    return ((Atomics.load(this.ctl, RECEIVED) - seq) | 0) >= 0;
  }

  private refreshViews(): void {
    const size = Atomics.load(this.ctl, RING_SIZE);
    if (size === this.ringSize) return;
    if (DEBUG) check(size > this.ringSize && (size & (size - 1)) === 0, 'R2', `RING_SIZE ${this.ringSize} → ${size}`);
    this.ringSize = size;
    this.views = {
      bytes: Buffer.from(this.data, 0, size),
      view: new DataView(this.data, 0, size),
      f64: new Float64Array(this.data, 0, size >> 3),
      i32: new Int32Array(this.data, 0, size >> 2),
    };
  }

  // ── sending ──────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Try to enqueue; returns the sequence number of the message, 'full' or 'disconnected'.
   * Never blocks for long: the send lock is held only while copying one message.
   */
  tryEnqueue(prepared: unknown): number | 'full' | 'disconnected' {
    const ctl = this.ctl;
    // Plain reads (an atomic load costs more than the rest of a small send, see registry.ts deathEpochRelaxed):
    // a receiver closed, or a death marked, before this send synchronized with it is seen; one racing with the
    // send may be missed, which is the outcome of the same close a moment later. A waiting send re-checks both
    // with atomic loads (ChannelCore.waitingFor).
    this.counter.reclaimIfSomeoneDiedRelaxed();
    if (ctl[RECEIVERS]! <= 0) return 'disconnected';
    let seq: number | 'full';
    if (this.needsLock(SENDERS)) {
      acquire(ctl, SEND_LOCK);
      try {
        seq = this.enqueue(prepared, true);
      } finally {
        release(ctl, SEND_LOCK);
      }
    } else {
      seq = this.enqueue(prepared, false);
    }
    if (seq !== 'full') this.waker.signalRx();
    return seq;
  }

  /** The room check, the write and its publication; with SEND_LOCK held (`locked`) or as the only sender. */
  private enqueue(prepared: unknown, locked: boolean): number | 'full' {
    const ctl = this.ctl;
    const sent = ctl[SENT]!;
    const limit = this.limit;
    if (((sent - this.seenReceived) | 0) >= limit) {
      this.seenReceived = Atomics.load(ctl, RECEIVED);
      if (((sent - this.seenReceived) | 0) >= limit) return 'full';
    }
    if (CHAOS) stall();
    const recordSize = this.recordSize;
    if (this.neverGrows) {
      // Fixed-size records in a ring with room for `limit` of them: a free place in the queue is room in the ring,
      // and the ring never grows, so the views are current and the place is SENT × record size.
      this.codec.write(prepared, this.views, Math.imul(sent, recordSize!) & (this.ringSize - 1));
      if (PLAIN_PUBLISH) ctl[SENT] = (sent + 1) | 0;
      else Atomics.store(ctl, SENT, (sent + 1) | 0);
    } else {
      // Only senders grow the ring: the only sender has current views, a locked one looks again.
      if (locked) this.refreshViews();
      const tail = this.writeRecord(prepared);
      // The publishing pair: adjacent, nothing in between (see the header).
      if (this.recordSize === undefined) ctl[TAIL] = tail;
      if (PLAIN_PUBLISH) ctl[SENT] = (sent + 1) | 0;
      else Atomics.store(ctl, SENT, (sent + 1) | 0);
    }
    if (DEBUG) this.checkCounts();
    return (sent + 1) | 0;
  }

  /**
   * Whether this side must take its lock. When the endpoint in hand is the only sender (or receiver), nobody
   * else can be on this side: another endpoint can only be cloned from this one, by this thread, so the count
   * cannot grow behind our back during the operation. `alwaysLock` channels (rendezvous) always lock.
   */
  private needsLock(countWord: number): boolean {
    if (countWord === SENDERS ? this.soleSender : this.soleReceiver) return false;
    if (this.alwaysLock || Atomics.load(this.ctl, countWord) !== 1) return true;
    // Once sole, always sole until this thread adds an endpoint (endpointAdded clears the flags): other threads
    // can only close theirs. So the answer is cached, saving an atomic load per message.
    if (countWord === SENDERS) {
      this.soleSender = true;
      this.refreshViews(); // other senders may have grown the ring; from now on only this one does
    } else {
      this.soleReceiver = true;
    }
    return false;
  }

  /** The senders' byte position: SENT × record size for a fixed-size codec (see loadHead), else TAIL. */
  private loadTail(): number {
    const ctl = this.ctl;
    return this.recordSize === undefined ? ctl[TAIL]! : Math.imul(ctl[SENT]!, this.recordSize);
  }

  /** Write one record at the tail (growing the ring if needed); returns the new tail, for the caller to publish. */
  private writeRecord(prepared: unknown): number {
    if (DEBUG) check(Atomics.load(this.ctl, RING_SIZE) === this.ringSize, 'R2', 'a sender wrote with stale views');
    const fixedRecord = this.recordSize;
    const need = fixedRecord ?? align8(4 + this.codec.bound(prepared));
    let tail = this.loadTail();
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
      if (DEBUG)
        check(written >= 0 && align8(4 + written) <= need, 'R4', `wrote ${written} bytes into room for ${need - 4}`);
      views.i32[phys >> 2] = written;
      recordBytes = align8(4 + written);
    }
    // Only senders read TAIL (under SEND_LOCK, or as the sole sender): a plain write is enough; SENT publishes.
    return (tail + recordBytes) | 0;
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
      const used = (this.loadTail() - head) >>> 0;
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

  /**
   * Take back the message with sequence `seq` if no receiver has started to receive it (a rendezvous send that
   * timed out or lost its receivers). True when it was taken back.
   */
  takeBack(seq: number): boolean {
    const ctl = this.ctl;
    acquire(ctl, RECV_LOCK);
    try {
      if (this.pickedUp(seq)) return false;
      this.readRecord(false);
      return true;
    } finally {
      release(ctl, RECV_LOCK);
      this.waker.signalTx();
    }
  }

  // ── receiving ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The receivers' byte position. Records of a fixed-size codec never need a skip marker, so their position is
   * always RECEIVED × record size (mod 2^32) and HEAD is not written at all: one atomic store per message saved.
   */
  private loadHead(): number {
    const ctl = this.ctl;
    return this.recordSize === undefined
      ? Atomics.load(ctl, HEAD)
      : Math.imul(Atomics.load(ctl, RECEIVED), this.recordSize);
  }

  /** True when no message is queued, re-reading SENT only if the cached copy says so. */
  private looksEmpty(received: number): boolean {
    if (((this.seenSent - received) | 0) > 0) return false;
    this.seenSent = Atomics.load(this.ctl, SENT);
    return this.seenSent === received;
  }

  poll(): Polled<T> {
    const ctl = this.ctl;
    // Lock or not is decided before looking for a message (R5): only a thread that was already the only receiver
    // when it saw a message queued may read it without the lock. Decided after the look, it could find itself the
    // only receiver because the others took that last message and closed in between, and read an empty slot.
    const locked = this.needsLock(RECEIVERS);
    // RECEIVED by a plain read (an atomic load costs more than the rest of a small receive, see tryEnqueue): the only
    // receiver reads its own last write; another may read a stale, smaller value, which can only make the ring look
    // non-empty (SENT ≥ RECEIVED ≥ what it read), and it looks again under RECV_LOCK before it reads a record.
    if (this.looksEmpty(ctl[RECEIVED]!)) {
      if (Atomics.load(ctl, SENDERS) > 0) {
        // A poller that never parks (tryRecv in a loop) must still learn that its last sender died.
        this.counter.reclaimIfSomeoneDied();
        if (Atomics.load(ctl, SENDERS) > 0) return EMPTY;
      }
      // Every sender is gone; a message published just before the last one left is still visible now.
      if (this.looksEmpty(Atomics.load(ctl, RECEIVED))) return DISCONNECTED;
    }
    if (CHAOS) stall();
    let value: Polled<T>;
    if (locked) {
      acquire(ctl, RECV_LOCK);
      try {
        value = this.looksEmpty(ctl[RECEIVED]!) ? EMPTY : this.readRecord(false);
      } finally {
        release(ctl, RECV_LOCK);
      }
    } else {
      value = this.readRecord(true);
    }
    if (value !== EMPTY) this.waker.signalTx();
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
    if (DEBUG) this.checkQueued(unlocked);
    if (this.neverGrows) {
      // The ring never grows: current views, nothing to re-check; the place is RECEIVED × record size.
      const received = ctl[RECEIVED]!;
      const at = Math.imul(received, this.recordSize!) & (this.ringSize - 1);
      const value = this.codec.read(this.views, at, this.recordSize!);
      if (PLAIN_PUBLISH) ctl[RECEIVED] = (received + 1) | 0;
      else Atomics.store(ctl, RECEIVED, (received + 1) | 0);
      if (DEBUG) this.checkCounts();
      return value;
    }
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
          if (DEBUG && !(unlocked && Atomics.load(ctl, RING_SIZE) !== size)) {
            check(length >= 0 && phys + 4 + length <= size, 'R3', `record of ${length} bytes at ${phys} in ${size}`);
          }
          value = this.codec.read(views, phys + 4, length);
          recordBytes = align8(4 + length);
        }
      } catch (error) {
        if (unlocked && Atomics.load(ctl, RING_SIZE) !== size) continue;
        throw error;
      }
      if (CHAOS && unlocked) stall();
      if (unlocked && Atomics.load(ctl, RING_SIZE) !== size) continue;
      // The publishing pair: adjacent, nothing in between (see the header). Fixed-size records: HEAD is
      // RECEIVED × record size, so one store publishes both (see loadHead).
      const received = (ctl[RECEIVED]! + 1) | 0;
      if (PLAIN_PUBLISH) {
        if (this.recordSize === undefined) ctl[HEAD] = (head + recordBytes) | 0;
        ctl[RECEIVED] = received;
      } else {
        if (this.recordSize === undefined) Atomics.store(ctl, HEAD, (head + recordBytes) | 0);
        Atomics.store(ctl, RECEIVED, received);
      }
      if (DEBUG) this.checkCounts();
      return value;
    }
  }

  /** R5, at the start of a read: a message is queued, and a lock-free reader is the only receiver. */
  private checkQueued(unlocked: boolean): void {
    const ctl = this.ctl;
    // RECEIVED first: only this reader can move it now (it holds RECV_LOCK, or it is the only receiver), and SENT
    // read afterwards can only be larger, so the test is exact.
    const received = Atomics.load(ctl, RECEIVED);
    const sent = Atomics.load(ctl, SENT);
    check(((sent - received) | 0) > 0, 'R5', `a read started with no message queued (SENT = RECEIVED = ${sent})`);
    if (unlocked) {
      const receivers = Atomics.load(ctl, RECEIVERS);
      check(receivers === 1, 'R5', `a lock-free read with ${receivers} receivers counted`);
    }
  }

  /** R1 and R2. Each bound is read in the order that makes it exact while the other side keeps going. */
  private checkCounts(): void {
    const ctl = this.ctl;
    // RECEIVED first: SENT read afterwards can only be larger, so SENT − RECEIVED ≥ 0 must hold exactly.
    const received = Atomics.load(ctl, RECEIVED);
    const sent = Atomics.load(ctl, SENT);
    check(((sent - received) | 0) >= 0, 'R1', `SENT ${sent} is behind RECEIVED ${received}`);
    // SENT first: RECEIVED read afterwards can only be larger, so SENT − RECEIVED ≤ limit must hold exactly.
    if (this.limit !== Infinity) {
      const sentFirst = Atomics.load(ctl, SENT);
      const queued = (sentFirst - Atomics.load(ctl, RECEIVED)) | 0;
      check(queued <= this.limit, 'R1', `${queued} messages queued over a limit of ${this.limit}`);
    }
    const size = Atomics.load(ctl, RING_SIZE);
    check((size & (size - 1)) === 0, 'R2', `RING_SIZE ${size} is not a power of two`);
  }
}
