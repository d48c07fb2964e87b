/**
 * The `cbs` layout: Windows servicing logs (CBS.log, DISM.log): `YYYY-MM-DD HH:MM:SS, Level  COMPONENT  message`,
 * the level and the component padded with spaces.
 */
import { type Layout, mapLevelWord, type ParsedLine } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  isoMs,
  levelReason,
  MAX_LEVEL_WORD,
  readIsoTimestamp,
  skipSpaces,
  sliceShared,
  SPACE,
  tokenEnd,
  wordEnd,
} from './scan.ts';

function parseCbsWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  const e = readIsoTimestamp(s, 0);
  if (e < 0 || s.charCodeAt(e) !== 44 /* , */) return undefined;
  const timestamp = isoMs;
  const ls = skipSpaces(s, e + 1);
  const le = wordEnd(s, ls, MAX_LEVEL_WORD);
  if (le === ls || le - ls > MAX_LEVEL_WORD) return undefined;
  const rawLevel = sliceShared(s, ls, le);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  if (le === s.length) return entry(timestamp, level, rawLevel, '', 'unknown');
  if (s.charCodeAt(le) !== SPACE) return undefined;
  const cs = skipSpaces(s, le);
  const ce = tokenEnd(s, cs, 64);
  if (ce <= cs) return entry(timestamp, level, rawLevel, s.slice(cs), 'unknown');
  return entry(timestamp, level, rawLevel, s.slice(skipSpaces(s, ce)), sliceShared(s, cs, ce));
}

export function diagnoseCbs(line: string): string {
  const head = diagnosisHead(line);
  const e = readIsoTimestamp(head, 0);
  if (e < 0 || head.charCodeAt(e) !== 44) return 'not a cbs line (expected "YYYY-MM-DD HH:MM:SS, Level")';
  const ls = skipSpaces(head, e + 1);
  return levelReason(head.slice(ls, tokenEnd(head, ls, 32) < 0 ? ls : tokenEnd(head, ls, 32)));
}

export const cbsLayout: Layout = {
  name: 'cbs',
  priority: 50,
  prefixable: true,
  example: '2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505',
  create:
    ({ maxLineLength }) =>
    (line) =>
      parseCbsWith(line, maxLineLength),
  diagnose: diagnoseCbs,
};
