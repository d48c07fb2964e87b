/**
 * Charts for the terminal (asciichart, plus the x axis and legend it lacks) and for reports (SVG, no dependency).
 *
 * Both kinds treat x as categorical: the points are the sweep's cells (thread counts 1 2 4 8 16, message sizes),
 * placed at equal distances in the order given, labelled with the given x labels. A sweep over 1, 2, 4, 8 threads
 * therefore reads like a log-x plot, which is what a doubling sweep wants.
 *
 * Terminal chart guarantees (`renderAsciiChart`):
 * - Point i of every series sits in column axis + i·spacing; the tick row ("┬") and the label row under the plot
 *   are aligned to exactly those columns. Labels are centred on their tick; a label that would touch its left
 *   neighbour is left out rather than overlapping it (pick a larger `spacing` to see them all).
 * - Values outside an explicit `min`/`max` are clamped to the plot's edge.
 * - Series are told apart without colour: series 0 is drawn with light lines (─), 1 with heavy (━), 2 with double
 *   (═), 3 with dashed (┄); the legend shows the same marks. With `color: true`, each series is also coloured.
 * - The axis column shows '┼' exactly where a series starts (asciichart's own zero-line marker is mirrored, so it
 *   is not kept).
 * - The plot is `height` (± 1, asciichart rounds the scaled range) rows tall whatever the values; asciichart's own
 *   default height is the raw value range, which would be a million rows for ops/s.
 *
 * SVG guarantees (`renderSvgChart`):
 * - The output is one well-formed, self-contained <svg> element (every tag closed, attribute values quoted, text
 *   XML-escaped) with a <title>, axes, y ticks with grid lines, one x label per category, a legend entry per
 *   series, and an error bar wherever a series gives both a low and a high value for a point.
 * - `null` values leave a gap (no point, no line through it, no bar).
 * - Log scale y requires every plotted value and bound to be > 0 and throws otherwise; ticks are powers of ten
 *   (with 2× and 5× ticks when the range spans fewer than three decades).
 */

import asciichart from 'asciichart';
import { formatSi } from './table.ts';

// ---------------------------------------------------------------------------------------------------------------
// Terminal

export interface AsciiSeries {
  readonly name: string;
  /** One value per x label (a series may stop early; it may not be longer than the labels). */
  readonly values: readonly number[];
}

export interface AsciiChartOptions {
  readonly xLabels: readonly (string | number)[];
  /** Plot height in rows, excluding the x axis rows (default 10). */
  readonly height?: number;
  /** Columns between consecutive points (default: widest x label + 2, at least 4). */
  readonly spacing?: number;
  /** Colour each series with ANSI codes (default false: reports and pipes stay clean). */
  readonly color?: boolean;
  /** Formats the y axis labels (default: 3 significant digits with k/M/G suffixes). */
  readonly yFormat?: (value: number) => string;
  readonly title?: string;
  /** Name of the x axis, printed after the last label (e.g. "threads"). */
  readonly xTitle?: string;
  /** Name/unit of the y axis, printed above the axis (e.g. "ops/s"). */
  readonly yTitle?: string;
  /** Plot log10 of the values; axis labels still show the original values. */
  readonly logY?: boolean;
  readonly min?: number;
  readonly max?: number;
}

const SYMBOL_SETS: readonly (readonly string[])[] = [
  ['┼', '┤', '╶', '╴', '─', '╰', '╭', '╮', '╯', '│'],
  ['┼', '┤', '╶', '╴', '━', '┗', '┏', '┓', '┛', '┃'],
  ['┼', '┤', '╶', '╴', '═', '╚', '╔', '╗', '╝', '║'],
  ['┼', '┤', '╶', '╴', '┄', '└', '┌', '┐', '┘', '┆'],
];

const PALETTE = ['\x1b[34m', '\x1b[31m', '\x1b[32m', '\x1b[33m', '\x1b[35m', '\x1b[36m'];
const RESET = '\x1b[0m';

/** The mark a legend shows for series k (two of its horizontal line characters). */
export function seriesMark(k: number): string {
  const set = SYMBOL_SETS[k % SYMBOL_SETS.length] as readonly string[];
  return (set[4] as string).repeat(2);
}

/** Linear interpolation between consecutive points so that point i lands at index i·spacing. */
function stretch(values: readonly number[], spacing: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length - 1; i++) {
    const a = values[i] as number;
    const b = values[i + 1] as number;
    for (let t = 0; t < spacing; t++) out.push(a + ((b - a) * t) / spacing);
  }
  out.push(values[values.length - 1] as number);
  return out;
}

function colorize(s: string, k: number, on: boolean): string {
  return on ? `${PALETTE[k % PALETTE.length] as string}${s}${RESET}` : s;
}

/**
 * A multi-series terminal line chart with y labels, an x axis with ticks and labels, and a legend. See the
 * guarantees at the top of this file. Throws a RangeError for no series, an empty or too long series,
 * non-finite values, or non-positive values with `logY`.
 */
export function renderAsciiChart(series: readonly AsciiSeries[], options: AsciiChartOptions): string {
  const { xLabels } = options;
  if (series.length === 0) throw new RangeError('renderAsciiChart: no series');
  if (xLabels.length === 0) throw new RangeError('renderAsciiChart: no x labels');
  const logY = options.logY ?? false;
  for (const s of series) {
    if (s.values.length === 0) throw new RangeError(`renderAsciiChart: series "${s.name}" is empty`);
    if (s.values.length > xLabels.length)
      throw new RangeError(`renderAsciiChart: series "${s.name}" has more values than x labels`);
    for (const v of s.values) {
      if (!Number.isFinite(v)) throw new RangeError(`renderAsciiChart: series "${s.name}" has a non-finite value`);
      if (logY && v <= 0)
        throw new RangeError(`renderAsciiChart: log scale needs positive values (series "${s.name}")`);
    }
  }
  for (const bound of [options.min, options.max]) {
    if (bound !== undefined && (!Number.isFinite(bound) || (logY && bound <= 0))) {
      throw new RangeError(`renderAsciiChart: min/max must be finite${logY ? ' and positive on a log scale' : ''}`);
    }
  }
  const labels = xLabels.map(String);
  const maxLabel = Math.max(...labels.map((l) => Array.from(l).length));
  const spacing = options.spacing ?? Math.max(4, maxLabel + 2);
  if (!Number.isInteger(spacing) || spacing < 1)
    throw new RangeError('renderAsciiChart: spacing must be a positive integer');
  const height = options.height ?? 10;
  if (!Number.isInteger(height) || height < 1)
    throw new RangeError('renderAsciiChart: height must be a positive integer');

  const toPlot = (v: number) => (logY ? Math.log10(v) : v);
  const fromPlot = (v: number) => (logY ? 10 ** v : v);
  const plotted = series.map((s) => stretch(s.values.map(toPlot), spacing));
  const all = plotted.flat();
  let min = options.min !== undefined ? toPlot(options.min) : Math.min(...all);
  let max = options.max !== undefined ? toPlot(options.max) : Math.max(...all);
  if (max < min) throw new RangeError('renderAsciiChart: max < min');
  if (max === min) {
    // asciichart labels a flat chart with a rounded row index instead of the value; give it a range.
    const delta = logY ? 0.5 : Math.abs(min) * 0.1 || 1;
    min -= delta;
    max += delta;
  }
  const yFormat = options.yFormat ?? ((v: number) => formatSi(v));
  // Values outside an explicit min/max are drawn at the edge (asciichart would index outside its grid).
  for (const values of plotted) values.forEach((v, i) => (values[i] = Math.min(max, Math.max(min, v))));

  // Pass 1 learns the widest y label, pass 2 pads every label to it, so every row has the same axis column.
  let labelWidth = 1;
  asciichart.plot(plotted[0] as number[], {
    min,
    max,
    height,
    format: (v) => {
      labelWidth = Math.max(labelWidth, Array.from(yFormat(fromPlot(v))).length);
      return '';
    },
  });
  const base = { min, max, height, offset: 2, format: (v: number) => ` ${yFormat(fromPlot(v)).padStart(labelWidth)} ` };
  const renders = plotted.map((values, k) =>
    asciichart
      .plot(values, { ...base, symbols: [...(SYMBOL_SETS[k % SYMBOL_SETS.length] as readonly string[])] })
      .split('\n')
      .map((l) => Array.from(l)),
  );
  const grid = renders[0] as string[][];
  const owner: number[][] = grid.map((row) => row.map(() => -1));
  const firstRow = grid[0] as string[];
  const axisCol = firstRow.findIndex((ch, i) => i > labelWidth && (ch === '┤' || ch === '┼'));
  if (axisCol < 0) throw new Error('renderAsciiChart: could not find the y axis in asciichart output');
  renders.forEach((rows, k) => {
    rows.forEach((row, r) => {
      for (let c = axisCol + 1; c < row.length; c++) {
        const ch = row[c] as string;
        if (ch !== ' ') {
          (grid[r] as string[])[c] = ch;
          (owner[r] as number[])[c] = k;
        }
      }
    });
  });
  // The axis column: '┤' everywhere, '┼' where a series starts. asciichart also puts '┼' on the row it takes
  // for y = 0, but mirrored (wrong unless the range is symmetric about 0), so that marker is dropped. The start
  // row is computed with asciichart's own scaling formula.
  const ratio = height / (max - min);
  const min2 = Math.round(min * ratio);
  const rowCount = Math.abs(Math.round(max * ratio) - min2);
  grid.forEach((row) => (row[axisCol] = '┤'));
  plotted.forEach((values, k) => {
    const r = rowCount - (Math.round((values[0] as number) * ratio) - min2);
    const row = grid[r];
    if (row) {
      row[axisCol] = '┼';
      (owner[r] as number[])[axisCol] = k;
    }
  });
  const color = options.color ?? false;
  const plotLines = grid.map((row, r) =>
    row
      .map((ch, c) => {
        const k = (owner[r] as number[])[c] as number;
        return k >= 0 ? colorize(ch, k, color) : ch;
      })
      .join('')
      .replace(/\s+$/, ''),
  );

  // X axis: a tick under every point, then the labels centred on the ticks.
  const lastCol = axisCol + (labels.length - 1) * spacing;
  const axis = Array.from({ length: lastCol + 1 }, (_, c) =>
    c < axisCol ? ' ' : c === axisCol ? '└' : (c - axisCol) % spacing === 0 ? '┬' : '─',
  );
  const labelRow: string[] = [];
  let lastEnd = -2;
  labels.forEach((label, i) => {
    const chars = Array.from(label);
    const center = axisCol + i * spacing;
    const start = Math.max(0, center - Math.floor((chars.length - 1) / 2));
    if (start <= lastEnd + 1) return; // would touch the previous label
    while (labelRow.length < start) labelRow.push(' ');
    labelRow.push(...chars);
    lastEnd = start + chars.length - 1;
  });
  let labelLine = labelRow.join('');
  if (options.xTitle) labelLine += `  ${options.xTitle}`;

  const lines: string[] = [];
  if (options.title) lines.push(options.title);
  if (options.yTitle)
    lines.push(`${' '.repeat(Math.max(0, axisCol - Array.from(options.yTitle).length + 1))}${options.yTitle}`);
  lines.push(...plotLines, axis.join(''), labelLine);
  const legend = series.map((s, k) => `${colorize(seriesMark(k), k, color)} ${s.name}`).join('   ');
  lines.push(`${' '.repeat(axisCol)}${legend}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// SVG

export interface SvgSeries {
  readonly name: string;
  /** One value per x label; null leaves a gap. */
  readonly values: readonly (number | null)[];
  /** Lower bounds of the confidence intervals (optional, per point; null for none). */
  readonly low?: readonly (number | null)[];
  /** Upper bounds of the confidence intervals. */
  readonly high?: readonly (number | null)[];
  /** Any CSS colour; defaults to a colour-blind-safe palette. */
  readonly color?: string;
}

export interface SvgChartSpec {
  readonly kind: 'line' | 'bar';
  readonly xLabels: readonly (string | number)[];
  readonly series: readonly SvgSeries[];
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly logY?: boolean;
  /** Y range; defaults to the data (and 0 for linear charts, so bars and ratios are not exaggerated). */
  readonly yMin?: number;
  readonly yMax?: number;
  readonly width?: number;
  readonly height?: number;
  readonly yFormat?: (value: number) => string;
}

/** Okabe–Ito palette: distinguishable with the common colour-vision deficiencies. */
const SVG_PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

/** Escapes text and attribute values for XML. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function n2(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** "Nice" linear ticks (steps of 1, 2 or 5 × 10^k) covering [min, max], about `count` of them. */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max))) throw new RangeError('linearTicks: non-finite range');
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Powers of ten in [min, max] (min > 0); with 2× and 5× ticks too when the range spans under three decades. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0 && max > 0)) throw new RangeError('logTicks: the range must be positive');
  if (max < min) [min, max] = [max, min];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const multipliers = hi - lo < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of multipliers) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

/**
 * A line or grouped-bar chart as an SVG document string. See the guarantees at the top of this file. Throws a
 * RangeError for no series or labels, series longer than the labels, non-finite numbers, or non-positive numbers
 * on a log scale.
 */
export function renderSvgChart(spec: SvgChartSpec): string {
  const { kind, xLabels, series } = spec;
  if (series.length === 0) throw new RangeError('renderSvgChart: no series');
  if (xLabels.length === 0) throw new RangeError('renderSvgChart: no x labels');
  const logY = spec.logY ?? false;
  const values: number[] = [];
  for (const s of series) {
    for (const arr of [s.values, s.low ?? [], s.high ?? []]) {
      if (arr.length > xLabels.length)
        throw new RangeError(`renderSvgChart: series "${s.name}" is longer than the x labels`);
      for (const v of arr) {
        if (v === null) continue;
        if (!Number.isFinite(v)) throw new RangeError(`renderSvgChart: series "${s.name}" has a non-finite value`);
        if (logY && v <= 0)
          throw new RangeError(`renderSvgChart: log scale needs positive values (series "${s.name}")`);
        values.push(v);
      }
    }
  }
  if (values.length === 0) throw new RangeError('renderSvgChart: every value is null');

  const width = spec.width ?? 720;
  const height = spec.height ?? 420;
  const yFormat = spec.yFormat ?? ((v: number) => formatSi(v));
  const margin = { top: spec.title ? 44 : 20, right: 20, bottom: 56 + 20 * series.length, left: 72 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  if (plotW <= 0 || plotH <= 0) throw new RangeError('renderSvgChart: the chart is too small for its margins');

  let yMin = spec.yMin ?? (logY ? Math.min(...values) : Math.min(0, ...values));
  let yMax = spec.yMax ?? Math.max(...values);
  if (logY && !(yMin > 0)) throw new RangeError('renderSvgChart: log scale needs yMin > 0');
  if (yMax === yMin) {
    yMax = logY ? yMax * 10 : yMax + 1;
    if (!logY && spec.yMin === undefined && yMin !== 0) yMin -= 1;
  }
  if (logY) {
    // Widen to whole decades first, then tick every decade: a log axis reads by its powers of ten.
    yMin = Math.min(yMin, 10 ** Math.floor(Math.log10(yMin)));
    yMax = Math.max(yMax, 10 ** Math.ceil(Math.log10(yMax)));
  }
  const ticks = logY
    ? logTicks(yMin, yMax).filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9)
    : linearTicks(yMin, yMax);
  if (!logY && spec.yMax === undefined) yMax = Math.max(yMax, ...ticks);
  const t = (v: number) => (logY ? Math.log10(v) : v);
  const y = (v: number) => margin.top + plotH - ((t(v) - t(yMin)) / (t(yMax) - t(yMin))) * plotH;
  const band = plotW / xLabels.length;
  const xCenter = (i: number) => margin.left + band * (i + 0.5);
  const colorOf = (k: number) => series[k]?.color ?? (SVG_PALETTE[k % SVG_PALETTE.length] as string);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeXml(spec.title ?? series.map((s) => s.name).join(', '))}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  if (spec.title)
    out.push(
      `<text class="title" x="${n2(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
    );

  // Y axis, ticks and grid lines.
  out.push('<g class="y-axis">');
  for (const v of ticks) {
    if (t(v) < t(yMin) - 1e-9 || t(v) > t(yMax) + 1e-9) continue;
    const py = n2(y(v));
    out.push(`<line x1="${margin.left}" y1="${py}" x2="${margin.left + plotW}" y2="${py}" stroke="#e0e0e0"/>`);
    out.push(`<line x1="${margin.left - 5}" y1="${py}" x2="${margin.left}" y2="${py}" stroke="black"/>`);
    out.push(
      `<text class="y-tick" x="${margin.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(yFormat(v))}</text>`,
    );
  }
  out.push(
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotH}" stroke="black"/>`,
  );
  if (spec.yTitle) {
    const cy = n2(margin.top + plotH / 2);
    const yTitle = logY ? `${spec.yTitle} (log scale)` : spec.yTitle;
    out.push(
      `<text class="y-title" x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeXml(yTitle)}</text>`,
    );
  }
  out.push('</g>');

  // X axis, a tick and a label per category.
  const axisY = margin.top + plotH;
  out.push('<g class="x-axis">');
  out.push(`<line x1="${margin.left}" y1="${axisY}" x2="${margin.left + plotW}" y2="${axisY}" stroke="black"/>`);
  xLabels.forEach((label, i) => {
    const px = n2(xCenter(i));
    out.push(`<line x1="${px}" y1="${axisY}" x2="${px}" y2="${axisY + 5}" stroke="black"/>`);
    out.push(
      `<text class="x-label" x="${px}" y="${axisY + 18}" text-anchor="middle">${escapeXml(String(label))}</text>`,
    );
  });
  if (spec.xTitle)
    out.push(
      `<text class="x-title" x="${n2(margin.left + plotW / 2)}" y="${axisY + 38}" text-anchor="middle">${escapeXml(spec.xTitle)}</text>`,
    );
  out.push('</g>');

  // Series.
  const barGroup = band * 0.8;
  const barW = barGroup / series.length;
  const baseline = logY ? yMin : Math.max(yMin, Math.min(0, yMax));
  const errorBar = (px: number, lo: number, hi: number, color: string) => {
    const cap = 4;
    const a = n2(y(lo));
    const b = n2(y(hi));
    return (
      `<g class="error-bar"><line x1="${n2(px)}" y1="${a}" x2="${n2(px)}" y2="${b}" stroke="${color}"/>` +
      `<line x1="${n2(px - cap)}" y1="${a}" x2="${n2(px + cap)}" y2="${a}" stroke="${color}"/>` +
      `<line x1="${n2(px - cap)}" y1="${b}" x2="${n2(px + cap)}" y2="${b}" stroke="${color}"/></g>`
    );
  };
  // A tooltip per point (shown on hover by any SVG viewer): series, x label, value and interval.
  const hover = (s: SvgSeries, i: number, v: number): string => {
    const lo = s.low?.[i];
    const hi = s.high?.[i];
    const ci =
      lo !== undefined && lo !== null && hi !== undefined && hi !== null ? ` [${yFormat(lo)}–${yFormat(hi)}]` : '';
    return `<title>${escapeXml(`${s.name} at ${xLabels[i]}: ${yFormat(v)}${ci}`)}</title>`;
  };
  series.forEach((s, k) => {
    const color = escapeXml(colorOf(k));
    out.push(`<g class="series" data-name="${escapeXml(s.name)}">`);
    const px = (i: number) => (kind === 'bar' ? xCenter(i) - barGroup / 2 + barW * (k + 0.5) : xCenter(i));
    if (kind === 'line') {
      let segment: string[] = [];
      const flush = () => {
        if (segment.length > 1)
          out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${segment.join(' ')}"/>`);
        segment = [];
      };
      s.values.forEach((v, i) => {
        if (v === null) return flush();
        segment.push(`${n2(px(i))},${n2(y(v))}`);
      });
      flush();
    }
    s.values.forEach((v, i) => {
      if (v === null) return;
      if (kind === 'bar') {
        const top = Math.min(y(v), y(baseline));
        const h = Math.abs(y(baseline) - y(v));
        out.push(
          `<rect class="bar" x="${n2(px(i) - barW / 2 + 1)}" y="${n2(top)}" width="${n2(Math.max(1, barW - 2))}" height="${n2(h)}" fill="${color}">${hover(s, i, v)}</rect>`,
        );
      } else {
        out.push(`<circle cx="${n2(px(i))}" cy="${n2(y(v))}" r="4" fill="${color}">${hover(s, i, v)}</circle>`);
      }
    });
    s.values.forEach((v, i) => {
      const lo = s.low?.[i];
      const hi = s.high?.[i];
      if (v === null || lo === undefined || hi === undefined || lo === null || hi === null) return;
      out.push(errorBar(px(i), lo, hi, kind === 'bar' ? 'black' : color));
    });
    out.push('</g>');
  });

  // Legend, one row per series under the x axis.
  out.push('<g class="legend">');
  series.forEach((s, k) => {
    const ly = axisY + 56 + 20 * k;
    out.push(`<rect x="${margin.left}" y="${ly - 9}" width="14" height="10" fill="${escapeXml(colorOf(k))}"/>`);
    out.push(`<text class="legend-label" x="${margin.left + 20}" y="${ly}">${escapeXml(s.name)}</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}
