/** The `python` layout: Python `logging` with its default format, or `asctime - name - levelname - message`. */
import { type Layout, mapLevelWord, type ParsedLine } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  isDigit,
  isoMs,
  isWs,
  levelReason,
  looseLevel,
  MAX_LEVEL_WORD,
  MAX_SOURCE,
  readIsoTimestamp,
  sliceShared,
  tokenEnd,
  wordEnd,
} from './scan.ts';

/*
 * Two layouts:
 *   default  `LEVELNAME:logger:message`  (basicConfig's `%(levelname)s:%(name)s:%(message)s`)
 *   asctime  `YYYY-MM-DD HH:MM:SS,mmm - logger - LEVELNAME - message`
 * Logger names may not contain whitespace or ':' (default) / ' - ' (asctime).
 */
function parsePythonWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  if (isDigit(s.charCodeAt(0))) {
    let p = readIsoTimestamp(s, 0);
    if (p < 0 || !s.startsWith(' - ', p)) return undefined;
    const timestamp = isoMs;
    p += 3;
    const nameEnd = tokenEnd(s, p, MAX_SOURCE);
    if (nameEnd <= p || !s.startsWith(' - ', nameEnd)) return undefined;
    const lvStart = nameEnd + 3;
    const we = wordEnd(s, lvStart, MAX_LEVEL_WORD);
    if (we === lvStart || we - lvStart > MAX_LEVEL_WORD) return undefined;
    const rawLevel = sliceShared(s, lvStart, we);
    const level = mapLevelWord(rawLevel);
    if (level === undefined) return undefined;
    let message: string;
    if (s.startsWith(' - ', we)) message = s.slice(we + 3);
    else if (we === s.length || (we + 2 === s.length && s.startsWith(' -', we))) message = '';
    else return undefined;
    return entry(timestamp, level, rawLevel, message, s.slice(p, nameEnd));
  }
  const we = wordEnd(s, 0, MAX_LEVEL_WORD);
  if (we === 0 || we > MAX_LEVEL_WORD || s.charCodeAt(we) !== 58) return undefined;
  const rawLevel = sliceShared(s, 0, we);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  const nameStart = we + 1;
  const limit = Math.min(s.length, nameStart + MAX_SOURCE);
  let q = nameStart;
  while (q < limit) {
    const c = s.charCodeAt(q);
    if (c === 58 || isWs(c)) break;
    q++;
  }
  if (q === nameStart || s.charCodeAt(q) !== 58) return undefined;
  return entry(0, level, rawLevel, s.slice(q + 1), sliceShared(s, nameStart, q));
}

const LOOSE_PY_ASC = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d[.,\d]{0,10} - \S{1,512} - (\S{0,32})/y;
const LOOSE_PY_DEF = /([A-Za-z0-9]{1,32}):/y;

export function diagnosePython(line: string): string {
  const head = diagnosisHead(line);
  if (isDigit(head.charCodeAt(0))) {
    if (readIsoTimestamp(head, 0) < 0) return 'not a python line (bad timestamp)';
    const tok = looseLevel(LOOSE_PY_ASC, head);
    if (tok === undefined) return 'not a python line (expected "time - name - LEVEL - message")';
    if (mapLevelWord(tok) === undefined) return levelReason(tok);
    return 'not a python line';
  }
  const tok = looseLevel(LOOSE_PY_DEF, head);
  if (tok === undefined) return 'no level found';
  if (mapLevelWord(tok) === undefined) return levelReason(tok);
  return 'not a python line (expected "LEVEL:name:message")';
}

export const pythonLayout: Layout = {
  name: 'python',
  priority: 30,
  prefixable: false,
  example: 'WARNING:urllib3.connectionpool:Retrying (Retry(total=2))',
  create:
    ({ maxLineLength }) =>
    (line) =>
      parsePythonWith(line, maxLineLength),
  diagnose: diagnosePython,
};
