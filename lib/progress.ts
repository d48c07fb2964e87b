/**
 * A one-line progress bar for long-running commands, drawn on a terminal only.
 *
 * `ProgressLine` draws nothing during the first `delayMs` (default 300 ms: a short run never flashes a bar), then
 * redraws at most every `intervalMs` (default 200 ms): a bar when the total is known, the
 * count, the rate per second and the time left (ETA, from the average rate so far), e.g.
 *   `[######..............]  31%  1,240,000 lines  3.1 M lines/s  ETA 2 s`
 * `finish(text)` replaces the bar with one final line (or clears it). Colour (the filled part of the bar) is
 * used only when the stream is a terminal, `NO_COLOR` is unset or empty, and TERM is not 'dumb'.
 * On a stream that is not a terminal nothing is written at all: piped output stays clean.
 */

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** What is counted, plural ('lines', 'files'). */
  readonly unit: string;
  readonly intervalMs?: number;
  readonly delayMs?: number;
  readonly now?: () => number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Colour on `stream`? A terminal, NO_COLOR unset or empty, TERM not 'dumb'. */
export function useColor(
  stream: ProgressStream,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return stream.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

/**
 * A whole number with commas between thousands, as en-US writes it (1234567 → '1,234,567'; rounded first). Written
 * out rather than `toLocaleString('en-US')`, whose first call in a process loads ICU's number formatting: 10–13 ms,
 * paid at the end of every command that prints a summary.
 */
export function thousands(n: number): string {
  const whole = Math.round(n);
  if (!Number.isFinite(whole)) return String(whole);
  const digits = String(Math.abs(whole));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return whole < 0 ? `-${out}` : out;
}

/** 1234567 → '1.2 M', 12345 → '12,345'. */
export function shortCount(n: number): string {
  if (n >= 10_000_000) return `${(n / 1e6).toFixed(0)} M`;
  if (n >= 1_000_000) return `${(n / 1e6).toFixed(1)} M`;
  return thousands(n);
}

/** Seconds as '45 s', '3 min 20 s', '2 h 5 min'. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const BAR_WIDTH = 24;

export class ProgressLine {
  private readonly stream: ProgressStream;
  private readonly unit: string;
  private readonly interval: number;
  private readonly delay: number;
  private readonly now: () => number;
  private readonly color: boolean;
  private readonly started: number;
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(stream: ProgressStream, options: ProgressOptions) {
    this.stream = stream;
    this.unit = options.unit;
    this.interval = options.intervalMs ?? 200;
    this.delay = options.delayMs ?? 300;
    this.now = options.now ?? (() => performance.now());
    this.color = useColor(stream, options.env);
    this.started = this.now();
  }

  get active(): boolean {
    return this.stream.isTTY === true;
  }

  /** The text of the line for `done` units of `total` (fraction of the work: `doneFraction`, if it is not
   * done / total, e.g. bytes read of a file size while counting lines). */
  render(done: number, total: number | undefined, doneFraction?: number): string {
    const seconds = (this.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const fraction = doneFraction ?? (total ? done / total : undefined);
    const parts: string[] = [];
    if (fraction !== undefined) {
      const f = Math.min(1, Math.max(0, fraction));
      const filled = Math.round(f * BAR_WIDTH);
      const bar = '#'.repeat(filled);
      const rest = '.'.repeat(BAR_WIDTH - filled);
      parts.push(`[${this.color ? `\x1b[32m${bar}\x1b[0m` : bar}${rest}] ${String(Math.floor(f * 100)).padStart(3)}%`);
    }
    parts.push(
      `${shortCount(done)}${total !== undefined && doneFraction === undefined ? `/${shortCount(total)}` : ''} ${this.unit}`,
    );
    parts.push(`${shortCount(rate)} ${this.unit}/s`);
    if (fraction !== undefined && fraction > 0 && fraction < 1)
      parts.push(`ETA ${duration((seconds * (1 - fraction)) / fraction)}`);
    return parts.join('  ');
  }

  /** Redraw (at most every interval, or now with `force`). */
  update(done: number, total: number | undefined, doneFraction?: number, force = false): void {
    if (!this.active) return;
    const t = this.now();
    if (!force && (t - this.started < this.delay || t - this.lastDraw < this.interval)) return;
    this.lastDraw = t;
    this.stream.write(`\r\x1b[K${this.render(done, total, doneFraction)}`);
    this.drawn = true;
  }

  /** Remove the bar; write `text` (one line) in its place if given. */
  finish(text?: string): void {
    if (!this.active) return;
    if (this.drawn) this.stream.write('\r\x1b[K');
    if (text !== undefined) this.stream.write(`${text}\n`);
    this.drawn = false;
  }
}
