/** The `hdfs` layout: Hadoop HDFS, `yyMMdd HHmmss pid LEVEL component: message`. */
import { type Layout, mapLevelWord, type ParsedLine } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  isDigit,
  levelReason,
  looseLevel,
  MAX_LEVEL_WORD,
  MAX_SOURCE,
  num,
  sliceShared,
  SPACE,
  TAB,
  utc,
  wordEnd,
} from './scan.ts';

/** Index just past `yyMMdd HHmmss pid ` at the start of `s` (pid: the thread id Hadoop prints, 1 to 10
 * digits), or -1. Checked by hand: this layout's lines are the pipeline's benchmark, and a sticky regular
 * expression costs more per line than these few comparisons. */
function headEnd(s: string): number {
  if (s.length < 16 || s.charCodeAt(6) !== SPACE || s.charCodeAt(13) !== SPACE) return -1;
  for (let i = 0; i < 13; i++) if (i !== 6 && !isDigit(s.charCodeAt(i))) return -1;
  let p = 14;
  const limit = Math.min(s.length, 25);
  while (p < limit && isDigit(s.charCodeAt(p))) p++;
  return p > 14 && s.charCodeAt(p) === SPACE ? p + 1 : -1;
}

/*
 * `081109 203615 148 INFO dfs.DataNode$PacketResponder: message`. Two-digit years are
 * 20yy (the data is from 2008). The component ends at the first ':' and has no spaces.
 */
function parseHdfsWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  const lv = headEnd(s);
  if (lv < 0) return undefined;
  const we = wordEnd(s, lv, MAX_LEVEL_WORD);
  if (we === lv || we - lv > MAX_LEVEL_WORD || s.charCodeAt(we) !== SPACE) return undefined;
  const rawLevel = sliceShared(s, lv, we);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  const timestamp = utc(2000 + num(s, 0, 2), num(s, 2, 2), num(s, 4, 2), num(s, 7, 2), num(s, 9, 2), num(s, 11, 2), 0);
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
  return entry(timestamp, level, rawLevel, s.slice(msgStart), sliceShared(s, cs, q));
}

const LOOSE_HDFS = /\d{6} \d{6} \d{1,10} (\S{0,32})/y;

export function diagnoseHdfs(line: string): string {
  const tok = looseLevel(LOOSE_HDFS, diagnosisHead(line));
  if (tok === undefined) return 'not an hdfs line (expected "yyMMdd HHmmss pid LEVEL")';
  if (mapLevelWord(tok) === undefined) return levelReason(tok);
  return 'not an hdfs line (no "component:" or bad date)';
}

export const hdfsLayout: Layout = {
  name: 'hdfs',
  priority: 60,
  prefixable: true,
  example: '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating',
  create:
    ({ maxLineLength }) =>
    (line) =>
      parseHdfsWith(line, maxLineLength),
  diagnose: diagnoseHdfs,
};
