// generated from solutions/p1-pipeline/m5-monitoring/monitoring.ts (npm run exercises -- generate); students edit this copy
/**
 * Errors and monitoring for pipeline stages.
 *
 * - Transient failures are retried with exponential backoff (`processWithRetry`).
 * - A message that keeps failing is a *poison message*: it goes to a dead-letter channel with the reason and the
 *   stage, and the stage carries on. Nothing is dropped silently: every input ends up processed or dead-lettered.
 * - Each monitored stage reports what it did (processed, failed, average latency, its input queue's depth) on a
 *   stats channel; a collector keeps the latest report per stage and can draw them as a dashboard.
 */
import type { Receiver, Sender } from '#kit/channel.ts';
import { err, ok, type Result } from '#kit/result.ts';
import { defineThread, sleep } from '#kit/thread.ts';
import { type LogEntry, parseLogLine } from '../m1-mpsc/log-entry.ts';
import { todo } from '#kit/todo.ts';

/**
 * Run `operation` up to `maxAttempts` times, sleeping `baseDelayMs`, then twice that, then four times... between
 * attempts. Returns the first success, or the last failure. Blocks the calling thread while it waits.
 */
export function processWithRetry<T, E>(
  operation: () => Result<T, E>,
  maxAttempts: number,
  baseDelayMs = 10,
): Result<T, E> {
  todo('p1/m5', 'processWithRetry');
}

/** A message a stage gave up on. */
export interface DeadLetter {
  readonly stage: string;
  readonly reason: string;
  /** The message as text (the raw line, or the entry as JSON). */
  readonly payload: string;
  /** When it was dead-lettered (ms since the epoch). */
  readonly at: number;
}

/** What a monitored stage reports about itself. */
export interface PipelineStats {
  readonly stageName: string;
  readonly messagesProcessed: number;
  readonly messagesFailed: number;
  readonly avgLatencyUs: number;
  /** Messages waiting in the stage's input queue when the report was made. */
  readonly queueDepth: number;
  /** True on the stage's last report, sent when its input closed. */
  readonly final: boolean;
}

export interface MonitoredStageOptions<I> {
  readonly statsTx: Sender<PipelineStats>;
  readonly deadLetters: Sender<DeadLetter>;
  /** How to show a failed message in the dead-letter queue. */
  readonly describe: (item: I) => string;
  /** Send a report every this many messages (and always at the end). */
  readonly reportEvery?: number;
}

/**
 * Apply `process` to every message of `input`: successes go to `output`, failures to the dead-letter channel.
 * Reports stats every `reportEvery` messages and once more when the input closes. Runs inside a stage thread.
 */
export function monitoredStage<I, O>(
  stageName: string,
  input: Receiver<I>,
  output: Sender<O>,
  process: (item: I) => Result<O, string>,
  options: MonitoredStageOptions<I>,
): PipelineStats {
  todo('p1/m5', 'monitoredStage');
}

/** Parse raw lines; lines that do not parse are dead-lettered with the reason. */
export const monitoredParser = defineThread(
  import.meta.url,
  'monitoredParser',
  (
    input: Receiver<string>,
    output: Sender<LogEntry>,
    statsTx: Sender<PipelineStats>,
    deadLetters: Sender<DeadLetter>,
    reportEvery: number,
  ): PipelineStats => {
    todo('p1/m5', 'monitoredParser');
  },
);

/** Collect every dead letter until the channel closes. */
export const deadLetterCollector = defineThread(
  import.meta.url,
  'deadLetterCollector',
  (failures: Receiver<DeadLetter>): DeadLetter[] => {
    todo('p1/m5', 'deadLetterCollector');
  },
);

/**
 * Keep the latest report of every stage until the stats channel closes; with `live`, redraw the dashboard on
 * standard error after each report. Returns the last report per stage.
 */
export const metricsCollector = defineThread(
  import.meta.url,
  'metricsCollector',
  (statsRx: Receiver<PipelineStats>, live: boolean): Record<string, PipelineStats> => {
    todo('p1/m5', 'metricsCollector');
  },
);

/** A plain-text table: one row per stage, with the error rate worked out. */
export function renderDashboard(stats: readonly PipelineStats[]): string {
  todo('p1/m5', 'renderDashboard');
}
