/**
 * Barrier: Rust's std::sync::Barrier. `new Barrier(n)`; each of n threads calls `wait()`, which returns once all n
 * have arrived. Exactly one of them per round is the leader (`isLeader()` true). Reusable: the next n calls form
 * the next round.
 *
 * ── Memory layout ───────────────────────────────────────────────────────────────────────────────────────────
 * `ctl`: Int32Array of 4 words.
 *   0  ARRIVED     threads that have arrived in the current round: +1 by each arrival; reset to 0 by the leader
 *   1  GENERATION  round number: +1 by the leader (the n-th arrival), after it has reset ARRIVED
 *   2  PARTIES     n, written once at creation
 *   3  WAITERS     threads parked on GENERATION (so the leader skips the notify system call when none are)
 *
 * ── What a waiter waits on ──────────────────────────────────────────────────────────────────────────────────
 * An arriving thread reads GENERATION, then adds itself to ARRIVED. The n-th resets ARRIVED and bumps GENERATION;
 * the others park on GENERATION until it differs from what they read. A thread can only start the next round
 * after GENERATION has moved (it returned from this one), so it never counts towards the round it just left.
 * A thread that dies before arriving leaves the others waiting, as in Rust.
 *
 * Invariants:
 *   B1  0 ≤ ARRIVED < PARTIES between rounds (checked when KIT_DEBUG=1, by each arriving thread);
 *   B2  exactly one arrival per round sees itself complete the round (the leader).
 */
import { check, DEBUG } from './internal/debug.ts';
import { type Destination, registerKind, share, type WireHandle } from './internal/handles.ts';
import { block, blockAsync, Spinner, type Waiting } from './internal/wait.ts';

const ARRIVED = 0;
const GENERATION = 1;
const PARTIES = 2;
const WAITERS = 3;

/** What `wait` returns (Rust's BarrierWaitResult). */
export interface BarrierWaitResult {
  /** True for exactly one thread of each round. */
  isLeader(): boolean;
}

const LEADER: BarrierWaitResult = { isLeader: () => true };
const FOLLOWER: BarrierWaitResult = { isLeader: () => false };

interface BarrierWire extends WireHandle {
  readonly ctl: SharedArrayBuffer;
}

export class Barrier {
  private readonly ctl: Int32Array;
  private readonly spinner = new Spinner();

  /** A barrier for `parties` threads (0 and 1 mean that `wait` never blocks, as in Rust). */
  constructor(parties: number, ctl?: SharedArrayBuffer) {
    this.ctl = new Int32Array(ctl ?? new SharedArrayBuffer(16));
    if (!ctl) {
      if (!Number.isInteger(parties) || parties < 0)
        throw new RangeError(`Barrier needs a whole number of parties, got ${parties}`);
      this.ctl[PARTIES] = parties;
    }
  }

  get parties(): number {
    return this.ctl[PARTIES]!;
  }

  /** Block until all parties have called wait. For worker threads; the main thread uses waitAsync. */
  wait(): BarrierWaitResult {
    const generation = Atomics.load(this.ctl, GENERATION);
    return this.arrive() ? LEADER : block(this.following(generation, this.spinner));
  }

  async waitAsync(): Promise<BarrierWaitResult> {
    const generation = Atomics.load(this.ctl, GENERATION);
    return this.arrive() ? LEADER : blockAsync(this.following(generation, undefined));
  }

  /** Not the last to arrive: wait for the leader to start the next round. */
  private *following(generation: number, spin: Spinner | undefined): Waiting<BarrierWaitResult> {
    const ctl = this.ctl;
    if (spin?.willSpin()) {
      yield { words: ctl, index: GENERATION, seen: generation, deadline: Infinity, spin, mode: 'spin' };
    }
    Atomics.add(ctl, WAITERS, 1);
    try {
      while (Atomics.load(ctl, GENERATION) === generation) {
        yield { words: ctl, index: GENERATION, seen: generation, deadline: Infinity, spin, mode: 'park' };
      }
    } finally {
      Atomics.sub(ctl, WAITERS, 1);
    }
    return FOLLOWER;
  }

  /** Count this thread in; true if it completed the round (and so released the others). */
  private arrive(): boolean {
    const ctl = this.ctl;
    const parties = ctl[PARTIES]!;
    const before = Atomics.add(ctl, ARRIVED, 1);
    if (DEBUG) check(before >= 0 && (before < parties || parties === 0), 'B1', `${before} arrived of ${parties}`);
    if (before + 1 < parties) return false;
    Atomics.store(ctl, ARRIVED, 0);
    Atomics.add(ctl, GENERATION, 1);
    if (Atomics.load(ctl, WAITERS) > 0) Atomics.notify(ctl, GENERATION);
    return true;
  }

  [share](_destination: Destination): WireHandle {
    return { __threadkit: 'sync.barrier', ctl: this.ctl.buffer as SharedArrayBuffer } as BarrierWire;
  }
}

registerKind('sync.barrier', (wire) => new Barrier(0, (wire as BarrierWire).ctl));
