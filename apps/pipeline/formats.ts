/**
 * The `pipeline` command's line parsers, in one import: the types and level table (layouts/levels.ts), the
 * scanning helpers callers need (layouts/scan.ts) and the layout registry with detection
 * (layouts/index.ts). Each layout lives in its own module under layouts/.
 *
 * Every parser has the shape `(line) => ParsedLine | undefined`: it takes one line (with or without its
 * CR/LF) and returns an entry, or `undefined` when the line does not fit the layout. Blank lines also give
 * `undefined`; callers that need to tell "blank" from "malformed" check `isBlankLine` first (see
 * `classifyLine`), and ask `unparsedReason` for a short dead-letter reason only on the slow path.
 *
 * Timestamps without a zone are read as UTC, so results do not depend on the machine's time zone. Layouts
 * without a year (logcat, BSD syslog) use `options.year`, which defaults to the current UTC year at the time
 * the parser is created.
 */
import { type FormatName, PARSERS, unparsedReason } from './layouts/index.ts';
import { type LineParser, MAX_LINE_LENGTH, type ParsedLine } from './layouts/levels.ts';
import { isBlankLine } from './layouts/scan.ts';

export * from './layouts/levels.ts';
export * from './layouts/index.ts';
export { cleanLine, isBlankLine } from './layouts/scan.ts';

export const parseSimple: LineParser = PARSERS.simple;
export const parseLog4j: LineParser = PARSERS.log4j;
export const parsePython: LineParser = PARSERS.python;
export const parseApache: LineParser = PARSERS.apache;
export const parseLogcat: LineParser = PARSERS.logcat;
export const parseHdfs: LineParser = PARSERS.hdfs;
export const parseSyslog: LineParser = PARSERS.syslog;
export const parseJsonl: LineParser = PARSERS.jsonl;

export type LineOutcome =
  | { readonly kind: 'entry'; readonly entry: ParsedLine }
  | { readonly kind: 'blank' }
  | { readonly kind: 'malformed'; readonly reason: string };

const BLANK_OUTCOME: LineOutcome = Object.freeze({ kind: 'blank' });

/**
 * Convenience wrapper: parse, or say why not. Hot loops can call the parser directly and only fall back to
 * `isBlankLine` / `unparsedReason` when it returns undefined.
 */
export function classifyLine(
  line: string,
  format: FormatName,
  parse: LineParser = PARSERS[format],
  maxLineLength: number = MAX_LINE_LENGTH,
): LineOutcome {
  const e = parse(line);
  if (e !== undefined) return { kind: 'entry', entry: e };
  if (isBlankLine(line)) return BLANK_OUTCOME;
  return { kind: 'malformed', reason: unparsedReason(line, format, maxLineLength) };
}
