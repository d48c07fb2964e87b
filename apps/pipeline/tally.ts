/**
 * The per-line work of the `pipeline` command and the counts it produces.
 *
 * Guarantees:
 * - `processChunk` puts every line of a chunk in exactly one bucket: kept (parsed, at or above the minimum
 *   level, then enriched and recorded; or parsed with no level, level Unknown, unless those are dropped),
 *   filtered (parsed but below the minimum level, or Unknown and dropped), blank (empty or only whitespace),
 *   continued (not parseable, but the continuation of the record before it: an indented stack frame,
 *   `Caused by:`, see `isContinuation`), or dead-lettered (not blank and not parseable in the chunk's format nor in any other, with a reason
 *   from the chunk's format).
 * - Entries of level Unknown are recorded by the same reference `record` as the others (its counts are keyed
 *   by the level's name, so Unknown gets its own count); `isAtLeast` is never asked about them.
 * - It runs the reference stage code of project 1 (`isAtLeast`, `enrich`, `record` from milestone 2) on the
 *   entries the real-format parsers of `formats.ts` produce, so the threaded pipeline and the single-threaded
 *   baseline share one implementation and cannot disagree.
 * - A `Tally` is local to one thread; `tallyToWire` turns it into plain arrays that cross threads, and
 *   `mergeTallies` adds any number of them. Merging is commutative, so the order workers finish in does not
 *   change the result.
 *
 * Lines are the text between '\n' characters; a '\r' just before the '\n' belongs to the line ending.
 */
import { emptyStats, enrich, isAtLeast, type LogEntry, type LogStats, record } from './reference.ts';
import type { LogLevel } from './reference.ts';
import {
  type EntryLevel,
  type FormatName,
  isBlankLine,
  isContinuation,
  type LineParser,
  prefixedParser,
  reparse,
  reparsedWith,
  unparsedReason,
} from './formats.ts';

/** The unit of work that travels from the reader to a parser thread: whole lines of one file. */
export interface Chunk {
  /** The input's path as given ('-' for standard input). */
  file: string;
  /** 1-based number of the chunk's first line in its file. */
  firstLine: number;
  /** The layout the chunk's lines are parsed as first (detected per file, or forced with --format). */
  format: FormatName;
  /** Fields before the layout starts on each line (a file name, a host name), as detected; usually 0. */
  prefix: number;
  /** One or more lines, each ended by '\n' except possibly the last line of a file: as UTF-8 bytes when the
   * reader made the chunk (it never decodes, so the thread that reads does no per-byte work beyond finding
   * line ends), already decoded when a parser thread received it (the channel decodes straight out of its
   * ring, see threads.ts). Decoding turns invalid sequences into U+FFFD either way. */
  text: Uint8Array | string;
  /** Entries below this level are filtered (the run's --min-level, carried by every chunk so that threads
   * that outlive one run need no other message to learn the next run's setting). */
  minLevel: LogLevel;
  /** Keep entries whose line names no level (level Unknown); when false they are counted as filtered. */
  keepUnknown: boolean;
  /** Try the other layouts on a line `format` does not parse (true when the format was detected, false when
   * --format forced it). */
  recheck: boolean;
}

/** A line the pipeline could not use, as written to the dead-letter file. */
export interface DeadLetter {
  file: string;
  line: number;
  reason: string;
  /** The line, cut to `DEAD_LETTER_TEXT_MAX` characters when longer. */
  text: string;
  /** The line's full length (UTF-16 code units, or bytes when `lengthInBytes`); more than `text.length`
   * when the text was cut. */
  length: number;
  /** True for lines the reader measured in bytes (too long to decode whole). */
  lengthInBytes: boolean;
}

/** How much of a dead line is kept in the dead-letter file. */
export const DEAD_LETTER_TEXT_MAX = 4096;

/** Cut `line` for a dead letter without splitting a surrogate pair. */
export function deadLetterText(line: string): string {
  if (line.length <= DEAD_LETTER_TEXT_MAX) return line;
  let end = DEAD_LETTER_TEXT_MAX;
  const last = line.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return line.slice(0, end);
}

/** Counts kept by one thread. `stats` is the reference aggregator's `LogStats` for the kept entries. */
export interface Tally {
  readonly stats: LogStats;
  filtered: number;
  blank: number;
  continued: number;
  deadLettered: number;
  readonly deadReasons: Map<string, number>;
}

export function emptyTally(): Tally {
  return { stats: emptyStats(), filtered: 0, blank: 0, continued: 0, deadLettered: 0, deadReasons: new Map() };
}

/** Count one dead line (used by the reader for lines too long to hand to a parser). */
export function countDeadLetter(tally: Tally, reason: string): void {
  tally.deadLettered++;
  tally.deadReasons.set(reason, (tally.deadReasons.get(reason) ?? 0) + 1);
}

/**
 * Parse, filter (at `chunk.minLevel`), enrich and aggregate every line of `chunk` into `tally`. When `deadLetters` is given, each
 * dead-lettered line is also appended to it (for the dead-letter file); otherwise it is only counted.
 */
export function processChunk(tally: Tally, chunk: Chunk, deadLetters?: DeadLetter[]): void {
  const minLevel = chunk.minLevel;
  const keepUnknown = chunk.keepUnknown;
  const recheck = chunk.recheck;
  const parse = prefixedParser(chunk.format, chunk.prefix);
  // The parser that took the last line the chunk's own layout did not (mixed files): tried next time first.
  let alternative: LineParser | undefined;
  const b = chunk.text;
  const text =
    typeof b === 'string'
      ? b
      : (b instanceof Buffer ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('utf8');
  const length = text.length;
  const stats = tally.stats;
  let lineNumber = chunk.firstLine;
  let start = 0;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = length;
    const next = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    const line = text.slice(start, end);
    let entry = parse(line);
    if (entry === undefined && recheck && !isBlankLine(line)) {
      entry = alternative?.(line);
      if (entry === undefined) {
        entry = reparse(line, chunk.format);
        if (entry !== undefined) alternative = reparsedWith;
      }
    }
    if (entry !== undefined) {
      const level: EntryLevel = entry.level;
      if (level === 'Unknown') {
        if (keepUnknown) record(stats, enrich(entry as unknown as LogEntry));
        else tally.filtered++;
      } else if (isAtLeast(level, minLevel)) record(stats, enrich(entry as LogEntry));
      else tally.filtered++;
    } else if (isBlankLine(line)) {
      tally.blank++;
    } else if (isContinuation(line)) {
      tally.continued++;
    } else {
      const reason = unparsedReason(line, chunk.format);
      countDeadLetter(tally, reason);
      deadLetters?.push({
        file: chunk.file,
        line: lineNumber,
        reason,
        text: deadLetterText(line),
        length: line.length,
        lengthInBytes: false,
      });
    }
    start = next;
    lineNumber++;
  }
}

/** A tally as plain data, safe to return from a thread (no Maps; keys such as "__proto__" stay data). */
export interface TallyWire {
  kept: number;
  filtered: number;
  blank: number;
  continued: number;
  deadLettered: number;
  byLevel: Array<[EntryLevel, number]>;
  bySource: Array<[string, number]>;
  byReason: Array<[string, number]>;
}

export function tallyToWire(tally: Tally): TallyWire {
  return {
    kept: tally.stats.totalCount,
    filtered: tally.filtered,
    blank: tally.blank,
    continued: tally.continued,
    deadLettered: tally.deadLettered,
    byLevel: [...tally.stats.countByLevel],
    bySource: [...tally.stats.countBySource],
    byReason: [...tally.deadReasons],
  };
}

/** Add tallies together (any order gives the same result). */
export function mergeTallies(parts: readonly TallyWire[]): Tally {
  const out = emptyTally();
  const add = <K>(map: Map<K, number>, pairs: ReadonlyArray<[K, number]>) => {
    for (const [key, n] of pairs) map.set(key, (map.get(key) ?? 0) + n);
  };
  for (const part of parts) {
    out.stats.totalCount += part.kept;
    out.filtered += part.filtered;
    out.blank += part.blank;
    out.continued += part.continued;
    out.deadLettered += part.deadLettered;
    add(out.stats.countByLevel as Map<EntryLevel, number>, part.byLevel);
    add(out.stats.countBySource, part.bySource);
    add(out.deadReasons, part.byReason);
  }
  return out;
}
