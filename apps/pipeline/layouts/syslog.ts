/**
 * The `syslog` layout: RFC 3164 and RFC 5424 lines with `<PRI>` (level from the severity), and syslog
 * files without it (`Mmm dd hh:mm:ss host program[pid]: message`, level `Unknown`).
 */
import {
  type EntryLevel,
  type Layout,
  mapLevelWord,
  type ParsedLine,
  SYSLOG_SEVERITY_NAMES,
  syslogSeverityLevel,
  UNKNOWN_LEVEL,
} from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  findWithin,
  isDigit,
  isoMs,
  MAX_SOURCE,
  monthAt,
  num,
  readIsoTimestamp,
  scanEnd,
  setScanEnd,
  skipSpaces,
  sliceShared,
  SPACE,
  TAB,
  tokenEnd,
  utc,
} from './scan.ts';

const PRI = /<(?:\d{1,3})>/y;
const BSD_TIME = /[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /y;

/** Returns the PRI value for a line starting `<n>` and sets `scanEnd`; -1 if invalid. */
function readPri(s: string): number {
  PRI.lastIndex = 0;
  if (!PRI.test(s)) return -1;
  setScanEnd(PRI.lastIndex);
  const pri = num(s, 1, PRI.lastIndex - 2);
  return pri <= 191 ? pri : -1;
}

/*
 * RFC 3164: `<PRI>Mmm dd hh:mm:ss host tag[pid]: message` (an ISO timestamp in place of
 * the BSD one is accepted too, as rsyslog can emit that). Source: the tag without its
 * `[pid]`; if the token after the host does not end in ':' the whole rest is the message
 * and the source is 'unknown'.
 * Syslog files (/var/log/messages, macOS system.log, auth.log) are the same without `<PRI>`:
 * such lines carry no level, so their entries get the level `Unknown`. Without a PRI the
 * line must name its program (`host tag[pid]:` or `host tag:`, see `readTag`), and the host
 * must not be a level word, so that a date-first line with a level is never read as one.
 * RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD [message]`. Source: APP (or
 * 'unknown' for '-'). Structured data is skipped; a UTF-8 BOM before the message is
 * removed.
 * Level: from the severity (PRI mod 8); `rawLevel` is its RFC 5424 keyword.
 */
function parseSyslogWith(line: string, max: number, year: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  if (s.charCodeAt(0) !== 60) return parseSyslogFile(s, year);
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
    if (tagEnd > p) return entry(timestamp, level, rawLevel, s.slice(skipSpaces(s, te)), sliceShared(s, p, tagEnd));
  }
  return entry(timestamp, level, rawLevel, s.slice(p), 'unknown');
}

/** Reads a BSD `Mmm dd hh:mm:ss ` time at `p`: returns the index past it (time in `bsdMs`), or -1. */
let bsdMs = 0;
function readBsdTime(s: string, p: number, year: number): number {
  BSD_TIME.lastIndex = p;
  if (!BSD_TIME.test(s)) return -1;
  const mo = monthAt(s, p);
  if (mo === 0) return -1;
  const day = s.charCodeAt(p + 4) === SPACE ? num(s, p + 5, 1) : num(s, p + 4, 2);
  bsdMs = utc(year, mo, day, num(s, p + 7, 2), num(s, p + 10, 2), num(s, p + 13, 2), 0);
  return Number.isNaN(bsdMs) ? -1 : BSD_TIME.lastIndex;
}

/** Result slots of `readTag`: end of the program name, start of the message. */
export const tagBounds = { end: 0, message: 0 };

/**
 * The program name of a syslog line at `p`: `prog[pid]:`, `prog:`, `prog[pid] (detail):` (macOS), where
 * prog may hold up to two spaces (`Microsoft Word[123]:`, `syslogd 1.4.1:`) and is at most 64 characters.
 * Returns true and sets `tagBounds`, or false.
 */
export function readTag(s: string, p: number): boolean {
  const limit = Math.min(s.length, p + 64);
  let spaces = 0;
  for (let q = p; q < limit; q++) {
    const c = s.charCodeAt(q);
    if (c === 58 /* : */) {
      if (q === p || s.charCodeAt(q - 1) === SPACE) return false;
      if (q + 1 < s.length && s.charCodeAt(q + 1) !== SPACE) return false;
      tagBounds.end = q;
      tagBounds.message = skipSpaces(s, q + 1);
      return true;
    }
    if (c === 91 /* [ */) {
      if (q === p) return false;
      let r = q + 1;
      while (r < s.length && r - q < 12 && isDigit(s.charCodeAt(r))) r++;
      if (r === q + 1 || s.charCodeAt(r) !== 93) return false;
      r++;
      // macOS: `launchd[1] (com.apple.xpc...):`
      if (s.charCodeAt(r) === SPACE && s.charCodeAt(r + 1) === 40) {
        const close = findWithin(s, 41, r + 2, MAX_SOURCE);
        if (close < 0) return false;
        r = close + 1;
      }
      if (s.charCodeAt(r) !== 58) return false;
      tagBounds.end = q;
      tagBounds.message = skipSpaces(s, r + 1);
      return true;
    }
    if (c === SPACE) {
      if (++spaces > 2 || s.charCodeAt(q + 1) === SPACE) return false;
    } else if (c === TAB) {
      return false;
    }
  }
  return false;
}

function parseSyslogFile(s: string, year: number): ParsedLine | undefined {
  let p = readBsdTime(s, 0, year);
  let timestamp = bsdMs;
  if (p < 0) {
    // RFC 3339 as rsyslog writes it: `2024-05-01T12:00:00.123456+02:00 host prog[pid]: msg`
    if (s.charCodeAt(10) !== 84 /* T */) return undefined;
    const e = readIsoTimestamp(s, 0);
    if (e < 0 || s.charCodeAt(e) !== SPACE) return undefined;
    timestamp = isoMs;
    p = e + 1;
  }
  const he = tokenEnd(s, p, 256);
  if (he <= p || he === s.length) return undefined;
  if (mapLevelWord(s.slice(p, he)) !== undefined) return undefined;
  const ts = skipSpaces(s, he);
  if (!readTag(s, ts)) return undefined;
  return entry(timestamp, UNKNOWN_LEVEL, '', s.slice(tagBounds.message), sliceShared(s, ts, tagBounds.end));
}

function parse5424(s: string, p: number, level: EntryLevel, rawLevel: string): ParsedLine | undefined {
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

export function diagnoseSyslog(line: string): string {
  const head = diagnosisHead(line);
  if (head.charCodeAt(0) !== 60) {
    if (readBsdTime(head, 0, 2000) < 0 && readIsoTimestamp(head, 0) < 0) return 'not a syslog line (no <PRI> or date)';
    return 'not a syslog line (no "host program[pid]:")';
  }
  if (readPri(head) < 0) return 'syslog PRI out of range';
  return 'not a syslog line (bad timestamp or header)';
}

export const syslogLayout: Layout = {
  name: 'syslog',
  priority: 80,
  prefixable: false,
  example: 'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure',
  create:
    ({ maxLineLength, year }) =>
    (line) =>
      parseSyslogWith(line, maxLineLength, year),
  diagnose: diagnoseSyslog,
};
