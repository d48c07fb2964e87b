/**
 * The `log4j` layout: Java logging pattern layouts that start with a date (log4j, logback, Spring Boot,
 * ZooKeeper, Spark's `yy/MM/dd HH:mm:ss`).
 */
import { type Layout, mapLevelWord, type ParsedLine } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  isDigit,
  isoMs,
  levelReason,
  looseLevel,
  matchBracket,
  MAX_LEVEL_WORD,
  MAX_SOURCE,
  readDateTime,
  skipSpaces,
  sliceShared,
  SPACE,
  TAB,
  tokenEnd,
  wordEnd,
} from './scan.ts';

/*
 * Date-first Java logging layouts:
 *
 *   DATE-TIME [ "-" ] [ "[" thread "]" ] LEVEL [ PID "---" ] [ "[" bracket "]" ]
 *       [ logger ( ":" | " -" | " :" ) ] message
 *
 * Covers ZooKeeper's `%d - %-5p [%t:%C{1}@%L] - %m`, the common
 * `%d %-5p [%t] %c - %m`, `%d %-5p %c: %m`, logback `%d [%thread] %-5level %logger - %msg`
 * Spring Boot's `%d  LEVEL PID --- [thread] logger : msg` and Spark's `%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m`.
 * DATE-TIME is ISO 8601, `yyyy/MM/dd HH:mm:ss` or `yy/MM/dd HH:mm:ss` (see `readDateTime`).
 * Source: the logger if present; otherwise the class of a `[thread:Class@line]` bracket;
 * otherwise 'unknown'. Threads are not reported.
 */
function parseLog4jWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  let p = readDateTime(s, 0);
  if (p < 0) return undefined;
  const timestamp = isoMs;
  p = skipSpaces(s, p);
  if (s.charCodeAt(p) === 45 && s.charCodeAt(p + 1) === SPACE) p = skipSpaces(s, p + 2);
  // logback puts the thread before the level
  if (s.charCodeAt(p) === 91) {
    const close = matchBracket(s, p, MAX_SOURCE);
    if (close < 0) return undefined;
    p = skipSpaces(s, close + 1);
  }
  const we = wordEnd(s, p, MAX_LEVEL_WORD);
  if (we === p || we - p > MAX_LEVEL_WORD) return undefined;
  const rawLevel = sliceShared(s, p, we);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  p = we;
  if (p === s.length) return entry(timestamp, level, rawLevel, '', 'unknown');
  let c = s.charCodeAt(p);
  if (c !== SPACE && c !== TAB) return undefined;
  p = skipSpaces(s, p);
  // Spring Boot: `12345 --- `
  if (isDigit(s.charCodeAt(p))) {
    let q = p;
    while (q < s.length && q - p < 12 && isDigit(s.charCodeAt(q))) q++;
    if (s.startsWith(' --- ', q)) p = skipSpaces(s, q + 5);
  }
  let source = 'unknown';
  if (s.charCodeAt(p) === 91) {
    const close = matchBracket(s, p, MAX_SOURCE);
    if (close >= 0) {
      // `[thread:Class@line]`: take Class
      const at = s.lastIndexOf('@', close);
      if (at > p) {
        let k = at + 1;
        while (k < close && (isDigit(s.charCodeAt(k)) || s.charCodeAt(k) === 63)) k++;
        if (k === close) {
          const colon = s.lastIndexOf(':', at);
          const from = colon > p ? colon + 1 : p + 1;
          if (at > from) source = sliceShared(s, from, at);
        }
      }
      p = skipSpaces(s, close + 1);
    }
  }
  // ` - message` right here (ZooKeeper, or no logger)
  c = s.charCodeAt(p);
  if (c === 45 && (p + 1 === s.length || s.charCodeAt(p + 1) === SPACE)) {
    return entry(timestamp, level, rawLevel, s.slice(skipSpaces(s, p + 1)), source);
  }
  // `logger:` / `logger -` / `logger :` / plain message
  const te = tokenEnd(s, p, MAX_SOURCE);
  if (te > p) {
    if (s.charCodeAt(te - 1) === 58 && te - 1 > p) {
      return entry(timestamp, level, rawLevel, s.slice(skipSpaces(s, te)), s.slice(p, te - 1));
    }
    const after = skipSpaces(s, te);
    const d = s.charCodeAt(after);
    if ((d === 45 || d === 58) && (after + 1 === s.length || s.charCodeAt(after + 1) === SPACE)) {
      return entry(timestamp, level, rawLevel, s.slice(skipSpaces(s, after + 1)), s.slice(p, te));
    }
  }
  return entry(timestamp, level, rawLevel, s.slice(p), source);
}

const LOOSE_LOG4J =
  /(?:\d{4}-\d\d-\d\d[T ]|\d{2,4}\/\d\d\/\d\d[T ])\d\d:\d\d:\d\d[.,\d]{0,10}(?:Z|[+-]\d\d:?\d\d)?\s+(?:-\s+)?(?:\[[^\]]{0,512}\]\s+)?([^\s[\]]{0,32})/y;

export function diagnoseLog4j(line: string): string {
  const head = diagnosisHead(line);
  if (readDateTime(head, 0) < 0) return 'not a log4j line (no leading timestamp)';
  const tok = looseLevel(LOOSE_LOG4J, head);
  if (tok === undefined || mapLevelWord(tok) === undefined) return levelReason(tok ?? '');
  return 'not a log4j line';
}

export const log4jLayout: Layout = {
  name: 'log4j',
  priority: 20,
  prefixable: true,
  example: '2015-07-29 17:41:44,747 - INFO  [main:QuorumPeer@913] - LOOKING',
  create:
    ({ maxLineLength }) =>
    (line) =>
      parseLog4jWith(line, maxLineLength),
  diagnose: diagnoseLog4j,
};
