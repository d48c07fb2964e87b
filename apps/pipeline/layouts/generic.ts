/**
 * The `generic` layout: the fallback for logs no other layout describes. It does not know the layout; it
 * knows what log headers are made of:
 *
 *   [prefix] TIMESTAMP header-fields... message
 *
 * - prefix: up to 4 fields before the timestamp (a file name, a host name, an IP address and user, as in
 *   access logs; a record number, node, component and state, as in cluster event logs), at most 256
 *   characters;
 * - TIMESTAMP, one of: ISO 8601 and its `YYYY/MM/DD`, `YY/MM/DD` variants; `YYYY-MM-DD-HH.MM.SS[.f]`;
 *   `yyyyMMdd-hh:mm:ss[:.,f]`; `dd.MM.yyyy hh:mm:ss[.,f]`; `yyMMdd HHmmss`; BSD `Mmm dd hh:mm:ss` (with an
 *   optional weekday before and year after, as in ctime); `dd/Mmm/yyyy:hh:mm:ss[ zone]`;
 *   `dd-Mmm-yyyy hh:mm:ss[ zone]`; `dd Mmm yyyy hh:mm:ss[.f]`; `MM-DD hh:mm:ss[.f]` and `MM.DD hh:mm:ss`; a time
 *   of day alone `hh:mm:ss[.,f]`; Unix seconds (10 digits, optional fraction) or milliseconds (13 digits); any
 *   of these in `[...]`, where more may follow the time (`[time #pid]`, `[time: LEVEL/process]`: the header
 *   search then starts inside the brackets);
 * - header fields: the first 8 fields after it are searched for a level: a word of the level table that
 *   is bracketed (`[WARN]`, `<error>`, `(info)`), followed by ':' or ',', written in capitals, is the
 *   first field after the timestamp, is a `level=`/`lvl=`/`severity=` value, or is the capitals before a '/'
 *   (`ERROR/MainProcess`). Ruby's Logger writes `LEVEL -- progname: message`: the `--` is skipped. One-letter spellings are
 *   never taken. The field after the level is the source when it looks like a logger (`a.b.C`, or ending
 *   in ':'); a `[thread]` between them is skipped. Without a level, a syslog-style `program[pid]:` or
 *   `program:` among the first three fields is the source, and the level is Unknown.
 * - a header of `|`- or `,`-separated fields right after the timestamp (`TIME|component|pid|message`, a CSV
 *   export `TIME,LEVEL,source,"message, with commas"`): the last field is the message (with '|', already the
 *   first field holding a space; a CSV field in double quotes may hold the separator, `""` is a quote); the
 *   others are searched for a level word, and the first that names something (letters first, not a level) is
 *   the source.
 *
 * A line without any recognised timestamp is not taken (it is dead-lettered by whichever layout the file
 * was detected as): free text is not a log record. Timestamps without a year use the parser's year;
 * shapes that are hard to place in time (a time of day alone) give 0.
 */
import { type EntryLevel, type Layout, type Level, mapLevelWord, type ParsedLine, UNKNOWN_LEVEL } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  findWithin,
  isDigit,
  isLetter,
  isoMs,
  matchBracket,
  monthAt,
  num,
  readDateTime,
  skipSpaces,
  sliceShared,
  SPACE,
  TAB,
  tokenEnd,
  utc,
} from './scan.ts';
import { readTag, tagBounds } from './syslog.ts';

const MAX_PREFIX_FIELDS = 4;
const MAX_PREFIX = 256;
const MAX_HEADER_FIELDS = 8;

const DMY = /\d\d? [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d(?:[.,]\d{1,9})?/y;
const BSD =
  /(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? )?[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d(?:\.\d{1,9})?(?: \d{4}(?![\d:]))?/y;
const CLF = /\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d(?: [+-]\d{4})?/y;
const DMY_DASHED = /\d\d-[A-Z][a-z]{2}-\d{4}[ :]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?: (?:UTC|GMT|[+-]\d{4}))?/y;
const MD_TIME = /\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d{1,9})?/y;
const DASHED = /\d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d(?:\.\d{1,9})?/y;
const YYMMDD = /\d{6} \d{6}(?= )/y;
const TIME_ONLY = /\d\d:\d\d:\d\d(?:[.,]\d{1,9})?/y;
const COMPACT = /\d{8}-\d\d:\d\d:\d\d(?:[:.,]\d{1,9})?(?![\d:])/y;
const DMY_DOTTED = /\d\d\.\d\d\.\d{4}[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?/y;
const MD_DOTTED_TIME = /\d\d\.\d\d \d\d:\d\d:\d\d(?:[.,]\d{1,9})?/y;

/** Offsets from the start of year, month, day, hour, minute, second in DASHED, COMPACT and DMY_DOTTED. */
const DASHED_AT = [0, 5, 8, 11, 14, 17] as const;
const COMPACT_AT = [0, 4, 6, 9, 12, 15] as const;
const DMY_DOTTED_AT = [6, 3, 0, 11, 14, 17] as const;

/**
 * The UTC time of a timestamp at `p` whose fields sit at the offsets `at` (a 4-digit year, then 2 digits each), with
 * the fraction's digits from offset `fraction` (-1: none) to `end`, the timestamp's end; NaN for an impossible date.
 */
function fieldTime(s: string, p: number, at: readonly number[], fraction: number, end: number): number {
  const digits = fraction < 0 ? 0 : Math.min(3, end - p - fraction);
  const ms = digits <= 0 ? 0 : Math.round(num(s, p + fraction, digits) * 10 ** (3 - digits));
  return utc(
    num(s, p + at[0]!, 4),
    num(s, p + at[1]!, 2),
    num(s, p + at[2]!, 2),
    num(s, p + at[3]!, 2),
    num(s, p + at[4]!, 2),
    num(s, p + at[5]!, 2),
    ms,
  );
}
const EPOCH = /(?:\d{10}(?:\.\d{1,9})?|\d{13})(?![\d:.-])/y;

let timeMs = 0;

function sticky(re: RegExp, s: string, p: number): number {
  re.lastIndex = p;
  return re.test(s) ? re.lastIndex : -1;
}

/** A timestamp of one of the shapes above at `p`: returns its end (time in `timeMs`), or -1. */
function readAnyTime(s: string, p: number, year: number): number {
  const c = s.charCodeAt(p);
  if (c === 91 /* [ */) {
    const close = findWithin(s, 93, p + 1, 64);
    if (close < 0) return -1;
    const inner = s.slice(p + 1, close);
    const e = readAnyTime(inner, skipSpaces(inner, 0), year);
    if (e < 0) return -1;
    if (skipSpaces(inner, e) === inner.length) return close + 1;
    // More after the time inside the brackets (`[time #pid]`, `[time: LEVEL/process]`): the header goes on from
    // there, so that a level inside the brackets is found too.
    const next = inner.charCodeAt(e);
    return next === SPACE || next === 58 /* : */ ? p + 1 + e : -1;
  }
  timeMs = 0;
  if (isDigit(c)) {
    let e = readDateTime(s, p);
    if (e >= 0) {
      timeMs = isoMs;
      return e;
    }
    if ((e = sticky(DASHED, s, p)) >= 0) {
      timeMs = fieldTime(s, p, DASHED_AT, -1, e);
      if (Number.isNaN(timeMs)) timeMs = 0;
      return e;
    }
    if ((e = sticky(COMPACT, s, p)) >= 0) {
      timeMs = fieldTime(s, p, COMPACT_AT, 18, e);
      return Number.isNaN(timeMs) ? -1 : e;
    }
    if ((e = sticky(DMY_DOTTED, s, p)) >= 0) {
      timeMs = fieldTime(s, p, DMY_DOTTED_AT, 20, e);
      return Number.isNaN(timeMs) ? -1 : e;
    }
    if ((e = sticky(MD_DOTTED_TIME, s, p)) >= 0) return e;
    if ((e = sticky(DMY_DASHED, s, p)) >= 0) {
      timeMs = utc(
        num(s, p + 7, 4),
        monthAt(s, p + 3),
        num(s, p, 2),
        num(s, p + 12, 2),
        num(s, p + 15, 2),
        num(s, p + 18, 2),
        0,
      );
      if (Number.isNaN(timeMs)) timeMs = 0;
      return e;
    }
    if ((e = sticky(CLF, s, p)) >= 0) return e;
    if ((e = sticky(DMY, s, p)) >= 0) return e;
    if ((e = sticky(MD_TIME, s, p)) >= 0) return e;
    if ((e = sticky(YYMMDD, s, p)) >= 0) return e;
    if ((e = sticky(TIME_ONLY, s, p)) >= 0) return e;
    if ((e = sticky(EPOCH, s, p)) >= 0) {
      const v = Number(s.slice(p, e));
      if (e - p === 13 || s.charCodeAt(p + 13) === 46) {
        if (v < 1e12 || v > 4e12) return -1;
        timeMs = v;
      } else {
        if (v < 1e9 || v > 4e9) return -1;
        timeMs = Math.round(v * 1000);
      }
      return e;
    }
    return -1;
  }
  if (isLetter(c)) {
    const e = sticky(BSD, s, p);
    if (e < 0) return -1;
    const m =
      s.charCodeAt(p + 3) === 44 || s.charCodeAt(p + 3) === SPACE ? p + (s.charCodeAt(p + 3) === 44 ? 5 : 4) : p;
    const mo = monthAt(s, m);
    if (mo === 0) return -1;
    return e;
  }
  return -1;
}

/** The level spelled by a header field `s[a, b)`, given whether it is the first field after the time. */
function fieldLevel(s: string, a: number, b: number, first: boolean): Level | undefined {
  const open = s.charCodeAt(a);
  let end = b;
  if (open === 91 || open === 60 || open === 40) {
    const close = s.charCodeAt(b - 1);
    if (close !== (open === 91 ? 93 : open === 60 ? 62 : 41)) return undefined;
    return mapLevelWord(s.slice(a + 1, b - 1).trim());
  }
  // `ERROR/MainProcess`, `INFO]` (the end of a bracket the timestamp opened): the word before '/' or ']'.
  for (let k = a + 1; k < b; k++) {
    const ch = s.charCodeAt(k);
    if (ch === 47 /* / */ || ch === 93 /* ] */) {
      const word = s.slice(a, k);
      return word === word.toUpperCase() ? mapLevelWord(word) : undefined;
    }
  }
  const last = s.charCodeAt(b - 1);
  const punct = last === 58 || last === 44;
  if (punct) end--;
  const eq = findWithin(s, 61, a, Math.min(12, end - a - 1));
  if (eq > a) {
    const key = s.slice(a, eq).toLowerCase();
    if (key !== 'level' && key !== 'lvl' && key !== 'severity' && key !== 'loglevel') return undefined;
    let v = s.slice(eq + 1, end);
    if (v.charCodeAt(0) === 34) v = v.slice(1, -1);
    return mapLevelWord(v);
  }
  for (let k = a; k < end; k++) {
    const ch = s.charCodeAt(k);
    if (!isLetter(ch) && !isDigit(ch)) return undefined;
  }
  const word = s.slice(a, end);
  const level = mapLevelWord(word);
  if (level === undefined) return undefined;
  return first || punct || word === word.toUpperCase() ? level : undefined;
}

/** End of the header field starting at `a` (a bracketed field may hold spaces), or -1. */
function fieldEnd(s: string, a: number): number {
  const c = s.charCodeAt(a);
  if (c === 91) {
    const close = matchBracket(s, a, 512);
    if (close < 0) return -1;
    const after = s.charCodeAt(close + 1);
    return after === 58 || after === 44 ? close + 2 : close + 1;
  }
  return tokenEnd(s, a, 512);
}

/** True for a logger-like field: `a.b.C`, `pkg/mod`, `Name:`; letters, digits and `_.$/-@` only. */
function loggerLike(s: string, a: number, b: number): boolean {
  if (b - a < 2 || !isLetter(s.charCodeAt(a))) return false;
  let dots = 0;
  const colon = s.charCodeAt(b - 1) === 58;
  const end = colon ? b - 1 : b;
  for (let k = a; k < end; k++) {
    const ch = s.charCodeAt(k);
    if (ch === 46 || ch === 47) dots++;
    else if (!isLetter(ch) && !isDigit(ch) && ch !== 95 && ch !== 36 && ch !== 45 && ch !== 64) return false;
  }
  return colon || dots > 0;
}

function parseGenericWith(line: string, max: number, year: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  // Find the timestamp: at the start, or after up to three prefix fields.
  let p = 0;
  let t = readAnyTime(s, 0, year);
  for (let k = 0; t < 0 && k < MAX_PREFIX_FIELDS; k++) {
    const e = s.charCodeAt(p) === 91 ? fieldEnd(s, p) : tokenEnd(s, p, MAX_PREFIX);
    if (e <= p || e >= s.length || e > MAX_PREFIX) return undefined;
    p = skipSpaces(s, e);
    t = readAnyTime(s, p, year);
    // also a timestamp glued to the end of a prefix field by '_' or ':' is not looked for: keep it simple.
  }
  if (t < 0) return undefined;
  const timestamp = timeMs;
  const afterTime = t;
  const separator = s.charCodeAt(afterTime);
  if (separator === 124 /* | */ || separator === 44 /* , */) return parseSeparated(s, afterTime, separator, timestamp);
  // Search the header fields for a level.
  let q = afterTime;
  let level: EntryLevel | undefined;
  let rawLevel = '';
  let source = 'unknown';
  let msgStart = -1;
  for (let f = 0; f < MAX_HEADER_FIELDS; f++) {
    q = skipSpaces(s, q);
    while (q < s.length && (s.charCodeAt(q) === 44 || s.charCodeAt(q) === 124)) q = skipSpaces(s, q + 1);
    if (q >= s.length) break;
    if (s.charCodeAt(q) === 45 && s.charCodeAt(q + 1) === SPACE) {
      q += 2;
      continue;
    }
    const e = fieldEnd(s, q);
    if (e <= q) break;
    const lv = fieldLevel(s, q, e, f === 0);
    if (lv !== undefined) {
      level = lv;
      rawLevel = s.slice(q, e).replace(/^[[<(]|[\]>),:]+$/g, '');
      q = skipSpaces(s, e);
      // Ruby's Logger: `LEVEL -- progname: message` (the program name may be empty: `-- : message`)
      if (s.charCodeAt(q) === 45 && s.charCodeAt(q + 1) === 45 && s.charCodeAt(q + 2) === SPACE) {
        q = skipSpaces(s, q + 3);
        if (s.charCodeAt(q) === 58 && s.charCodeAt(q + 1) === SPACE) q = skipSpaces(s, q + 2);
      }
      // thread in brackets, then a logger-like source
      if (s.charCodeAt(q) === 91) {
        const te = fieldEnd(s, q);
        if (te > q) q = skipSpaces(s, te);
      }
      const se = tokenEnd(s, q, 512);
      if (se > q && loggerLike(s, q, se)) {
        source = sliceShared(s, q, s.charCodeAt(se - 1) === 58 ? se - 1 : se);
        q = skipSpaces(s, se);
        if ((s.charCodeAt(q) === 45 || s.charCodeAt(q) === 58) && s.charCodeAt(q + 1) === SPACE)
          q = skipSpaces(s, q + 2);
      } else if (s.charCodeAt(q) === 45 && s.charCodeAt(q + 1) === SPACE) {
        q = skipSpaces(s, q + 2);
      }
      msgStart = q;
      break;
    }
    if (s.charCodeAt(e - 1) === 58 && f > 0) break; // `program:`: the header ends here
    q = e;
  }
  if (level === undefined) {
    level = UNKNOWN_LEVEL;
    // syslog-style program among the first three fields
    let r = skipSpaces(s, afterTime);
    msgStart = r;
    for (let f = 0; f < 3 && r < s.length; f++) {
      if (readTag(s, r)) {
        source = sliceShared(s, r, tagBounds.end);
        msgStart = tagBounds.message;
        break;
      }
      const e = tokenEnd(s, r, 256);
      if (e <= r) break;
      r = skipSpaces(s, e);
    }
  }
  return entry(timestamp, level, rawLevel, s.slice(msgStart < 0 ? afterTime : msgStart), source);
}

/** Result slot of `separatedField`: the end of the field just read (at its separator, or the line's end). */
let fieldStop = 0;

/** The field of a `separator`-separated header starting at `p`; a CSV field may be double-quoted. */
function separatedField(s: string, p: number, separator: number): string {
  if (separator === 44 && s.charCodeAt(p) === 34 /* " */) {
    let text = '';
    let q = p + 1;
    for (;;) {
      const close = s.indexOf('"', q);
      if (close < 0) {
        fieldStop = s.length;
        return text + s.slice(q);
      }
      text += s.slice(q, close);
      if (s.charCodeAt(close + 1) === 34) {
        text += '"';
        q = close + 2;
        continue;
      }
      const next = s.indexOf(',', close + 1);
      fieldStop = next < 0 ? s.length : next;
      return text;
    }
  }
  const next = s.indexOf(separator === 124 ? '|' : ',', p);
  fieldStop = next < 0 ? s.length : next;
  return s.slice(p, fieldStop).trim();
}

/** `TIME|field|...|message` or `TIME,field,...,message` (see the header): `p` is at the first separator. */
function parseSeparated(s: string, p: number, separator: number, timestamp: number): ParsedLine {
  let level: EntryLevel = UNKNOWN_LEVEL;
  let rawLevel = '';
  let source = 'unknown';
  let start = p + 1;
  for (;;) {
    const field = separatedField(s, start, separator);
    // The last field is the message; with '|', so is the first field that holds a space (a header field is one
    // word), so that a message containing '|' stays whole.
    if (fieldStop >= s.length || (separator === 124 && field.includes(' '))) {
      return entry(timestamp, level, rawLevel, separator === 44 ? field : s.slice(skipSpaces(s, start)), source);
    }
    const lv = field.length > 1 ? mapLevelWord(field.replace(/^[[<(]|[\]>)]$/g, '')) : undefined;
    if (lv !== undefined && level === UNKNOWN_LEVEL) {
      level = lv;
      rawLevel = field;
    } else if (source === 'unknown' && field.length > 0 && field.length <= 128 && isLetter(field.charCodeAt(0))) {
      source = field;
    }
    start = fieldStop + 1;
  }
}

export function diagnoseGeneric(line: string): string {
  const s = diagnosisHead(line);
  if (s.charCodeAt(0) === TAB || s.charCodeAt(0) === SPACE) return 'no timestamp or level (a continuation line?)';
  return 'no timestamp or level found';
}

export const genericLayout: Layout = {
  name: 'generic',
  priority: -10,
  prefixable: false,
  example: 'nova-api.log 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-1] GET /v2',
  create:
    ({ maxLineLength, year }) =>
    (line) =>
      parseGenericWith(line, maxLineLength, year),
  diagnose: diagnoseGeneric,
};
