/**
 * The reading half of the `pipeline` command: files (or standard input) streamed and cut into chunks of whole
 * lines. The threaded pipeline and the single-threaded baseline both read through `readChunks`, so they see
 * exactly the same lines, numbered the same way, with the same formats.
 *
 * Guarantees:
 * - Streaming only: a file is read in pieces of `readBytes` (standard input: as process.stdin delivers them),
 *   each cut into chunks of about `chunkBytes` of whole lines; the next piece is taken only after the sink has
 *   accepted every chunk of the previous one (the sink's promise resolved).
 *   Memory held here is two read buffers, plus the unfinished last line, plus (while a file's format is being
 *   detected) the first lines of that file; a line longer than `OVERSIZED_LINE_BYTES` is never held whole.
 * - A file is read into two buffers used in turn (the next piece is read while the sink handles this one), not
 *   into a fresh buffer per read: fresh 1 MiB buffers cost the kernel a page fault per 4 KB, about a tenth of
 *   the single-threaded run's CPU time. So a chunk's bytes are valid only until the reader calls `sink.release`
 *   (after the last chunk of each piece of a file), and a sink that keeps chunks must hand them on or drop them
 *   by the time `release` settles. What the reader keeps across pieces itself (the unfinished last line, the
 *   lines waiting for format detection) it copies.
 * - Every line is delivered exactly once: either inside a chunk (`sink.chunk`) or, when it is longer than
 *   `OVERSIZED_LINE_BYTES`, to `sink.oversized` with its first characters. Lines are numbered from 1 in
 *   each file. A final line without '\n' is a line; the '\n' that ends a file does not start another.
 * - Chunks carry bytes: the reader never decodes them (only the lines format detection looks at); whoever
 *   parses a chunk decodes it as UTF-8 with invalid sequences replaced by U+FFFD. Chunks are cut just after a
 *   '\n' byte, which never occurs inside a multi-byte sequence, so decoding per chunk equals decoding the file.
 * - Format: unless `format` forces one, each file's format is detected from its first
 *   `DETECT_SAMPLE_LINES` non-blank lines (or fewer, for a short file) before any of its chunks is sent.
 * - Compressed files: a file that starts with gzip's magic bytes (rotated logs are often `.log.1.gz`) is
 *   decompressed as it is read (zlib, in libuv's thread pool), whatever its name; every guarantee above holds for
 *   its decompressed text, and `bytes` counts decompressed bytes. Other compressions are recognised by their
 *   magic bytes too (`compressionOf`), and refused before anything starts (pipeline.ts checkInputs) rather than
 *   read as text whose every line would be dead-lettered.
 * - UTF-16 text (what Windows PowerShell 5 writes with `>` or `Out-File`, Notepad's "Unicode"), recognised by its
 *   first bytes (`utf16Of`), is re-encoded as UTF-8 as it is read, from a file, a gzip file or standard input;
 *   every guarantee above holds for the re-encoded text, `bytes` counts its UTF-8 bytes, and the file's summary
 *   names the encoding. Read as UTF-8, every line of it was dead-lettered.
 * - Stopping: with `maxLines`, exactly that many lines are delivered (fewer if the input is shorter). When
 *   `signal` aborts, reading stops at the next piece; every line already delivered stays delivered, and
 *   `stoppedEarly` says so. A partial last line that was never delivered is not counted anywhere.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  type Detected,
  DETECT_SAMPLE_LINES,
  type FormatName,
  type FormatOption,
  isBlankLine,
  MAX_LINE_LENGTH,
  resolveLayout,
} from './formats.ts';
import type { Chunk } from './tally.ts';
import type { LogLevel } from './reference.ts';

/** Lines with more bytes than this are dead-lettered by the reader itself. Three bytes of UTF-8 never make
 * less than one UTF-16 code unit, so such a line is certainly over the parsers' MAX_LINE_LENGTH too. */
export const OVERSIZED_LINE_BYTES = 4 * MAX_LINE_LENGTH;

/** The reason given for oversized lines: the same words the parsers' `unparsedReason` uses. */
export const OVERSIZED_REASON = `line longer than ${MAX_LINE_LENGTH} characters`;

/** Characters of an oversized line kept for its dead letter. */
const OVERSIZED_PREFIX_BYTES = 16 * 1024;

/** While detecting, stop waiting for more sample lines once this many characters are pending. */
const DETECT_PENDING_MAX = 1 << 20;

/** Text per chunk message: small enough that decoding makes an ordinary heap string (V8 puts strings
 * over ~128 KB in large-object space, which made decoding several times slower per byte here). */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** Bytes per read: large, so the main thread makes few I/O round trips through the event loop. */
export const DEFAULT_READ_BYTES = 1024 * 1024;

/** The name standing for standard input. */
export const STDIN = '-';

export interface OversizedLine {
  readonly file: string;
  readonly line: number;
  /** The start of the line, decoded. */
  readonly prefix: string;
  /** Bytes in the line (without its line ending). */
  readonly bytes: number;
}

export interface ChunkSink {
  /** One chunk of whole lines; its bytes are valid until the next `release` settles (see the file header). */
  chunk(chunk: Chunk): void | Promise<void>;
  oversized(line: OversizedLine): void | Promise<void>;
  /** The reader is about to read into the memory of every chunk delivered so far: use them or copy them now. */
  release?(): void | Promise<void>;
}

export interface ReadOptions {
  readonly format: FormatOption;
  /** Stamped on every chunk (see `Chunk.minLevel`). */
  readonly minLevel: LogLevel;
  /** Stamped on every chunk (see `Chunk.keepUnknown`). */
  readonly keepUnknown: boolean;
  /** Bytes of text per chunk (about: chunks end at a line end). */
  readonly chunkBytes?: number;
  /** Bytes per read from the file. */
  readonly readBytes?: number;
  readonly maxLines?: number;
  readonly signal?: AbortSignal;
  /** Where '-' reads from (default process.stdin). */
  readonly stdin?: Readable;
  /** Called after every piece read, with the bytes and lines delivered so far (all files). */
  readonly onProgress?: (bytesRead: number, lines: number) => void;
}

export interface FileSummary {
  readonly path: string;
  readonly format: FormatName;
  /** Fields before the layout on each line (file name, host), when detection found some. */
  readonly prefix?: number;
  /** The text's encoding when it was not UTF-8 (it was re-encoded as it was read; `bytes` counts UTF-8). */
  readonly encoding?: Utf16;
  readonly lines: number;
  readonly bytes: number;
}

export interface ReadSummary {
  readonly files: FileSummary[];
  readonly lines: number;
  readonly bytes: number;
  readonly stoppedEarly: boolean;
}

/** Compressed formats recognised by their first bytes; only gzip can be read (node:zlib has no xz or bzip2,
 * and zstd only from Node 22.15). */
const MAGIC: ReadonlyArray<{ readonly name: Compression; readonly bytes: readonly number[] }> = [
  { name: 'gzip', bytes: [0x1f, 0x8b] },
  { name: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'bzip2', bytes: [0x42, 0x5a, 0x68] },
];
export type Compression = 'gzip' | 'xz' | 'zstd' | 'bzip2';

/** The compression a file's first bytes name, or undefined (plain text, or not a regular file to peek at). */
export function compressionOf(path: string): Compression | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (!fstatSync(fd).isFile()) return undefined;
    const head = Buffer.alloc(6);
    const n = readSync(fd, head, 0, head.length, 0);
    // bzip2's 'BZh' is followed by the block size digit '1'–'9'; plain text starting 'BZh' is not mistaken for it.
    return MAGIC.find(
      (m) =>
        n >= m.bytes.length &&
        m.bytes.every((b, i) => head[i] === b) &&
        (m.name !== 'bzip2' || (n > 3 && head[3]! >= 0x31 && head[3]! <= 0x39)),
    )?.name;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The bytes of text a file will yield: its size, or for gzip the size its trailer records (the uncompressed size
 * mod 2^32 of the last member: exact for one member under 4 GiB, and never taken below the compressed size), or
 * for UTF-16 text half its size (the UTF-8 it becomes, if mostly ASCII).
 */
export function textSize(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // UTF-16 text is read as UTF-8: about half as many bytes when it is mostly ASCII, as logs are.
    const head = Buffer.alloc(256);
    if (utf16Of(head.subarray(0, readSync(fd, head, 0, head.length, 0))) !== undefined) return Math.ceil(size / 2);
    if (compressionOf(path) !== 'gzip' || size < 18) return size;
    const trailer = Buffer.alloc(4);
    readSync(fd, trailer, 0, 4, size - 4);
    return Math.max(size, trailer.readUInt32LE(0));
  } finally {
    closeSync(fd);
  }
}

/** Count the lines of `bytes` (a final line without '\n' counts), and where the first `limit` of them end.
 * `indexOf` finds each '\n' natively, so this is the reader's only per-line work. */
function countLines(bytes: Buffer, limit: number): { lines: number; cut: number } {
  let lines = 0;
  let pos = 0;
  for (;;) {
    const nl = bytes.indexOf(10, pos);
    if (nl < 0) break;
    lines++;
    pos = nl + 1;
    if (lines === limit) return { lines, cut: pos };
  }
  if (pos < bytes.length) lines++;
  return { lines, cut: bytes.length };
}

/** Non-blank lines of `text`, appended to `sample` until it holds `DETECT_SAMPLE_LINES`. */
function addSample(sample: string[], text: string): void {
  let pos = 0;
  while (sample.length < DETECT_SAMPLE_LINES && pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    if (!isBlankLine(line)) sample.push(line);
    pos = end + 1;
  }
}

class Stop extends Error {}

/**
 * A file's bytes in pieces of up to `size`, read into two buffers used in turn: while the caller handles one
 * piece, the next is read into the other buffer. A piece stays valid until the caller asks for the next one
 * (the read into its buffer starts then).
 */
async function* filePieces(path: string, size: number): AsyncGenerator<Buffer, void, undefined> {
  const handle = await open(path, 'r');
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)] as const;
  let which = 0;
  let reading: Promise<{ bytesRead: number }> | undefined = handle.read(buffers[0], 0, size, null);
  try {
    for (;;) {
      const { bytesRead } = await reading;
      reading = undefined;
      if (bytesRead === 0) return;
      const piece = buffers[which]!.subarray(0, bytesRead);
      which ^= 1;
      // The other buffer held the previous piece, which the caller is done with: it asked for this one.
      reading = handle.read(buffers[which]!, 0, size, null);
      yield piece;
    }
  } finally {
    // A read still in flight (the caller stopped early) must finish before its file is closed.
    await reading?.catch(() => {});
    await handle.close();
  }
}

export type Utf16 = 'utf-16le' | 'utf-16be';

/** Code units a UTF-16 text without a byte-order mark must show before it is taken for one. */
const UTF16_MIN_UNITS = 16;

/**
 * UTF-16 recognised by the first bytes of a text: a byte-order mark (FF FE little-endian, FE FF big-endian), or,
 * without one, at least UTF16_MIN_UNITS code units (up to 128 looked at) of ASCII text in which every high byte
 * is 0 and no low byte is. Undefined for anything else, UTF-8 (with or without its own mark) included.
 */
export function utf16Of(head: Uint8Array): Utf16 | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const units = Math.min(128, head.length >> 1);
  if (units < UTF16_MIN_UNITS) return undefined;
  for (const [low, high, encoding] of [
    [0, 1, 'utf-16le'],
    [1, 0, 'utf-16be'],
  ] as const) {
    let k = 0;
    while (k < units && head[2 * k + high] === 0 && head[2 * k + low] !== 0 && head[2 * k + low]! < 0x80) k++;
    if (k === units) return encoding;
  }
  return undefined;
}

/**
 * `pieces` as they are, or, when the first bytes show UTF-16 (utf16Of), decoded from it and re-encoded as UTF-8
 * (fresh buffers; a code unit split between pieces is joined; invalid sequences become U+FFFD, the mark goes).
 * `found` is told the encoding before the first piece is handed on.
 */
async function* asUtf8(
  pieces: AsyncIterable<Buffer | string>,
  found: (encoding: Utf16) => void,
): AsyncGenerator<Buffer | string, void, undefined> {
  let decoder: TextDecoder | undefined;
  let first = true;
  for await (const piece of pieces) {
    if (first) {
      first = false;
      const encoding = typeof piece === 'string' ? undefined : utf16Of(piece);
      if (encoding !== undefined) {
        decoder = new TextDecoder(encoding);
        found(encoding);
      }
    }
    if (decoder === undefined) yield piece;
    else yield Buffer.from(decoder.decode(piece as Buffer, { stream: true }), 'utf8');
  }
  if (decoder !== undefined) {
    const rest = decoder.decode();
    if (rest.length > 0) yield Buffer.from(rest, 'utf8');
  }
}

/** A gzip file's decompressed bytes; a damaged file fails with its name and zlib's reason. */
async function* gunzipped(path: string, size: number): AsyncGenerator<Buffer, void, undefined> {
  const file = createReadStream(path, { highWaterMark: size });
  const gunzip = createGunzip({ chunkSize: Math.min(size, 256 * 1024) });
  file.on('error', (error) => gunzip.destroy(error));
  file.pipe(gunzip);
  try {
    for await (const piece of gunzip) yield piece as Buffer;
  } catch (error) {
    throw new Error(`${path}: cannot decompress (gzip): ${(error as Error).message}`);
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

/** Stream every input through `sink`; see the file header for what is guaranteed. */
export async function readChunks(
  paths: readonly string[],
  options: ReadOptions,
  sink: ChunkSink,
): Promise<ReadSummary> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const minLevel = options.minLevel;
  const readBytes = Math.max(options.readBytes ?? DEFAULT_READ_BYTES, chunkBytes);
  const maxLines = options.maxLines ?? Infinity;
  const files: FileSummary[] = [];
  let totalLines = 0;
  let totalBytes = 0;
  let stoppedEarly = false;

  for (let file = 0; file < paths.length && !stoppedEarly; file++) {
    if (totalLines >= maxLines) {
      stoppedEarly = true;
      break;
    }
    const path = paths[file]!;
    // Standard input hands over a fresh buffer per piece; a file's pieces reuse two buffers (see the header).
    // A gzip file is read as a stream (fresh buffers, like standard input); see the header.
    const gzip = path !== STDIN && compressionOf(path) === 'gzip';
    const fromFile = path !== STDIN && !gzip;
    let encoding: Utf16 | undefined;
    const stream: AsyncIterable<Buffer | string> = asUtf8(
      fromFile
        ? filePieces(path, readBytes)
        : gzip
          ? gunzipped(path, readBytes)
          : ((options.stdin ?? process.stdin) as AsyncIterable<Buffer | string>),
      (found) => {
        encoding = found;
      },
    );
    let layout: Detected | undefined = options.format === 'auto' ? undefined : { format: options.format, prefix: 0 };
    const sample: string[] = [];
    let pending: Array<[bytes: Buffer, lines: number]> = [];
    let pendingChars = 0;
    let fileLines = 0;
    let fileBytes = 0;
    // The unfinished last line, as pieces (joined once its end arrives).
    let carry: Buffer[] = [];
    let carryBytes = 0;
    // True while skipping the rest of an oversized line.
    let skipping = false;

    const send = async (bytes: Buffer, lines: number): Promise<void> => {
      const chunk: Chunk = {
        file: path,
        firstLine: fileLines + 1,
        format: layout!.format,
        prefix: layout!.prefix,
        text: bytes,
        minLevel,
        keepUnknown: options.keepUnknown,
        recheck: options.format === 'auto',
      };
      fileLines += lines;
      await sink.chunk(chunk);
    };

    const flushPending = async (): Promise<void> => {
      layout ??= resolveLayout('auto', sample);
      const texts = pending;
      pending = [];
      pendingChars = 0;
      for (const [bytes, lines] of texts) await send(bytes, lines);
    };

    /** Keep the part of a piece that must outlive it (a file's read buffer is reused for a later piece). */
    const keep = (bytes: Buffer): Buffer => (fromFile ? Buffer.from(bytes) : bytes);

    /** Deliver whole lines (as bytes); throws Stop once maxLines is reached. */
    const deliver = async (whole: Buffer): Promise<void> => {
      const room = maxLines - totalLines;
      const { lines, cut } = countLines(whole, room);
      const bytes = cut < whole.length ? whole.subarray(0, cut) : whole;
      totalLines += lines;
      if (layout === undefined) {
        pending.push([keep(bytes), lines]);
        pendingChars += bytes.length;
        // Only the lines detection looks at are decoded here.
        if (sample.length < DETECT_SAMPLE_LINES) addSample(sample, bytes.toString('utf8'));
        if (sample.length >= DETECT_SAMPLE_LINES || pendingChars >= DETECT_PENDING_MAX) await flushPending();
      } else {
        await send(bytes, lines);
      }
      if (totalLines >= maxLines || options.signal?.aborted) throw new Stop();
    };

    const oversized = async (head: Buffer, bytes: number): Promise<void> => {
      if (layout === undefined) await flushPending();
      fileLines++;
      totalLines++;
      const prefix = head.subarray(0, OVERSIZED_PREFIX_BYTES).toString('utf8');
      await sink.oversized({ file: path, line: fileLines, prefix, bytes });
      if (totalLines >= maxLines) throw new Stop();
    };

    try {
      for await (const piece of stream) {
        let data = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
        fileBytes += data.length;
        totalBytes += data.length;
        if (skipping) {
          const nl = data.indexOf(10);
          if (nl < 0) continue;
          skipping = false;
          data = data.subarray(nl + 1);
        }
        if (carryBytes > 0) {
          const nl = data.indexOf(10);
          if (nl < 0) {
            carry.push(keep(data));
            carryBytes += data.length;
            if (carryBytes > OVERSIZED_LINE_BYTES) {
              await oversized(Buffer.concat(carry, Math.min(carryBytes, OVERSIZED_PREFIX_BYTES)), carryBytes);
              carry = [];
              carryBytes = 0;
              skipping = true;
            }
            continue;
          }
          if (carryBytes + nl > OVERSIZED_LINE_BYTES) {
            await oversized(Buffer.concat(carry, Math.min(carryBytes, OVERSIZED_PREFIX_BYTES)), carryBytes + nl);
            data = data.subarray(nl + 1);
          } else {
            // Only the line that spans the two pieces is copied; the rest of the piece is used in place.
            carry.push(data.subarray(0, nl + 1));
            await deliver(Buffer.concat(carry));
            data = data.subarray(nl + 1);
          }
          carry = [];
          carryBytes = 0;
        }
        const last = data.lastIndexOf(10);
        if (last < 0) {
          if (data.length > 0) {
            carry.push(keep(data));
            carryBytes = data.length;
          }
        } else {
          // Cut the whole lines into chunks of about chunkBytes (a longer line makes a longer chunk).
          let from = 0;
          while (from <= last) {
            let end = from + chunkBytes - 1 >= last ? last : data.lastIndexOf(10, from + chunkBytes - 1);
            if (end < from) end = data.indexOf(10, from + chunkBytes);
            await deliver(data.subarray(from, end + 1));
            from = end + 1;
          }
          const rest = data.subarray(last + 1);
          if (rest.length > 0) {
            carry.push(keep(rest));
            carryBytes = rest.length;
          }
        }
        if (fromFile) await sink.release?.();
        options.onProgress?.(totalBytes, totalLines);
        if (options.signal?.aborted) {
          stoppedEarly = true;
          break;
        }
      }
      if (!stoppedEarly && carryBytes > 0) {
        // The file's last line has no '\n'.
        await deliver(Buffer.concat(carry));
      }
      if (layout === undefined || pending.length > 0) await flushPending();
    } catch (error) {
      // Leaving the loop early closed the file (for-await ends its iterator: see filePieces).
      if (!(error instanceof Stop)) throw error;
      stoppedEarly = true;
      if (layout === undefined || pending.length > 0) await flushPending();
    }
    const found = layout ?? resolveLayout('auto', sample);
    files.push({
      path,
      format: found.format,
      ...(found.prefix > 0 ? { prefix: found.prefix } : {}),
      ...(encoding !== undefined ? { encoding } : {}),
      lines: fileLines,
      bytes: fileBytes,
    });
  }
  options.onProgress?.(totalBytes, totalLines);
  return { files, lines: totalLines, bytes: totalBytes, stoppedEarly };
}
