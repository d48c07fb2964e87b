import v8 from 'node:v8';
import { describe, expect, test } from 'vitest';
import { channel, type Receiver, type Sender, syncChannel } from '../channel.ts';
import { arrayOf, type Codec, f64, i32, record, string, structured, u32 } from '../codec.ts';
import { spawn } from '../thread.ts';
import { forward } from './channel-bodies.ts';

/** Send `values` to a worker that forwards them back over a second channel with the same codec. */
async function roundTrip<T>(codec: Codec<T>, values: readonly T[]): Promise<T[]> {
  const [tx, rx] = channel<T>({ codec, initialBytes: 1024 });
  const [backTx, backRx] = channel<T>({ codec, initialBytes: 1024 });
  const worker = spawn(forward, rx as Receiver<unknown>, backTx as Sender<unknown>);
  for (const value of values) tx.send(value);
  tx.close();
  const out: T[] = [];
  for await (const value of backRx) out.push(value);
  expect(await worker.joinAsync()).toBe(values.length);
  return out;
}

describe('codecs round-trip across threads', () => {
  test('f64: ordinary and special values, -0 included', async () => {
    const values = [
      0,
      -0,
      1.5,
      -2.25,
      Math.PI,
      1e308,
      -1e-308,
      5e-324,
      Number.MAX_SAFE_INTEGER,
      Infinity,
      -Infinity,
      NaN,
    ];
    const out = await roundTrip(f64, values);
    expect(out.length).toBe(values.length);
    values.forEach((v, i) => expect(Object.is(out[i], v)).toBe(true));
  });

  test('i32: the full signed range', async () => {
    const values = [0, 1, -1, 123456, -2147483648, 2147483647];
    expect(await roundTrip(i32, values)).toEqual(values);
  });

  test('u32: the full unsigned range', async () => {
    const values = [0, 1, 65535, 2147483648, 4294967295];
    expect(await roundTrip(u32, values)).toEqual(values);
  });

  test('string: ASCII, empty, multi-byte and astral characters', async () => {
    const values = ['', 'plain', 'é', 'naïve café', '日本語のテキスト', '🎉👩‍👩‍👧', 'a\u0000b', 'x'.repeat(10_000), '']; // prettier-ignore
    expect(await roundTrip(string, values)).toEqual(values);
  });

  test('short text (up to 16 bytes: decoded without Node) is exact at every length, ASCII, Latin-1 and wider', async () => {
    const samples = [
      'abcdefghijklmnopqr',
      'éàüÿçñøß¡¿ÀÉÎÕÜåæ',
      'a語b🎉c€dxyz語🎉€uvw',
      '\u0000\u007f\u0080\u00ff\u0001\u007e\u0081\u00fe\u0000\u007f\u0080\u00ff\u0001\u007e\u0081\u00fe\u00a0z',
    ];
    // Cut by code points: a lone surrogate is not UTF-8 (the string codec writes U+FFFD for it, tested above). Every
    // length from 0 to 18 characters: each case of the decoder (1–16 bytes) and past it.
    const texts = samples.flatMap((text) =>
      Array.from({ length: 19 }, (_, n) => Array.from(text).slice(0, n).join('')),
    );
    expect(await roundTrip(string, texts)).toEqual(texts);
    // Once through, not there and back (where two wrong decodes could cancel out).
    const [tx, rx] = syncChannel<string>(texts.length, { codec: string });
    for (const text of texts) tx.send(text);
    expect(texts.map(() => rx.recv())).toEqual(texts);
    const shortRecord = record({ a: 'string', b: 'utf8', c: 'string' });
    const records = texts.map((text, i) => ({
      a: text,
      b: texts[(i + 7) % texts.length]!,
      c: texts[(i + 1) % texts.length]!,
    }));
    expect(await roundTrip(shortRecord, records)).toEqual(records);
    const objects = texts.map((text, i) => ({ a: text, b: texts[(i + 3) % texts.length]!, n: i }));
    expect(await roundTrip(structured<object>(), objects)).toEqual(objects);
    const [otx, orx] = syncChannel<object>(objects.length, { codec: structured<object>() });
    for (const object of objects) otx.send(object);
    expect(objects.map(() => orx.recv())).toEqual(objects);
  });

  test('structured: plain data (fast path) and what JSON cannot carry (v8 path)', async () => {
    const shared = { same: true };
    const cyclic: { name: string; self?: unknown } = { name: 'loop' };
    cyclic.self = cyclic;
    const values: unknown[] = [
      null,
      true,
      0,
      'text',
      '',
      'lone surrogate \ud800 stays',
      { a: 1, b: [1, 2, { c: 'd' }], e: { f: null }, '': 'empty key', ünï: '✓' },
      [],
      {},
      undefined,
      { missing: undefined },
      NaN,
      -0,
      Infinity,
      123n,
      new Date(0),
      new Map([[1, 'one']]),
      new Set(['s']),
      new Uint8Array([1, 2, 3]),
      // biome-ignore lint/suspicious/noSparseArray: the codec must keep the hole
      [1, , 3], // sparse
      { twice: [shared, shared] },
      cyclic,
      /re/g,
      Object.assign([1, 2], { extra: 'named property on an array' }),
    ];
    const out = await roundTrip(structured<unknown>(), values);
    expect(out.length).toBe(values.length);
    expect(out.slice(0, 10)).toEqual(values.slice(0, 10));
    expect(out[10]).toHaveProperty('missing', undefined);
    expect(Object.keys(out[10] as object)).toEqual(['missing']);
    expect(Number.isNaN(out[11])).toBe(true);
    expect(Object.is(out[12], -0)).toBe(true);
    expect(out[13]).toBe(Infinity);
    expect(out[14]).toBe(123n);
    expect(out[15]).toEqual(new Date(0));
    expect(out[16]).toEqual(new Map([[1, 'one']]));
    expect(out[17]).toEqual(new Set(['s']));
    expect(out[18]).toEqual(new Uint8Array([1, 2, 3]));
    const sparse = out[19] as unknown[];
    expect(sparse.length).toBe(3);
    expect(1 in sparse).toBe(false);
    const twice = (out[20] as { twice: object[] }).twice;
    expect(twice[0]).toBe(twice[1]);
    const loop = out[21] as { self: unknown };
    expect(loop.self).toBe(loop);
    expect(out[22]).toEqual(/re/g);
    expect(out[23]).toEqual(Object.assign([1, 2], { extra: 'named property on an array' }));
    expect((out[23] as { extra?: string }).extra).toBe('named property on an array');
  });

  test('structured, flat objects: exactly what structured cloning keeps, across shapes that change between messages', async () => {
    const nullProto = Object.assign(Object.create(null) as object, { made: 'without a prototype' });
    const values: object[] = [
      { timestamp: 1.7e12, level: 'Info', message: 'request served in 12 ms', source: 'web-1' },
      { timestamp: 1.7e12 + 1, level: 'Warn', message: 'retry', source: 'web-2' },
      { level: 'Info', timestamp: 2, message: 'same keys, other order', source: 'x' },
      { timestamp: 3, level: 'Error', message: 'one key fewer' },
      { a: NaN, b: -0, c: Infinity, d: -Infinity, e: 5e-324, f: Number.MAX_VALUE },
      { u: undefined, n: null, t: true, f: false, empty: '' },
      { latin1: 'café naïve ÿ', bmp: '日本語', astral: '🎉👩‍👩‍👧', lone: 'a\ud800b\udc00', nul: 'a\u0000b' },
      {
        long: 'x'.repeat(65),
        // Around the loop's limit (FLAT_LOOP_MAX = 20).
        edge20: 'x'.repeat(20),
        edge20Wide: `${'x'.repeat(19)}語`,
        edge21: 'x'.repeat(21),
        edge21Latin1: `${'x'.repeat(20)}é`,
        edge21Wide: `${'x'.repeat(20)}語`,
        longLatin1: 'é'.repeat(200),
        longWide: '語'.repeat(100),
        longLone: `${'y'.repeat(70)}\udfff`,
      },
      { 10: 'ten', 2: 'two', b: 'bee', a: 'ay', '': 'empty key', ünï: 'latin-1 key' },
      { 'key with spaces and "quotes"': 1, 'new\nline': 2, constructor: 3, toString: 4, hasOwnProperty: 5 },
      {},
      nullProto,
      Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, i])),
      Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])),
      { 日本: 'a key beyond Latin-1 takes another path' },
      JSON.parse('{"__proto__": "an own key named __proto__"}') as object,
      { k: 'x'.repeat(255) } as object,
      { ['k'.repeat(256)]: 'a 256-character key' },
      { nested: { a: 1 }, list: [1, 2] },
      { timestamp: 9, level: 'Debug', message: 'first shape again', source: 'web-9' },
    ];
    const out = (await roundTrip(structured<unknown>(), values)) as object[];
    expect(out.length).toBe(values.length);
    values.forEach((value, i) => {
      const expected = v8.deserialize(v8.serialize(value)) as Record<string, unknown>;
      const got = out[i] as Record<string, unknown>;
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(Object.keys(got)).toEqual(Object.keys(expected));
      for (const key of Object.keys(expected)) {
        if (typeof expected[key] === 'object' && expected[key] !== null) expect(got[key]).toEqual(expected[key]);
        else expect(Object.is(got[key], expected[key]), `message ${i}, key ${key}`).toBe(true);
      }
    });
    expect(Object.getPrototypeOf(out[15])).toBe(Object.prototype);
    expect(Object.hasOwn(out[15]!, '__proto__')).toBe(true);
  });

  test('structured, flat objects: random shapes and values round-trip like structured cloning (seeded)', async () => {
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const chars = ['a', 'Z', '0', ' ', 'é', 'ÿ', '\u0000', '語', '\ud83c', '\udf89', '🎉'];
    const text = (max: number) => Array.from({ length: Math.floor(random() * max) }, () => pick(chars)).join('');
    const anyValue = (): unknown =>
      pick([
        () => text(90),
        () => random() * 1e6 - 5e5,
        () => pick([NaN, -0, 0, Infinity]),
        () => random() < 0.5,
        () => null,
        () => undefined,
      ])();
    const keys = ['id', 'level', 'msg', 'é', '0', '7', 'source', 'a b'];
    const values = Array.from({ length: 400 }, () => {
      const object: Record<string, unknown> = {};
      for (let k = Math.floor(random() * 6); k > 0; k--) object[pick(keys)] = anyValue();
      return object;
    });
    const out = (await roundTrip(structured<unknown>(), values)) as Array<Record<string, unknown>>;
    values.forEach((value, i) => {
      const expected = v8.deserialize(v8.serialize(value)) as Record<string, unknown>;
      expect(Object.keys(out[i]!)).toEqual(Object.keys(expected));
      for (const key of Object.keys(expected)) expect(Object.is(out[i]![key], expected[key])).toBe(true);
    });
  });

  test('structured: a getter is read once; a symbol value cannot be sent (clear error)', () => {
    const [tx, rx] = channel<unknown>();
    let reads = 0;
    tx.send({
      get counted() {
        reads++;
        return 'value';
      },
    });
    expect(reads).toBe(1);
    expect(rx.recv()).toEqual({ counted: 'value' });
    expect(() => tx.send({ s: Symbol('no') })).toThrow(/could not be cloned/);
    tx.send({ after: 'ok' });
    expect(rx.recv()).toEqual({ after: 'ok' });
  });

  test('structured: a function cannot be sent (clear error, channel still usable)', () => {
    const [tx, rx] = channel<unknown>();
    expect(() => tx.send({ f: () => 1 })).toThrow(/could not be cloned/);
    tx.send('ok');
    expect(rx.recv()).toBe('ok');
  });

  test('record: every field type, enums, unicode and empty strings', async () => {
    const codec = record({
      time: 'f64',
      count: 'i32',
      size: 'u32',
      small: 'u8',
      ok: 'bool',
      level: { enum: ['debug', 'info', 'warn', 'error'] },
      message: 'string',
      source: 'string',
    });
    type Entry = Parameters<typeof codec.prepare>[0];
    const values: Entry[] = [
      { time: 1.5, count: -7, size: 4294967295, small: 255, ok: true, level: 'debug', message: '', source: '' },
      {
        time: -0.25,
        count: 2147483647,
        size: 0,
        small: 0,
        ok: false,
        level: 'error',
        message: 'naïve 日本 🎉',
        source: 'b',
      },
      {
        time: 1e300,
        count: -2147483648,
        size: 7,
        small: 17,
        ok: true,
        level: 'warn',
        message: 'x'.repeat(5000),
        source: '',
      },
      { time: 0, count: 0, size: 1, small: 1, ok: false, level: 'info', message: '\u00e9\u0301', source: 'ünïcödé' },
    ];
    const out = await roundTrip(codec, values);
    expect(out).toEqual(values);
    // decoded records keep the schema's field order
    expect(Object.keys(out[0]!)).toEqual(['time', 'count', 'size', 'small', 'ok', 'level', 'message', 'source']);
  });

  test('record text: ASCII, ASCII that turns non-ASCII late, at and past the 64-character ASCII loop', async () => {
    // Short ASCII text is copied by a loop that hands the whole text to Node's encoder at the first character beyond
    // ASCII; lone surrogates come out as Node's encoder writes them (U+FFFD), whichever path they take.
    const codec = record({ text: 'string', raw: 'utf8' });
    const texts = [
      'plain ascii',
      `${'a'.repeat(40)}é`,
      `${'b'.repeat(63)}\u{1F389}`,
      'c'.repeat(64),
      'd'.repeat(65),
      // Around the loop's limit (ASCII_LOOP_MAX = 20): the loop, its fallback, and the native write.
      'f'.repeat(20),
      `${'f'.repeat(19)}é`,
      'g'.repeat(21),
      `${'g'.repeat(20)}ü`,
      `${'e'.repeat(70)}ü`,
      'lone \ud800 surrogate',
      '\u007f\u0080',
    ];
    const values = texts.map((text) => ({ text, raw: text }));
    const expected = texts.map((text) => {
      const decoded = Buffer.from(text, 'utf8').toString('utf8');
      return { text: decoded, raw: decoded };
    });
    expect(await roundTrip(codec, values)).toEqual(expected);
  });

  test('record: a value outside the enum is rejected at send, and the channel stays usable', () => {
    const codec = record({ level: { enum: ['a', 'b'] }, n: 'i32' });
    const [tx, rx] = channel({ codec });
    expect(() => tx.send({ level: 'c' as 'a', n: 1 })).toThrow(/not one of a, b/);
    tx.send({ level: 'b', n: 2 });
    expect(rx.recv()).toEqual({ level: 'b', n: 2 });
    expect(rx.isEmpty()).toBe(true);
  });

  test('record: an enum needs 1 to 256 values', () => {
    expect(() => record({ e: { enum: [] } })).toThrow(RangeError);
    expect(() => record({ e: { enum: Array.from({ length: 257 }, (_, i) => `v${i}`) } })).toThrow(RangeError);
    const many = Array.from({ length: 256 }, (_, i) => `v${i}`);
    const [tx, rx] = channel({ codec: record({ e: { enum: many } }) });
    tx.send({ e: 'v255' });
    expect(rx.recv()).toEqual({ e: 'v255' });
  });

  test('record: unusual field names are safe', async () => {
    const schema: Record<string, 'i32' | 'string'> = {};
    schema['with space'] = 'i32';
    schema['quote"and\\backslash'] = 'string';
    schema['constructor'] = 'i32';
    Object.defineProperty(schema, '__proto__', { value: 'i32', enumerable: true, configurable: true, writable: true });
    const codec = record(schema);
    const value: Record<string, unknown> = { 'with space': 1, 'quote"and\\backslash': 'q', constructor: 3 };
    Object.defineProperty(value, '__proto__', { value: 4, enumerable: true, configurable: true, writable: true });
    const [out] = await roundTrip(codec as Codec<Record<string, unknown>>, [value]);
    expect(out!['with space']).toBe(1);
    expect(out!['quote"and\\backslash']).toBe('q');
    expect(out!['constructor']).toBe(3);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe(4);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  test('arrayOf: batches of numbers, strings, records and nested arrays', async () => {
    const numbers = [[], [1.5], [1, 2, 3, -0.5, 1e10]];
    expect(await roundTrip(arrayOf(f64), numbers)).toEqual(numbers);
    const ints = [[1, -2, 3], [2147483647]];
    expect(await roundTrip(arrayOf(i32), ints)).toEqual(ints);
    const strings = [['', 'a', 'ü', '🎉'], []];
    expect(await roundTrip(arrayOf(string), strings)).toEqual(strings);
    const rec = record({ id: 'u32', tag: { enum: ['x', 'y'] }, note: 'string' });
    const records = [
      [
        { id: 1, tag: 'x' as const, note: '' },
        { id: 2, tag: 'y' as const, note: 'ñ' },
      ],
    ];
    expect(await roundTrip(arrayOf(rec), records)).toEqual(records);
    const nested = [[[1, 2], [], [3]], [[]]];
    expect(await roundTrip(arrayOf(arrayOf(u32)), nested)).toEqual(nested);
    const objects = [[{ a: 1 }, 'two', [3]], []];
    expect(await roundTrip(arrayOf(structured<unknown>()), objects)).toEqual(objects);
  });

  test('many records of varying length wrap around a small ring intact', async () => {
    const codec = record({ id: 'i32', text: 'string', flag: 'bool' });
    const values = Array.from({ length: 5000 }, (_, i) => ({ id: i, text: 'é'.repeat(i % 300), flag: i % 2 === 0 }));
    const out = await roundTrip(codec, values);
    expect(out.length).toBe(values.length);
    expect(out).toEqual(values);
  });
});

describe('batches of numbers', () => {
  test('arrayOf(f64 | i32 | u32) round-trips as one packed block, across ring growth and wraparound', () => {
    const cases = [
      [f64, [0, -0.5, 1e300, Number.MIN_VALUE, -7, 2 ** 53]],
      [i32, [0, -1, 2 ** 31 - 1, -(2 ** 31), 42]],
      [u32, [0, 1, 2 ** 32 - 1, 2 ** 31, 42]],
    ] as const;
    for (const [codec, sample] of cases) {
      const [tx, rx] = syncChannel<number[]>(4, { codec: arrayOf(codec), initialBytes: 1024 });
      for (let round = 0; round < 50; round++) {
        const batch = Array.from({ length: (round * 37) % 300 }, (_, i) => sample[i % sample.length]!);
        tx.send(batch);
        tx.send([]);
        expect(rx.recv()).toEqual(batch);
        expect(rx.recv()).toEqual([]);
      }
    }
  });
});

describe('record utf8 fields', () => {
  test('text sent as a string or as UTF-8 bytes arrives as the same string; invalid bytes become U+FFFD', () => {
    const codec = record({ id: 'f64', text: 'utf8' });
    const [tx, rx] = channel<{ id: number; text: string | Uint8Array }>({ codec, initialBytes: 1024 });
    const words = ['', 'plain ascii\n', 'naïve café ✓ 日本語 🎉\r\n', 'x'.repeat(5000)];
    for (const [i, text] of words.entries()) {
      tx.send({ id: i, text });
      tx.send({ id: i, text: Buffer.from(text, 'utf8') });
    }
    for (const [i, text] of words.entries()) {
      expect(rx.recv()).toEqual({ id: i, text });
      expect(rx.recv()).toEqual({ id: i, text });
    }
    const invalid = new Uint8Array([0x61, 0xff, 0x62, 0xc3]);
    tx.send({ id: 9, text: invalid });
    expect(rx.recv()).toEqual({ id: 9, text: Buffer.from(invalid).toString('utf8') });
    expect(Buffer.from(invalid).toString('utf8')).toBe('a\uFFFDb\uFFFD');
  });
});

describe('record bytes fields', () => {
  test('raw bytes round-trip as an independent copy, empty and non-UTF-8 included', () => {
    const codec = record({ name: 'string', payload: 'bytes' });
    const [tx, rx] = channel<{ name: string; payload: Uint8Array }>({ codec, initialBytes: 1024 });
    const samples = [new Uint8Array([]), new Uint8Array([0xff, 0xfe, 0x00, 0x0a, 0xc3]), new Uint8Array(5000).fill(7)];
    for (const payload of samples) tx.send({ name: 'x', payload });
    for (const payload of samples) {
      const got = rx.recv();
      expect(got.name).toBe('x');
      expect([...got.payload]).toEqual([...payload]);
    }
    // The decoded bytes belong to the receiver: later traffic through the ring does not change them.
    tx.send({ name: 'a', payload: new Uint8Array([1, 2, 3]) });
    const kept = rx.recv().payload;
    tx.send({ name: 'b', payload: new Uint8Array([9, 9, 9]) });
    rx.recv();
    expect([...kept]).toEqual([1, 2, 3]);
  });
});
