/**
 * The `logfmt` layout: lines of `key=value` pairs (logfmt: Go's log/slog text handler, logrus, Heroku,
 * Grafana Loki and many others), e.g. `time=2024-05-01T12:00:00Z level=warn logger=db msg="slow query"`.
 *
 * The line must start with a pair and hold at least two. Values are bare (up to the next space) or quoted
 * with `\` escapes. Level from `level`/`lvl`/`severity`/`loglevel` (a value not in the level table makes the
 * line unparsed; no level key at all gives the level Unknown); message from `msg`/`message`; source from
 * `logger`/`component`/`source`/`module`/`name`; time from `time`/`ts`/`timestamp`/`t` (ISO 8601). Only the
 * first 64 pairs are looked at.
 */
import { type EntryLevel, type Layout, mapLevelWord, type ParsedLine, UNKNOWN_LEVEL } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  isDigit,
  isLetter,
  isoMs,
  readIsoTimestamp,
  shown,
  SPACE,
  TAB,
} from './scan.ts';

const LEVEL_KEYS = new Set(['level', 'lvl', 'severity', 'loglevel']);
const MESSAGE_KEYS = new Set(['msg', 'message']);
const SOURCE_KEYS = new Set(['logger', 'component', 'source', 'module', 'name']);
const TIME_KEYS = new Set(['time', 'ts', 'timestamp', 't']);
const MAX_PAIRS = 64;

/** Pairs of the line (key, value), or undefined if it does not start with two pairs. */
function pairs(s: string): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  let p = 0;
  while (p < s.length && out.length < MAX_PAIRS) {
    while (p < s.length && (s.charCodeAt(p) === SPACE || s.charCodeAt(p) === TAB)) p++;
    if (p >= s.length) break;
    const ks = p;
    while (p < s.length && p - ks <= 64) {
      const c = s.charCodeAt(p);
      if (isLetter(c) || isDigit(c) || c === 95 || c === 46 || c === 45 || c === 64) p++;
      else break;
    }
    if (p === ks || s.charCodeAt(p) !== 61 /* = */ || !isLetter(s.charCodeAt(ks))) {
      if (out.length < 2) return undefined;
      break;
    }
    const key = s.slice(ks, p);
    p++;
    let value: string;
    if (s.charCodeAt(p) === 34 /* " */) {
      let q = p + 1;
      let text = '';
      let from = q;
      for (; q < s.length; q++) {
        const c = s.charCodeAt(q);
        if (c === 92) {
          text += s.slice(from, q);
          from = q + 1;
          q++;
        } else if (c === 34) break;
      }
      if (q >= s.length) return out.length >= 2 ? out : undefined;
      value = text + s.slice(from, q);
      p = q + 1;
    } else {
      const vs = p;
      while (p < s.length && s.charCodeAt(p) !== SPACE && s.charCodeAt(p) !== TAB) p++;
      value = s.slice(vs, p);
    }
    out.push([key.toLowerCase(), value]);
  }
  return out.length >= 2 ? out : undefined;
}

function parseLogfmtWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  const kv = pairs(s);
  if (kv === undefined) return undefined;
  let rawLevel: string | undefined;
  let message = '';
  let source = 'unknown';
  let timestamp = 0;
  let recordLike = false;
  for (const [key, value] of kv) {
    if (rawLevel === undefined && LEVEL_KEYS.has(key)) rawLevel = value;
    else if (MESSAGE_KEYS.has(key)) {
      message = value;
      recordLike = true;
    } else if (source === 'unknown' && SOURCE_KEYS.has(key) && value.length > 0) source = value;
    else if (timestamp === 0 && TIME_KEYS.has(key)) {
      recordLike = true;
      if (readIsoTimestamp(value, 0) === value.length) timestamp = isoMs;
    }
  }
  let level: EntryLevel | undefined;
  if (rawLevel === undefined) {
    if (!recordLike) return undefined;
    level = UNKNOWN_LEVEL;
  } else {
    level = mapLevelWord(rawLevel);
    if (level === undefined) return undefined;
  }
  return entry(timestamp, level, rawLevel ?? '', message, source);
}

export function diagnoseLogfmt(line: string): string {
  const head = diagnosisHead(line);
  const kv = pairs(head);
  if (kv === undefined) return 'not a logfmt line (expected key=value pairs)';
  const lv = kv.find(([k]) => LEVEL_KEYS.has(k));
  return lv === undefined ? 'no level, msg or time key' : `unknown level ${shown(lv[1])}`;
}

export const logfmtLayout: Layout = {
  name: 'logfmt',
  priority: 90,
  prefixable: false,
  example: 'time=2024-05-01T12:00:00Z level=warn logger=db msg="slow query"',
  create:
    ({ maxLineLength }) =>
    (line) =>
      parseLogfmtWith(line, maxLineLength),
  diagnose: diagnoseLogfmt,
};
