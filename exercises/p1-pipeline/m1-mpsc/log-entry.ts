// generated from solutions/p1-pipeline/m1-mpsc/log-entry.ts (npm run exercises -- generate); students edit this copy
/**
 * Log entries and their severity levels: the data that flows through every stage of the log pipeline.
 *
 * A Rust enum without payload becomes a string-literal union here (with a `LogLevel` object for the names), and
 * a Rust struct becomes a plain-data interface: plain objects cross threads unchanged, class instances would
 * arrive without their methods.
 */
import { record } from '#kit/codec.ts';
import { todo } from '#kit/todo.ts';

export const LogLevel = {
  Debug: 'Debug',
  Info: 'Info',
  Warn: 'Warn',
  Error: 'Error',
} as const;

export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Levels from least to most severe; the order the filter stage compares by. */
export const LOG_LEVELS: readonly LogLevel[] = [LogLevel.Debug, LogLevel.Info, LogLevel.Warn, LogLevel.Error];

export interface LogEntry {
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  level: LogLevel;
  message: string;
  /** Where the line came from; 'unknown' until a later stage knows better. */
  source: string;
}

export const LogEntry = {
  /** A new entry stamped with the current time, from an unknown source. */
  new(level: LogLevel, message: string): LogEntry {
    todo('p1/m1', 'LogEntry.new');
  },
};

/**
 * Parse the pipeline's simple line format, `LEVEL message` (e.g. `WARN disk almost full`), where LEVEL is one of
 * DEBUG, INFO, WARN, ERROR in capitals. Returns undefined for anything else.
 */
export function parseLogLine(line: string): LogEntry | undefined {
  todo('p1/m1', 'parseLogLine');
}

const LEVEL_NAMES = new Map<string, LogLevel>([
  ['DEBUG', LogLevel.Debug],
  ['INFO', LogLevel.Info],
  ['WARN', LogLevel.Warn],
  ['ERROR', LogLevel.Error],
]);

/**
 * A channel codec for log entries: written field by field into shared memory, several times faster than the
 * default structured clone. Use it as `channel<LogEntry>({ codec: logEntryCodec })`.
 */
export const logEntryCodec = record({
  timestamp: 'f64',
  level: { enum: LOG_LEVELS },
  message: 'string',
  source: 'string',
});
