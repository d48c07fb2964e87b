/**
 * Atomic integers and booleans with the API of Rust's std::sync::atomic, shared between threads like an
 * `Arc<AtomicUsize>`: passing one to `spawn` hands the thread a view of the same word, never a copy.
 *
 *   AtomicI32 / AtomicU32   one 32-bit word, values as number
 *   AtomicI64 / AtomicU64   one 64-bit word, values as bigint (BigInt64Array / BigUint64Array)
 *   AtomicBool              one 32-bit word holding 0 or 1 (a 32-bit word so that it could also be waited on)
 *
 * ── Memory layout ───────────────────────────────────────────────────────────────────────────────────────────
 * Each atomic owns one 8-byte SharedArrayBuffer and uses element `index` of a typed array over it (index is
 * always 0 for atomics created here; the wire format carries it so that atomics could live inside a larger
 * buffer). Every thread may write the word, always through an `Atomics` operation.
 *
 * ── Ordering ────────────────────────────────────────────────────────────────────────────────────────────────
 * Every operation takes an optional `Ordering` so that code reads like the Rust it ports, but the argument is
 * ignored: every JavaScript `Atomics` operation is sequentially consistent, which is at least as strong as any
 * ordering Rust offers. Code that is correct with Rust's weaker orderings stays correct here; code that is wrong
 * with them may happen to work here, so the Rust reasoning still matters.
 *
 * Nothing waits on these words; spin or use a Condvar/channel to wait for a value.
 *
 * Invariants: every access to an atomic's word is an `Atomics` operation (no plain reads or writes); an AtomicBool's
 * word holds 0 or 1 (it is written only as `value ? 1 : 0`).
 */
import { type Destination, registerKind, share, type WireHandle } from './internal/handles.ts';
import { err, ok, type Result } from './result.ts';

/** Rust's memory orderings. Accepted everywhere and ignored: JS atomics are always sequentially consistent. */
export type Ordering = 'Relaxed' | 'Acquire' | 'Release' | 'AcqRel' | 'SeqCst';
export const Ordering = {
  Relaxed: 'Relaxed',
  Acquire: 'Acquire',
  Release: 'Release',
  AcqRel: 'AcqRel',
  SeqCst: 'SeqCst',
} as const satisfies Record<Ordering, Ordering>;

interface AtomicWire extends WireHandle {
  readonly buffer: SharedArrayBuffer;
  readonly index: number;
}

type IntArray = Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/**
 * The operations shared by every integer width. `V` is number for 32-bit atomics and bigint for 64-bit ones.
 * The casts are confined here: each subclass pairs `V` with the typed array that stores it.
 */
abstract class AtomicInteger<V extends number | bigint> {
  protected abstract readonly kind: string;
  protected readonly cells: IntArray;

  protected constructor(
    cells: IntArray,
    protected readonly index: number,
  ) {
    this.cells = cells;
  }

  private get a(): Int32Array {
    // One representative type for the Atomics overloads; the runtime array keeps its real element type.
    return this.cells as unknown as Int32Array;
  }

  load(_order?: Ordering): V {
    return Atomics.load(this.a, this.index) as unknown as V;
  }

  store(value: V, _order?: Ordering): void {
    Atomics.store(this.a, this.index, value as unknown as number);
  }

  /** Store `value` and return the previous value. */
  swap(value: V, _order?: Ordering): V {
    return Atomics.exchange(this.a, this.index, value as unknown as number) as unknown as V;
  }

  /** Add (wrapping at the type's width) and return the previous value. */
  fetchAdd(value: V, _order?: Ordering): V {
    return Atomics.add(this.a, this.index, value as unknown as number) as unknown as V;
  }

  fetchSub(value: V, _order?: Ordering): V {
    return Atomics.sub(this.a, this.index, value as unknown as number) as unknown as V;
  }

  fetchAnd(value: V, _order?: Ordering): V {
    return Atomics.and(this.a, this.index, value as unknown as number) as unknown as V;
  }

  fetchOr(value: V, _order?: Ordering): V {
    return Atomics.or(this.a, this.index, value as unknown as number) as unknown as V;
  }

  fetchXor(value: V, _order?: Ordering): V {
    return Atomics.xor(this.a, this.index, value as unknown as number) as unknown as V;
  }

  /**
   * Store `next` if the current value is `current`. Like Rust's `compare_exchange`: `ok(previous)` when it was
   * stored, `err(actual)` with the value found otherwise.
   */
  compareExchange(current: V, next: V, _success?: Ordering, _failure?: Ordering): Result<V, V> {
    const found = Atomics.compareExchange(
      this.a,
      this.index,
      current as unknown as number,
      next as unknown as number,
    ) as unknown as V;
    return found === this.normalize(current) ? ok(found) : err(found);
  }

  /** Rust's weak form may fail spuriously; here it never does, and it is the same as compareExchange. */
  compareExchangeWeak(current: V, next: V, success?: Ordering, failure?: Ordering): Result<V, V> {
    return this.compareExchange(current, next, success, failure);
  }

  /**
   * Apply `f` until it is stored without interference (Rust's `fetch_update`): `ok(previous)`, or `err(current)`
   * if `f` returned undefined to give up.
   */
  fetchUpdate(
    _set: Ordering | undefined,
    _fetch: Ordering | undefined,
    f: (current: V) => V | undefined,
  ): Result<V, V> {
    let current = this.load();
    for (;;) {
      const next = f(current);
      if (next === undefined) return err(current);
      const found = Atomics.compareExchange(
        this.a,
        this.index,
        current as unknown as number,
        next as unknown as number,
      ) as unknown as V;
      if (found === current) return ok(found);
      current = found;
    }
  }

  fetchMax(value: V, _order?: Ordering): V {
    const result = this.fetchUpdate(undefined, undefined, (current) => (value > current ? value : undefined));
    return result.ok ? result.value : result.error;
  }

  fetchMin(value: V, _order?: Ordering): V {
    const result = this.fetchUpdate(undefined, undefined, (current) => (value < current ? value : undefined));
    return result.ok ? result.value : result.error;
  }

  /** The value as the typed array would store it (wrapped to the width), for comparing with what CAS returns. */
  protected abstract normalize(value: V): V;

  [share](_destination: Destination): WireHandle {
    return { __threadkit: this.kind, buffer: this.cells.buffer as SharedArrayBuffer, index: this.index } as AtomicWire;
  }
}

function newBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(8);
}

export class AtomicI32 extends AtomicInteger<number> {
  protected readonly kind = 'atomic.i32';
  constructor(initial = 0, wire?: AtomicWire) {
    super(new Int32Array(wire?.buffer ?? newBuffer()), wire?.index ?? 0);
    if (!wire) this.cells[0] = initial | 0;
  }
  protected normalize(value: number): number {
    return value | 0;
  }
}

export class AtomicU32 extends AtomicInteger<number> {
  protected readonly kind = 'atomic.u32';
  constructor(initial = 0, wire?: AtomicWire) {
    super(new Uint32Array(wire?.buffer ?? newBuffer()), wire?.index ?? 0);
    if (!wire) this.cells[0] = initial >>> 0;
  }
  protected normalize(value: number): number {
    return value >>> 0;
  }
}

export class AtomicI64 extends AtomicInteger<bigint> {
  protected readonly kind = 'atomic.i64';
  constructor(initial = 0n, wire?: AtomicWire) {
    super(new BigInt64Array(wire?.buffer ?? newBuffer()), wire?.index ?? 0);
    if (!wire) this.cells[0] = BigInt.asIntN(64, initial);
  }
  protected normalize(value: bigint): bigint {
    return BigInt.asIntN(64, value);
  }
}

export class AtomicU64 extends AtomicInteger<bigint> {
  protected readonly kind = 'atomic.u64';
  constructor(initial = 0n, wire?: AtomicWire) {
    super(new BigUint64Array(wire?.buffer ?? newBuffer()), wire?.index ?? 0);
    if (!wire) this.cells[0] = BigInt.asUintN(64, initial);
  }
  protected normalize(value: bigint): bigint {
    return BigInt.asUintN(64, value);
  }
}

/** A shared boolean (Rust's AtomicBool); stored as 0/1 in a 32-bit word. */
export class AtomicBool {
  private readonly cells: Int32Array;
  private readonly index: number;

  constructor(initial = false, wire?: AtomicWire) {
    this.cells = new Int32Array(wire?.buffer ?? newBuffer());
    this.index = wire?.index ?? 0;
    if (!wire) this.cells[0] = initial ? 1 : 0;
  }

  load(_order?: Ordering): boolean {
    return Atomics.load(this.cells, this.index) !== 0;
  }

  store(value: boolean, _order?: Ordering): void {
    Atomics.store(this.cells, this.index, value ? 1 : 0);
  }

  swap(value: boolean, _order?: Ordering): boolean {
    return Atomics.exchange(this.cells, this.index, value ? 1 : 0) !== 0;
  }

  fetchAnd(value: boolean, _order?: Ordering): boolean {
    return Atomics.and(this.cells, this.index, value ? 1 : 0) !== 0;
  }

  fetchOr(value: boolean, _order?: Ordering): boolean {
    return Atomics.or(this.cells, this.index, value ? 1 : 0) !== 0;
  }

  fetchXor(value: boolean, _order?: Ordering): boolean {
    return Atomics.xor(this.cells, this.index, value ? 1 : 0) !== 0;
  }

  /** Rust's `fetch_nand`: store !(current && value). */
  fetchNand(value: boolean, _order?: Ordering): boolean {
    const result = this.fetchUpdate(undefined, undefined, (current) => !(current && value));
    return result.ok ? result.value : result.error;
  }

  compareExchange(current: boolean, next: boolean, _success?: Ordering, _failure?: Ordering): Result<boolean, boolean> {
    const found = Atomics.compareExchange(this.cells, this.index, current ? 1 : 0, next ? 1 : 0) !== 0;
    return found === current ? ok(found) : err(found);
  }

  compareExchangeWeak(
    current: boolean,
    next: boolean,
    success?: Ordering,
    failure?: Ordering,
  ): Result<boolean, boolean> {
    return this.compareExchange(current, next, success, failure);
  }

  fetchUpdate(
    _set: Ordering | undefined,
    _fetch: Ordering | undefined,
    f: (current: boolean) => boolean | undefined,
  ): Result<boolean, boolean> {
    let current = this.load();
    for (;;) {
      const next = f(current);
      if (next === undefined) return err(current);
      const found = this.compareExchange(current, next);
      if (found.ok) return found;
      current = found.error;
    }
  }

  [share](_destination: Destination): WireHandle {
    return {
      __threadkit: 'atomic.bool',
      buffer: this.cells.buffer as SharedArrayBuffer,
      index: this.index,
    } as AtomicWire;
  }
}

registerKind('atomic.i32', (wire) => new AtomicI32(0, wire as AtomicWire));
registerKind('atomic.u32', (wire) => new AtomicU32(0, wire as AtomicWire));
registerKind('atomic.i64', (wire) => new AtomicI64(0n, wire as AtomicWire));
registerKind('atomic.u64', (wire) => new AtomicU64(0n, wire as AtomicWire));
registerKind('atomic.bool', (wire) => new AtomicBool(false, wire as AtomicWire));
