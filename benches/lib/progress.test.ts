import { describe, expect, it } from 'vitest';
import { ProgressReporter, formatElapsed } from './progress.ts';

class FakeStream {
  chunks: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('formatElapsed', () => {
  it.each([
    [850, '850 ms'],
    [12_400, '12.4 s'],
    [185_000, '3m 05s'],
    [3_720_000, '1h 02m'],
    [-1, '?'],
    [Number.NaN, '?'],
  ])('%s ms → %s', (ms, text) => expect(formatElapsed(ms)).toBe(text));
});

describe('ProgressReporter on a TTY', () => {
  it('rewrites one line with suite, cell, repetition, step, elapsed and time left', () => {
    const s = new FakeStream(true);
    const c = clock();
    const p = new ProgressReporter({ stream: s, now: c.now });
    expect(p.mode).toBe('tty');
    p.startSuite('channels', 4);
    p.step({ cell: 'mpsc × 2', repetition: 1, repetitions: 2 });
    expect(s.chunks[0]).toBe('\r[channels] · mpsc × 2 · rep 1/2 · step 1/4 · 0 ms elapsed\x1b[K');
    c.advance(2000);
    p.step({ cell: 'mpsc × 2', repetition: 2, repetitions: 2 });
    // one step finished in 2 s, three remain → ~6 s
    expect(s.chunks[1]).toBe('\r[channels] · mpsc × 2 · rep 2/2 · step 2/4 · 2.0 s elapsed · ~6.0 s left\x1b[K');
    expect(s.text).not.toContain('\n');
  });

  it('throttles redraws to minIntervalMs, but always draws the first step', () => {
    const s = new FakeStream(true);
    const c = clock();
    const p = new ProgressReporter({ stream: s, now: c.now, minIntervalMs: 100 });
    p.startSuite('locks', 100);
    for (let i = 0; i < 10; i++) {
      p.step({ cell: 'c', repetition: i + 1, repetitions: 100 });
      c.advance(30);
    }
    // draws at t = 0, 120, 240 (steps 1, 5, 9)
    expect(s.chunks).toHaveLength(3);
    expect(s.chunks[1]).toContain('rep 5/100');
  });

  it('ends a suite with a permanent summary line', () => {
    const s = new FakeStream(true);
    const c = clock();
    const p = new ProgressReporter({ stream: s, now: c.now });
    p.startSuite('pool', 1);
    p.step({ cell: 'x', repetition: 1, repetitions: 1 });
    c.advance(1500);
    p.endSuite();
    expect(s.chunks.at(-1)).toBe('\r\x1b[K[pool] done: 1 step in 1.5 s\n');
    expect(p.line()).toBe('');
  });

  it('cuts the line to the terminal width', () => {
    const s = new FakeStream(true, 20);
    const p = new ProgressReporter({ stream: s, now: () => 0 });
    p.startSuite('a-very-long-suite-name', 10);
    p.step({ cell: 'cell', repetition: 1, repetitions: 10 });
    const visible = (s.chunks[0] as string).replace('\r', '').replace('\x1b[K', '');
    expect(Array.from(visible)).toHaveLength(19);
    expect(visible.endsWith('…')).toBe(true);
  });

  it('note() clears the line, prints the message and redraws', () => {
    const s = new FakeStream(true);
    const p = new ProgressReporter({ stream: s, now: () => 0 });
    p.startSuite('a', 2);
    p.step({ cell: 'c', repetition: 1, repetitions: 2 });
    p.note('outlier in cell c');
    expect(s.chunks[1]).toBe('\r\x1b[Koutlier in cell c\n');
    expect(s.chunks[2]).toContain('[a]');
  });

  it('close() clears a line left on screen', () => {
    const s = new FakeStream(true);
    const p = new ProgressReporter({ stream: s, now: () => 0 });
    p.startSuite('a', 2);
    p.step({ cell: 'c', repetition: 1, repetitions: 2 });
    p.close();
    expect(s.chunks.at(-1)).toBe('\r\x1b[K');
    expect(p.line()).toBe('');
  });
});

describe('ProgressReporter off a TTY', () => {
  it('auto mode is plain: one summary line per suite, nothing per step', () => {
    const s = new FakeStream(false);
    const c = clock();
    const p = new ProgressReporter({ stream: s, now: c.now });
    expect(p.mode).toBe('plain');
    p.startSuite('channels', 3);
    for (let i = 1; i <= 3; i++) {
      p.step({ cell: 'c', repetition: i, repetitions: 3 });
      c.advance(1000);
    }
    p.startSuite('locks', 1); // ends "channels"
    p.step({ cell: 'l', repetition: 1, repetitions: 1 });
    p.endSuite();
    expect(s.text).toBe('[channels] done: 3 steps in 3.0 s\n[locks] done: 1 step in 0 ms\n');
    expect(s.text).not.toMatch(/\r|\x1b/);
  });

  it('plain mode prints notes as plain lines', () => {
    const s = new FakeStream(false);
    const p = new ProgressReporter({ stream: s, now: () => 0 });
    p.note('hello');
    expect(s.text).toBe('hello\n');
  });

  it('silent mode writes nothing', () => {
    const s = new FakeStream(true);
    const p = new ProgressReporter({ stream: s, mode: 'silent', now: () => 0 });
    p.startSuite('a', 1);
    p.step({ cell: 'c', repetition: 1, repetitions: 1 });
    p.note('x');
    p.endSuite();
    p.close();
    expect(s.chunks).toEqual([]);
  });

  it('forced tty mode on a non-TTY stream', () => {
    const s = new FakeStream(false);
    const p = new ProgressReporter({ stream: s, mode: 'tty', now: () => 0 });
    p.startSuite('a', 1);
    p.step({ cell: 'c', repetition: 1, repetitions: 1 });
    expect(s.chunks[0]?.startsWith('\r[a]')).toBe(true);
  });
});

describe('ProgressReporter misuse', () => {
  it('step without a suite throws; bad totals throw; endSuite without a suite is a no-op', () => {
    const p = new ProgressReporter({ stream: new FakeStream(false), now: () => 0 });
    expect(() => p.step({ cell: 'c', repetition: 1, repetitions: 1 })).toThrow(/no suite/);
    expect(() => p.startSuite('a', -1)).toThrow(RangeError);
    expect(() => p.endSuite()).not.toThrow();
  });

  it('the default stream is process.stderr', () => {
    const p = new ProgressReporter({ mode: 'silent' });
    expect(p.mode).toBe('silent');
  });
});
