/**
 * The `bgl` layout: the RAS log of an IBM Blue Gene/L supercomputer (loghub's BGL), one event per line:
 *
 *   LABEL EPOCH YYYY.MM.DD NODE YYYY-MM-DD-HH.MM.SS.ffffff NODE TYPE COMPONENT LEVEL message
 *
 * LABEL is '-' or an alert category; TYPE is RAS; COMPONENT (KERNEL, APP, MMCS, ...) is the source; LEVEL is
 * INFO, WARNING, SEVERE, ERROR, FATAL or FAILURE. The time comes from the EPOCH seconds and the fraction of
 * the full timestamp.
 */
import { type Layout, mapLevelWord, type ParsedLine } from './levels.ts';
import { cleanLine, diagnosisHead, entry, levelReason, MAX_SOURCE, num, sliceShared, SPACE, tokenEnd } from './scan.ts';

const BGL_HEAD = /\S{1,64} (\d{10}) \d{4}\.\d\d\.\d\d \S{1,128} \d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d\.(\d{6}) \S{1,128} /y;

function parseBglWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  BGL_HEAD.lastIndex = 0;
  const m = BGL_HEAD.exec(s);
  if (m === null) return undefined;
  let p = BGL_HEAD.lastIndex;
  // TYPE, COMPONENT, LEVEL
  const typeEnd = tokenEnd(s, p, 32);
  if (typeEnd <= p || s.charCodeAt(typeEnd) !== SPACE) return undefined;
  const cs = typeEnd + 1;
  const ce = tokenEnd(s, cs, MAX_SOURCE);
  if (ce <= cs || s.charCodeAt(ce) !== SPACE) return undefined;
  const ls = ce + 1;
  const le = tokenEnd(s, ls, 16);
  if (le <= ls) return undefined;
  const rawLevel = sliceShared(s, ls, le);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  p = le === s.length ? le : le + 1;
  const seconds = Number(m[1]);
  const timestamp = seconds * 1000 + Math.floor(num(m[2]!, 0, 6) / 1000);
  return entry(timestamp, level, rawLevel, s.slice(p), sliceShared(s, cs, ce));
}

const LOOSE_BGL = /\S{1,64} \d{10} \d{4}\.\d\d\.\d\d \S{1,128} \S{1,64} \S{1,128} \S{1,32} \S{1,512} (\S{0,32})/y;

export function diagnoseBgl(line: string): string {
  const head = diagnosisHead(line);
  BGL_HEAD.lastIndex = 0;
  if (!BGL_HEAD.test(head)) return 'not a bgl line (expected "label epoch date node time node type component LEVEL")';
  LOOSE_BGL.lastIndex = 0;
  const tok = LOOSE_BGL.exec(head)?.[1] ?? '';
  return levelReason(tok);
}

export const bglLayout: Layout = {
  name: 'bgl',
  priority: 65,
  prefixable: false,
  example:
    '- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO ...',
  create:
    ({ maxLineLength }) =>
    (line) =>
      parseBglWith(line, maxLineLength),
  diagnose: diagnoseBgl,
};
