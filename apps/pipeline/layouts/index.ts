/**
 * The layout registry: every layout module registered in one table, detection from a sample, and the
 * per-line fallback for lines the detected layout does not describe.
 *
 * Adding a layout means writing one module that exports a `Layout` (name, priority, prefixable, example,
 * create, diagnose) and adding it to `LAYOUTS` below; the CLI's `--format` names, the channel codec and
 * detection all read this table.
 *
 * Detection (`detectFormat`), per file, from its first `DETECT_SAMPLE_LINES` non-blank lines: every layout
 * is tried on the sample, prefixable ones also after 1 to 3 leading fields (a file name, a host name). The
 * winner parses the most lines; ties go to the one that finds a level in more of them, then to the higher
 * priority, then to the shorter prefix. A specific layout wins when it parses at least half the sample, or
 * when the specific layouts together parse at least as many lines as `generic` (a mixed file); otherwise
 * `generic` does. When nothing parses, the answer is `simple`.
 *
 * Mixed files (`reparse`): a line the file's layout does not parse is tried with every other layout (same
 * order; `generic` last) before it is dead-lettered, so a file that changes layout half-way, or interleaves
 * two, loses nothing; the dead-letter reason still comes from the file's own layout. ANSI colour escapes are
 * removed before detection and before the re-check (a coloured file is then parsed line by line that way).
 */
import { apacheLayout } from './apache.ts';
import { bglLayout } from './bgl.ts';
import { cbsLayout } from './cbs.ts';
import { genericLayout } from './generic.ts';
import { glogLayout } from './glog.ts';
import { hdfsLayout } from './hdfs.ts';
import { jsonlLayout } from './jsonl.ts';
import {
  DETECT_SAMPLE_LINES,
  type Layout,
  type LineParser,
  MAX_LINE_LENGTH,
  type ParsedLine,
  type ParserOptions,
} from './levels.ts';
import { log4jLayout } from './log4j.ts';
import { logcatLayout } from './logcat.ts';
import { logfmtLayout } from './logfmt.ts';
import { pythonLayout } from './python.ts';
import { isBlankLine, skipSpaces, stripAnsi, tokenEnd } from './scan.ts';
import { simpleLayout } from './simple.ts';
import { syslogLayout } from './syslog.ts';

/** Every layout, in the order `--help` lists them. */
export const LAYOUTS = [
  simpleLayout,
  log4jLayout,
  pythonLayout,
  apacheLayout,
  logcatLayout,
  hdfsLayout,
  syslogLayout,
  jsonlLayout,
  logfmtLayout,
  bglLayout,
  cbsLayout,
  glogLayout,
  genericLayout,
] as const satisfies readonly Layout[];

export const FORMAT_NAMES = LAYOUTS.map((l) => l.name) as unknown as readonly FormatName[];
export type FormatName =
  | 'simple'
  | 'log4j'
  | 'python'
  | 'apache'
  | 'logcat'
  | 'hdfs'
  | 'syslog'
  | 'jsonl'
  | 'logfmt'
  | 'bgl'
  | 'cbs'
  | 'glog'
  | 'generic';

/** Values accepted by the CLI's `--format` flag. */
export const FORMAT_OPTIONS = ['auto', ...FORMAT_NAMES] as const;
export type FormatOption = 'auto' | FormatName;

const BY_NAME = new Map<string, Layout>(LAYOUTS.map((l) => [l.name, l]));

export function layoutOf(name: FormatName): Layout {
  return BY_NAME.get(name)!;
}

export function isFormatOption(value: string): value is FormatOption {
  return (FORMAT_OPTIONS as readonly string[]).includes(value);
}

/** Most leading fields detection will look past to find a layout. */
export const MAX_PREFIX_FIELDS = 3;

function fullOptions(options: ParserOptions = {}): Required<ParserOptions> {
  return { maxLineLength: options.maxLineLength ?? MAX_LINE_LENGTH, year: options.year ?? new Date().getUTCFullYear() };
}

/** Builds a parser for one layout with the given options. */
export function createParser(format: FormatName, options: ParserOptions = {}): LineParser {
  return layoutOf(format).create(fullOptions(options));
}

/** The default-option parser of each layout. */
export const PARSERS: Readonly<Record<FormatName, LineParser>> = Object.freeze(
  Object.fromEntries(LAYOUTS.map((l) => [l.name, l.create(fullOptions())])) as Record<FormatName, LineParser>,
);

/** `parse` applied to the line without its first `fields` whitespace-separated fields. */
export function withPrefix(parse: LineParser, fields: number): LineParser {
  if (fields === 0) return parse;
  return (line) => {
    let p = skipSpaces(line, 0);
    for (let k = 0; k < fields; k++) {
      const e = tokenEnd(line, p, 256);
      if (e <= p || e >= line.length) return undefined;
      p = skipSpaces(line, e);
    }
    return parse(line.slice(p));
  };
}

const prefixed = new Map<string, LineParser>();

/**
 * The parser for `format`. Default options give the shared instance from `PARSERS`; passing options builds
 * a new one.
 */
export function parserFor(format: FormatName, options?: ParserOptions): LineParser {
  return options === undefined ? PARSERS[format] : createParser(format, options);
}

/** The default-option parser of `format` after `prefix` leading fields (cached). */
export function prefixedParser(format: FormatName, prefix = 0): LineParser {
  if (prefix === 0) return PARSERS[format];
  const key = `${format}/${prefix}`;
  let parse = prefixed.get(key);
  if (parse === undefined) prefixed.set(key, (parse = withPrefix(PARSERS[format], prefix)));
  return parse;
}

/** A layout and how many leading fields come before it. */
export interface Detected {
  readonly format: FormatName;
  readonly prefix: number;
}

interface Variant extends Detected {
  readonly priority: number;
  readonly parse: LineParser;
}

/** Every specific layout with each prefix length it may have, best first (priority, then shorter prefix). */
const VARIANTS: readonly Variant[] = LAYOUTS.filter((l) => l.name !== 'generic')
  .flatMap((l) =>
    Array.from({ length: l.prefixable ? MAX_PREFIX_FIELDS + 1 : 1 }, (_, prefix) => ({
      format: l.name as FormatName,
      prefix,
      priority: l.priority,
      parse: prefixedParser(l.name as FormatName, prefix),
    })),
  )
  .sort((a, b) => b.priority - a.priority || a.prefix - b.prefix);

/** See the file header. */
export function detectLayout(sampleLines: readonly string[]): Detected {
  const sample: string[] = [];
  for (const line of sampleLines) {
    if (sample.length >= DETECT_SAMPLE_LINES) break;
    if (!isBlankLine(line)) sample.push(stripAnsi(line));
  }
  let best: Variant | undefined;
  let bestParsed = 0;
  let bestLevels = 0;
  for (const v of VARIANTS) {
    let parsed = 0;
    let levels = 0;
    for (const line of sample) {
      const e = v.parse(line);
      if (e === undefined) continue;
      parsed++;
      if (e.level !== 'Unknown') levels++;
    }
    if (parsed > bestParsed || (parsed === bestParsed && parsed > 0 && levels > bestLevels)) {
      best = v;
      bestParsed = parsed;
      bestLevels = levels;
    }
  }
  if (best !== undefined && bestParsed * 2 >= sample.length) return { format: best.format, prefix: best.prefix };
  // No layout has half the sample. If the specific layouts together still describe as many lines as generic
  // does, the file mixes them: start with the best one, the per-line re-check takes care of the others.
  let generic = 0;
  let anySpecific = 0;
  for (const line of sample) {
    if (PARSERS.generic(line) !== undefined) generic++;
    if (VARIANTS.some((v) => v.parse(line) !== undefined)) anySpecific++;
  }
  if (generic > anySpecific) return { format: 'generic', prefix: 0 };
  return best === undefined ? { format: 'simple', prefix: 0 } : { format: best.format, prefix: best.prefix };
}

/** The layout `detectLayout` picks, without its prefix (see there). */
export function detectFormat(sampleLines: readonly string[]): FormatName {
  return detectLayout(sampleLines).format;
}

/** Turns a `--format` value into a concrete layout, detecting from `sample` for 'auto'. */
export function resolveLayout(option: FormatOption, sample: readonly string[]): Detected {
  return option === 'auto' ? detectLayout(sample) : { format: option, prefix: 0 };
}

export function resolveFormat(option: FormatOption, sample: readonly string[]): FormatName {
  return resolveLayout(option, sample).format;
}

const FALLBACK: readonly LineParser[] = VARIANTS.map((v) => v.parse);

/** Result slot of `reparse`: the parser that took the line. */
export let reparsedWith: LineParser | undefined;

/**
 * A line the file's layout (`format`) did not parse, tried with every other layout (see the file header).
 * Returns the entry and leaves the parser that took it in `reparsedWith` (callers try that one first next
 * time), or undefined. `generic` is tried last, and not at all when `format`'s own diagnosis is an unknown
 * level word: a line that has the file's layout but a level nobody knows is a dead letter, not an entry
 * without a level.
 */
export function reparse(line: string, format: FormatName): ParsedLine | undefined {
  // Colours (ANSI escapes) are not part of any layout: look at the line without them, and hand back a parser
  // that removes them too.
  const plain = stripAnsi(line);
  const coloured = plain !== line;
  for (const parse of FALLBACK) {
    const e = parse(plain);
    if (e !== undefined) {
      reparsedWith = coloured ? withoutAnsi(parse) : parse;
      return e;
    }
  }
  if (format === 'generic' || layoutOf(format).diagnose(plain).startsWith('unknown level')) return undefined;
  const e = PARSERS.generic(plain);
  if (e !== undefined) reparsedWith = coloured ? withoutAnsi(PARSERS.generic) : PARSERS.generic;
  return e;
}

const ansiWrapped = new Map<LineParser, LineParser>();

/** `parse` applied to the line without its ANSI escapes (one wrapper per parser). */
function withoutAnsi(parse: LineParser): LineParser {
  let wrapped = ansiWrapped.get(parse);
  if (wrapped === undefined) ansiWrapped.set(parse, (wrapped = (line) => parse(stripAnsi(line))));
  return wrapped;
}

/**
 * An exception's own line in a stack trace: a class name ending in Error, Exception, Throwable, Warning, Interrupt
 * or Exit (qualified or not), alone or followed by ': message' (Java's first line, Python's last line of a
 * traceback: `ValueError: bad value`, `java.lang.IllegalStateException: closed`).
 */
const EXCEPTION_LINE = /^[A-Za-z_$][\w$.]*(?:Error|Exception|Throwable|Warning|Interrupt|Exit)(?::(?: |$)|$)/;

/**
 * True for a line that continues the record before it rather than starting one: indented (a stack frame
 * `\tat com.x.Y(Y.java:12)`, a Python traceback's `  File "x.py", line 3`, a wrapped message), a Java
 * `Caused by:` / `Suppressed:` line, Python's `Traceback (most recent call last):`, or an exception's own line
 * (EXCEPTION_LINE). Only asked about lines that no layout parses and that are not blank.
 */
export function isContinuation(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c === 32 || c === 9) return true;
  return (
    line.startsWith('Caused by: ') ||
    line.startsWith('Suppressed: ') ||
    line.startsWith('Traceback (most recent call last)') ||
    EXCEPTION_LINE.test(line)
  );
}

/**
 * A short human-readable reason why `line` did not parse as `format`, for dead letters. Slow path only; it
 * never throws. Examples: 'blank line', 'line longer than 1048576 characters', 'no level found',
 * 'unknown level "NOPE"', 'not a log4j line (no leading timestamp)', 'invalid JSON'.
 */
export function unparsedReason(line: string, format: FormatName, maxLineLength: number = MAX_LINE_LENGTH): string {
  if (line.length > maxLineLength) return `line longer than ${maxLineLength} characters`;
  if (isBlankLine(line)) return 'blank line';
  return layoutOf(format).diagnose(line);
}
