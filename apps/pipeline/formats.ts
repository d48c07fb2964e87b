/**
 * Line parsers for real-world log layouts, used by the `pipeline` command.
 *
 * Every parser has the shape `(line) => ParsedLine | undefined`: it takes one line
 * (with or without its CR/LF) and returns an entry, or `undefined` when the line does
 * not fit the layout. Blank lines also give `undefined`; callers that need to tell
 * "blank" from "malformed" check `isBlankLine` first (see `classifyLine`), and ask
 * `unparsedReason` for a short dead-letter reason only on the slow path.
 *
 * Design notes for the hot loop:
 * - all regular expressions are compiled once, anchored (sticky `y` flag at a known
 *   offset) and use bounded quantifiers, so a 1 MB line costs at most one linear scan of
 *   a bounded prefix, never backtracking over the whole line;
 * - fixed-width fields (dates, times) are validated with `RegExp#test`, which does not
 *   build a match array, and then read digit by digit with `charCodeAt`;
 * - variable fields are located with small bounded loops and cut out with `slice`;
 * - the only per-line allocations are the returned entry and the substrings it holds.
 *
 * Timestamps without a zone are read as UTC, so results do not depend on the machine's
 * time zone. Layouts without a year (logcat, RFC 3164 syslog) use `options.year`,
 * which defaults to the current UTC year at the time the parser is created.
 */

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

export type Level = 'Debug' | 'Info' | 'Warn' | 'Error';

/** The project's log entry. */
export interface LogEntry {
  /** Milliseconds since the Unix epoch, or 0 when the line carries no usable time. */
  timestamp: number;
  level: Level;
  message: string;
  /** Component, tag or logger name; `'unknown'` when the layout has none. */
  source: string;
}

/** A parsed line: the entry plus the level exactly as it was spelled in the line. */
export interface ParsedLine extends LogEntry {
  rawLevel: string;
}

export type LineParser = (line: string) => ParsedLine | undefined;

export const FORMAT_NAMES = [
  'simple',
  'log4j',
  'python',
  'apache',
  'logcat',
  'hdfs',
  'syslog',
  'jsonl',
] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/** Values accepted by the CLI's `--format` flag. */
export const FORMAT_OPTIONS = ['auto', ...FORMAT_NAMES] as const;
export type FormatOption = (typeof FORMAT_OPTIONS)[number];

export interface ParserOptions {
  /** Lines longer than this many UTF-16 code units are rejected. Default `MAX_LINE_LENGTH`. */
  maxLineLength?: number;
  /** Year assumed by layouts whose timestamps have none. Default: current UTC year. */
  year?: number;
}

/** Default line-length cap: 1 MiB of UTF-16 code units (equal to bytes for ASCII logs). */
export const MAX_LINE_LENGTH = 1 << 20;

/** How many non-blank lines `detectFormat` looks at. */
export const DETECT_SAMPLE_LINES = 50;

// ---------------------------------------------------------------------------
// Level table
// ---------------------------------------------------------------------------

/**
 * Level spellings (upper-case keys; lookups are case-insensitive) and the level each one
 * maps to. apps/pipeline/LEVELS.md documents the same table and the reasoning.
 */
export const LEVEL_TABLE: Readonly<Record<string, Level>> = Object.freeze({
  // Debug
  TRACE: 'Debug',
  FINEST: 'Debug',
  FINER: 'Debug',
  FINE: 'Debug',
  VERBOSE: 'Debug',
  V: 'Debug',
  D: 'Debug',
  DEBUG: 'Debug',
  DBG: 'Debug',
  VRB: 'Debug',
  TRACE1: 'Debug',
  TRACE2: 'Debug',
  TRACE3: 'Debug',
  TRACE4: 'Debug',
  TRACE5: 'Debug',
  TRACE6: 'Debug',
  TRACE7: 'Debug',
  TRACE8: 'Debug',
  // Info
  INFO: 'Info',
  I: 'Info',
  NOTICE: 'Info',
  CONFIG: 'Info',
  INFORMATION: 'Info',
  INFORMATIONAL: 'Info',
  INF: 'Info',
  // Warn
  WARN: 'Warn',
  WARNING: 'Warn',
  W: 'Warn',
  WRN: 'Warn',
  // Error
  ERROR: 'Error',
  ERR: 'Error',
  E: 'Error',
  SEVERE: 'Error',
  FATAL: 'Error',
  F: 'Error',
  FTL: 'Error',
  CRITICAL: 'Error',
  CRIT: 'Error',
  ALERT: 'Error',
  EMERG: 'Error',
  EMERGENCY: 'Error',
  PANIC: 'Error',
  A: 'Error',
});

/**
 * Lookup map holding each spelling in upper, lower and Capitalised form, so the common
 * cases hit without calling `toUpperCase` (which allocates).
 */
const LEVEL_LOOKUP = new Map<string, Level>();
for (const [spelling, level] of Object.entries(LEVEL_TABLE)) {
  LEVEL_LOOKUP.set(spelling, level);
  LEVEL_LOOKUP.set(spelling.toLowerCase(), level);
  LEVEL_LOOKUP.set(spelling.charAt(0) + spelling.slice(1).toLowerCase(), level);
}

/** Maps a level spelling (any case) onto the four levels; `undefined` if unknown. */
export function mapLevel(raw: string): Level | undefined {
  const hit = LEVEL_LOOKUP.get(raw);
  if (hit !== undefined || raw.length > 16) return hit;
  return LEVEL_LOOKUP.get(raw.toUpperCase());
}

/**
 * Like `mapLevel` but refuses one-letter spellings. Word-based layouts (simple, log4j,
 * python, apache, JSON) use it so that a sentence starting with "A" or "I" is never taken
 * for an Android-style level letter.
 */
export function mapLevelWord(raw: string): Level | undefined {
  return raw.length < 2 ? undefined : mapLevel(raw);
}

/** Syslog severity (0..7, the low three bits of PRI) to level. */
export function syslogSeverityLevel(severity: number): Level | undefined {
  if (severity >= 0 && severity <= 3) return 'Error';
  if (severity === 4) return 'Warn';
  if (severity === 5 || severity === 6) return 'Info';
  if (severity === 7) return 'Debug';
  return undefined;
}

/** Names used as `rawLevel` for syslog lines (RFC 5424 table 2 keywords). */
export const SYSLOG_SEVERITY_NAMES = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
] as const;

/**
 * Numeric levels as used by pino and bunyan in JSON logs: 10 trace, 20 debug, 30 info,
 * 40 warn, 50 error, 60 fatal. Other numbers are unknown.
 */
export function numericJsonLevel(value: number): Level | undefined {
  switch (value) {
    case 10:
    case 20:
      return 'Debug';
    case 30:
      return 'Info';
    case 40:
      return 'Warn';
    case 50:
    case 60:
      return 'Error';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------
// Small scanning helpers
// ---------------------------------------------------------------------------

const SPACE = 32;
const TAB = 9;

function isWs(c: number): boolean {
  // space, \t \n \v \f \r
  return c === SPACE || (c >= 9 && c <= 13);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Strips trailing whitespace (which includes a CR) and a leading byte-order mark. */
export function cleanLine(line: string): string {
  let end = line.length;
  while (end > 0 && isWs(line.charCodeAt(end - 1))) end--;
  const start = end > 0 && line.charCodeAt(0) === 0xfeff ? 1 : 0;
  return start === 0 && end === line.length ? line : line.slice(start, end);
}

/** True for an empty line or one made only of whitespace (CRLF endings included). */
export function isBlankLine(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (!isWs(c) && c !== 0xfeff) return false;
  }
  return true;
}

/** Reads `n` ASCII digits at `i` (caller has checked they are digits). */
function num(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 10 + (s.charCodeAt(i + k) - 48);
  return v;
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

/** Index of the first space/tab at or after `i` (or `s.length`). */
function tokenEnd(s: string, i: number, cap: number): number {
  const limit = Math.min(s.length, i + cap);
  while (i < limit) {
    const c = s.charCodeAt(i);
    if (c === SPACE || c === TAB) return i;
    i++;
  }
  return i === s.length ? i : -1;
}

/** End (exclusive) of the run of ASCII letters/digits starting at `i`, capped. */
function wordEnd(s: string, i: number, cap: number): number {
  const limit = Math.min(s.length, i + cap + 1);
  let j = i;
  while (j < limit) {
    const c = s.charCodeAt(j);
    if (!isLetter(c) && !isDigit(c)) break;
    j++;
  }
  return j;
}

/** Index of char code `ch` in `s[from, from + cap]`, or -1. Never scans past the cap. */
function findWithin(s: string, ch: number, from: number, cap: number): number {
  const limit = Math.min(s.length, from + cap + 1);
  for (let j = from; j < limit; j++) if (s.charCodeAt(j) === ch) return j;
  return -1;
}

/**
 * Given `s[i] === '['`, returns the index of the matching `]` (nested brackets allowed),
 * or -1 if there is none within `cap` characters.
 */
function matchBracket(s: string, i: number, cap: number): number {
  const limit = Math.min(s.length, i + cap);
  let depth = 0;
  for (let j = i; j < limit; j++) {
    const c = s.charCodeAt(j);
    if (c === 91) depth++;
    else if (c === 93 && --depth === 0) return j;
  }
  return -1;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 1-based month for the English abbreviation at `s[i..i+3)`, or 0. */
function monthAt(s: string, i: number): number {
  for (let m = 0; m < 12; m++) if (s.startsWith(MONTHS[m]!, i)) return m + 1;
  return 0;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** UTC milliseconds, or NaN if a field is out of range. */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]! || h > 23 || mi > 59 || s > 60) {
    return Number.NaN;
  }
  // Days since 1970-01-01 by the civil-from-days inverse (proleptic Gregorian); plain
  // integer arithmetic is cheaper than Date.UTC in the hot loop.
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms;
}

/** Milliseconds from up to `max` fraction digits at `i`; sets `scanEnd` past all digits. */
let scanEnd = 0;
function fraction(s: string, i: number, max: number): number {
  let ms = 0;
  let k = 0;
  while (k < max && i + k < s.length && isDigit(s.charCodeAt(i + k))) {
    if (k < 3) ms = ms * 10 + (s.charCodeAt(i + k) - 48);
    k++;
  }
  for (let pad = k; pad < 3; pad++) ms *= 10;
  scanEnd = i + k;
  return ms;
}

// `YYYY-MM-DD[T ]HH:MM:SS` at a given offset.
const ISO_DATETIME = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/y;
const ZONE_OFFSET = /[+-]\d\d:?\d\d/y;

/** Result slot for `readIsoTimestamp` (avoids allocating a tuple per line). */
let isoMs = 0;

/**
 * Reads `YYYY-MM-DD[T ]HH:MM:SS[.,fraction][Z|±hh[:]mm]` at `i`. Returns the index just
 * past it and leaves the epoch milliseconds in `isoMs`, or returns -1.
 */
function readIsoTimestamp(s: string, i: number): number {
  ISO_DATETIME.lastIndex = i;
  if (!ISO_DATETIME.test(s)) return -1;
  let ms = 0;
  let p = i + 19;
  const c = s.charCodeAt(p);
  if ((c === 46 || c === 44) && isDigit(s.charCodeAt(p + 1))) {
    ms = fraction(s, p + 1, 9);
    p = scanEnd;
  }
  let offsetMin = 0;
  const z = s.charCodeAt(p);
  if (z === 90 /* Z */) {
    p++;
  } else if (z === 43 || z === 45) {
    ZONE_OFFSET.lastIndex = p;
    if (ZONE_OFFSET.test(s)) {
      const colon = s.charCodeAt(p + 3) === 58 ? 1 : 0;
      offsetMin = num(s, p + 1, 2) * 60 + num(s, p + 3 + colon, 2);
      if (z === 45) offsetMin = -offsetMin;
      p = ZONE_OFFSET.lastIndex;
    }
  }
  const t = utc(
    num(s, i, 4),
    num(s, i + 5, 2),
    num(s, i + 8, 2),
    num(s, i + 11, 2),
    num(s, i + 14, 2),
    num(s, i + 17, 2),
    ms,
  );
  if (Number.isNaN(t)) return -1;
  isoMs = t - offsetMin * 60_000;
  return p;
}

function entry(timestamp: number, level: Level, rawLevel: string, message: string, source: string): ParsedLine {
  return { timestamp, level, message, source, rawLevel };
}

// Longest level word any word-based layout will look at.
const MAX_LEVEL_WORD = 16;
// Longest source/logger/tag/thread field we scan for.
const MAX_SOURCE = 512;

// ---------------------------------------------------------------------------
// simple: `LEVEL message`
// ---------------------------------------------------------------------------

/*
 * The simple layout, precisely:
 *
 *   line    := level-tok [ SP+ [ source ":" ( SP+ | end ) ] message ]
 *   level-tok := WORD | WORD ":" | "[" WORD "]"
 *   WORD    := 2..16 ASCII letters/digits that are a level spelling (any case,
 *              one-letter spellings excluded)
 *   source  := 1..128 characters from [A-Za-z0-9_.$/@-], directly followed by ":"
 *
 * Examples: `INFO Server started` (source 'unknown'), `[ERROR] db: timeout` (source
 * "db", message "timeout"), `warning: disk almost full` (no source: "disk" is followed by
 * a space, not a colon). The source rule is a heuristic: `INFO retry: attempt 2` also
 * yields source "retry". A line holding only a level gives an empty message.
 */
function parseSimpleWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  if (s.length === 0) return undefined;
  let p = 0;
  const bracketed = s.charCodeAt(0) === 91;
  if (bracketed) p = 1;
  const we = wordEnd(s, p, MAX_LEVEL_WORD);
  if (we === p || we - p > MAX_LEVEL_WORD) return undefined;
  const rawLevel = s.slice(p, we);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  p = we;
  if (bracketed) {
    if (s.charCodeAt(p) !== 93) return undefined;
    p++;
  } else if (s.charCodeAt(p) === 58) {
    p++;
  }
  if (p === s.length) return entry(0, level, rawLevel, '', 'unknown');
  const c = s.charCodeAt(p);
  if (c !== SPACE && c !== TAB) return undefined;
  p = skipSpaces(s, p);
  // optional `source:` right after the level
  let source = 'unknown';
  const limit = Math.min(s.length, p + 128);
  let q = p;
  while (q < limit) {
    const d = s.charCodeAt(q);
    if (isLetter(d) || isDigit(d) || d === 95 || d === 46 || d === 36 || d === 47 || d === 64 || d === 45) q++;
    else break;
  }
  if (q > p && q < s.length && s.charCodeAt(q) === 58) {
    const after = q + 1;
    if (after === s.length) {
      return entry(0, level, rawLevel, '', s.slice(p, q));
    }
    const d = s.charCodeAt(after);
    if (d === SPACE || d === TAB) {
      source = s.slice(p, q);
      p = skipSpaces(s, after);
    }
  }
  return entry(0, level, rawLevel, s.slice(p), source);
}

// ---------------------------------------------------------------------------
// log4j / logback
// ---------------------------------------------------------------------------

/*
 * Date-first Java logging layouts:
 *
 *   ISO-TIMESTAMP [ "-" ] [ "[" thread "]" ] LEVEL [ PID "---" ] [ "[" bracket "]" ]
 *       [ logger ( ":" | " -" | " :" ) ] message
 *
 * Covers ZooKeeper's `%d - %-5p [%t:%C{1}@%L] - %m`, the common
 * `%d %-5p [%t] %c - %m`, `%d %-5p %c: %m`, logback `%d [%thread] %-5level %logger - %msg`
 * and Spring Boot's `%d  LEVEL PID --- [thread] logger : msg`.
 * Source: the logger if present; otherwise the class of a `[thread:Class@line]` bracket;
 * otherwise 'unknown'. Threads are not reported.
 */
function parseLog4jWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  let p = readIsoTimestamp(s, 0);
  if (p < 0) return undefined;
  const timestamp = isoMs;
  p = skipSpaces(s, p);
  if (s.charCodeAt(p) === 45 && s.charCodeAt(p + 1) === SPACE) p = skipSpaces(s, p + 2);
  // logback puts the thread before the level
  if (s.charCodeAt(p) === 91) {
    const close = matchBracket(s, p, MAX_SOURCE);
    if (close < 0) return undefined;
    p = skipSpaces(s, close + 1);
  }
  const we = wordEnd(s, p, MAX_LEVEL_WORD);
  if (we === p || we - p > MAX_LEVEL_WORD) return undefined;
  const rawLevel = s.slice(p, we);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  p = we;
  if (p === s.length) return entry(timestamp, level, rawLevel, '', 'unknown');
  let c = s.charCodeAt(p);
  if (c !== SPACE && c !== TAB) return undefined;
  p = skipSpaces(s, p);
  // Spring Boot: `12345 --- `
  if (isDigit(s.charCodeAt(p))) {
    let q = p;
    while (q < s.length && q - p < 12 && isDigit(s.charCodeAt(q))) q++;
    if (s.startsWith(' --- ', q)) p = skipSpaces(s, q + 5);
  }
  let source = 'unknown';
  if (s.charCodeAt(p) === 91) {
    const close = matchBracket(s, p, MAX_SOURCE);
    if (close >= 0) {
      // `[thread:Class@line]`: take Class
      const at = s.lastIndexOf('@', close);
      if (at > p) {
        let k = at + 1;
        while (k < close && (isDigit(s.charCodeAt(k)) || s.charCodeAt(k) === 63)) k++;
        if (k === close) {
          const colon = s.lastIndexOf(':', at);
          const from = colon > p ? colon + 1 : p + 1;
          if (at > from) source = s.slice(from, at);
        }
      }
      p = skipSpaces(s, close + 1);
    }
  }
  // ` - message` right here (ZooKeeper, or no logger)
  c = s.charCodeAt(p);
  if (c === 45 && (p + 1 === s.length || s.charCodeAt(p + 1) === SPACE)) {
    return entry(timestamp, level, rawLevel, s.slice(skipSpaces(s, p + 1)), source);
  }
  // `logger:` / `logger -` / `logger :` / plain message
  const te = tokenEnd(s, p, MAX_SOURCE);
  if (te > p) {
    if (s.charCodeAt(te - 1) === 58 && te - 1 > p) {
      return entry(timestamp, level, rawLevel, s.slice(skipSpaces(s, te)), s.slice(p, te - 1));
    }
    const after = skipSpaces(s, te);
    const d = s.charCodeAt(after);
    if ((d === 45 || d === 58) && (after + 1 === s.length || s.charCodeAt(after + 1) === SPACE)) {
      return entry(timestamp, level, rawLevel, s.slice(skipSpaces(s, after + 1)), s.slice(p, te));
    }
  }
  return entry(timestamp, level, rawLevel, s.slice(p), source);
}

// ---------------------------------------------------------------------------
// Python logging
// ---------------------------------------------------------------------------

/*
 * Two layouts:
 *   default  `LEVELNAME:logger:message`  (basicConfig's `%(levelname)s:%(name)s:%(message)s`)
 *   asctime  `YYYY-MM-DD HH:MM:SS,mmm - logger - LEVELNAME - message`
 * Logger names may not contain whitespace or ':' (default) / ' - ' (asctime).
 */
function parsePythonWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  if (isDigit(s.charCodeAt(0))) {
    let p = readIsoTimestamp(s, 0);
    if (p < 0 || !s.startsWith(' - ', p)) return undefined;
    const timestamp = isoMs;
    p += 3;
    const nameEnd = tokenEnd(s, p, MAX_SOURCE);
    if (nameEnd <= p || !s.startsWith(' - ', nameEnd)) return undefined;
    const lvStart = nameEnd + 3;
    const we = wordEnd(s, lvStart, MAX_LEVEL_WORD);
    if (we === lvStart || we - lvStart > MAX_LEVEL_WORD) return undefined;
    const rawLevel = s.slice(lvStart, we);
    const level = mapLevelWord(rawLevel);
    if (level === undefined) return undefined;
    let message: string;
    if (s.startsWith(' - ', we)) message = s.slice(we + 3);
    else if (we === s.length || (we + 2 === s.length && s.startsWith(' -', we))) message = '';
    else return undefined;
    return entry(timestamp, level, rawLevel, message, s.slice(p, nameEnd));
  }
  const we = wordEnd(s, 0, MAX_LEVEL_WORD);
  if (we === 0 || we > MAX_LEVEL_WORD || s.charCodeAt(we) !== 58) return undefined;
  const rawLevel = s.slice(0, we);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  const nameStart = we + 1;
  const limit = Math.min(s.length, nameStart + MAX_SOURCE);
  let q = nameStart;
  while (q < limit) {
    const c = s.charCodeAt(q);
    if (c === 58 || isWs(c)) break;
    q++;
  }
  if (q === nameStart || s.charCodeAt(q) !== 58) return undefined;
  return entry(0, level, rawLevel, s.slice(q + 1), s.slice(nameStart, q));
}

// ---------------------------------------------------------------------------
// Apache httpd error log
// ---------------------------------------------------------------------------

// `[Www Mmm dd HH:MM:SS[.micros] YYYY] [`
const APACHE_HEAD = /\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d{1,6})? \d{4}\] \[/y;

/*
 * `[Sun Dec 04 04:47:44 2005] [notice] message` (2.2) and
 * `[Wed Oct 11 14:32:52.123456 2023] [module:level] [pid N(:tid M)] message` (2.4).
 * Source: the 2.4 module, else 'unknown'. The `[pid ...]` block is dropped; `[client ...]`
 * and AH error codes stay in the message.
 */
function parseApacheWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  APACHE_HEAD.lastIndex = 0;
  if (!APACHE_HEAD.test(s)) return undefined;
  const lvOpen = APACHE_HEAD.lastIndex; // just past '['
  const mo = monthAt(s, 5);
  if (mo === 0) return undefined;
  const day = s.charCodeAt(9) === SPACE ? num(s, 10, 1) : num(s, 9, 2);
  let ms = 0;
  let p = 20;
  if (s.charCodeAt(20) === 46) {
    ms = fraction(s, 21, 6);
    p = scanEnd;
  }
  const timestamp = utc(num(s, p + 1, 4), mo, day, num(s, 12, 2), num(s, 15, 2), num(s, 18, 2), ms);
  if (Number.isNaN(timestamp)) return undefined;
  const close = findWithin(s, 93, lvOpen, 64);
  if (close < 0) return undefined;
  let source = 'unknown';
  let lvStart = lvOpen;
  const colon = findWithin(s, 58, lvOpen, close - lvOpen);
  if (colon >= 0) {
    source = s.slice(lvOpen, colon);
    lvStart = colon + 1;
  }
  const rawLevel = s.slice(lvStart, close);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  p = close + 1;
  if (p === s.length) return entry(timestamp, level, rawLevel, '', source);
  if (s.charCodeAt(p) !== SPACE) return undefined;
  p++;
  if (s.startsWith('[pid ', p)) {
    const end = findWithin(s, 93, p, 64);
    if (end > 0) p = skipSpaces(s, end + 1);
  }
  return entry(timestamp, level, rawLevel, s.slice(p), source);
}

// ---------------------------------------------------------------------------
// Android logcat (threadtime)
// ---------------------------------------------------------------------------

// `MM-DD HH:MM:SS.mmm  PID  TID L ` with an optional `YYYY-` in front (logcat -v year).
const LOGCAT_HEAD = /\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} +\d{1,10} +\d{1,10} [A-Za-z] /y;
const YEAR_DASH = /\d{4}-/y;

/*
 * `03-17 16:13:38.811  1702  2395 D WindowManager: message`. The tag runs up to the
 * first ": " (trailing padding trimmed). Level letters V D I W E F A; anything else is
 * rejected.
 */
function parseLogcatWith(line: string, max: number, year: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  let y = year;
  let b = 0;
  YEAR_DASH.lastIndex = 0;
  if (YEAR_DASH.test(s)) {
    y = num(s, 0, 4);
    b = 5;
  }
  LOGCAT_HEAD.lastIndex = b;
  if (!LOGCAT_HEAD.test(s)) return undefined;
  const tagStart = LOGCAT_HEAD.lastIndex;
  const rawLevel = s.charAt(tagStart - 2);
  const level = mapLevel(rawLevel);
  if (level === undefined) return undefined;
  const timestamp = utc(
    y,
    num(s, b, 2),
    num(s, b + 3, 2),
    num(s, b + 6, 2),
    num(s, b + 9, 2),
    num(s, b + 12, 2),
    num(s, b + 15, 3),
  );
  if (Number.isNaN(timestamp)) return undefined;
  // first ": " within MAX_SOURCE characters of the tag start
  let sep = -1;
  for (let from = tagStart; ; ) {
    const colon = findWithin(s, 58, from, MAX_SOURCE - (from - tagStart));
    if (colon < 0) break;
    if (s.charCodeAt(colon + 1) === SPACE) {
      sep = colon;
      break;
    }
    from = colon + 1;
  }
  let msgStart: number;
  if (sep < 0) {
    if (s.length - tagStart <= MAX_SOURCE + 1 && s.charCodeAt(s.length - 1) === 58) {
      sep = s.length - 1;
      msgStart = s.length;
    } else {
      return undefined;
    }
  } else {
    msgStart = sep + 2;
  }
  let tagEnd = sep;
  while (tagEnd > tagStart && s.charCodeAt(tagEnd - 1) === SPACE) tagEnd--;
  const source = tagEnd > tagStart ? s.slice(tagStart, tagEnd) : 'unknown';
  return entry(timestamp, level, rawLevel, s.slice(msgStart), source);
}

// ---------------------------------------------------------------------------
// HDFS / Hadoop
// ---------------------------------------------------------------------------

// `yyMMdd HHmmss pid ` (pid is the thread/process id Hadoop prints)
const HDFS_HEAD = /\d{6} \d{6} \d{1,10} /y;

/*
 * `081109 203615 148 INFO dfs.DataNode$PacketResponder: message`. Two-digit years are
 * 20yy (the data is from 2008). The component ends at the first ':' and has no spaces.
 */
function parseHdfsWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  HDFS_HEAD.lastIndex = 0;
  if (!HDFS_HEAD.test(s)) return undefined;
  const lv = HDFS_HEAD.lastIndex;
  const we = wordEnd(s, lv, MAX_LEVEL_WORD);
  if (we === lv || we - lv > MAX_LEVEL_WORD || s.charCodeAt(we) !== SPACE) return undefined;
  const rawLevel = s.slice(lv, we);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  const timestamp = utc(
    2000 + num(s, 0, 2),
    num(s, 2, 2),
    num(s, 4, 2),
    num(s, 7, 2),
    num(s, 9, 2),
    num(s, 11, 2),
    0,
  );
  if (Number.isNaN(timestamp)) return undefined;
  const cs = we + 1;
  const limit = Math.min(s.length, cs + MAX_SOURCE);
  let q = cs;
  while (q < limit) {
    const c = s.charCodeAt(q);
    if (c === 58 || c === SPACE || c === TAB) break;
    q++;
  }
  if (q === cs || s.charCodeAt(q) !== 58) return undefined;
  const msgStart = s.charCodeAt(q + 1) === SPACE ? q + 2 : q + 1;
  return entry(timestamp, level, rawLevel, s.slice(msgStart), s.slice(cs, q));
}

// ---------------------------------------------------------------------------
// syslog (RFC 3164 and RFC 5424)
// ---------------------------------------------------------------------------

const PRI = /<(?:\d{1,3})>/y;
const BSD_TIME = /[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /y;

/** Returns the PRI value for a line starting `<n>` and sets `scanEnd`; -1 if invalid. */
function readPri(s: string): number {
  PRI.lastIndex = 0;
  if (!PRI.test(s)) return -1;
  scanEnd = PRI.lastIndex;
  const pri = num(s, 1, scanEnd - 2);
  return pri <= 191 ? pri : -1;
}

/*
 * RFC 3164: `<PRI>Mmm dd hh:mm:ss host tag[pid]: message` (an ISO timestamp in place of
 * the BSD one is accepted too, as rsyslog can emit that). Source: the tag without its
 * `[pid]`; if the token after the host does not end in ':' the whole rest is the message
 * and the source is 'unknown'.
 * RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD [message]`. Source: APP (or
 * 'unknown' for '-'). Structured data is skipped; a UTF-8 BOM before the message is
 * removed.
 * Level: from the severity (PRI mod 8); `rawLevel` is its RFC 5424 keyword.
 */
function parseSyslogWith(line: string, max: number, year: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  const pri = readPri(s);
  if (pri < 0) return undefined;
  const sev = pri & 7;
  const level = syslogSeverityLevel(sev)!;
  const rawLevel = SYSLOG_SEVERITY_NAMES[sev]!;
  let p = scanEnd;
  if (s.charCodeAt(p) === 49 && s.charCodeAt(p + 1) === SPACE) return parse5424(s, p + 2, level, rawLevel);
  let timestamp: number;
  BSD_TIME.lastIndex = p;
  if (BSD_TIME.test(s)) {
    const mo = monthAt(s, p);
    if (mo === 0) return undefined;
    const day = s.charCodeAt(p + 4) === SPACE ? num(s, p + 5, 1) : num(s, p + 4, 2);
    timestamp = utc(year, mo, day, num(s, p + 7, 2), num(s, p + 10, 2), num(s, p + 13, 2), 0);
    if (Number.isNaN(timestamp)) return undefined;
    p = BSD_TIME.lastIndex;
  } else {
    const e = readIsoTimestamp(s, p);
    if (e < 0 || s.charCodeAt(e) !== SPACE) return undefined;
    timestamp = isoMs;
    p = e + 1;
  }
  // hostname (some senders omit it: then the first token already ends in ':')
  const he = tokenEnd(s, p, 256);
  if (he <= p) return undefined;
  if (s.charCodeAt(he - 1) !== 58) {
    if (he === s.length) return undefined;
    p = he + 1;
  }
  // tag
  const te = tokenEnd(s, p, 256);
  if (te > p && s.charCodeAt(te - 1) === 58) {
    let tagEnd = te - 1;
    if (s.charCodeAt(tagEnd - 1) === 93) {
      const open = s.lastIndexOf('[', tagEnd);
      if (open > p) tagEnd = open;
    }
    if (tagEnd > p) return entry(timestamp, level, rawLevel, s.slice(skipSpaces(s, te)), s.slice(p, tagEnd));
  }
  return entry(timestamp, level, rawLevel, s.slice(p), 'unknown');
}

function parse5424(s: string, p: number, level: Level, rawLevel: string): ParsedLine | undefined {
  let timestamp = 0;
  if (s.charCodeAt(p) === 45 && s.charCodeAt(p + 1) === SPACE) {
    p += 2;
  } else {
    const e = readIsoTimestamp(s, p);
    if (e < 0 || s.charCodeAt(e) !== SPACE) return undefined;
    timestamp = isoMs;
    p = e + 1;
  }
  // HOSTNAME (<=255) APP-NAME (<=48) PROCID (<=128) MSGID (<=32)
  const hostEnd = tokenEnd(s, p, 256);
  if (hostEnd <= p || hostEnd === s.length) return undefined;
  const appStart = hostEnd + 1;
  const appEnd = tokenEnd(s, appStart, 49);
  if (appEnd <= appStart || appEnd === s.length) return undefined;
  const procEnd = tokenEnd(s, appEnd + 1, 129);
  if (procEnd <= appEnd + 1 || procEnd === s.length) return undefined;
  const msgIdEnd = tokenEnd(s, procEnd + 1, 33);
  if (msgIdEnd <= procEnd + 1 || msgIdEnd === s.length) return undefined;
  p = msgIdEnd + 1;
  // STRUCTURED-DATA: '-' or one or more [id param="value"...] elements
  if (s.charCodeAt(p) === 45) {
    p++;
  } else if (s.charCodeAt(p) === 91) {
    while (s.charCodeAt(p) === 91) {
      let q = p + 1;
      let inQuote = false;
      for (; q < s.length; q++) {
        const c = s.charCodeAt(q);
        if (c === 92 /* \ */ && inQuote) q++;
        else if (c === 34) inQuote = !inQuote;
        else if (c === 93 && !inQuote) break;
      }
      if (q >= s.length) return undefined;
      p = q + 1;
    }
  } else {
    return undefined;
  }
  const source = appEnd - appStart === 1 && s.charCodeAt(appStart) === 45 ? 'unknown' : s.slice(appStart, appEnd);
  if (p === s.length) return entry(timestamp, level, rawLevel, '', source);
  if (s.charCodeAt(p) !== SPACE) return undefined;
  p++;
  if (s.charCodeAt(p) === 0xfeff) p++;
  return entry(timestamp, level, rawLevel, s.slice(p), source);
}

// ---------------------------------------------------------------------------
// JSON lines
// ---------------------------------------------------------------------------

export const JSON_LEVEL_KEYS = ['level', 'lvl', 'severity', 'levelname'] as const;
export const JSON_MESSAGE_KEYS = ['msg', 'message'] as const;
export const JSON_TIME_KEYS = ['time', 'timestamp', 'ts', '@timestamp'] as const;
export const JSON_SOURCE_KEYS = ['logger', 'source', 'name', 'component'] as const;

type JsonObject = Record<string, unknown>;

function firstKey(obj: JsonObject, keys: readonly string[]): unknown {
  for (const k of keys) {
    const v = obj[k];
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/**
 * JSON time value to epoch ms: numbers below 1e11 are seconds (zap/structlog style,
 * fractions allowed), larger ones milliseconds. Strings are read as ISO 8601 (zone-less
 * ones as UTC, like everywhere else here); other strings fall back to `Date.parse`, which
 * is only machine-independent when they name a zone. Unusable values give 0.
 */
function jsonTime(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0) return 0;
    return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
  }
  if (typeof v === 'string') {
    const e = readIsoTimestamp(v, 0);
    if (e === v.length) return isoMs;
    const t = Date.parse(v);
    return Number.isNaN(t) ? 0 : t;
  }
  return 0;
}

/** The raw level spelling and mapped level of a JSON level value, or undefined. */
function jsonLevel(v: unknown): Level | undefined {
  if (typeof v === 'string') return mapLevelWord(v.trim());
  if (typeof v === 'number') return numericJsonLevel(v);
  return undefined;
}

/*
 * One JSON object per line. Keys are looked up in the order of the JSON_*_KEYS lists.
 * A level is required; a missing message becomes '', a non-string one is JSON-encoded.
 */
function parseJsonlWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  if (s.charCodeAt(0) !== 123 || s.charCodeAt(s.length - 1) !== 125) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const o = obj as JsonObject;
  const lv = firstKey(o, JSON_LEVEL_KEYS);
  const level = jsonLevel(lv);
  if (level === undefined) return undefined;
  const m = firstKey(o, JSON_MESSAGE_KEYS);
  const message = m === undefined ? '' : typeof m === 'string' ? m : JSON.stringify(m);
  const src = firstKey(o, JSON_SOURCE_KEYS);
  const source = typeof src === 'string' && src.length > 0 ? src : 'unknown';
  return entry(jsonTime(firstKey(o, JSON_TIME_KEYS)), level, String(lv), message, source);
}

// ---------------------------------------------------------------------------
// Parser construction and detection
// ---------------------------------------------------------------------------

/** Builds a parser for one layout with the given options. */
export function createParser(format: FormatName, options: ParserOptions = {}): LineParser {
  const max = options.maxLineLength ?? MAX_LINE_LENGTH;
  const year = options.year ?? new Date().getUTCFullYear();
  switch (format) {
    case 'simple':
      return (line) => parseSimpleWith(line, max);
    case 'log4j':
      return (line) => parseLog4jWith(line, max);
    case 'python':
      return (line) => parsePythonWith(line, max);
    case 'apache':
      return (line) => parseApacheWith(line, max);
    case 'logcat':
      return (line) => parseLogcatWith(line, max, year);
    case 'hdfs':
      return (line) => parseHdfsWith(line, max);
    case 'syslog':
      return (line) => parseSyslogWith(line, max, year);
    case 'jsonl':
      return (line) => parseJsonlWith(line, max);
  }
}

export const parseSimple: LineParser = createParser('simple');
export const parseLog4j: LineParser = createParser('log4j');
export const parsePython: LineParser = createParser('python');
export const parseApache: LineParser = createParser('apache');
export const parseLogcat: LineParser = createParser('logcat');
export const parseHdfs: LineParser = createParser('hdfs');
export const parseSyslog: LineParser = createParser('syslog');
export const parseJsonl: LineParser = createParser('jsonl');

/** The default-option parser of each layout. */
export const PARSERS: Readonly<Record<FormatName, LineParser>> = Object.freeze({
  simple: parseSimple,
  log4j: parseLog4j,
  python: parsePython,
  apache: parseApache,
  logcat: parseLogcat,
  hdfs: parseHdfs,
  syslog: parseSyslog,
  jsonl: parseJsonl,
});

/**
 * The parser for `format`. Default options give the shared instance from `PARSERS`;
 * passing options builds a new one.
 */
export function parserFor(format: FormatName, options?: ParserOptions): LineParser {
  return options === undefined ? PARSERS[format] : createParser(format, options);
}

/** Tie-break order for detection: the more distinctive layouts win ties. */
const DETECT_ORDER: readonly FormatName[] = [
  'jsonl',
  'syslog',
  'logcat',
  'hdfs',
  'apache',
  'python',
  'log4j',
  'simple',
];

/**
 * Picks the layout that parses the most of the first `DETECT_SAMPLE_LINES` non-blank
 * lines. Ties go to the earlier entry of the order jsonl, syslog, logcat, hdfs, apache,
 * python, log4j, simple. When nothing parses at all the answer is 'simple'.
 */
export function detectFormat(sampleLines: readonly string[]): FormatName {
  const sample: string[] = [];
  for (const line of sampleLines) {
    if (sample.length >= DETECT_SAMPLE_LINES) break;
    if (!isBlankLine(line)) sample.push(line);
  }
  let best: FormatName = 'simple';
  let bestCount = 0;
  for (const format of DETECT_ORDER) {
    const parse = PARSERS[format];
    let count = 0;
    for (const line of sample) if (parse(line) !== undefined) count++;
    if (count > bestCount) {
      best = format;
      bestCount = count;
    }
  }
  return best;
}

/** Turns a `--format` value into a concrete layout, detecting from `sample` for 'auto'. */
export function resolveFormat(option: FormatOption, sample: readonly string[]): FormatName {
  return option === 'auto' ? detectFormat(sample) : option;
}

export function isFormatOption(value: string): value is FormatOption {
  return (FORMAT_OPTIONS as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------
// Classification and dead-letter reasons
// ---------------------------------------------------------------------------

export type LineOutcome =
  | { readonly kind: 'entry'; readonly entry: ParsedLine }
  | { readonly kind: 'blank' }
  | { readonly kind: 'malformed'; readonly reason: string };

const BLANK_OUTCOME: LineOutcome = Object.freeze({ kind: 'blank' });

/**
 * Convenience wrapper: parse, or say why not. Hot loops can call the parser directly
 * and only fall back to `isBlankLine` / `unparsedReason` when it returns undefined.
 */
export function classifyLine(
  line: string,
  format: FormatName,
  parse: LineParser = PARSERS[format],
  maxLineLength: number = MAX_LINE_LENGTH,
): LineOutcome {
  const e = parse(line);
  if (e !== undefined) return { kind: 'entry', entry: e };
  if (isBlankLine(line)) return BLANK_OUTCOME;
  return { kind: 'malformed', reason: unparsedReason(line, format, maxLineLength) };
}

const SHOW_MAX = 24;

function shown(token: string): string {
  const t = token.length > SHOW_MAX ? `${token.slice(0, SHOW_MAX)}…` : token;
  return JSON.stringify(t);
}

function levelReason(token: string): string {
  return token.length === 0 ? 'no level found' : `unknown level ${shown(token)}`;
}

// Loose shapes used only for diagnosis: they find where the level would be.
const LOOSE_LOG4J = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d[.,\d]{0,10}(?:Z|[+-]\d\d:?\d\d)?\s+(?:-\s+)?(?:\[[^\]]{0,512}\]\s+)?([^\s\[\]]{0,32})/y;
const LOOSE_PY_ASC = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d[.,\d]{0,10} - \S{1,512} - (\S{0,32})/y;
const LOOSE_PY_DEF = /([A-Za-z0-9]{1,32}):/y;
const LOOSE_APACHE = /\[[^\]]{1,64}\] \[(?:[^\]:]{0,64}:)?([^\]]{0,64})\]/y;
const LOOSE_LOGCAT = /(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} +\d+ +\d+ (\S{0,32})/y;
const LOOSE_HDFS = /\d{6} \d{6} \d{1,10} (\S{0,32})/y;
const LOOSE_SIMPLE = /\[?([^\s\]:]{0,32})/y;

function looseLevel(re: RegExp, s: string): string | undefined {
  re.lastIndex = 0;
  const m = re.exec(s);
  return m === null ? undefined : (m[1] ?? '');
}

/**
 * A short human-readable reason why `line` did not parse as `format`, for dead letters.
 * Slow path only; it never throws. Examples: 'blank line', 'line longer than 1048576
 * characters', 'no level found', 'unknown level "NOPE"', 'not a log4j line
 * (no leading timestamp)', 'invalid JSON'.
 */
export function unparsedReason(line: string, format: FormatName, maxLineLength: number = MAX_LINE_LENGTH): string {
  if (line.length > maxLineLength) return `line longer than ${maxLineLength} characters`;
  if (isBlankLine(line)) return 'blank line';
  const s = cleanLine(line);
  // Everything below looks only at a bounded prefix.
  const head = s.length > 4096 ? s.slice(0, 4096) : s;
  switch (format) {
    case 'simple': {
      const tok = looseLevel(LOOSE_SIMPLE, head) ?? '';
      if (tok.length > 0 && mapLevelWord(tok) !== undefined) return 'level not followed by a space';
      // Only a bracketed or upper-case first word looks like an attempt at a level;
      // ordinary prose just has no level.
      const looksLikeLevel = head.charCodeAt(0) === 91 || (tok.length > 0 && tok === tok.toUpperCase() && /^[A-Z][A-Z0-9]*$/.test(tok));
      return looksLikeLevel ? levelReason(tok) : 'no level found';
    }
    case 'log4j': {
      if (readIsoTimestamp(head, 0) < 0) return 'not a log4j line (no leading timestamp)';
      const tok = looseLevel(LOOSE_LOG4J, head);
      if (tok === undefined || mapLevelWord(tok) === undefined) return levelReason(tok ?? '');
      return 'not a log4j line';
    }
    case 'python': {
      if (isDigit(head.charCodeAt(0))) {
        if (readIsoTimestamp(head, 0) < 0) return 'not a python line (bad timestamp)';
        const tok = looseLevel(LOOSE_PY_ASC, head);
        if (tok === undefined) return 'not a python line (expected "time - name - LEVEL - message")';
        if (mapLevelWord(tok) === undefined) return levelReason(tok);
        return 'not a python line';
      }
      const tok = looseLevel(LOOSE_PY_DEF, head);
      if (tok === undefined) return 'no level found';
      if (mapLevelWord(tok) === undefined) return levelReason(tok);
      return 'not a python line (expected "LEVEL:name:message")';
    }
    case 'apache': {
      if (head.charCodeAt(0) !== 91) return 'not an apache line (no [date])';
      const tok = looseLevel(LOOSE_APACHE, head);
      if (tok === undefined) return 'not an apache line (expected "[date] [level]")';
      if (mapLevelWord(tok) === undefined) return levelReason(tok);
      return 'not an apache line (bad date)';
    }
    case 'logcat': {
      const tok = looseLevel(LOOSE_LOGCAT, head);
      if (tok === undefined) return 'not a logcat line (expected "MM-DD time pid tid L tag: msg")';
      if (tok.length !== 1 || mapLevel(tok) === undefined) return levelReason(tok);
      return 'not a logcat line (no "tag: " or bad date)';
    }
    case 'hdfs': {
      const tok = looseLevel(LOOSE_HDFS, head);
      if (tok === undefined) return 'not an hdfs line (expected "yyMMdd HHmmss pid LEVEL")';
      if (mapLevelWord(tok) === undefined) return levelReason(tok);
      return 'not an hdfs line (no "component:" or bad date)';
    }
    case 'syslog': {
      if (head.charCodeAt(0) !== 60) return 'no level found (no <PRI>)';
      if (readPri(head) < 0) return 'syslog PRI out of range';
      return 'not a syslog line (bad timestamp or header)';
    }
    case 'jsonl': {
      if (head.charCodeAt(0) !== 123) return 'not a JSON object';
      let obj: unknown;
      try {
        obj = JSON.parse(s);
      } catch {
        return 'invalid JSON';
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'not a JSON object';
      const lv = firstKey(obj as JsonObject, JSON_LEVEL_KEYS);
      if (lv === undefined) return 'no level found';
      return `unknown level ${shown(typeof lv === 'string' ? lv : JSON.stringify(lv) ?? String(lv))}`;
    }
  }
}
