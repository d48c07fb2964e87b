import { describe, expect, it } from 'vitest';
import {
  MAD_TO_SIGMA,
  bootstrapMedianCI,
  bootstrapRatioCI,
  bootstrapTrendCI,
  createRng,
  flagOutliers,
  linearSlope,
  mad,
  mean,
  median,
  nsPerOp,
  opsPerSecond,
  pooled,
  quantile,
  quantiles,
  stddev,
  summarize,
  throughputs,
} from './stats.ts';

/** Normal-ish noise from the seeded PRNG (sum of 12 uniforms), so fixtures are deterministic. */
function noisy(seed: number, n: number, center: number, spread: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    let s = 0;
    for (let i = 0; i < 12; i++) s += rng();
    return center + (s - 6) * spread;
  });
}

describe('basic summaries', () => {
  it('median of odd and even counts, unsorted input, input untouched', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('quantiles interpolate linearly (type 7)', () => {
    const xs = [1, 2, 3, 4, 5];
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(5);
    expect(quantile(xs, 0.25)).toBe(2);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
    expect(quantiles([3, 1, 2, 4], [0.5, 0, 1])).toEqual([2.5, 1, 4]);
  });

  it('rejects empty input, NaN, Infinity and q outside [0, 1]', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, Number.NaN])).toThrow(/non-finite/);
    expect(() => mean([Infinity])).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(() => quantiles([1], [-0.1])).toThrow(RangeError);
  });

  it('mean and sample standard deviation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(stddev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138, 3);
    expect(stddev([42])).toBe(0);
  });

  it('MAD is the median absolute deviation, unscaled', () => {
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    expect(mad([5, 5, 5])).toBe(0);
    expect(MAD_TO_SIGMA).toBeCloseTo(1.4826, 4);
  });

  it('summarize agrees with the single functions', () => {
    const s = summarize([4, 1, 3, 2, 100]);
    expect(s).toMatchObject({ n: 5, min: 1, max: 100, median: 3, p25: 2, p75: 4, mad: 1 });
    expect(s.mean).toBe(22);
  });
});

describe('flagOutliers', () => {
  it('flags beyond 3 scaled MADs, strictly', () => {
    // median 10, MAD 1 → scale 1.4826; the boundary is 10 ± 4.4478
    const base = [9, 9, 10, 10, 10, 11, 11];
    const r = flagOutliers([...base, 14.4, 14.5, 2]);
    expect(r.median).toBe(10);
    expect(r.indices).toEqual([8, 9]);
    expect(r.isOutlier).toEqual([false, false, false, false, false, false, false, false, true, true]);
  });

  it('a score exactly at the threshold is not an outlier', () => {
    const xs = [9, 9, 10, 10, 10, 11, 11];
    const r = flagOutliers(xs, 1 / MAD_TO_SIGMA); // score of 9 and 11 is exactly the threshold
    expect(r.scores[0]).toBeCloseTo(1 / MAD_TO_SIGMA, 12);
    expect(r.indices).toEqual([]);
  });

  it('falls back to the mean absolute deviation when the MAD is 0', () => {
    const r = flagOutliers([1, 1, 1, 1, 100]);
    expect(r.indices).toEqual([4]);
    expect(r.scale).toBeGreaterThan(0);
  });

  it('flags nothing when all samples are equal', () => {
    const r = flagOutliers([3, 3, 3]);
    expect(r.indices).toEqual([]);
    expect(r.scores).toEqual([0, 0, 0]);
  });

  it('rejects a non-positive threshold', () => {
    expect(() => flagOutliers([1, 2], 0)).toThrow(RangeError);
  });
});

describe('throughput helpers', () => {
  it('ops/s from milliseconds', () => {
    expect(opsPerSecond(1_000_000, 500)).toBe(2_000_000);
    expect(throughputs([1000, 2000], 10)).toEqual([10, 5]);
    expect(nsPerOp(1000, 1)).toBe(1000);
  });

  it('rejects zero or negative durations', () => {
    expect(() => opsPerSecond(10, 0)).toThrow(RangeError);
    expect(() => opsPerSecond(10, -1)).toThrow(RangeError);
    expect(() => opsPerSecond(-1, 1)).toThrow(RangeError);
    expect(() => nsPerOp(0, 1)).toThrow(RangeError);
  });

  it('the median throughput is ops / median duration for odd counts', () => {
    const d = [10, 30, 20, 50, 40];
    expect(median(throughputs(d, 1000))).toBe(opsPerSecond(1000, median(d)));
  });
});

describe('createRng', () => {
  it('is deterministic per seed and uniform-ish in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    const ys = Array.from({ length: 10_000 }, () => b());
    expect(xs).toEqual(ys);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeCloseTo(0.5, 1);
    const c = createRng(43);
    expect(c()).not.toBe(createRng(42)());
  });
});

describe('bootstrapRatioCI', () => {
  const slow = noisy(1, 40, 30, 2);
  const fast = noisy(2, 40, 10, 0.7);

  it('the ratio is the ratio of medians and lies inside the interval', () => {
    const ci = bootstrapRatioCI(slow, fast, { iterations: 2000, seed: 7 });
    expect(ci.ratio).toBeCloseTo(median(slow) / median(fast), 12);
    expect(ci.low).toBeLessThanOrEqual(ci.ratio);
    expect(ci.high).toBeGreaterThanOrEqual(ci.ratio);
    expect(ci.low).toBeGreaterThan(2.5);
    expect(ci.high).toBeLessThan(3.5);
    expect(ci.confidence).toBe(0.95);
    expect(ci.iterations).toBe(2000);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = bootstrapRatioCI(slow, fast, { iterations: 500, seed: 3 });
    const b = bootstrapRatioCI(slow, fast, { iterations: 500, seed: 3 });
    const c = bootstrapRatioCI(slow, fast, { iterations: 500, seed: 4 });
    expect(a).toEqual(b);
    expect(c.low === a.low && c.high === a.high).toBe(false);
  });

  it('a higher confidence gives a wider interval', () => {
    const narrow = bootstrapRatioCI(slow, fast, { iterations: 2000, confidence: 0.5 });
    const wide = bootstrapRatioCI(slow, fast, { iterations: 2000, confidence: 0.99 });
    expect(wide.low).toBeLessThan(narrow.low);
    expect(wide.high).toBeGreaterThan(narrow.high);
  });

  it('identical constant samples give a degenerate interval', () => {
    const ci = bootstrapRatioCI([6, 6, 6], [2, 2], { iterations: 100 });
    expect(ci).toMatchObject({ ratio: 3, low: 3, high: 3 });
  });

  it('grouped samples: process-to-process noise widens the interval', () => {
    // Three processes each, with a process-level shift of ±30 % (a "slow minute"); within-process noise is small.
    const shifts = [0.7, 1, 1.3];
    const numGroups = shifts.map((s, i) => noisy(10 + i, 15, 30 * s, 0.3));
    const denGroups = [1.25, 0.8, 1].map((s, i) => noisy(20 + i, 15, 10 * s, 0.1));
    const flat = bootstrapRatioCI(pooled(numGroups), pooled(denGroups), { iterations: 3000 });
    const grouped = bootstrapRatioCI(numGroups, denGroups, { iterations: 3000 });
    expect(grouped.ratio).toBeCloseTo(flat.ratio, 12);
    expect(grouped.high - grouped.low).toBeGreaterThan(1.5 * (flat.high - flat.low));
  });

  it('paired resampling cancels a shift that both variants share', () => {
    // Both variants ran in the same three processes; each process slows both by the same factor.
    const shifts = [0.6, 1, 1.6];
    const num = shifts.map((s, i) => noisy(30 + i, 15, 30 * s, 0.2));
    const den = shifts.map((s, i) => noisy(40 + i, 15, 10 * s, 0.07));
    const unpaired = bootstrapRatioCI(num, den, { iterations: 3000 });
    const paired = bootstrapRatioCI(num, den, { iterations: 3000, paired: true });
    expect(paired.high - paired.low).toBeLessThan(unpaired.high - unpaired.low);
    expect(paired.low).toBeGreaterThan(2.5);
    expect(paired.high).toBeLessThan(3.5);
  });

  it('rejects bad input and options', () => {
    expect(() => bootstrapRatioCI([], [1])).toThrow(RangeError);
    expect(() => bootstrapRatioCI([1], [0, 0])).toThrow(/denominator median is 0/);
    expect(() => bootstrapRatioCI([[1], []], [1])).toThrow(RangeError);
    expect(() => bootstrapRatioCI([1, Number.NaN], [1])).toThrow(RangeError);
    expect(() => bootstrapRatioCI([1], [1], { iterations: 0 })).toThrow(RangeError);
    expect(() => bootstrapRatioCI([1], [1], { confidence: 1 })).toThrow(RangeError);
    expect(() => bootstrapRatioCI([[1], [2]], [[1]], { paired: true })).toThrow(/paired/);
    expect(() => bootstrapRatioCI([1, 2], [1, 2], { paired: true })).toThrow(/paired/);
  });
});

describe('bootstrapMedianCI', () => {
  it('brackets the median, flat and grouped', () => {
    const xs = noisy(5, 50, 100, 5);
    const ci = bootstrapMedianCI(xs, { iterations: 2000 });
    expect(ci.median).toBe(median(xs));
    expect(ci.low).toBeLessThanOrEqual(ci.median);
    expect(ci.high).toBeGreaterThanOrEqual(ci.median);
    const g = bootstrapMedianCI([xs.slice(0, 25), xs.slice(25)], { iterations: 2000 });
    expect(g.median).toBe(ci.median);
  });
});

describe('trends', () => {
  it('linearSlope fits a line and rejects constant x', () => {
    expect(linearSlope([1, 2, 3], [2, 4, 6])).toBeCloseTo(2, 12);
    expect(() => linearSlope([1, 1], [1, 2])).toThrow(RangeError);
    expect(() => linearSlope([1, 2], [1])).toThrow(RangeError);
  });

  it('a flat series has a relative change near 0, a growing one a large positive change', () => {
    const xs = [1, 1, 1, 2, 2, 2, 4, 4, 4, 8, 8, 8];
    const flatYs = xs.map((_, i) => 100 + ((i * 7) % 5) - 2);
    const growYs = xs.map((x, i) => 100 * x + ((i * 7) % 5));
    const flat = bootstrapTrendCI(xs, flatYs, { iterations: 1000 });
    const grow = bootstrapTrendCI(xs, growYs, { iterations: 1000 });
    expect(Math.abs(flat.estimate)).toBeLessThan(0.05);
    expect(flat.low).toBeGreaterThan(-0.1);
    expect(flat.high).toBeLessThan(0.1);
    // slope 100 over span 7, median y ≈ 300 → about 2.3
    expect(grow.estimate).toBeGreaterThan(2);
    expect(grow.low).toBeGreaterThan(1);
  });

  it('rejects a zero median and a single x value', () => {
    expect(() => bootstrapTrendCI([1, 2, 3], [0, 0, 1])).toThrow(/median of y is 0/);
    expect(() => bootstrapTrendCI([1, 1], [1, 2])).toThrow(RangeError);
  });
});
