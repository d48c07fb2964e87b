/**
 * The types every layout module shares (entries, parsers, the `Layout` record of the registry) and the level
 * table: which spellings map onto the four levels. apps/pipeline/LEVELS.md documents the same table.
 *
 * A line whose layout carries no level at all (BSD syslog files, access logs, key=value lines without a level
 * key) is not given one: its entry has the level `Unknown`, reported on its own and never folded into Info.
 */

export type Level = 'Debug' | 'Info' | 'Warn' | 'Error';

/** The level an entry can have: one of the four, or `Unknown` when the line names none. */
export type EntryLevel = Level | 'Unknown';

export const UNKNOWN_LEVEL = 'Unknown' as const;

/** The project's log entry. */
export interface LogEntry {
  /** Milliseconds since the Unix epoch, or 0 when the line carries no usable time. */
  timestamp: number;
  level: EntryLevel;
  message: string;
  /** Component, tag or logger name; `'unknown'` when the layout has none. */
  source: string;
}

/** A parsed line: the entry plus the level exactly as it was spelled in the line ('' when it has none). */
export interface ParsedLine extends LogEntry {
  rawLevel: string;
}

export type LineParser = (line: string) => ParsedLine | undefined;

export interface ParserOptions {
  /** Lines longer than this many UTF-16 code units are rejected. Default `MAX_LINE_LENGTH`. */
  maxLineLength?: number;
  /** Year assumed by layouts whose timestamps have none. Default: current UTC year. */
  year?: number;
}

/** Default line-length cap: 1 MiB of UTF-16 code units (equal to bytes for ASCII logs). */
export const MAX_LINE_LENGTH = 1 << 20;

/** How many non-blank lines `detectFormat` looks at. */
export const DETECT_SAMPLE_LINES = 50;

/**
 * One layout of the registry (layouts/index.ts). `parse` uses default options; `create` builds a parser with
 * other options. `diagnose` says briefly why a line that is not blank did not parse (slow path only).
 * `priority` breaks ties in detection (higher wins: more distinctive layouts first). `prefixable` layouts
 * start with a timestamp-like header that may follow a prefix of other fields (a file name, a host name),
 * which detection looks for; layouts whose first field is free text (simple, python, jsonl) are not.
 */
export interface Layout {
  readonly name: string;
  readonly priority: number;
  readonly prefixable: boolean;
  /** One line of what the layout looks like, for --help and the README. */
  readonly example: string;
  readonly create: (options: Required<ParserOptions>) => LineParser;
  readonly diagnose: (line: string) => string;
}

// ---------------------------------------------------------------------------
// Level table
// ---------------------------------------------------------------------------

/**
 * Level spellings (upper-case keys; lookups are case-insensitive) and the level each one
 * maps to. apps/pipeline/LEVELS.md documents the same table and the reasoning.
 */
export const LEVEL_TABLE: Readonly<Record<string, Level>> = Object.freeze({
  // Debug
  TRACE: 'Debug',
  FINEST: 'Debug',
  FINER: 'Debug',
  FINE: 'Debug',
  VERBOSE: 'Debug',
  V: 'Debug',
  D: 'Debug',
  DEBUG: 'Debug',
  DBG: 'Debug',
  VRB: 'Debug',
  TRACE1: 'Debug',
  TRACE2: 'Debug',
  TRACE3: 'Debug',
  TRACE4: 'Debug',
  TRACE5: 'Debug',
  TRACE6: 'Debug',
  TRACE7: 'Debug',
  TRACE8: 'Debug',
  // Info
  INFO: 'Info',
  I: 'Info',
  NOTICE: 'Info',
  CONFIG: 'Info',
  INFORMATION: 'Info',
  INFORMATIONAL: 'Info',
  INF: 'Info',
  LOG: 'Info',
  NOTE: 'Info',
  SYSTEM: 'Info',
  // Warn
  WARN: 'Warn',
  WARNING: 'Warn',
  W: 'Warn',
  WRN: 'Warn',
  // Error
  ERROR: 'Error',
  ERR: 'Error',
  E: 'Error',
  SEVERE: 'Error',
  FATAL: 'Error',
  F: 'Error',
  FTL: 'Error',
  CRITICAL: 'Error',
  CRIT: 'Error',
  ALERT: 'Error',
  EMERG: 'Error',
  EMERGENCY: 'Error',
  PANIC: 'Error',
  FAILURE: 'Error',
  A: 'Error',
});

/**
 * Lookup map holding each spelling in upper, lower and Capitalised form, so the common
 * cases hit without calling `toUpperCase` (which allocates).
 */
const LEVEL_LOOKUP = new Map<string, Level>();
for (const [spelling, level] of Object.entries(LEVEL_TABLE)) {
  LEVEL_LOOKUP.set(spelling, level);
  LEVEL_LOOKUP.set(spelling.toLowerCase(), level);
  LEVEL_LOOKUP.set(spelling.charAt(0) + spelling.slice(1).toLowerCase(), level);
}

/** Maps a level spelling (any case) onto the four levels; `undefined` if unknown. */
export function mapLevel(raw: string): Level | undefined {
  const hit = LEVEL_LOOKUP.get(raw);
  if (hit !== undefined || raw.length > 16) return hit;
  return LEVEL_LOOKUP.get(raw.toUpperCase());
}

/**
 * Like `mapLevel` but refuses one-letter spellings. Word-based layouts (simple, log4j,
 * python, apache, JSON) use it so that a sentence starting with "A" or "I" is never taken
 * for an Android-style level letter.
 */
export function mapLevelWord(raw: string): Level | undefined {
  return raw.length < 2 ? undefined : mapLevel(raw);
}

/** Syslog severity (0..7, the low three bits of PRI) to level. */
export function syslogSeverityLevel(severity: number): Level | undefined {
  if (severity >= 0 && severity <= 3) return 'Error';
  if (severity === 4) return 'Warn';
  if (severity === 5 || severity === 6) return 'Info';
  if (severity === 7) return 'Debug';
  return undefined;
}

/** Names used as `rawLevel` for syslog lines (RFC 5424 table 2 keywords). */
export const SYSLOG_SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/**
 * Numeric levels as used by pino and bunyan in JSON logs: 10 trace, 20 debug, 30 info,
 * 40 warn, 50 error, 60 fatal. Other numbers are unknown.
 */
export function numericJsonLevel(value: number): Level | undefined {
  switch (value) {
    case 10:
    case 20:
      return 'Debug';
    case 30:
      return 'Info';
    case 40:
      return 'Warn';
    case 50:
    case 60:
      return 'Error';
    default:
      return undefined;
  }
}
