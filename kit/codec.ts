/**
 * Codecs: how a channel turns values into bytes in its shared ring and back.
 *
 * A codec is rebuilt in every thread from its `spec`, which is plain data; that is why codecs are built from
 * the constructors below rather than written as classes by users. Choose one per channel:
 *
 *   structured()   any structured-cloneable value (the default): flat objects field by field (~0.3 µs for a log
 *                   entry, both sides), other plain data as JSON, the rest via v8.serialize (~1 µs a value)
 *   f64 / i32 / u32  one number per message, 8 bytes, no header: the fastest path
 *   string          one UTF-8 string per message
 *   record({...})   fixed-shape objects (numbers, booleans, strings, raw bytes, UTF-8 text, small enums) written field
 *                   by field: several times faster than structured() for records such as log entries
 *   arrayOf(codec)  a batch of values in one message: one hand-off per batch instead of per value
 *
 * Encoding happens in two steps so that the expensive part can run outside the channel's lock: `prepare`
 * (outside) turns the value into something whose size is known or bounded, `write` (inside) copies it into the
 * ring and returns the exact number of bytes written.
 *
 * Invariants: `write` uses at most `bound(prepared)` bytes (checked by the channel's ring when KIT_DEBUG=1, invariant
 * R4); `read` of what `write` wrote gives back an equal value.
 */
import v8 from 'node:v8';

export type FieldType =
  | 'f64'
  | 'i32'
  | 'u32'
  | 'u8'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'utf8'
  | { readonly enum: readonly string[] };

export type CodecSpec =
  | { readonly type: 'structured' }
  | { readonly type: 'f64' }
  | { readonly type: 'i32' }
  | { readonly type: 'u32' }
  | { readonly type: 'string' }
  | { readonly type: 'record'; readonly fields: ReadonlyArray<readonly [string, FieldType]> }
  | { readonly type: 'array'; readonly of: CodecSpec };

/** Node's own UTF-8 copy routines (what Buffer#write/toString call), without the encoding dispatch. */
type FastBuffer = Buffer & {
  utf8Write(text: string, offset: number): number;
  utf8Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number): number;
  latin1Slice(start: number, end: number): string;
  ucs2Write(text: string, offset: number): number;
  ucs2Slice(start: number, end: number): string;
};

/** Views over one shared ring; rebuilt when the ring grows. */
export interface RingViews {
  readonly bytes: Buffer;
  readonly view: DataView;
  readonly f64: Float64Array;
  readonly i32: Int32Array;
}

export interface Codec<T> {
  readonly spec: CodecSpec;
  /** Size in bytes of every encoded value when it is fixed (then messages need no length header). */
  readonly fixedSize: number | undefined;
  prepare(value: T): unknown;
  /** An upper bound of the bytes `write` will use for this prepared value. */
  bound(prepared: unknown): number;
  write(prepared: unknown, ring: RingViews, offset: number): number;
  read(ring: RingViews, offset: number, length: number): T;
}

type FieldValue<F> = F extends 'f64' | 'i32' | 'u32' | 'u8'
  ? number
  : F extends 'bool'
    ? boolean
    : F extends 'string'
      ? string
      : F extends 'bytes'
        ? Uint8Array
        : F extends 'utf8'
          ? string | Uint8Array
          : F extends { readonly enum: readonly (infer E)[] }
            ? E
            : never;

export type RecordOf<S extends Record<string, FieldType>> = { -readonly [K in keyof S]: FieldValue<S[K]> };

const identity = (value: unknown): unknown => value;

function fixed<T>(spec: CodecSpec, size: number, write: Codec<T>['write'], read: Codec<T>['read']): Codec<T> {
  return { spec, fixedSize: size, prepare: identity as (v: T) => unknown, bound: () => size, write, read };
}

export const f64: Codec<number> = fixed<number>(
  { type: 'f64' },
  8,
  (value, ring, offset) => {
    ring.f64[offset >> 3] = value as number;
    return 8;
  },
  (ring, offset) => ring.f64[offset >> 3]!,
);

export const i32: Codec<number> = fixed<number>(
  { type: 'i32' },
  8,
  (value, ring, offset) => {
    ring.i32[offset >> 2] = value as number;
    return 8;
  },
  (ring, offset) => ring.i32[offset >> 2]!,
);

export const u32: Codec<number> = fixed<number>(
  { type: 'u32' },
  8,
  (value, ring, offset) => {
    ring.i32[offset >> 2] = value as number;
    return 8;
  },
  (ring, offset) => ring.i32[offset >> 2]! >>> 0,
);

export const string: Codec<string> = {
  spec: { type: 'string' },
  fixedSize: undefined,
  prepare: identity as (v: string) => unknown,
  bound: (prepared) => (prepared as string).length * 3,
  write: (prepared, ring, offset) => (ring.bytes as FastBuffer).utf8Write(prepared as string, offset),
  read: (ring, offset, length) => readText(ring.bytes, offset, length),
};

/**
 * The default codec, with three paths; the first payload byte says which, so both sides agree whatever the value.
 *
 * - Flat objects (FLAT_TAG), the commonest message (a log entry, an event): a plain object (prototype
 *   Object.prototype or null) with at most FLAT_MAX_KEYS own enumerable keys, each at most 255 Latin-1 characters
 *   and not "__proto__", whose values are strings, numbers, booleans, null or undefined. Written field by field,
 *   like a record codec but with the keys in the message: key count (u8); per field the key's length (u8) and
 *   Latin-1 bytes, a value kind (u8) and the value: a number as f64 (exact, NaN, -0 and ±Infinity included), a
 *   string as its length (u32) and then Latin-1 bytes when every character is below U+0100, else UTF-16LE code
 *   units (exact, lone surrogates included). The reader compares the key bytes with the keys it read last at the
 *   same position (a channel's messages usually share their keys) and builds the object with a function compiled
 *   per key list, so decoded objects of one shape share a hidden class. On a 130-byte log entry, one thread:
 *   JSON costs ~0.7 µs to write and ~0.38 µs to read; this path ~0.2 and ~0.2 µs.
 * - Other plain data (JSON_TAG: nested objects and arrays of strings, finite numbers, booleans, null) as JSON text.
 * - Anything JSON would not copy exactly (undefined or NaN inside nested data, Date, Map, typed arrays, objects
 *   reached twice or in a cycle, ...) via v8.serialize (V8_TAG), which implements structured cloning itself.
 */
const JSON_TAG = 1;
const V8_TAG = 2;
const FLAT_TAG = 3;
const MAX_FAST_DEPTH = 32;
const FLAT_MAX_KEYS = 64;
const seenObjects = new Set<object>();

/** The kind byte before a flat value. */
const KIND_UNDEFINED = 0;
const KIND_NULL = 1;
const KIND_FALSE = 2;
const KIND_TRUE = 3;
const KIND_NUMBER = 4;
const KIND_LATIN1 = 5;
const KIND_UTF16 = 6;

/** A flat object taken apart in `prepare`: its keys, its values (each read once), and a bound of its bytes. */
class FlatClone {
  constructor(
    readonly keys: string[],
    readonly values: unknown[],
    readonly size: number,
  ) {}
}

/** Whether `key` can be a flat key: 1–255 characters, all below U+0100, and not the prototype setter. */
function flatKey(key: string): boolean {
  const length = key.length;
  if (length > 255 || key === '__proto__') return false;
  for (let i = 0; i < length; i++) if (key.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * Per position, the last key that passed `flatKey`. Keys of objects of one shape are the same string objects every
 * time, so a key identical to the one verified last at its position needs no second look at its characters (the
 * check cost ~30 ns for a 4-key log entry, more than half of taking the object apart).
 */
const verifiedKeys: string[] = [];

function flatClone(value: object): FlatClone | undefined {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const keys = Object.keys(value);
  const count = keys.length;
  if (count > FLAT_MAX_KEYS) return undefined;
  const values = new Array<unknown>(count);
  let size = 2;
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    if (key !== verifiedKeys[i]) {
      if (!flatKey(key)) return undefined;
      verifiedKeys[i] = key;
    }
    const field = (value as Record<string, unknown>)[key];
    switch (typeof field) {
      case 'string':
        size += key.length + 6 + 2 * field.length;
        break;
      case 'number':
        size += key.length + 10;
        break;
      case 'boolean':
      case 'undefined':
        size += key.length + 2;
        break;
      case 'object':
        if (field !== null) return undefined;
        size += key.length + 2;
        break;
      default:
        return undefined;
    }
    values[i] = field;
  }
  return new FlatClone(keys, values, size);
}

/** Strings longer than this are checked and copied by Node's native routines instead of a loop (see ASCII_LOOP_MAX). */
const FLAT_LOOP_MAX = 20;
const NOT_LATIN1 = /[^\u0000-\u00ff]/;

/** Write a flat string's kind, length and characters at `at` (the kind byte); returns the next offset. */
function writeFlatString(bytes: Buffer, view: DataView, text: string, at: number): number {
  const length = text.length;
  view.setUint32(at + 1, length, true);
  const start = at + 5;
  if (length <= FLAT_LOOP_MAX) {
    let i = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) break;
      bytes[start + i] = code;
    }
    if (i === length) {
      bytes[at] = KIND_LATIN1;
      return start + length;
    }
  } else if (!NOT_LATIN1.test(text)) {
    bytes[at] = KIND_LATIN1;
    return start + (bytes as FastBuffer).latin1Write(text, start);
  }
  bytes[at] = KIND_UTF16;
  return start + (bytes as FastBuffer).ucs2Write(text, start);
}

function writeFlat(clone: FlatClone, ring: RingViews, offset: number): number {
  const { bytes, view } = ring;
  const { keys, values } = clone;
  const count = keys.length;
  bytes[offset] = FLAT_TAG;
  bytes[offset + 1] = count;
  let at = offset + 2;
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    const keyLength = key.length;
    bytes[at++] = keyLength;
    for (let j = 0; j < keyLength; j++) bytes[at++] = key.charCodeAt(j);
    const field = values[i];
    switch (typeof field) {
      case 'string':
        at = writeFlatString(bytes, view, field, at);
        break;
      case 'number':
        bytes[at] = KIND_NUMBER;
        view.setFloat64(at + 1, field, true);
        at += 9;
        break;
      case 'boolean':
        bytes[at++] = field ? KIND_TRUE : KIND_FALSE;
        break;
      default:
        bytes[at++] = field === null ? KIND_NULL : KIND_UNDEFINED;
    }
  }
  return at - offset;
}

/** The reader's memory of the last flat keys, per position, and the object builders compiled per key list. */
const lastKeys: string[] = [];
let lastCount = -1;
let lastBuild: ((values: unknown[]) => object) | undefined;
const builders = new Map<string, (values: unknown[]) => object>();
const BUILDERS_MAX = 256;
const flatValues: unknown[] = [];

function builderFor(keys: readonly string[]): (values: unknown[]) => object {
  const signature = JSON.stringify(keys);
  let build = builders.get(signature);
  if (build === undefined) {
    // Keys are embedded with JSON.stringify, never spliced raw; "__proto__" never gets here (flatKey).
    const fields = keys.map((key, i) => `${JSON.stringify(key)}: v[${i}]`).join(', ');
    build = new Function('v', `return { ${fields} };`) as (values: unknown[]) => object;
    if (builders.size >= BUILDERS_MAX) builders.clear();
    builders.set(signature, build);
  }
  return build;
}

function readFlat(ring: RingViews, offset: number): object {
  const { bytes, view } = ring;
  const count = bytes[offset + 1]!;
  let at = offset + 2;
  let sameKeys = count === lastCount;
  for (let i = 0; i < count; i++) {
    const keyLength = bytes[at++]!;
    const known = lastKeys[i];
    let same = known !== undefined && known.length === keyLength;
    for (let j = 0; same && j < keyLength; j++) same = known!.charCodeAt(j) === bytes[at + j];
    if (!same) {
      lastKeys[i] = (bytes as FastBuffer).latin1Slice(at, at + keyLength);
      sameKeys = false;
    }
    at += keyLength;
    switch (bytes[at]) {
      case KIND_NUMBER:
        flatValues[i] = view.getFloat64(at + 1, true);
        at += 9;
        break;
      case KIND_LATIN1: {
        const end = at + 5 + view.getUint32(at + 1, true);
        flatValues[i] = readLatin1(bytes, at + 5, end - at - 5);
        at = end;
        break;
      }
      case KIND_UTF16: {
        const end = at + 5 + 2 * view.getUint32(at + 1, true);
        flatValues[i] = (bytes as FastBuffer).ucs2Slice(at + 5, end);
        at = end;
        break;
      }
      case KIND_TRUE:
        flatValues[i] = true;
        at++;
        break;
      case KIND_FALSE:
        flatValues[i] = false;
        at++;
        break;
      case KIND_NULL:
        flatValues[i] = null;
        at++;
        break;
      default:
        flatValues[i] = undefined;
        at++;
    }
  }
  if (!sameKeys || lastBuild === undefined) {
    lastKeys.length = count;
    lastCount = count;
    lastBuild = builderFor(lastKeys);
  }
  const object = lastBuild(flatValues);
  return object;
}

function jsonExact(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_FAST_DEPTH || seenObjects.has(value)) return false;
      // The root needs no entry: an object reached twice is nested by definition, and a cycle back to the root
      // is caught one level further down, when the root is met again at depth 1.
      if (depth > 0) seenObjects.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !jsonExact(value[i], depth + 1)) return false;
        }
        // Named properties on an array (arr.extra = 1) survive structured cloning but not JSON.
        return Object.keys(value).length === value.length;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!jsonExact((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      // Symbol keys and non-enumerable properties are dropped by both JSON and structured cloning.
      return true;
    }
    default:
      return false;
  }
}

/** A flat object taken apart, JSON text, or v8.serialize's bytes. */
type PreparedClone = FlatClone | string | Buffer;

const structuredCodec: Codec<unknown> = {
  spec: { type: 'structured' },
  fixedSize: undefined,
  prepare(value): PreparedClone {
    if (typeof value === 'object' && value !== null) {
      const flat = flatClone(value);
      if (flat !== undefined) return flat;
    }
    let exact: boolean;
    try {
      exact = jsonExact(value, 0);
    } finally {
      seenObjects.clear();
    }
    return exact ? (JSON.stringify(value) as PreparedClone) : v8.serialize(value);
  },
  bound: (prepared) => {
    const clone = prepared as PreparedClone;
    if (clone instanceof FlatClone) return clone.size;
    return 1 + (typeof clone === 'string' ? clone.length * 3 : clone.length);
  },
  write(prepared, ring, offset) {
    const clone = prepared as PreparedClone;
    if (clone instanceof FlatClone) return writeFlat(clone, ring, offset);
    if (typeof clone === 'string') {
      ring.bytes[offset] = JSON_TAG;
      return 1 + (ring.bytes as FastBuffer).utf8Write(clone, offset + 1);
    }
    ring.bytes[offset] = V8_TAG;
    ring.bytes.set(clone, offset + 1);
    return 1 + clone.length;
  },
  read(ring, offset, length) {
    const tag = ring.bytes[offset];
    if (tag === FLAT_TAG) return readFlat(ring, offset);
    if (tag === JSON_TAG) {
      return JSON.parse((ring.bytes as FastBuffer).utf8Slice(offset + 1, offset + length));
    }
    return v8.deserialize(ring.bytes.subarray(offset + 1, offset + length));
  },
};

/** Any structured-cloneable value (the default codec). */
export function structured<T>(): Codec<T> {
  return structuredCodec as Codec<T>;
}

/** Fixed-shape objects written field by field. Enum fields hold one of the listed strings (at most 256). */
export function record<const S extends Record<string, FieldType>>(schema: S): Codec<RecordOf<S>> {
  const fields = Object.entries(schema) as Array<[string, FieldType]>;
  for (const [name, type] of fields) {
    if (typeof type === 'object' && (type.enum.length === 0 || type.enum.length > 256)) {
      throw new RangeError(`record field '${name}': an enum needs 1 to 256 values`);
    }
  }
  return recordFromSpec(fields) as unknown as Codec<RecordOf<S>>;
}

/**
 * Short text is copied in by a loop while it is ASCII: Buffer#utf8Write is a call into C++ that costs ~42–46 ns
 * whatever the length, the loop ~2 ns a character (measured one thread, Node 20: 4 characters 7 ns against 41, 16
 * characters 34 against 45, 24 characters 49 against 46, 48 characters 103 against 46). So the loop up to 20.
 */
const ASCII_LOOP_MAX = 20;

/** Write `text` as UTF-8 at `at`; returns the bytes written (text.length * 3 at most). */
function writeText(bytes: Buffer, text: string, at: number): number {
  const length = text.length;
  if (length > ASCII_LOOP_MAX) return (bytes as FastBuffer).utf8Write(text, at);
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    // Beyond ASCII: the whole text again, by Node's encoder (which also turns lone surrogates into U+FFFD).
    if (code > 0x7f) return (bytes as FastBuffer).utf8Write(text, at);
    bytes[at + i] = code;
  }
  return length;
}

/** Text of at most this many bytes is decoded by shortLatin1 (after an ASCII check where it is UTF-8). */
const SHORT_TEXT_MAX = 16;

/**
 * The characters of 1 to SHORT_TEXT_MAX bytes at `at`, each byte one character (Latin-1), by one call of
 * String.fromCharCode with every byte an argument: ~10–14 ns at up to 8 bytes and ~18–20 ns at 14–16, against
 * ~35–40 ns for Buffer#latin1Slice or #utf8Slice, calls into C++ whatever the length (measured one thread, Node 20).
 * Short fields (levels, host and logger names, ids) are common in records and log entries. The body is one `case`
 * per length, generated: two shorter calls joined by `+` cost ~8 ns more, and `fromCharCode.apply` over an array
 * ~30 ns.
 */
const shortLatin1 = new Function(
  'fromCharCode',
  `return function shortLatin1(bytes, at, length) {
    switch (length) {
      ${Array.from({ length: SHORT_TEXT_MAX }, (_, n) => {
        const args = Array.from({ length: n + 1 }, (_, i) => `bytes[at + ${i}]`).join(', ');
        return `${n + 1 === SHORT_TEXT_MAX ? 'default' : `case ${n + 1}`}: return fromCharCode(${args});`;
      }).join('\n      ')}
    }
  };`,
)(String.fromCharCode) as (bytes: Buffer, at: number, length: number) => string;

/** Decode `length` bytes of UTF-8 at `at`: short ASCII by shortLatin1, anything else by Node's decoder. */
function readText(bytes: Buffer, at: number, length: number): string {
  if (length === 0) return '';
  if (length <= SHORT_TEXT_MAX) {
    let high = 0;
    for (let i = 0; i < length; i++) high |= bytes[at + i]!;
    if (high < 0x80) return shortLatin1(bytes, at, length);
  }
  return (bytes as FastBuffer).utf8Slice(at, at + length);
}

/** Decode `length` Latin-1 bytes at `at`. */
function readLatin1(bytes: Buffer, at: number, length: number): string {
  if (length === 0) return '';
  return length <= SHORT_TEXT_MAX ? shortLatin1(bytes, at, length) : (bytes as FastBuffer).latin1Slice(at, at + length);
}

/**
 * Record codecs are compiled: the schema is turned into straight-line JavaScript (one statement per field, an
 * object literal with the fields in schema order, so every decoded record has the same hidden class). Field
 * names are embedded with JSON.stringify, never spliced raw, so any name is safe.
 */
function recordFromSpec(fields: ReadonlyArray<readonly [string, FieldType]>): Codec<Record<string, unknown>> {
  const enums = fields.map(([, type]) => (typeof type === 'object' ? type.enum : undefined));
  const enumIndex = enums.map((values) => (values ? new Map(values.map((name, index) => [name, index])) : undefined));
  const badEnum = (i: number, found: unknown): never => {
    const [name, type] = fields[i]!;
    throw new TypeError(
      `record field '${name}': ${String(found)} is not one of ${(type as { enum: string[] }).enum.join(', ')}`,
    );
  };
  const w: string[] = ['const view = ring.view, bytes = ring.bytes; let at = offset, n = 0, s = "";'];
  const r: string[] = ['const view = ring.view, bytes = ring.bytes; let at = offset, n = 0;'];
  const b: string[] = ['let total = 0, s;'];
  fields.forEach(([name, type], i) => {
    const get = `value[${JSON.stringify(name)}]`;
    switch (type) {
      case 'f64':
        w.push(`view.setFloat64(at, ${get}, true); at += 8;`);
        r.push(`const f${i} = view.getFloat64(at, true); at += 8;`);
        b.push('total += 8;');
        break;
      case 'i32':
      case 'u32': {
        const kind = type === 'i32' ? 'Int32' : 'Uint32';
        w.push(`view.set${kind}(at, ${get}, true); at += 4;`);
        r.push(`const f${i} = view.get${kind}(at, true); at += 4;`);
        b.push('total += 4;');
        break;
      }
      case 'u8':
        w.push(`bytes[at++] = ${get};`);
        r.push(`const f${i} = bytes[at++];`);
        b.push('total += 1;');
        break;
      case 'bool':
        w.push(`bytes[at++] = ${get} ? 1 : 0;`);
        r.push(`const f${i} = bytes[at++] === 1;`);
        b.push('total += 1;');
        break;
      case 'bytes':
        // Raw bytes: copied in and out as a block (the receiver gets its own copy, since the ring is reused).
        w.push(`n = ${get}.length; bytes.set(${get}, at + 4); view.setUint32(at, n, true); at += 4 + n;`);
        r.push(
          `n = view.getUint32(at, true); const f${i} = Buffer.from(bytes.subarray(at + 4, at + 4 + n)); at += 4 + n;`,
        );
        b.push(`total += 4 + ${get}.length;`);
        break;
      case 'utf8':
        // Text given as a string or as its UTF-8 bytes (copied in as they are, never decoded by the sender); the
        // receiver decodes it straight out of the ring into a string (invalid sequences become U+FFFD), with no
        // intermediate copy of the bytes.
        w.push(
          `s = ${get}; if (typeof s === "string") n = writeText(bytes, s, at + 4); ` +
            `else { n = s.length; bytes.set(s, at + 4); } view.setUint32(at, n, true); at += 4 + n;`,
        );
        r.push(`n = view.getUint32(at, true); const f${i} = readText(bytes, at + 4, n); at += 4 + n;`);
        b.push(`s = ${get}; total += 4 + (typeof s === "string" ? s.length * 3 : s.length);`);
        break;
      case 'string':
        w.push(`s = ${get}; n = writeText(bytes, s, at + 4); view.setUint32(at, n, true); at += 4 + n;`);
        r.push(`n = view.getUint32(at, true); const f${i} = readText(bytes, at + 4, n); at += 4 + n;`);
        b.push(`total += 4 + ${get}.length * 3;`);
        break;
      default:
        w.push(`n = enumIndex[${i}].get(${get}); if (n === undefined) badEnum(${i}, ${get}); bytes[at++] = n;`);
        r.push(`const f${i} = enums[${i}][bytes[at++]];`);
        b.push('total += 1;');
    }
  });
  w.push('return at - offset;');
  // `"__proto__": v` in a literal would set the prototype; the computed form `["__proto__"]: v` makes a field.
  const key = (name: string): string => (name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name));
  r.push(`return { ${fields.map(([name], i) => `${key(name)}: f${i}`).join(', ')} };`);
  b.push('return total;');
  const build = new Function(
    'enums',
    'enumIndex',
    'badEnum',
    'writeText',
    'readText',
    `return [
      function write(value, ring, offset) { ${w.join('\n')} },
      function read(ring, offset) { ${r.join('\n')} },
      function bound(value) { ${b.join('\n')} },
    ];`,
  ) as (...deps: unknown[]) => [Codec<unknown>['write'], Codec<unknown>['read'], Codec<unknown>['bound']];
  const [write, read, bound] = build(enums, enumIndex, badEnum, writeText, readText);
  return {
    spec: { type: 'record', fields },
    fixedSize: undefined,
    prepare: identity as (v: Record<string, unknown>) => unknown,
    bound,
    write,
    read: read as Codec<Record<string, unknown>>['read'],
  };
}

/** A batch of values in one message. */
export function arrayOf<T>(item: Codec<T>): Codec<T[]> {
  const packed = packedNumbers(item.spec);
  if (packed) return packed as unknown as Codec<T[]>;
  return {
    spec: { type: 'array', of: item.spec },
    fixedSize: undefined,
    prepare: (values) => {
      const prepared = values.map((value) => item.prepare(value));
      let bound = 4;
      for (const p of prepared) bound += 4 + item.bound(p) + 8;
      return { prepared, bound };
    },
    bound: (prepared) => (prepared as { bound: number }).bound,
    write(prepared, ring, offset) {
      const { prepared: items } = prepared as { prepared: unknown[] };
      const { view } = ring;
      view.setUint32(offset, items.length, true);
      let at = offset + 4;
      for (const p of items) {
        // Keep each item 8-aligned so that fixed-size number codecs can use their typed-array views.
        at = (at + 4 + 7) & ~7;
        const written = item.write(p, ring, at);
        view.setUint32(at - 4, written, true);
        at += written;
      }
      return at - offset;
    },
    read(ring, offset) {
      const { view } = ring;
      const count = view.getUint32(offset, true);
      const out = new Array<T>(count);
      let at = offset + 4;
      for (let i = 0; i < count; i++) {
        at = (at + 4 + 7) & ~7;
        const length = view.getUint32(at - 4, true);
        out[i] = item.read(ring, at, length);
        at += length;
      }
      return out;
    },
  };
}

/**
 * Batches of numbers are copied as one block: [u32 count][pad to 8][values], so sending 256 numbers costs one
 * typed-array copy rather than 256 codec calls. (The payload starts 4 bytes past an 8-aligned record start, so
 * the values begin 8-aligned.)
 */
function packedNumbers(spec: CodecSpec): Codec<number[]> | undefined {
  const width = spec.type === 'f64' ? 8 : spec.type === 'i32' || spec.type === 'u32' ? 4 : 0;
  if (width === 0) return undefined;
  const view = (ring: RingViews): Float64Array | Int32Array => (width === 8 ? ring.f64 : ring.i32);
  const unsigned = spec.type === 'u32';
  return {
    spec: { type: 'array', of: spec },
    fixedSize: undefined,
    prepare: identity as (values: number[]) => unknown,
    bound: (prepared) => 8 + (prepared as number[]).length * width,
    write(prepared, ring, offset) {
      const values = prepared as number[];
      ring.view.setUint32(offset, values.length, true);
      const start = (offset + 4 + 7) & ~7;
      view(ring).set(values, start / width);
      return start - offset + values.length * width;
    },
    read(ring, offset) {
      const count = ring.view.getUint32(offset, true);
      const first = ((offset + 4 + 7) & ~7) / width;
      const source = view(ring);
      const out = new Array<number>(count);
      for (let i = 0; i < count; i++) out[i] = unsigned ? source[first + i]! >>> 0 : source[first + i]!;
      return out;
    },
  };
}

/** Rebuild a codec from its spec (in the thread that receives a channel handle). */
export function codecFromSpec(spec: CodecSpec): Codec<unknown> {
  switch (spec.type) {
    case 'structured':
      return structuredCodec;
    case 'f64':
      return f64 as Codec<unknown>;
    case 'i32':
      return i32 as Codec<unknown>;
    case 'u32':
      return u32 as Codec<unknown>;
    case 'string':
      return string as Codec<unknown>;
    case 'record':
      return recordFromSpec(spec.fields) as Codec<unknown>;
    case 'array':
      return arrayOf(codecFromSpec(spec.of)) as Codec<unknown>;
  }
}
