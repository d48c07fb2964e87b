/** The `hdfs` layout: Hadoop HDFS, `yyMMdd HHmmss pid LEVEL component: message`. */
import { type Layout, mapLevelWord, type ParsedLine } from './levels.ts';
import { cleanLine, diagnosisHead, entry, levelReason, looseLevel, MAX_LEVEL_WORD, MAX_SOURCE, num, SPACE, TAB, utc, wordEnd } from './scan.ts';

// `yyMMdd HHmmss pid ` (pid is the thread/process id Hadoop prints)
const HDFS_HEAD = /\d{6} \d{6} \d{1,10} /y;

/*
 * `081109 203615 148 INFO dfs.DataNode$PacketResponder: message`. Two-digit years are
 * 20yy (the data is from 2008). The component ends at the first ':' and has no spaces.
 */
function parseHdfsWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  HDFS_HEAD.lastIndex = 0;
  if (!HDFS_HEAD.test(s)) return undefined;
  const lv = HDFS_HEAD.lastIndex;
  const we = wordEnd(s, lv, MAX_LEVEL_WORD);
  if (we === lv || we - lv > MAX_LEVEL_WORD || s.charCodeAt(we) !== SPACE) return undefined;
  const rawLevel = s.slice(lv, we);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  const timestamp = utc(
    2000 + num(s, 0, 2),
    num(s, 2, 2),
    num(s, 4, 2),
    num(s, 7, 2),
    num(s, 9, 2),
    num(s, 11, 2),
    0,
  );
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
  return entry(timestamp, level, rawLevel, s.slice(msgStart), s.slice(cs, q));
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
  create: ({ maxLineLength }) => (line) => parseHdfsWith(line, maxLineLength),
  diagnose: diagnoseHdfs,
};
