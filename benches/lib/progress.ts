/**
 * A progress line for long benchmark runs, written to stderr so stdout stays clean for results and JSON.
 *
 * Modes (chosen by `mode`, default 'auto' = 'tty' when the stream is a TTY, else 'plain'):
 * - 'tty': one line, rewritten in place ("\r" … "\x1b[K"), at most once per `minIntervalMs` (default 100 ms),
 *   showing suite, cell, repetition i/n, step k/N, elapsed time and the estimated time left. The line is cut to
 *   the terminal width so it never wraps (a wrapped line cannot be rewritten in place). When a suite ends, the
 *   line is replaced by a permanent summary line.
 * - 'plain': nothing per step; one summary line per finished suite (CI logs and pipes get a record, not noise).
 * - 'silent': nothing at all.
 *
 * Estimate: the time left is (elapsed / finished steps) × remaining steps, from the suite's own steps only; it is
 * not shown until one step has finished. A step counts as finished when the next one starts or the suite ends.
 * Time comes from an injectable clock, so the output is a pure function of the calls and the clock.
 */

export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal width, if known. */
  readonly columns?: number;
}

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'silent';

export interface ProgressOptions {
  /** Default: process.stderr. */
  readonly stream?: ProgressStream;
  readonly mode?: ProgressMode;
  /** Milliseconds, monotonic. Default: performance.now. */
  readonly now?: () => number;
  /** Minimum time between two redraws in 'tty' mode (default 100 ms). */
  readonly minIntervalMs?: number;
}

export interface StepInfo {
  /** Which sweep cell runs, e.g. "mpsc × 4 threads". */
  readonly cell: string;
  /** 1-based repetition of this cell. */
  readonly repetition: number;
  readonly repetitions: number;
}

/** Elapsed or remaining time for humans: "850 ms", "12.4 s", "3m 05s", "1h 02m". */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`;
}

interface SuiteState {
  readonly name: string;
  readonly totalSteps: number;
  readonly startedAt: number;
  started: number;
  current: StepInfo | undefined;
}

export class ProgressReporter {
  readonly mode: Exclude<ProgressMode, 'auto'>;
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly minIntervalMs: number;
  private suite: SuiteState | undefined;
  private lastDraw = -Infinity;
  private lineShown = false;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    const mode = options.mode ?? 'auto';
    this.mode = mode === 'auto' ? (this.stream.isTTY ? 'tty' : 'plain') : mode;
    this.now = options.now ?? (() => performance.now());
    this.minIntervalMs = options.minIntervalMs ?? 100;
  }

  /** Begins a suite of `totalSteps` steps (cells × repetitions). Ends a suite still open. */
  startSuite(name: string, totalSteps: number): void {
    if (!Number.isInteger(totalSteps) || totalSteps < 0)
      throw new RangeError(`startSuite: totalSteps must be a non-negative integer, got ${totalSteps}`);
    if (this.suite) this.endSuite();
    this.suite = { name, totalSteps, startedAt: this.now(), started: 0, current: undefined };
    this.lastDraw = -Infinity;
  }

  /** A step begins (the previous one, if any, is finished). Redraws the line in 'tty' mode, throttled. */
  step(info: StepInfo): void {
    const suite = this.suite;
    if (!suite) throw new Error('step: no suite started');
    suite.started++;
    suite.current = info;
    if (this.mode !== 'tty') return;
    const t = this.now();
    if (suite.started > 1 && t - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = t;
    this.draw(this.line(t));
  }

  /** The current progress text (without control characters); '' when no suite runs. */
  line(at: number = this.now()): string {
    const suite = this.suite;
    if (!suite) return '';
    const elapsed = at - suite.startedAt;
    const parts = [`[${suite.name}]`];
    if (suite.current) {
      const c = suite.current;
      parts.push(`${c.cell} · rep ${c.repetition}/${c.repetitions}`);
    }
    parts.push(`step ${suite.started}/${suite.totalSteps}`, `${formatElapsed(elapsed)} elapsed`);
    const finished = Math.max(0, suite.started - 1);
    if (finished > 0) {
      const remaining = Math.max(0, suite.totalSteps - finished);
      parts.push(`~${formatElapsed((elapsed / finished) * remaining)} left`);
    }
    return parts.join(' · ');
  }

  /** Prints a message on its own line without garbling the progress line (which is redrawn after it). */
  note(message: string): void {
    if (this.mode === 'silent') return;
    if (this.mode === 'tty' && this.lineShown) {
      this.stream.write(`\r\x1b[K${message}\n`);
      this.draw(this.line());
    } else {
      this.stream.write(`${message}\n`);
    }
  }

  /** Ends the current suite: in 'tty' and 'plain' modes, prints "[name] done: N steps in T". */
  endSuite(): void {
    const suite = this.suite;
    if (!suite) return;
    this.suite = undefined;
    if (this.mode === 'silent') return;
    const summary = `[${suite.name}] done: ${suite.started} step${suite.started === 1 ? '' : 's'} in ${formatElapsed(this.now() - suite.startedAt)}`;
    this.stream.write(this.mode === 'tty' ? `\r\x1b[K${summary}\n` : `${summary}\n`);
    this.lineShown = false;
  }

  /** Clears a progress line left on screen (e.g. when a run aborts) without printing a summary. */
  close(): void {
    if (this.mode === 'tty' && this.lineShown) this.stream.write('\r\x1b[K');
    this.lineShown = false;
    this.suite = undefined;
  }

  private draw(text: string): void {
    const width = this.stream.columns;
    const chars = Array.from(text);
    const fitted =
      width !== undefined && width > 1 && chars.length > width - 1 ? `${chars.slice(0, width - 2).join('')}…` : text;
    this.stream.write(`\r${fitted}\x1b[K`);
    this.lineShown = true;
  }
}
