/**
 * The pipeline's stages, each a thread body joined to the next by a channel:
 *
 *   raw lines → parserStage → filterStage → enrichStage → aggregatorStage → LogStats
 *
 * Every stage loops until its input reports that all senders are gone, then returns; its own output sender is
 * closed as the thread ends, which in turn ends the next stage. Shutdown flows down the pipe by itself.
 */
import type { Receiver, Sender } from '#kit/channel.ts';
import { defineThread } from '#kit/thread.ts';
import { LOG_LEVELS, type LogEntry, type LogLevel, parseLogLine } from '../m1-mpsc/log-entry.ts';

export interface LogStats {
  totalCount: number;
  countByLevel: Map<LogLevel, number>;
  countBySource: Map<string, number>;
}

export function emptyStats(): LogStats {
  return { totalCount: 0, countByLevel: new Map(), countBySource: new Map() };
}

/** Severity order, as Rust's `Ord` on the enum: Debug < Info < Warn < Error. */
export function isAtLeast(level: LogLevel, minLevel: LogLevel): boolean {
  // #region solution
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(minLevel);
  // #endregion solution
}

/** Add one entry to the running statistics. */
export function record(stats: LogStats, entry: LogEntry): void {
  // #region solution
  stats.totalCount++;
  stats.countByLevel.set(entry.level, (stats.countByLevel.get(entry.level) ?? 0) + 1);
  stats.countBySource.set(entry.source, (stats.countBySource.get(entry.source) ?? 0) + 1);
  // #endregion solution
}

/**
 * Where a message names its origin as a `component: text` prefix (e.g. `db: connection refused`), take the
 * component as the source and keep the text as the message; anything else is left as it is.
 */
export function enrich(entry: LogEntry): LogEntry {
  // #region solution
  if (entry.source !== 'unknown') return entry;
  const match = /^([A-Za-z][\w.-]{0,63}): /.exec(entry.message);
  if (!match) return entry;
  return { ...entry, source: match[1]!, message: entry.message.slice(match[0].length) };
  // #endregion solution
}

/** Raw lines in, parsed entries out; lines that do not parse are skipped. */
export const parserStage = defineThread(
  import.meta.url,
  'parserStage',
  (input: Receiver<string>, output: Sender<LogEntry>): void => {
    // #region solution
    for (const line of input) {
      const entry = parseLogLine(line);
      if (entry) output.send(entry);
    }
    // #endregion solution
  },
);

/** Pass on the entries at `minLevel` or above; drop the rest. */
export const filterStage = defineThread(
  import.meta.url,
  'filterStage',
  (input: Receiver<LogEntry>, output: Sender<LogEntry>, minLevel: LogLevel): void => {
    // #region solution
    for (const entry of input) {
      if (isAtLeast(entry.level, minLevel)) output.send(entry);
    }
    // #endregion solution
  },
);

/** Fill in the source from the message where the parser could not (see `enrich`). */
export const enrichStage = defineThread(
  import.meta.url,
  'enrichStage',
  (input: Receiver<LogEntry>, output: Sender<LogEntry>): void => {
    // #region solution
    for (const entry of input) output.send(enrich(entry));
    // #endregion solution
  },
);

/** Count everything that arrives; return the totals when the input closes. */
export const aggregatorStage = defineThread(
  import.meta.url,
  'aggregatorStage',
  (input: Receiver<LogEntry>): LogStats => {
    // #region solution
    const stats = emptyStats();
    for (const entry of input) record(stats, entry);
    return stats;
    // #endregion solution
  },
);
