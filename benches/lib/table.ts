/**
 * Tables and number formatting for reports: markdown for reports/, padded plain text for the terminal.
 *
 * Guarantees:
 * - Formatting helpers never print exponent notation ("1.2e+6") and never roll over to "1000 µs": a value that
 *   rounds up to 1000 of a unit is shown in the next unit ("1.00 ms").
 * - Table formatters never mutate their inputs, pad by display width (ANSI colour codes do not count, each code
 *   point counts one column, which holds for the Latin, Greek "µ" and box-drawing characters used here), and
 *   right-align numeric columns: a column is numeric when every non-empty cell begins with a number
 *   (optionally signed), so "3.42x [3.10–3.80]" and "1.2M ops/s" align on their right edge.
 * - Markdown cells have "|" escaped and newlines replaced by spaces, so a cell can never break the table.
 */

export type Cell = string | number;
export type Align = 'left' | 'right' | 'center';

// ---------------------------------------------------------------------------------------------------------------
// Numbers

/** "1 core", "2 cores": a count with its noun, singular for one. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `x` with `digits` significant digits, trailing zeros kept ("3.10"), without exponent notation. */
export function formatSignificant(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : x < 0 ? '−∞' : 'NaN';
  if (x === 0) return digits > 1 ? `0.${'0'.repeat(digits - 1)}` : '0';
  const magnitude = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(digits)))));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return x.toFixed(decimals);
}

const SI = [
  { factor: 1e12, suffix: 'T' },
  { factor: 1e9, suffix: 'G' },
  { factor: 1e6, suffix: 'M' },
  { factor: 1e3, suffix: 'k' },
] as const;

/**
 * A compact number with an SI suffix: 950, 12.3k, 1.23M, 4.50G. Three significant digits by default. Values below
 * 1000 in magnitude get no suffix; 0 is "0" (an axis tick reads better than "0.00").
 */
export function formatSi(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return formatSignificant(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  for (const { factor, suffix } of SI) {
    // Decide on the rounded value so 999,950 becomes "1.00M", not "1000k".
    if (Number(abs.toPrecision(digits)) >= factor) return `${formatSignificant(x / factor, digits)}${suffix}`;
  }
  return formatSignificant(x, digits);
}

/** Throughput: "1.23M ops/s", "950 ops/s". */
export function formatOpsPerSecond(opsPerSec: number, digits = 3): string {
  return `${formatSi(opsPerSec, digits)} ops/s`;
}

const DURATION_UNITS = [
  { perMs: 1e6, unit: 'ns' },
  { perMs: 1e3, unit: 'µs' },
  { perMs: 1, unit: 'ms' },
  { perMs: 1e-3, unit: 's' },
] as const;

/**
 * A duration given in milliseconds (the unit of performance.now()), in the largest unit where it is at least 1:
 * "850 ns", "18.4 µs", "16.0 ms", "2.50 s". Three significant digits by default; 0 prints as "0 ns".
 */
export function formatDuration(ms: number, digits = 3): string {
  if (!Number.isFinite(ms)) return `${formatSignificant(ms)} ms`;
  if (ms === 0) return '0 ns';
  const abs = Math.abs(ms);
  for (let i = DURATION_UNITS.length - 1; i >= 0; i--) {
    const u = DURATION_UNITS[i] as (typeof DURATION_UNITS)[number];
    if (Number((abs * u.perMs).toPrecision(digits)) >= 1 || i === 0) {
      return `${formatSignificant(ms * u.perMs, digits)} ${u.unit}`;
    }
  }
  /* c8 ignore next */
  return `${ms} ms`;
}

function ratioDecimals(r: number): number {
  const abs = Math.abs(r);
  if (!Number.isFinite(abs)) return 0;
  return Number(abs.toFixed(2)) < 10 ? 2 : Number(abs.toFixed(1)) < 100 ? 1 : 0;
}

function fixedOrInfinity(x: number, decimals: number): string {
  return Number.isFinite(x) ? x.toFixed(decimals) : formatSignificant(x);
}

/**
 * A ratio with an optional interval: "3.42x [3.10–3.80]". The number of decimals is chosen by the ratio (2 below
 * 10, 1 below 100, else 0) and used for the bounds too, so the three numbers read alike.
 */
export function formatRatio(ratio: number, low?: number, high?: number): string {
  const d = ratioDecimals(ratio);
  const main = `${fixedOrInfinity(ratio, d)}x`;
  if (low === undefined || high === undefined) return main;
  return `${main} [${fixedOrInfinity(low, d)}–${fixedOrInfinity(high, d)}]`;
}

/** A fraction as a percentage: 0.123 → "12.3%". */
export function formatPercent(fraction: number, digits = 3): string {
  return `${formatSignificant(fraction * 100, digits)}%`;
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Visible width of a string in a terminal: ANSI colour codes removed, one column per code point. */
export function displayWidth(s: string): number {
  return Array.from(s.replace(ANSI, '')).length;
}

const NUMERIC_START = /^[-+−]?(\d|\.\d|∞)/;

/** True when every non-empty cell of the column begins with a number (and at least one cell is non-empty). */
export function isNumericColumn(cells: readonly Cell[]): boolean {
  let any = false;
  for (const c of cells) {
    const s = typeof c === 'number' ? String(c) : c.replace(ANSI, '').trim();
    if (s === '') continue;
    if (!NUMERIC_START.test(s)) return false;
    any = true;
  }
  return any;
}

export interface TableOptions {
  /** Per-column alignment; missing entries are chosen automatically (numeric → right, else left). */
  readonly align?: readonly (Align | undefined)[];
}

function normalizeRows(headers: readonly Cell[], rows: readonly (readonly Cell[])[]): string[][] {
  return rows.map((row, i) => {
    if (row.length > headers.length)
      throw new RangeError(`table: row ${i} has ${row.length} cells for ${headers.length} columns`);
    const out = row.map(String);
    while (out.length < headers.length) out.push('');
    return out;
  });
}

function columnAlignments(headers: readonly Cell[], rows: string[][], options: TableOptions): Align[] {
  return headers.map(
    (_, c) => options.align?.[c] ?? (isNumericColumn(rows.map((r) => r[c] as string)) ? 'right' : 'left'),
  );
}

function pad(s: string, width: number, align: Align): string {
  const gap = width - displayWidth(s);
  if (gap <= 0) return s;
  if (align === 'right') return ' '.repeat(gap) + s;
  if (align === 'center') return ' '.repeat(Math.floor(gap / 2)) + s + ' '.repeat(Math.ceil(gap / 2));
  return s + ' '.repeat(gap);
}

function escapeMarkdown(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * A GitHub-flavoured markdown table. Rows shorter than the header are padded with empty cells; longer rows throw.
 * Columns are padded to equal width so the source is readable too.
 */
export function markdownTable(
  headers: readonly Cell[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions = {},
): string {
  if (headers.length === 0) throw new RangeError('markdownTable: no columns');
  const body = normalizeRows(headers, rows).map((r) => r.map(escapeMarkdown));
  const head = headers.map((h) => escapeMarkdown(String(h)));
  const aligns = columnAlignments(headers, body, options);
  const widths = head.map((h, c) => Math.max(3, displayWidth(h), ...body.map((r) => displayWidth(r[c] as string))));
  const line = (cells: string[]) =>
    `| ${cells.map((s, c) => pad(s, widths[c] as number, aligns[c] as Align)).join(' | ')} |`;
  const rule = aligns.map((a, c) => {
    const w = widths[c] as number;
    if (a === 'right') return `${'-'.repeat(w - 1)}:`;
    if (a === 'center') return `:${'-'.repeat(w - 2)}:`;
    return '-'.repeat(w);
  });
  return [line(head), `| ${rule.join(' | ')} |`, ...body.map(line)].join('\n');
}

export interface TerminalTableOptions extends TableOptions {
  /** Spaces between columns (default 2). */
  readonly gap?: number;
}

/**
 * A plain-text table for the terminal: header, a rule of "─", then rows, columns padded to their widest cell.
 * Trailing spaces are trimmed from every line.
 */
export function terminalTable(
  headers: readonly Cell[],
  rows: readonly (readonly Cell[])[],
  options: TerminalTableOptions = {},
): string {
  if (headers.length === 0) throw new RangeError('terminalTable: no columns');
  const body = normalizeRows(headers, rows);
  const head = headers.map(String);
  const aligns = columnAlignments(headers, body, options);
  const widths = head.map((h, c) => Math.max(displayWidth(h), ...body.map((r) => displayWidth(r[c] as string))));
  const sep = ' '.repeat(options.gap ?? 2);
  const line = (cells: string[]) =>
    cells
      .map((s, c) => pad(s, widths[c] as number, aligns[c] as Align))
      .join(sep)
      .replace(/\s+$/, '');
  const rule = widths.map((w) => '─'.repeat(w)).join(sep);
  return [line(head), rule, ...body.map(line)].join('\n');
}
