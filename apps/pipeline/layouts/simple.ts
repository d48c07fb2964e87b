/** The `simple` layout: a level word first, `LEVEL [source:] message` (the course's own line format). */
import { type Layout, mapLevelWord, type ParsedLine } from './levels.ts';
import {
  cleanLine,
  diagnosisHead,
  entry,
  isDigit,
  isLetter,
  levelReason,
  looseLevel,
  MAX_LEVEL_WORD,
  skipSpaces,
  sliceShared,
  SPACE,
  TAB,
  wordEnd,
} from './scan.ts';

/*
 * The simple layout, precisely:
 *
 *   line    := level-tok [ SP+ [ source ":" ( SP+ | end ) ] message ]
 *   level-tok := WORD | WORD ":" | "[" WORD "]"
 *   WORD    := 2..16 ASCII letters/digits that are a level spelling (any case,
 *              one-letter spellings excluded)
 *   source  := 1..128 characters from [A-Za-z0-9_.$/@-], directly followed by ":"
 *
 * Examples: `INFO Server started` (source 'unknown'), `[ERROR] db: timeout` (source
 * "db", message "timeout"), `warning: disk almost full` (no source: "disk" is followed by
 * a space, not a colon). The source rule is a heuristic: `INFO retry: attempt 2` also
 * yields source "retry". A line holding only a level gives an empty message.
 */
function parseSimpleWith(line: string, max: number): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  if (s.length === 0) return undefined;
  let p = 0;
  const bracketed = s.charCodeAt(0) === 91;
  if (bracketed) p = 1;
  const we = wordEnd(s, p, MAX_LEVEL_WORD);
  if (we === p || we - p > MAX_LEVEL_WORD) return undefined;
  const rawLevel = sliceShared(s, p, we);
  const level = mapLevelWord(rawLevel);
  if (level === undefined) return undefined;
  p = we;
  if (bracketed) {
    if (s.charCodeAt(p) !== 93) return undefined;
    p++;
  } else if (s.charCodeAt(p) === 58) {
    p++;
  }
  if (p === s.length) return entry(0, level, rawLevel, '', 'unknown');
  const c = s.charCodeAt(p);
  if (c !== SPACE && c !== TAB) return undefined;
  p = skipSpaces(s, p);
  // optional `source:` right after the level
  let source = 'unknown';
  const limit = Math.min(s.length, p + 128);
  let q = p;
  while (q < limit) {
    const d = s.charCodeAt(q);
    if (isLetter(d) || isDigit(d) || d === 95 || d === 46 || d === 36 || d === 47 || d === 64 || d === 45) q++;
    else break;
  }
  if (q > p && q < s.length && s.charCodeAt(q) === 58) {
    const after = q + 1;
    if (after === s.length) {
      return entry(0, level, rawLevel, '', s.slice(p, q));
    }
    const d = s.charCodeAt(after);
    if (d === SPACE || d === TAB) {
      source = sliceShared(s, p, q);
      p = skipSpaces(s, after);
    }
  }
  return entry(0, level, rawLevel, s.slice(p), source);
}

const LOOSE_SIMPLE = /\[?([^\s\]:]{0,32})/y;

export function diagnoseSimple(line: string): string {
  const head = diagnosisHead(line);
  const tok = looseLevel(LOOSE_SIMPLE, head) ?? '';
  if (tok.length > 0 && mapLevelWord(tok) !== undefined) return 'level not followed by a space';
  // Only a bracketed or upper-case first word looks like an attempt at a level; ordinary prose just has no level.
  const looksLikeLevel =
    head.charCodeAt(0) === 91 || (tok.length > 0 && tok === tok.toUpperCase() && /^[A-Z][A-Z0-9]*$/.test(tok));
  return looksLikeLevel ? levelReason(tok) : 'no level found';
}

export const simpleLayout: Layout = {
  name: 'simple',
  priority: 0,
  prefixable: false,
  example: 'ERROR db: connection refused',
  create:
    ({ maxLineLength }) =>
    (line) =>
      parseSimpleWith(line, maxLineLength),
  diagnose: diagnoseSimple,
};
