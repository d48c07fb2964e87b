/** The `logcat` layout: Android `logcat -v threadtime` (one-letter levels), optionally with a year. */
import { type Layout, mapLevel, type ParsedLine } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  findWithin,
  levelReason,
  looseLevel,
  MAX_SOURCE,
  num,
  sliceShared,
  SPACE,
  utc,
} from './scan.ts';

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
  const source = tagEnd > tagStart ? sliceShared(s, tagStart, tagEnd) : 'unknown';
  return entry(timestamp, level, rawLevel, s.slice(msgStart), source);
}

const LOOSE_LOGCAT = /(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} +\d+ +\d+ (\S{0,32})/y;

export function diagnoseLogcat(line: string): string {
  const tok = looseLevel(LOOSE_LOGCAT, diagnosisHead(line));
  if (tok === undefined) return 'not a logcat line (expected "MM-DD time pid tid L tag: msg")';
  if (tok.length !== 1 || mapLevel(tok) === undefined) return levelReason(tok);
  return 'not a logcat line (no "tag: " or bad date)';
}

export const logcatLayout: Layout = {
  name: 'logcat',
  priority: 70,
  prefixable: true,
  example: '03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs',
  create:
    ({ maxLineLength, year }) =>
    (line) =>
      parseLogcatWith(line, maxLineLength, year),
  diagnose: diagnoseLogcat,
};
