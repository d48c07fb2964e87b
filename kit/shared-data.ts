/**
 * Data that lives in shared memory, so that a lock can guard it: what `Mutex<T>` and `RwLock<T>` hold. In Rust a
 * `Mutex<Vec<LogEntry>>` guards ordinary heap data; in JavaScript only a SharedArrayBuffer is visible to more than
 * one thread, so the guarded value must be one of these (or another kit object), never a plain JS object, which
 * would be copied into each thread.
 *
 *   SharedI32Array(n) / SharedF64Array(n)   fixed-length arrays of numbers (`.array` is the typed-array view)
 *   SharedStruct({ hits: 'i32', mean: 'f64' }) a fixed "struct of numbers" with named fields (`.fields.hits`)
 *   SharedVec<T>(codec)                      a growable vector of records encoded with a kit codec (codec.ts)
 *
 * None of these synchronizes anything by itself, exactly like Rust's Vec or a struct of plain fields: read and
 * write them while holding a lock, or accept lost updates (see the tests' unsynchronized counter). Plain reads
 * and writes are enough under a lock: taking and releasing a kit lock are sequentially consistent atomic
 * operations, which order the plain accesses between them for every thread that takes the same lock.
 *
 * ── Memory layout ───────────────────────────────────────────────────────────────────────────────────────────
 * SharedI32Array / SharedF64Array / SharedStruct: one SharedArrayBuffer of the exact size; a struct gives each
 *   field 8 bytes in declaration order (i32/u32 fields use the low 4 bytes), so every field is naturally aligned.
 * SharedVec: three buffers, written only by the thread that holds the guarding lock:
 *   meta   Int32Array [LENGTH records, USED bytes of data, INDEX_CAPACITY records]
 *   index  a growable SharedArrayBuffer of Int32 pairs [byte offset, byte length], one per record
 *   data   a growable SharedArrayBuffer of encoded records, each starting at an 8-aligned offset (fixed-size
 *          number codecs read through typed-array views, which need alignment)
 *   Growing never moves a record: the buffers grow in place (growable SharedArrayBuffer), and each thread
 *   rebuilds its views when it sees a larger byteLength.
 *
 * Invariants: a SharedVec's LENGTH and USED only grow while the guarding lock is held by the writer, and every
 * index entry points inside USED bytes of data; views are rebuilt before reading past their length.
 */
import { type Codec, type CodecSpec, codecFromSpec, type RingViews, structured } from './codec.ts';
import { type Destination, registerKind, share, type WireHandle } from './internal/handles.ts';

interface ArrayWire extends WireHandle {
  readonly buffer: SharedArrayBuffer;
}

type NumberArray = Int32Array | Float64Array;

/** What the two shared number arrays have in common; each subclass names its element type and handle kind. */
abstract class SharedNumberArray<A extends NumberArray> {
  /** The typed-array view; index it directly while holding the guarding lock. */
  readonly array: A;

  protected constructor(
    make: (buffer: SharedArrayBuffer) => A,
    bytesPerElement: number,
    private readonly kind: string,
    lengthOrValues: number | ArrayLike<number>,
    wire?: ArrayWire,
  ) {
    if (wire) {
      this.array = make(wire.buffer);
    } else if (typeof lengthOrValues === 'number') {
      this.array = make(new SharedArrayBuffer(lengthOrValues * bytesPerElement));
    } else {
      this.array = make(new SharedArrayBuffer(lengthOrValues.length * bytesPerElement));
      this.array.set(Array.from(lengthOrValues));
    }
  }

  get length(): number {
    return this.array.length;
  }

  get(index: number): number {
    const value = this.array[index];
    if (value === undefined) throw new RangeError(`index ${index} is out of bounds (length ${this.array.length})`);
    return value;
  }

  set(index: number, value: number): void {
    if (!(index >= 0 && index < this.array.length))
      throw new RangeError(`index ${index} is out of bounds (length ${this.array.length})`);
    this.array[index] = value;
  }

  [share](_destination: Destination): WireHandle {
    return { __threadkit: this.kind, buffer: this.array.buffer as SharedArrayBuffer } as ArrayWire;
  }
}

/** A fixed-length array of 32-bit integers in shared memory. */
export class SharedI32Array extends SharedNumberArray<Int32Array> {
  constructor(lengthOrValues: number | ArrayLike<number>, wire?: ArrayWire) {
    super((buffer) => new Int32Array(buffer), 4, 'shared.i32array', lengthOrValues, wire);
  }
}

/** A fixed-length array of 64-bit floats in shared memory. */
export class SharedF64Array extends SharedNumberArray<Float64Array> {
  constructor(lengthOrValues: number | ArrayLike<number>, wire?: ArrayWire) {
    super((buffer) => new Float64Array(buffer), 8, 'shared.f64array', lengthOrValues, wire);
  }
}

export type NumberField = 'i32' | 'u32' | 'f64';
export type StructSchema = Readonly<Record<string, NumberField>>;
export type StructFields<S extends StructSchema> = { -readonly [K in keyof S]: number };

interface StructWire extends WireHandle {
  readonly buffer: SharedArrayBuffer;
  readonly schema: StructSchema;
}

/**
 * A "struct of numbers" in shared memory: `new SharedStruct({ count: 'i32', total: 'f64' })`, then
 * `s.fields.count += 1` while holding the guarding lock. i32/u32 fields wrap like the typed arrays they use.
 */
export class SharedStruct<S extends StructSchema> {
  /** Named accessors onto shared memory (getters and setters, one per field). */
  readonly fields: StructFields<S>;
  private readonly buffer: SharedArrayBuffer;

  constructor(
    private readonly schema: S,
    initial?: Partial<StructFields<S>>,
    wire?: StructWire,
  ) {
    const names = Object.keys(schema);
    this.buffer = wire?.buffer ?? new SharedArrayBuffer(Math.max(8, names.length * 8));
    const i32 = new Int32Array(this.buffer);
    const u32 = new Uint32Array(this.buffer);
    const f64 = new Float64Array(this.buffer);
    const fields = {} as StructFields<S>;
    names.forEach((name, slot) => {
      const type = schema[name];
      const descriptor: PropertyDescriptor =
        type === 'f64'
          ? { get: () => f64[slot], set: (v: number) => void (f64[slot] = v) }
          : type === 'u32'
            ? { get: () => u32[slot * 2], set: (v: number) => void (u32[slot * 2] = v) }
            : { get: () => i32[slot * 2], set: (v: number) => void (i32[slot * 2] = v) };
      Object.defineProperty(fields, name, { ...descriptor, enumerable: true });
    });
    this.fields = Object.seal(fields);
    if (!wire && initial) Object.assign(this.fields, initial);
  }

  /** A plain copy of the current values (take it under the lock for a consistent snapshot). */
  snapshot(): StructFields<S> {
    return { ...this.fields };
  }

  [share](_destination: Destination): WireHandle {
    return { __threadkit: 'shared.struct', buffer: this.buffer, schema: this.schema } as StructWire;
  }
}

// ── SharedVec ────────────────────────────────────────────────────────────────────────────────────────────────

const LENGTH = 0;
const USED = 1;
const INDEX_CAPACITY = 2;
const META_WORDS = 4;
const MIN_DATA = 1024;
const MIN_INDEX = 64;

export interface SharedVecOptions {
  /** Initial data bytes (it grows by doubling). */
  readonly initialBytes?: number;
  /** The most data memory the vector may grow to; address space is reserved, memory is committed as it grows. */
  readonly maxBytes?: number;
  /** The most records the vector may hold. */
  readonly maxLength?: number;
}

interface VecWire extends WireHandle {
  readonly meta: SharedArrayBuffer;
  readonly index: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  readonly codec: CodecSpec;
}

const align8 = (n: number): number => (n + 7) & ~7;

function powerOfTwoAtLeast(n: number, min: number): number {
  let size = min;
  while (size < n) size *= 2;
  return size;
}

/**
 * A growable vector of records in shared memory, Rust's `Vec<T>` for values that cross threads:
 * `new SharedVec(record({ level: { enum: ['info', 'warn'] }, message: 'string' }))`, or `new SharedVec<T>()` for
 * any structured-cloneable value. Records are encoded when pushed and decoded on every read, so `get` returns a
 * fresh copy: change a record by `set`ting it again.
 *
 * Not synchronized: guard it with a Mutex or RwLock when more than one thread uses it.
 */
export class SharedVec<T> implements Iterable<T> {
  readonly codec: Codec<T>;
  private readonly meta: Int32Array;
  private readonly indexBuffer: SharedArrayBuffer;
  private readonly data: SharedArrayBuffer;
  private index: Int32Array;
  private views: RingViews;

  constructor(codec: Codec<T> = structured<T>(), options: SharedVecOptions = {}, wire?: VecWire) {
    this.codec = codec;
    if (wire) {
      this.meta = new Int32Array(wire.meta);
      this.indexBuffer = wire.index;
      this.data = wire.data;
    } else {
      const maxBytes = options.maxBytes ?? 1 << 28;
      const maxLength = options.maxLength ?? 1 << 24;
      const initial = Math.min(maxBytes, powerOfTwoAtLeast(options.initialBytes ?? MIN_DATA, MIN_DATA));
      this.meta = new Int32Array(new SharedArrayBuffer(META_WORDS * 4));
      this.indexBuffer = new SharedArrayBuffer(MIN_INDEX * 8, { maxByteLength: Math.max(MIN_INDEX, maxLength) * 8 });
      this.data = new SharedArrayBuffer(initial, { maxByteLength: Math.max(initial, maxBytes) });
      this.meta[INDEX_CAPACITY] = MIN_INDEX;
    }
    this.index = fixedI32(this.indexBuffer);
    this.views = this.makeViews();
  }

  private makeViews(): RingViews {
    const size = this.data.byteLength;
    return {
      bytes: Buffer.from(this.data, 0, size),
      view: new DataView(this.data, 0, size),
      f64: new Float64Array(this.data, 0, size >> 3),
      i32: new Int32Array(this.data, 0, size >> 2),
    };
  }

  /** Views over the current extent of the buffers (another thread may have grown them). */
  private refresh(): void {
    if (this.views.bytes.length !== this.data.byteLength) this.views = this.makeViews();
    if (this.index.length * 4 !== this.indexBuffer.byteLength) this.index = fixedI32(this.indexBuffer);
  }

  get length(): number {
    return Atomics.load(this.meta, LENGTH);
  }

  /** Rust's `len()`. */
  len(): number {
    return this.length;
  }

  isEmpty(): boolean {
    return this.length === 0;
  }

  /** Bytes of encoded records currently stored. */
  get byteLength(): number {
    return Atomics.load(this.meta, USED);
  }

  /** Append a record (Rust's `push`). */
  push(value: T): void {
    const prepared = this.codec.prepare(value);
    const bound = this.codec.bound(prepared);
    const count = this.meta[LENGTH]!;
    const at = align8(this.meta[USED]!);
    this.reserve(at + bound, count + 1);
    const written = this.codec.write(prepared, this.views, at);
    this.index[count * 2] = at;
    this.index[count * 2 + 1] = written;
    this.meta[USED] = at + written;
    Atomics.store(this.meta, LENGTH, count + 1);
  }

  /** The record at `i`, decoded into a fresh value, or undefined past the end (Rust's `get`). */
  get(i: number): T | undefined {
    if (!(i >= 0 && i < this.length) || !Number.isInteger(i)) return undefined;
    this.refresh();
    return this.codec.read(this.views, this.index[i * 2]!, this.index[i * 2 + 1]!);
  }

  /** Replace the record at `i`; records after it keep their places only if the new encoding fits in the old. */
  set(i: number, value: T): void {
    const count = this.length;
    if (!(i >= 0 && i < count) || !Number.isInteger(i)) {
      throw new RangeError(`index ${i} is out of bounds (length ${count})`);
    }
    const prepared = this.codec.prepare(value);
    const bound = this.codec.bound(prepared);
    this.refresh();
    let at = this.index[i * 2]!;
    const oldLength = this.index[i * 2 + 1]!;
    if (bound > oldLength) {
      // Does not fit in place: write it at the end; the old bytes stay unused until clear().
      at = align8(this.meta[USED]!);
      this.reserve(at + bound, count);
    }
    const written = this.codec.write(prepared, this.views, at);
    this.index[i * 2] = at;
    this.index[i * 2 + 1] = written;
    if (at + written > this.meta[USED]!) this.meta[USED] = at + written;
  }

  /** Remove and return the last record (Rust's `pop`). */
  pop(): T | undefined {
    const count = this.length;
    if (count === 0) return undefined;
    const value = this.get(count - 1)!;
    this.meta[USED] = this.index[(count - 1) * 2]!;
    Atomics.store(this.meta, LENGTH, count - 1);
    return value;
  }

  /** Remove every record; the memory stays reserved for reuse. */
  clear(): void {
    this.meta[USED] = 0;
    Atomics.store(this.meta, LENGTH, 0);
  }

  *[Symbol.iterator](): Iterator<T> {
    const count = this.length;
    for (let i = 0; i < count; i++) yield this.get(i)!;
  }

  toArray(): T[] {
    return [...this];
  }

  private reserve(bytes: number, records: number): void {
    this.refresh();
    if (bytes > this.data.byteLength) {
      if (bytes > this.data.maxByteLength) {
        throw new RangeError(`SharedVec: ${bytes} bytes needed, more than its maxBytes (${this.data.maxByteLength})`);
      }
      this.data.grow(Math.min(this.data.maxByteLength, powerOfTwoAtLeast(bytes, this.data.byteLength * 2)));
      this.views = this.makeViews();
    }
    if (records * 8 > this.indexBuffer.byteLength) {
      if (records * 8 > this.indexBuffer.maxByteLength) {
        throw new RangeError(`SharedVec: more than its maxLength (${this.indexBuffer.maxByteLength / 8}) records`);
      }
      this.indexBuffer.grow(
        Math.min(this.indexBuffer.maxByteLength, powerOfTwoAtLeast(records * 8, this.indexBuffer.byteLength * 2)),
      );
      this.index = fixedI32(this.indexBuffer);
      this.meta[INDEX_CAPACITY] = this.indexBuffer.byteLength / 8;
    }
  }

  [share](_destination: Destination): WireHandle {
    return {
      __threadkit: 'shared.vec',
      meta: this.meta.buffer as SharedArrayBuffer,
      index: this.indexBuffer,
      data: this.data,
      codec: this.codec.spec,
    } as VecWire;
  }
}

registerKind('shared.i32array', (wire) => new SharedI32Array(0, wire as ArrayWire));
registerKind('shared.f64array', (wire) => new SharedF64Array(0, wire as ArrayWire));
registerKind('shared.struct', (wire) => {
  const w = wire as StructWire;
  return new SharedStruct(w.schema, undefined, w);
});
registerKind('shared.vec', (wire) => {
  const w = wire as VecWire;
  return new SharedVec(codecFromSpec(w.codec), {}, w);
});

/**
 * A view of the buffer's current extent. Views of a growable buffer created without a length track its size,
 * and V8 (Node 20) accesses those about 20× slower than fixed-length views; so views are fixed and rebuilt when
 * the buffer has grown.
 */
function fixedI32(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer, 0, buffer.byteLength >> 2);
}
