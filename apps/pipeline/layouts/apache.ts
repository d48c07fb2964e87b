/** The `apache` layout: the Apache httpd error log (2.2 and 2.4). */
import { type Layout, mapLevelWord, type ParsedLine } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  findWithin,
  fraction,
  levelReason,
  looseLevel,
  monthAt,
  num,
  scanEnd,
  skipSpaces,
  sliceShared,
  SPACE,
  utc,
} from './scan.ts';

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
    source = sliceShared(s, lvOpen, colon);
    lvStart = colon + 1;
  }
  const rawLevel = sliceShared(s, lvStart, close);
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

const LOOSE_APACHE = /\[[^\]]{1,64}\] \[(?:[^\]:]{0,64}:)?([^\]]{0,64})\]/y;

export function diagnoseApache(line: string): string {
  const head = diagnosisHead(line);
  if (head.charCodeAt(0) !== 91) return 'not an apache line (no [date])';
  const tok = looseLevel(LOOSE_APACHE, head);
  if (tok === undefined) return 'not an apache line (expected "[date] [level]")';
  if (mapLevelWord(tok) === undefined) return levelReason(tok);
  return 'not an apache line (bad date)';
}

export const apacheLayout: Layout = {
  name: 'apache',
  priority: 40,
  prefixable: true,
  example: '[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok',
  create:
    ({ maxLineLength }) =>
    (line) =>
      parseApacheWith(line, maxLineLength),
  diagnose: diagnoseApache,
};
