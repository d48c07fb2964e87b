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

/**
 * Run `operation` up to `maxAttempts` times, sleeping `baseDelayMs`, then twice that, then four times... between
 * attempts. Returns the first success, or the last failure. Blocks the calling thread while it waits.
 */
export function processWithRetry<T, E>(
  operation: () => Result<T, E>,
  maxAttempts: number,
  baseDelayMs = 10,
): Result<T, E> {
  // #region solution
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a whole number of at least 1, got ${maxAttempts}`);
  }
  for (let attempt = 0; ; attempt++) {
    const result = operation();
    if (result.ok || attempt === maxAttempts - 1) return result;
    sleep(baseDelayMs * 2 ** attempt);
  }
  // #endregion solution
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
  // #region solution
  const reportEvery = options.reportEvery ?? 100;
  let processed = 0;
  let failed = 0;
  let totalLatencyMs = 0;
  const snapshot = (final: boolean): PipelineStats => ({
    stageName,
    messagesProcessed: processed,
    messagesFailed: failed,
    avgLatencyUs: processed + failed === 0 ? 0 : (totalLatencyMs * 1000) / (processed + failed),
    queueDepth: input.len(),
    final,
  });
  for (const item of input) {
    const start = performance.now();
    const result = process(item);
    totalLatencyMs += performance.now() - start;
    if (result.ok) {
      output.send(result.value);
      processed++;
    } else {
      failed++;
      options.deadLetters.send({
        stage: stageName,
        reason: result.error,
        payload: options.describe(item),
        at: Date.now(),
      });
    }
    if ((processed + failed) % reportEvery === 0) options.statsTx.trySend(snapshot(false));
  }
  const last = snapshot(true);
  options.statsTx.trySend(last);
  return last;
  // #endregion solution
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
    // #region solution
    return monitoredStage(
      'parser',
      input,
      output,
      (line) => {
        const entry = parseLogLine(line);
        return entry ? ok(entry) : err(line.trim() === '' ? 'blank line' : 'not a "LEVEL message" line');
      },
      { statsTx, deadLetters, describe: (line) => line, reportEvery },
    );
    // #endregion solution
  },
);

/** Collect every dead letter until the channel closes. */
export const deadLetterCollector = defineThread(
  import.meta.url,
  'deadLetterCollector',
  (failures: Receiver<DeadLetter>): DeadLetter[] => {
    // #region solution
    return [...failures];
    // #endregion solution
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
    // #region solution
    const latest: Record<string, PipelineStats> = {};
    for (const stats of statsRx) {
      latest[stats.stageName] = stats;
      if (live) process.stderr.write(`\x1b[H\x1b[2J${renderDashboard(Object.values(latest))}\n`);
    }
    return latest;
    // #endregion solution
  },
);

/** A plain-text table: one row per stage, with the error rate worked out. */
export function renderDashboard(stats: readonly PipelineStats[]): string {
  // #region solution
  const header = ['stage', 'processed', 'failed', 'error rate', 'avg latency', 'queue'];
  const rows = stats.map((s) => {
    const seen = s.messagesProcessed + s.messagesFailed;
    return [
      s.final ? `${s.stageName} (done)` : s.stageName,
      String(s.messagesProcessed),
      String(s.messagesFailed),
      seen === 0 ? '-' : `${((100 * s.messagesFailed) / seen).toFixed(1)}%`,
      `${s.avgLatencyUs.toFixed(1)} µs`,
      String(s.queueDepth),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
  // #endregion solution
}
