/**
 * What the `pipeline` command reports, built from merged counts, as JSON (`--json`) or as text.
 *
 * Guarantee (checked by `checkAccounting` and by the tests): total = kept + filtered + continued +
 * deadLettered.count + blank, where total is the number of lines the reader delivered. Blank lines are reported on their own and
 * never written to the dead-letter file.
 */
import { thousands } from '../../lib/progress.ts';
import { LOG_LEVELS, type LogLevel } from './reference.ts';
import type { EntryLevel } from './formats.ts';
import type { FileSummary } from './reader.ts';
import type { Tally } from './tally.ts';

export interface PipelineReport {
  files: FileSummary[];
  /** Lines read (delivered by the reader). */
  total: number;
  kept: number;
  /** Parsed, but below --min-level. */
  filtered: number;
  /** Empty or whitespace-only lines. */
  blank: number;
  /** Lines that continue the record before them (stack frames, `Caused by:`): counted, not parsed alone. */
  continued: number;
  deadLettered: { count: number; byReason: Record<string, number> };
  /** Kept entries per level: the four levels and `Unknown` (lines that name no level), always all five. */
  byLevel: Record<EntryLevel, number>;
  /** Kept entries per source, most frequent first. */
  bySource: Record<string, number>;
  topSources: Array<{ source: string; count: number }>;
  minLevel: LogLevel;
  /** Whether entries of level Unknown are kept (else they are counted as filtered). */
  keepUnknown: boolean;
  /** Parser threads; 0 for the single-threaded baseline. */
  workers: number;
  bytes: number;
  elapsedMs: number;
  linesPerSecond: number;
  /** True when reading stopped before the end of the input (a line limit or an abort). */
  stoppedEarly: boolean;
  deadLetterFile: { path: string; written: number } | null;
}

const TOP_SOURCES = 10;

/** The levels of the report, in order: the four of the reference solution, then Unknown. */
export const REPORT_LEVELS: readonly EntryLevel[] = [...LOG_LEVELS, 'Unknown'];

function sortedByCount(map: Map<string, number>): Array<[string, number]> {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export interface ReportInput {
  readonly tally: Tally;
  readonly files: FileSummary[];
  readonly total: number;
  readonly bytes: number;
  readonly stoppedEarly: boolean;
  readonly minLevel: LogLevel;
  readonly keepUnknown: boolean;
  readonly workers: number;
  readonly elapsedMs: number;
  readonly deadLetterFile: { path: string; written: number } | null;
}

export function buildReport(input: ReportInput): PipelineReport {
  const { tally } = input;
  const counts = tally.stats.countByLevel as Map<EntryLevel, number>;
  const byLevel = Object.fromEntries(REPORT_LEVELS.map((level) => [level, counts.get(level) ?? 0])) as Record<
    EntryLevel,
    number
  >;
  const sources = sortedByCount(tally.stats.countBySource);
  return {
    files: input.files,
    total: input.total,
    kept: tally.stats.totalCount,
    filtered: tally.filtered,
    blank: tally.blank,
    continued: tally.continued,
    deadLettered: { count: tally.deadLettered, byReason: Object.fromEntries(sortedByCount(tally.deadReasons)) },
    byLevel,
    bySource: Object.fromEntries(sources),
    topSources: sources.slice(0, TOP_SOURCES).map(([source, count]) => ({ source, count })),
    minLevel: input.minLevel,
    keepUnknown: input.keepUnknown,
    workers: input.workers,
    bytes: input.bytes,
    elapsedMs: Math.round(input.elapsedMs * 10) / 10,
    linesPerSecond: input.elapsedMs > 0 ? Math.round((input.total * 1000) / input.elapsedMs) : 0,
    stoppedEarly: input.stoppedEarly,
    deadLetterFile: input.deadLetterFile,
  };
}

/** Throws if some line was lost or counted twice (a bug, never bad input). */
export function checkAccounting(report: PipelineReport): void {
  const sum = report.kept + report.filtered + report.continued + report.deadLettered.count + report.blank;
  if (sum !== report.total) {
    throw new Error(
      `line accounting is off: read ${report.total}, but kept ${report.kept} + filtered ${report.filtered} + ` +
        `continued ${report.continued} + dead-lettered ${report.deadLettered.count} + blank ${report.blank} = ${sum}`,
    );
  }
}

const n = thousands;

/** Rows padded into columns; the first `leftColumns` are left-aligned, the rest (numbers) right-aligned. */
function table(rows: string[][], leftColumns = 1, indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

/** The human-readable summary printed without --json. */
export function formatReport(report: PipelineReport): string {
  const out: string[] = [];
  const seconds = (report.elapsedMs / 1000).toFixed(2);
  const how =
    report.workers === 0
      ? 'single-threaded'
      : `${report.workers} parser thread${report.workers === 1 ? '' : 's'} and the reading thread`;
  out.push(
    `${n(report.total)} lines (${n(report.bytes)} bytes) in ${seconds} s: ${n(report.linesPerSecond)} lines/s, ${how}`,
  );
  if (report.stoppedEarly) out.push('(stopped before the end of the input)');
  out.push('', 'files:');
  const layout = (f: PipelineReport['files'][number]) =>
    (f.prefix ? `${f.format} (after ${f.prefix} leading field${f.prefix === 1 ? '' : 's'})` : f.format) +
    (f.encoding ? `, ${f.encoding.toUpperCase()}` : '');
  out.push(
    ...table(
      report.files.map((f) => [f.path, layout(f), `${n(f.lines)} lines`, `${n(f.bytes)} bytes`]),
      2,
    ),
  );
  out.push('', 'lines:');
  out.push(
    ...table([
      ['kept', n(report.kept)],
      [`filtered (below ${report.minLevel}${report.keepUnknown ? '' : ', or no level'})`, n(report.filtered)],
      ['continuation lines (stack traces…)', n(report.continued)],
      ['dead-lettered', n(report.deadLettered.count)],
      ['blank', n(report.blank)],
      ['total', n(report.total)],
    ]),
  );
  out.push('', 'kept by level:');
  out.push(
    ...table(
      REPORT_LEVELS.map((level) => [
        level === 'Unknown' ? 'Unknown (no level in the line)' : level,
        n(report.byLevel[level]),
      ]),
    ),
  );
  const sourceCount = Object.keys(report.bySource).length;
  out.push('', `top sources (${n(sourceCount)} distinct):`);
  out.push(
    ...(report.topSources.length === 0 ? ['  (none)'] : table(report.topSources.map((s) => [s.source, n(s.count)]))),
  );
  const reasons = Object.entries(report.deadLettered.byReason);
  if (reasons.length > 0) {
    out.push('', 'dead letters by reason:');
    out.push(...table(reasons.map(([reason, count]) => [reason, n(count)])));
  }
  if (report.deadLetterFile)
    out.push('', `dead letters written to ${report.deadLetterFile.path}: ${n(report.deadLetterFile.written)}`);
  return out.join('\n');
}
