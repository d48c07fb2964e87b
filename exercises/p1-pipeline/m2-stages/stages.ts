// generated from solutions/p1-pipeline/m2-stages/stages.ts (npm run exercises -- generate); students edit this copy
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
import { todo } from '#kit/todo.ts';

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
  todo('p1/m2', 'isAtLeast');
}

/** Add one entry to the running statistics. */
export function record(stats: LogStats, entry: LogEntry): void {
  todo('p1/m2', 'record');
}

/**
 * Where a message names its origin as a `component: text` prefix (e.g. `db: connection refused`), take the
 * component as the source and keep the text as the message; anything else is left as it is.
 */
export function enrich(entry: LogEntry): LogEntry {
  todo('p1/m2', 'enrich');
}

/** Raw lines in, parsed entries out; lines that do not parse are skipped. */
export const parserStage = defineThread(
  import.meta.url,
  'parserStage',
  (input: Receiver<string>, output: Sender<LogEntry>): void => {
    todo('p1/m2', 'parserStage');
  },
);

/** Pass on the entries at `minLevel` or above; drop the rest. */
export const filterStage = defineThread(
  import.meta.url,
  'filterStage',
  (input: Receiver<LogEntry>, output: Sender<LogEntry>, minLevel: LogLevel): void => {
    todo('p1/m2', 'filterStage');
  },
);

/** Fill in the source from the message where the parser could not (see `enrich`). */
export const enrichStage = defineThread(
  import.meta.url,
  'enrichStage',
  (input: Receiver<LogEntry>, output: Sender<LogEntry>): void => {
    todo('p1/m2', 'enrichStage');
  },
);

/** Count everything that arrives; return the totals when the input closes. */
export const aggregatorStage = defineThread(
  import.meta.url,
  'aggregatorStage',
  (input: Receiver<LogEntry>): LogStats => {
    todo('p1/m2', 'aggregatorStage');
  },
);
