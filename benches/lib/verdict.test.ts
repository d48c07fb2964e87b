import os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Claim, MeasuredInterval, Verdict } from './verdict.ts';
import { acceptedBand, formatClaim, judgeClaim, notTestable, parseClaim, testability } from './verdict.ts';
import { bootstrapRatioCI, bootstrapTrendCI } from './stats.ts';

const ci = (estimate: number, low: number, high: number): MeasuredInterval => ({ estimate, low, high });
const range34: Claim = { kind: 'range', low: 3, high: 4, unit: 'x' };
// With the default 10 % tolerance the accepted band of "3–4x" is [2.7, 4.4].

function status(v: Verdict): string {
  return v.status;
}

describe('acceptedBand', () => {
  it('widens ranges and one-sided claims by the tolerance', () => {
    const b = acceptedBand(range34);
    expect(b.low).toBeCloseTo(2.7, 12);
    expect(b.high).toBeCloseTo(4.4, 12);
    expect(acceptedBand({ kind: 'atLeast', value: 100 })).toEqual({ low: 90, high: Infinity });
    expect(acceptedBand({ kind: 'atMost', value: 2 }, 0.5)).toEqual({ low: -Infinity, high: 3 });
    expect(acceptedBand(range34, 0)).toEqual({ low: 3, high: 4 });
  });

  it('approx claims use their own tolerance only', () => {
    expect(acceptedBand({ kind: 'approx', value: 200, unit: 'ms' }, 0.5)).toEqual({ low: 160, high: 240 });
    const b = acceptedBand({ kind: 'approx', value: 200, tolerance: 0.1 });
    expect(b.low).toBeCloseTo(180, 9);
    expect(b.high).toBeCloseTo(220, 9);
  });

  it('trend bands', () => {
    expect(acceptedBand({ kind: 'trend', expect: 'flat' })).toEqual({ low: -0.1, high: 0.1 });
    expect(acceptedBand({ kind: 'trend', expect: 'increasing', flatTolerance: 0.2 })).toEqual({
      low: 0.2,
      high: Infinity,
    });
    expect(acceptedBand({ kind: 'trend', expect: 'decreasing' })).toEqual({ low: -Infinity, high: -0.1 });
  });

  it('rejects malformed claims and tolerances', () => {
    expect(() => acceptedBand({ kind: 'range', low: 4, high: 3 })).toThrow(RangeError);
    expect(() => acceptedBand({ kind: 'range', low: 0, high: 3 })).toThrow(RangeError);
    expect(() => acceptedBand({ kind: 'atLeast', value: Number.NaN })).toThrow(RangeError);
    expect(() => acceptedBand(range34, 1)).toThrow(RangeError);
    expect(() => acceptedBand(range34, -0.1)).toThrow(RangeError);
    expect(() => acceptedBand({ kind: 'approx', value: 1, tolerance: 1 })).toThrow(RangeError);
    expect(() => acceptedBand({ kind: 'trend', expect: 'flat', flatTolerance: -1 })).toThrow(RangeError);
  });
});

describe('judgeClaim: range "3–4x" (band [2.7, 4.4], tolerance 0 used where exact edges matter)', () => {
  it('CI inside the claimed range → reproduced', () => {
    expect(status(judgeClaim(range34, ci(3.4, 3.1, 3.8)))).toBe('reproduced');
  });

  it('CI overlapping the range but inside the tolerance → reproduced', () => {
    expect(status(judgeClaim(range34, ci(4.1, 3.9, 4.3)))).toBe('reproduced');
    expect(status(judgeClaim(range34, ci(2.9, 2.75, 3.1)))).toBe('reproduced');
  });

  it('CI edges exactly on the band edges are inside (inclusive)', () => {
    expect(status(judgeClaim(range34, ci(3.5, 3, 4), { tolerance: 0 }))).toBe('reproduced');
    expect(status(judgeClaim(range34, ci(3, 3, 3), { tolerance: 0 }))).toBe('reproduced');
  });

  it('high end of the CI touching the low edge → not "lower" but inconclusive', () => {
    const v = judgeClaim(range34, ci(2.9, 2.8, 3), { tolerance: 0 });
    expect(v.status).toBe('inconclusive');
    if (v.status === 'inconclusive') {
      expect(v.straddles).toBe('low');
      expect(v.leaning).toBe('below');
    }
  });

  it('CI just below the low edge → not reproduced, lower', () => {
    const v = judgeClaim(range34, ci(2.9, 2.8, 2.9999), { tolerance: 0 });
    expect(v.status).toBe('not reproduced');
    if (v.status === 'not reproduced') expect(v.direction).toBe('lower');
  });

  it('the chapter example: 1.2x vs 3–4x is 2.5x lower than the low end', () => {
    const v = judgeClaim(range34, ci(1.2, 1.1, 1.3));
    expect(v.status).toBe('not reproduced');
    if (v.status !== 'not reproduced') return;
    expect(v.direction).toBe('lower');
    expect(v.gap.measure).toBe('factor');
    expect(v.gap.point).toBeCloseTo(2.5, 12);
    expect(v.gap.atLeast).toBeCloseTo(3 / 1.3, 12);
    expect(v.summary).toContain('2.5x lower than the low end of the claim');
    expect(v.summary).toContain('3–4x');
  });

  it('low end of the CI exactly on the high edge → inconclusive; just above → higher', () => {
    const onEdge = judgeClaim(range34, ci(4.2, 4, 4.5), { tolerance: 0 });
    expect(onEdge.status).toBe('inconclusive');
    if (onEdge.status === 'inconclusive') expect(onEdge.straddles).toBe('high');
    const above = judgeClaim(range34, ci(8, 4.0001, 9), { tolerance: 0 });
    expect(above.status).toBe('not reproduced');
    if (above.status === 'not reproduced') {
      expect(above.direction).toBe('higher');
      expect(above.gap.point).toBe(2);
      expect(above.gap.atLeast).toBeCloseTo(1.000025, 6);
      expect(above.summary).toContain('higher than the high end');
    }
  });

  it('a CI wider than the band on both sides → inconclusive, both, leaning inside', () => {
    const v = judgeClaim(range34, ci(3.5, 1, 9));
    expect(v.status).toBe('inconclusive');
    if (v.status === 'inconclusive') {
      expect(v.straddles).toBe('both');
      expect(v.leaning).toBe('inside');
      expect(v.summary).toMatch(/too wide/);
    }
  });

  it('leaning above', () => {
    const v = judgeClaim(range34, ci(4.5, 4.2, 4.8));
    expect(v.status === 'inconclusive' && v.leaning).toBe('above');
  });

  it('tolerance moves the verdict: 4.3 is in with 10 %, out with 5 %', () => {
    expect(status(judgeClaim(range34, ci(4.3, 4.25, 4.35)))).toBe('reproduced');
    expect(status(judgeClaim(range34, ci(4.3, 4.25, 4.35), { tolerance: 0.05 }))).toBe('not reproduced');
  });

  it('accepts a RatioCI from the bootstrap directly', () => {
    const r = bootstrapRatioCI([30, 31, 32, 33, 34], [10, 10, 10, 10, 10], { iterations: 500 });
    const v = judgeClaim(range34, r);
    expect(v.status).toBe('reproduced');
    if (v.status === 'reproduced') expect(v.measured.estimate).toBe(r.ratio);
  });

  it('rejects an inverted or NaN interval and a missing measurement', () => {
    expect(() => judgeClaim(range34, ci(3, 4, 3))).toThrow(RangeError);
    expect(() => judgeClaim(range34, ci(Number.NaN, 3, 4))).toThrow(RangeError);
    expect(() => judgeClaim(range34, undefined)).toThrow(/no measurement/);
  });
});

describe('judgeClaim: at least / at most', () => {
  const atLeast100: Claim = { kind: 'atLeast', value: 100, unit: 'x' };
  it('≥ 100x: band starts at 90 inclusive, no upper edge', () => {
    expect(status(judgeClaim(atLeast100, ci(95, 90, 100)))).toBe('reproduced');
    expect(status(judgeClaim(atLeast100, ci(1e6, 5e5, 2e6)))).toBe('reproduced');
    expect(status(judgeClaim(atLeast100, ci(95, 89.9, 100)))).toBe('inconclusive');
    const low = judgeClaim(atLeast100, ci(20, 10, 89.9));
    expect(low.status).toBe('not reproduced');
    if (low.status === 'not reproduced') {
      expect(low.direction).toBe('lower');
      expect(low.gap.point).toBe(5);
    }
  });

  it('≤ 2 ms: band ends at 2.2 inclusive, no lower edge', () => {
    const atMost: Claim = { kind: 'atMost', value: 2, unit: 'ms' };
    expect(status(judgeClaim(atMost, ci(0.5, 0.1, 2.2)))).toBe('reproduced');
    expect(status(judgeClaim(atMost, ci(2, 1, 2.3)))).toBe('inconclusive');
    const v = judgeClaim(atMost, ci(4, 3, 5));
    expect(v.status === 'not reproduced' && v.direction).toBe('higher');
    if (v.status === 'not reproduced') expect(v.gap.point).toBe(2);
  });

  it('a non-positive estimate gives an infinite "lower" factor', () => {
    const v = judgeClaim(atLeast100, ci(0, -1, 1));
    expect(v.status === 'not reproduced' && v.gap.point).toBe(Infinity);
  });
});

describe('judgeClaim: approximate value "~200 ms" (±20 % → [160, 240])', () => {
  const approx: Claim = { kind: 'approx', value: 200, unit: 'ms' };
  it('boundaries', () => {
    expect(status(judgeClaim(approx, ci(200, 160, 240)))).toBe('reproduced');
    expect(status(judgeClaim(approx, ci(170, 159, 180)))).toBe('inconclusive');
    expect(status(judgeClaim(approx, ci(230, 220, 241)))).toBe('inconclusive');
    expect(status(judgeClaim(approx, ci(150, 140, 159.9)))).toBe('not reproduced');
    const v = judgeClaim(approx, ci(600, 500, 700));
    expect(v.status === 'not reproduced' && v.direction).toBe('higher');
    if (v.status === 'not reproduced') {
      expect(v.gap.point).toBe(3);
      expect(v.gap.atLeast).toBe(2.5);
      expect(v.summary).toContain('600 ms');
    }
  });

  it('the global tolerance does not widen approx claims', () => {
    expect(status(judgeClaim(approx, ci(250, 245, 255), { tolerance: 0.5 }))).toBe('not reproduced');
  });
});

describe('judgeClaim: trends', () => {
  const flat: Claim = { kind: 'trend', expect: 'flat' };
  const grows: Claim = { kind: 'trend', expect: 'increasing' };
  const shrinks: Claim = { kind: 'trend', expect: 'decreasing' };

  it('flat: [−0.1, 0.1] inclusive', () => {
    expect(status(judgeClaim(flat, ci(0, -0.1, 0.1)))).toBe('reproduced');
    expect(status(judgeClaim(flat, ci(0.05, -0.02, 0.11)))).toBe('inconclusive');
    const up = judgeClaim(flat, ci(0.5, 0.3, 0.7));
    expect(up.status === 'not reproduced' && up.direction).toBe('higher');
    if (up.status === 'not reproduced') {
      expect(up.gap.measure).toBe('relative change');
      expect(up.gap.point).toBe(0.5);
      expect(up.gap.atLeast).toBe(0.3);
      expect(up.summary).toContain('50 points above');
    }
    const down = judgeClaim(flat, ci(-0.5, -0.7, -0.3));
    expect(down.status === 'not reproduced' && down.direction).toBe('lower');
  });

  it('increasing: relative change ≥ 0.1', () => {
    expect(status(judgeClaim(grows, ci(2, 0.1, 3)))).toBe('reproduced');
    expect(status(judgeClaim(grows, ci(0.2, 0.09, 0.3)))).toBe('inconclusive');
    const v = judgeClaim(grows, ci(0, -0.05, 0.05));
    expect(v.status === 'not reproduced' && v.direction).toBe('lower');
    if (v.status === 'not reproduced') {
      expect(v.gap.point).toBeCloseTo(0.1, 12);
      expect(v.gap.atLeast).toBeCloseTo(0.05, 12);
    }
  });

  it('decreasing: relative change ≤ −0.1', () => {
    expect(status(judgeClaim(shrinks, ci(-0.5, -0.6, -0.1)))).toBe('reproduced');
    expect(status(judgeClaim(shrinks, ci(-0.5, -0.6, -0.09)))).toBe('inconclusive');
    expect(status(judgeClaim(shrinks, ci(0.5, 0.4, 0.6)))).toBe('not reproduced');
  });

  it('end to end with bootstrapTrendCI: bounded stays flat, unbounded grows', () => {
    // Sizes grow geometrically, so the trend is fitted on log10(size) (see bootstrapTrendCI).
    const sizes = [1e3, 1e3, 1e4, 1e4, 1e5, 1e5, 1e6, 1e6].map(Math.log10);
    const boundedMem = [50, 51, 50, 52, 51, 50, 52, 51];
    const unboundedMem = [50, 51, 60, 61, 150, 149, 1050, 1060];
    expect(status(judgeClaim(flat, bootstrapTrendCI(sizes, boundedMem, { iterations: 1000 })))).toBe('reproduced');
    expect(status(judgeClaim(grows, bootstrapTrendCI(sizes, unboundedMem, { iterations: 1000 })))).toBe('reproduced');
    expect(status(judgeClaim(flat, bootstrapTrendCI(sizes, unboundedMem, { iterations: 1000 })))).toBe(
      'not reproduced',
    );
  });
});

describe('testability', () => {
  it('N threads are testable iff N ≤ available parallelism', () => {
    expect(testability(2, 2).testable).toBe(true);
    expect(testability(1, 2).testable).toBe(true);
    const t = testability(8, 2);
    expect(t.testable).toBe(false);
    if (!t.testable) expect(t.reason).toContain('needs 8 threads');
    expect(testability(1).available).toBe(os.availableParallelism());
    expect(() => testability(0, 2)).toThrow(RangeError);
    expect(() => testability(2, 0)).toThrow(RangeError);
    expect(() => testability(1.5, 2)).toThrow(RangeError);
  });

  it('judgeClaim returns "not testable here" before looking at the measurement', () => {
    const v = judgeClaim(range34, undefined, { requiredThreads: 4, availableParallelism: 2 });
    expect(v.status).toBe('not testable here');
    if (v.status === 'not testable here') expect(v.reason).toContain('offers 2');
    expect(judgeClaim(range34, ci(1, 1, 1), { requiredThreads: 4, availableParallelism: 2 }).status).toBe(
      'not testable here',
    );
    expect(judgeClaim(range34, ci(3.5, 3.2, 3.7), { requiredThreads: 2, availableParallelism: 2 }).status).toBe(
      'reproduced',
    );
  });

  it('notTestable with a custom reason', () => {
    const v = notTestable(range34, 'needs a NUMA machine');
    expect(v.summary).toBe('not testable here: claimed 3–4x; needs a NUMA machine');
  });
});

describe('formatClaim and parseClaim', () => {
  it('formats every kind', () => {
    expect(formatClaim(range34)).toBe('3–4x');
    expect(formatClaim({ kind: 'range', low: 3.8, high: 4, unit: 'x' })).toBe('3.8–4x');
    expect(formatClaim({ kind: 'atLeast', value: 100, unit: 'x' })).toBe('≥ 100x');
    expect(formatClaim({ kind: 'atMost', value: 2, unit: 'ms' })).toBe('≤ 2 ms');
    expect(formatClaim({ kind: 'approx', value: 200, unit: 'ms' })).toBe('~200 ms (±20%)');
    expect(formatClaim({ kind: 'trend', expect: 'flat' })).toBe('flat');
  });

  it.each([
    ['3–4x', { kind: 'range', low: 3, high: 4, unit: 'x' }],
    ['3-4x', { kind: 'range', low: 3, high: 4, unit: 'x' }],
    ['3x–4x', { kind: 'range', low: 3, high: 4, unit: 'x' }],
    ['3.8 to 4x', { kind: 'range', low: 3.8, high: 4, unit: 'x' }],
    ['≥ 100x', { kind: 'atLeast', value: 100, unit: 'x' }],
    ['>=100x', { kind: 'atLeast', value: 100, unit: 'x' }],
    ['at least 100x', { kind: 'atLeast', value: 100, unit: 'x' }],
    ['≤ 2 ms', { kind: 'atMost', value: 2, unit: 'ms' }],
    ['~200 ms', { kind: 'approx', value: 200, unit: 'ms' }],
    ['≈ 50 μs', { kind: 'approx', value: 50, unit: 'µs' }],
    ['5x', { kind: 'approx', value: 5, unit: 'x' }],
    ['10', { kind: 'approx', value: 10 }],
  ])('parses %s', (text, expected) => {
    expect(parseClaim(text)).toEqual(expected);
  });

  it('returns undefined for prose and inverted ranges', () => {
    expect(parseClaim('much faster')).toBeUndefined();
    expect(parseClaim('4–3x')).toBeUndefined();
    expect(parseClaim('')).toBeUndefined();
  });
});
