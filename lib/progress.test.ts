import { describe, expect, it } from 'vitest';
import { duration, ProgressLine, shortCount, thousands, useColor } from './progress.ts';

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { isTTY, write: (t: string) => out.push(t), out };
}

describe('progress line', () => {
  it('draws a bar with rate and ETA on a terminal, at most once per interval', () => {
    let t = 0;
    const s = stream(true);
    const p = new ProgressLine(s, { unit: 'lines', now: () => t, env: {} });
    t = 100;
    p.update(1, 4_000_000); // within the first 300 ms: never drawn
    t = 1000;
    p.update(1_000_000, 4_000_000);
    p.update(1_100_000, 4_000_000); // within the interval: not drawn
    expect(s.out).toHaveLength(1);
    expect(s.out[0]).toContain('25%');
    expect(s.out[0]).toContain('1.0 M/4.0 M lines');
    expect(s.out[0]).toContain('1.0 M lines/s');
    expect(s.out[0]).toContain('ETA 3 s');
    expect(s.out[0]).toContain('\x1b[32m');
    p.finish('done');
    expect(s.out.slice(1)).toEqual(['\r\x1b[K', 'done\n']);
  });

  it('writes nothing when the stream is not a terminal, and no colour with NO_COLOR', () => {
    const piped = stream(false);
    const p = new ProgressLine(piped, { unit: 'files', env: {} });
    p.update(1, 2, undefined, true);
    p.finish('x');
    expect(piped.out).toEqual([]);
    const tty = stream(true);
    expect(useColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(tty, { NO_COLOR: '' })).toBe(true);
    expect(useColor(tty, { TERM: 'dumb' })).toBe(false);
    const plain = new ProgressLine(tty, { unit: 'files', env: { NO_COLOR: '1' }, now: () => 1000 });
    plain.update(1, 2, undefined, true);
    expect(tty.out[0]).not.toContain('\x1b[32m');
    expect(tty.out[0]).toContain('[############............]  50%');
  });

  it('formats counts and durations', () => {
    expect(shortCount(12_345)).toBe('12,345');
    expect(shortCount(3_456_789)).toBe('3.5 M');
    expect(duration(75)).toBe('1 min 15 s');
    expect(duration(7300)).toBe('2 h 1 min');
  });

  it('writes thousands as en-US does, without loading ICU', () => {
    const values = [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 1_234_567_890, -1234, -999, 2 ** 53 - 1, 1234.6];
    for (const v of values) expect(thousands(v), String(v)).toBe(Math.round(v).toLocaleString('en-US'));
    expect(thousands(-0.4)).toBe('0');
    expect(thousands(Number.NaN)).toBe('NaN');
  });
});
