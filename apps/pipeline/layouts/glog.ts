/**
 * The `glog` layout: Google's C++/Go logging and Kubernetes' klog,
 * `Lmmdd hh:mm:ss.uuuuuu threadid file:line] message`, where L is one of I, W, E, F (info, warning, error,
 * fatal). Source: the file name (without its line number). Years are not printed: the parser's year is used.
 */
import type { Layout, Level, ParsedLine } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  findWithin,
  fraction,
  num,
  scanEnd,
  skipSpaces,
  sliceShared,
  SPACE,
  utc,
} from './scan.ts';

const GLOG_HEAD = /[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{1,9} +\d{1,10} /y;
const LETTER: Readonly<Record<string, Level>> = { I: 'Info', W: 'Warn', E: 'Error', F: 'Error' };

function parseGlogWith(line: string, max: number, year: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  GLOG_HEAD.lastIndex = 0;
  if (!GLOG_HEAD.test(s)) return undefined;
  const p = GLOG_HEAD.lastIndex;
  const close = findWithin(s, 93, p, 256);
  if (close < 0 || (close + 1 < s.length && s.charCodeAt(close + 1) !== SPACE)) return undefined;
  const colon = s.lastIndexOf(':', close);
  const source = sliceShared(s, p, colon > p ? colon : close);
  if (source.length === 0 || source.includes(' ')) return undefined;
  const ms = fraction(s, 15, 9);
  const timestamp =
    scanEnd > 15 ? utc(year, num(s, 1, 2), num(s, 3, 2), num(s, 6, 2), num(s, 9, 2), num(s, 12, 2), ms) : 0;
  if (Number.isNaN(timestamp)) return undefined;
  const rawLevel = s.charAt(0);
  return entry(timestamp, LETTER[rawLevel]!, rawLevel, s.slice(skipSpaces(s, close + 1)), source);
}

export function diagnoseGlog(line: string): string {
  const head = diagnosisHead(line);
  return /^[A-Z]\d{4} /.test(head) && !/^[IWEF]/.test(head)
    ? `unknown level "${head.charAt(0)}"`
    : 'not a glog line (expected "Lmmdd hh:mm:ss.uuuuuu thread file:line] msg")';
}

export const glogLayout: Layout = {
  name: 'glog',
  priority: 75,
  prefixable: true,
  example: 'I0102 15:04:05.000000    1234 main.go:42] Starting',
  create:
    ({ maxLineLength, year }) =>
    (line) =>
      parseGlogWith(line, maxLineLength, year),
  diagnose: diagnoseGlog,
};
