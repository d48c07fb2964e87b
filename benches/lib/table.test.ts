import { describe, expect, it } from 'vitest';
import {
  displayWidth,
  formatDuration,
  formatOpsPerSecond,
  formatPercent,
  formatRatio,
  formatSi,
  formatSignificant,
  isNumericColumn,
  markdownTable,
  terminalTable,
} from './table.ts';

describe('number formatting', () => {
  it('formatSignificant keeps trailing zeros and never uses exponents', () => {
    expect(formatSignificant(3.1)).toBe('3.10');
    expect(formatSignificant(0.000123)).toBe('0.000123');
    expect(formatSignificant(1234567)).toBe('1234567');
    expect(formatSignificant(0)).toBe('0.00');
    expect(formatSignificant(-2.5, 2)).toBe('-2.5');
    expect(formatSignificant(Infinity)).toBe('∞');
  });

  it('formatSi: k/M/G suffixes, rounding up into the next suffix', () => {
    expect(formatSi(950)).toBe('950');
    expect(formatSi(12_345)).toBe('12.3k');
    expect(formatSi(1_234_567)).toBe('1.23M');
    expect(formatSi(999_950)).toBe('1.00M');
    expect(formatSi(4.5e9)).toBe('4.50G');
    expect(formatSi(-2000)).toBe('-2.00k');
    expect(formatSi(0.5)).toBe('0.500');
    expect(formatSi(0)).toBe('0');
  });

  it('formatOpsPerSecond', () => {
    expect(formatOpsPerSecond(1.6e6)).toBe('1.60M ops/s');
    expect(formatOpsPerSecond(36_500)).toBe('36.5k ops/s');
    expect(formatOpsPerSecond(12)).toBe('12.0 ops/s');
  });

  it.each([
    [0, '0 ns'],
    [0.00085, '850 ns'],
    [0.0184, '18.4 µs'],
    [0.9999, '1.00 ms'],
    [16, '16.0 ms'],
    [999.99, '1.00 s'],
    [2500, '2.50 s'],
    [0.0000001, '0.100 ns'],
  ])('formatDuration(%s ms) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('formatRatio uses the same decimals for the bounds', () => {
    expect(formatRatio(3.42, 3.1, 3.8)).toBe('3.42x [3.10–3.80]');
    expect(formatRatio(17.04, 16, 18.55)).toBe('17.0x [16.0–18.6]');
    expect(formatRatio(123.4, 100.2, 150)).toBe('123x [100–150]');
    expect(formatRatio(9.999)).toBe('10.0x');
    expect(formatRatio(2)).toBe('2.00x');
    expect(formatRatio(2, 1, Infinity)).toBe('2.00x [1.00–∞]');
  });

  it('formatPercent', () => {
    expect(formatPercent(0.123)).toBe('12.3%');
  });
});

describe('tables', () => {
  const headers = ['variant', 'threads', 'throughput', 'ratio'];
  const rows = [
    ['channel', 4, '2.10M ops/s', '3.42x [3.10–3.80]'],
    ['Mutex<Vec>', 4, '614k ops/s', '1.00x'],
  ];

  it('numeric columns are detected by their leading number', () => {
    expect(isNumericColumn([1, '2.5x', '', '-3 ms', '.5'])).toBe(true);
    expect(isNumericColumn(['1', 'n/a'])).toBe(false);
    expect(isNumericColumn(['', ''])).toBe(false);
    expect(isNumericColumn(['\x1b[31m12\x1b[0m'])).toBe(true);
  });

  it('displayWidth ignores ANSI codes and counts code points', () => {
    expect(displayWidth('\x1b[31mabc\x1b[0m')).toBe(3);
    expect(displayWidth('18.4 µs')).toBe(7);
    expect(displayWidth('──')).toBe(2);
  });

  it('markdownTable: right-aligned numeric columns, escaped pipes, padded rows', () => {
    const md = markdownTable(headers, [...rows, ['a|b']]);
    const lines = md.split('\n');
    expect(lines[0]).toBe('| variant    | threads |  throughput |             ratio |');
    expect(lines[1]).toBe('| ---------- | ------: | ----------: | ----------------: |');
    expect(lines[2]).toBe('| channel    |       4 | 2.10M ops/s | 3.42x [3.10–3.80] |');
    expect(lines[4]).toContain('a\\|b');
    // every line has the same number of unescaped pipes
    const pipes = lines.map((l) => (l.match(/(?<!\\)\|/g) ?? []).length);
    expect(new Set(pipes).size).toBe(1);
  });

  it('markdownTable: explicit alignment and newlines in cells', () => {
    const md = markdownTable(['a', 'b'], [['x\ny', 1]], { align: ['center', 'left'] });
    expect(md.split('\n')[1]).toBe('| :-: | --- |');
    expect(md).toContain('x y');
  });

  it('terminalTable pads columns, right-aligns numbers and trims line ends', () => {
    const out = terminalTable(headers, rows).split('\n');
    expect(out[0]).toBe('variant     threads   throughput              ratio');
    expect(out[1]).toMatch(/^─{10} {2}─{7} {2}─{11} {2}─{17}$/);
    expect(out[2]).toBe('channel           4  2.10M ops/s  3.42x [3.10–3.80]');
    expect(out[3]).toBe('Mutex<Vec>        4   614k ops/s              1.00x');
    for (const l of out) expect(l).toBe(l.trimEnd());
  });

  it('terminalTable aligns cells with colour codes by their visible width', () => {
    const out = terminalTable(['x'], [['\x1b[32m1.0\x1b[0m'], ['10.0']]).split('\n');
    expect(displayWidth(out[2] as string)).toBe(displayWidth(out[3] as string));
  });

  it('rejects rows longer than the header and empty headers', () => {
    expect(() => markdownTable(['a'], [[1, 2]])).toThrow(RangeError);
    expect(() => terminalTable([], [])).toThrow(RangeError);
  });
});
