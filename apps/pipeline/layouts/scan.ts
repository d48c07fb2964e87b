/**
 * Small scanning helpers shared by the layout modules (bounded loops and anchored, bounded regular
 * expressions, so a 1 MB line costs at most one linear scan of a bounded prefix, never backtracking over the
 * whole line), the UTC date arithmetic, and `entry`, the one place entries are built.
 *
 * Two results travel in module variables instead of tuples, to avoid an allocation per line: `scanEnd`
 * (where the last `fraction`/`readPri` scan stopped) and `isoMs` (the time `readIsoTimestamp` read). Read
 * them right after the call that sets them.
 */
import type { EntryLevel, ParsedLine } from './levels.ts';

export const SPACE = 32;
export const TAB = 9;

export function isWs(c: number): boolean {
  // space, \t \n \v \f \r
  return c === SPACE || (c >= 9 && c <= 13);
}

export function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isDigit(c: number): boolean {
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
export function num(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 10 + (s.charCodeAt(i + k) - 48);
  return v;
}

export function skipSpaces(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

/** Index of the first space/tab at or after `i` (or `s.length`). */
export function tokenEnd(s: string, i: number, cap: number): number {
  const limit = Math.min(s.length, i + cap);
  while (i < limit) {
    const c = s.charCodeAt(i);
    if (c === SPACE || c === TAB) return i;
    i++;
  }
  return i === s.length ? i : -1;
}

/** End (exclusive) of the run of ASCII letters/digits starting at `i`, capped. */
export function wordEnd(s: string, i: number, cap: number): number {
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
export function findWithin(s: string, ch: number, from: number, cap: number): number {
  const limit = Math.min(s.length, from + cap + 1);
  for (let j = from; j < limit; j++) if (s.charCodeAt(j) === ch) return j;
  return -1;
}

/**
 * Given `s[i] === '['`, returns the index of the matching `]` (nested brackets allowed),
 * or -1 if there is none within `cap` characters.
 */
export function matchBracket(s: string, i: number, cap: number): number {
  const limit = Math.min(s.length, i + cap);
  let depth = 0;
  for (let j = i; j < limit; j++) {
    const c = s.charCodeAt(j);
    if (c === 91) depth++;
    else if (c === 93 && --depth === 0) return j;
  }
  return -1;
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 1-based month for the English abbreviation at `s[i..i+3)`, or 0. */
export function monthAt(s: string, i: number): number {
  for (let m = 0; m < 12; m++) if (s.startsWith(MONTHS[m]!, i)) return m + 1;
  return 0;
}

export const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// The last date `utc` converted and its day number: the lines of a log mostly share their date, so the
// day arithmetic runs once per date change instead of once per line.
let lastDateKey = -1;
let lastDays = 0;

/** UTC milliseconds, or NaN if a field is out of range. */
export function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]! || h > 23 || mi > 59 || s > 60) {
    return Number.NaN;
  }
  const key = (y * 16 + mo) * 32 + d;
  if (key !== lastDateKey) {
    // Days since 1970-01-01 by the civil-from-days inverse (proleptic Gregorian); plain
    // integer arithmetic is cheaper than Date.UTC in the hot loop.
    const yy = mo <= 2 ? y - 1 : y;
    const era = Math.floor(yy / 400);
    const yoe = yy - era * 400;
    const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    lastDays = era * 146097 + doe - 719468;
    lastDateKey = key;
  }
  return ((lastDays * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms;
}

/** Milliseconds from up to `max` fraction digits at `i`; sets `scanEnd` past all digits. */
export let scanEnd = 0;
export function setScanEnd(v: number): void {
  scanEnd = v;
}
export function fraction(s: string, i: number, max: number): number {
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
export const ISO_DATETIME = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/y;
export const ZONE_OFFSET = /[+-]\d\d:?\d\d/y;

/** Result slot for `readIsoTimestamp` (avoids allocating a tuple per line). */
export let isoMs = 0;

/**
 * Reads `YYYY-MM-DD[T ]HH:MM:SS[.,fraction][Z|±hh[:]mm]` at `i`. Returns the index just
 * past it and leaves the epoch milliseconds in `isoMs`, or returns -1.
 */
export function readIsoTimestamp(s: string, i: number): number {
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

export function entry(
  timestamp: number,
  level: EntryLevel,
  rawLevel: string,
  message: string,
  source: string,
): ParsedLine {
  return { timestamp, level, message, source, rawLevel };
}

// Longest level word any word-based layout will look at.
export const MAX_LEVEL_WORD = 16;
// Longest source/logger/tag/thread field we scan for.
export const MAX_SOURCE = 512;

// `YYYY/MM/DD HH:MM:SS` and `YY/MM/DD HH:MM:SS` (log4j's `%d{yy/MM/dd HH:mm:ss}`, Spark's default).
const SLASH_DATETIME4 = /\d{4}\/\d\d\/\d\d[T ]\d\d:\d\d:\d\d/y;
const SLASH_DATETIME2 = /\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d/y;

/**
 * Reads a date-and-time at `i` in any of the year-first shapes: ISO 8601 (see `readIsoTimestamp`),
 * `YYYY/MM/DD HH:MM:SS[.,fraction]` or `YY/MM/DD HH:MM:SS[.,fraction]` (two-digit years are 20yy). Returns
 * the index just past it and leaves the time in `isoMs`, or returns -1.
 */
export function readDateTime(s: string, i: number): number {
  const c = s.charCodeAt(i + 4);
  if (c === 45) return readIsoTimestamp(s, i);
  let y: number;
  let b: number;
  if (c === 47) {
    SLASH_DATETIME4.lastIndex = i;
    if (!SLASH_DATETIME4.test(s)) return -1;
    y = num(s, i, 4);
    b = i + 5;
  } else if (s.charCodeAt(i + 2) === 47) {
    SLASH_DATETIME2.lastIndex = i;
    if (!SLASH_DATETIME2.test(s)) return -1;
    y = 2000 + num(s, i, 2);
    b = i + 3;
  } else {
    return -1;
  }
  let p = b + 14;
  let ms = 0;
  const f = s.charCodeAt(p);
  if ((f === 46 || f === 44) && isDigit(s.charCodeAt(p + 1))) {
    ms = fraction(s, p + 1, 9);
    p = scanEnd;
  }
  const t = utc(y, num(s, b, 2), num(s, b + 3, 2), num(s, b + 6, 2), num(s, b + 9, 2), num(s, b + 12, 2), ms);
  if (Number.isNaN(t)) return -1;
  isoMs = t;
  return p;
}

// ---------------------------------------------------------------------------
// Dead-letter reasons (slow path)
// ---------------------------------------------------------------------------

const SHOW_MAX = 24;

/** A token as shown in a reason: quoted, cut to 24 characters. */
export function shown(token: string): string {
  const t = token.length > SHOW_MAX ? `${token.slice(0, SHOW_MAX)}…` : token;
  return JSON.stringify(t);
}

export function levelReason(token: string): string {
  return token.length === 0 ? 'no level found' : `unknown level ${shown(token)}`;
}

/** The first group of an anchored loose shape at 0, or undefined when the shape does not match. */
export function looseLevel(re: RegExp, s: string): string | undefined {
  re.lastIndex = 0;
  const m = re.exec(s);
  return m === null ? undefined : (m[1] ?? '');
}

/** The line as diagnosis sees it: cleaned and cut to its first 4096 characters. */
export function diagnosisHead(line: string): string {
  const s = cleanLine(line);
  return s.length > 4096 ? s.slice(0, 4096) : s;
}

// ---------------------------------------------------------------------------
// Interning of short fields
// ---------------------------------------------------------------------------

const INTERN_SLOTS = 512;
const internTable: string[] = new Array<string>(INTERN_SLOTS).fill('');

/**
 * `s.slice(a, b)` for a short field (a source, a level word) that usually repeats from line to line: when the
 * same text was cut recently, the earlier string is returned instead of a new one. Reusing it saves an
 * allocation, and the aggregation's Map lookups find its hash already computed (V8 caches a string's hash in
 * the string). A small direct-mapped table, per thread; a miss costs one comparison. New entries are copied
 * flat, so a cached field never keeps the whole chunk it was cut from alive.
 */
export function sliceShared(s: string, a: number, b: number): string {
  const n = b - a;
  if (n <= 0 || n > 96) return s.slice(a, b);
  const h = (n * 97 + s.charCodeAt(a) * 31 + s.charCodeAt(b - 1) * 7 + s.charCodeAt(a + (n >> 1))) & (INTERN_SLOTS - 1);
  const cached = internTable[h]!;
  if (cached.length === n && s.startsWith(cached, a)) return cached;
  // `+ '\0'` then slice: a flat copy of the field, not a view into `s`.
  const fresh = (s.slice(a, b) + '\0').slice(0, n);
  internTable[h] = fresh;
  return fresh;
}

// ANSI escape sequences: CSI (`ESC [ params final`, colours among them) and two-character escapes.
const ANSI = /\x1b(?:\[[0-9;?]{0,32}[@-~]|[@-Z\\-_])/g;

/** `line` without ANSI escape sequences (the colours some tools write into their logs); unchanged if none. */
export function stripAnsi(line: string): string {
  return line.indexOf('\x1b') < 0 ? line : line.replace(ANSI, '');
}
