/**
 * Robust statistics for noisy benchmark samples.
 *
 * The machine this project targets gives the same benchmark 16 ms in one minute and 47 ms in the next, and a
 * confidence interval computed inside one process often misses the next process's result. So the summaries here
 * are medians, quantiles and MADs rather than means, and the intervals are bootstrap intervals that can treat
 * the process as the unit of replication (hierarchical resampling), not the single run.
 *
 * Guarantees shared by every function in this file:
 * - Inputs are never mutated (sorting happens on copies).
 * - Empty inputs and non-finite values (NaN, ±Infinity) throw a RangeError instead of returning NaN quietly:
 *   a NaN that reaches a report is harder to trace than an exception at the source.
 * - Randomness comes only from `createRng(seed)`, so every bootstrap result is a pure function of its inputs
 *   and its seed (tests and reports are reproducible).
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** Samples from several processes: one inner array per process, each holding that process's runs. */
export type GroupedSamples = readonly (readonly number[])[];

/** Flat samples (all runs treated as independent) or grouped by process. */
export type Samples = readonly number[] | GroupedSamples;

function assertFinite(xs: readonly number[], what: string): void {
  if (xs.length === 0) throw new RangeError(`${what}: no samples`);
  for (const x of xs) {
    if (!Number.isFinite(x)) throw new RangeError(`${what}: non-finite sample ${String(x)}`);
  }
}

function sortedCopy(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Quantile of already sorted, non-empty data, linear interpolation between order statistics. */
function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return lo === hi ? a : a + (b - a) * (pos - lo);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) with linear interpolation between order statistics (Hyndman & Fan type 7, the
 * default of R and NumPy): q = 0 is the minimum, q = 1 the maximum, q = 0.5 the median.
 */
export function quantile(xs: readonly number[], q: number): number {
  assertFinite(xs, 'quantile');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  return quantileSorted(sortedCopy(xs), q);
}

/** Several quantiles of the same data, sorting once. Results are in the order of `qs`. */
export function quantiles(xs: readonly number[], qs: readonly number[]): number[] {
  assertFinite(xs, 'quantiles');
  const sorted = sortedCopy(xs);
  return qs.map((q) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantiles: q must be in [0, 1], got ${q}`);
    return quantileSorted(sorted, q);
  });
}

/** The median: the middle value, or the mean of the two middle values for an even count. */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Arithmetic mean. */
export function mean(xs: readonly number[]): number {
  assertFinite(xs, 'mean');
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Sample standard deviation (divisor n − 1); 0 for a single sample, so one run reports no spread, not NaN. */
export function stddev(xs: readonly number[]): number {
  assertFinite(xs, 'stddev');
  if (xs.length === 1) return 0;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/**
 * Factor that turns a MAD into a consistent estimate of the standard deviation for normally distributed data
 * (1 / Φ⁻¹(3/4)).
 */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Median absolute deviation from the median, unscaled: median(|x − median(x)|). Multiply by `MAD_TO_SIGMA`
 * to compare it with a standard deviation. Half of the samples lie within one MAD of the median.
 */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly mad: number;
}

/** All of the above at once, for a report row or the raw JSON. */
export function summarize(xs: readonly number[]): Summary {
  assertFinite(xs, 'summarize');
  const [min, p25, med, p75, max] = quantiles(xs, [0, 0.25, 0.5, 0.75, 1]) as [number, number, number, number, number];
  return { n: xs.length, min, max, mean: mean(xs), stddev: stddev(xs), median: med, p25, p75, mad: mad(xs) };
}

// ---------------------------------------------------------------------------------------------------------------
// Outliers

export interface OutlierReport {
  /** Indices (into the input) of the flagged samples, ascending. */
  readonly indices: number[];
  /** One flag per input sample. */
  readonly isOutlier: boolean[];
  /** |x − median| divided by the robust scale, one per input sample (0 when the scale is 0). */
  readonly scores: number[];
  readonly median: number;
  /** The robust scale used: MAD × 1.4826, or the fallback described at `flagOutliers`. */
  readonly scale: number;
}

/**
 * Flags samples that lie more than `threshold` robust standard deviations from the median (default 3), where the
 * robust standard deviation is MAD × 1.4826. The comparison is strict: a score of exactly `threshold` is not an
 * outlier.
 *
 * When more than half of the samples are identical the MAD is 0 (common with coarse timers). Then the scale falls
 * back to the mean absolute deviation from the median × 1.2533 (its normal-consistency factor, √(π/2)), so that
 * [1, 1, 1, 1, 100] still flags the 100. If that is 0 too, all samples are equal and nothing is flagged.
 *
 * Flagging never removes anything: the benches report outliers; they do not silently drop them.
 */
export function flagOutliers(xs: readonly number[], threshold = 3): OutlierReport {
  assertFinite(xs, 'flagOutliers');
  if (!(threshold > 0)) throw new RangeError(`flagOutliers: threshold must be > 0, got ${threshold}`);
  const m = median(xs);
  let scale = mad(xs) * MAD_TO_SIGMA;
  if (scale === 0) {
    let sum = 0;
    for (const x of xs) sum += Math.abs(x - m);
    scale = (sum / xs.length) * Math.sqrt(Math.PI / 2);
  }
  const scores = xs.map((x) => (scale === 0 ? 0 : Math.abs(x - m) / scale));
  const isOutlier = scores.map((s) => s > threshold);
  const indices: number[] = [];
  isOutlier.forEach((flag, i) => {
    if (flag) indices.push(i);
  });
  return { indices, isOutlier, scores, median: m, scale };
}

// ---------------------------------------------------------------------------------------------------------------
// Throughput

/**
 * Operations per second for `operations` operations that took `durationMs` milliseconds (the unit of
 * `performance.now()`). Throws for a non-positive duration: a zero-length run is a timer-resolution problem, not
 * an infinitely fast one.
 */
export function opsPerSecond(operations: number, durationMs: number): number {
  if (!Number.isFinite(operations) || operations < 0)
    throw new RangeError(`opsPerSecond: bad operation count ${operations}`);
  if (!Number.isFinite(durationMs) || durationMs <= 0)
    throw new RangeError(`opsPerSecond: duration must be > 0 ms, got ${durationMs}`);
  return (operations * 1000) / durationMs;
}

/**
 * Throughput of each run, for runs of the same `operations` count. Because ops/s is a decreasing function of the
 * duration, the median throughput equals `operations` / median duration for an odd number of runs, and a ratio of
 * median throughputs is the inverse ratio of median durations.
 */
export function throughputs(durationsMs: readonly number[], operations: number): number[] {
  return durationsMs.map((d) => opsPerSecond(operations, d));
}

/** Nanoseconds per operation, the inverse view of `opsPerSecond`. */
export function nsPerOp(operations: number, durationMs: number): number {
  if (!Number.isFinite(operations) || operations <= 0)
    throw new RangeError(`nsPerOp: operation count must be > 0, got ${operations}`);
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new RangeError(`nsPerOp: bad duration ${durationMs}`);
  return (durationMs * 1e6) / operations;
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness and the bootstrap

/**
 * A deterministic PRNG (mulberry32: 32-bit state, period 2³²), uniform in [0, 1). The same seed always yields
 * the same sequence on every platform, because it uses only 32-bit integer arithmetic.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
function randomIndex(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

export function isGrouped(samples: Samples): samples is GroupedSamples {
  return samples.length > 0 && Array.isArray(samples[0]);
}

/** Normalizes flat or grouped samples to groups, validating them. Flat samples become one group. */
function toGroups(samples: Samples, what: string): GroupedSamples {
  if (samples.length === 0) throw new RangeError(`${what}: no samples`);
  const groups: GroupedSamples = isGrouped(samples) ? samples : [samples as readonly number[]];
  groups.forEach((g, i) => {
    if (!Array.isArray(g)) throw new RangeError(`${what}: mixed flat and grouped samples`);
    assertFinite(g, `${what} (group ${i})`);
  });
  return groups;
}

/** All samples of all groups in one array. */
export function pooled(samples: Samples): number[] {
  return isGrouped(samples) ? samples.flat() : [...(samples as readonly number[])];
}

/**
 * One bootstrap replicate of the pooled median. Groups are resampled first (a process is the unit that shares a
 * "fast minute" or a "slow minute"), then runs within each drawn group. With a single group (flat samples) this
 * is the ordinary bootstrap. `groupOrder` fixes which groups are drawn, for paired resampling.
 */
function replicateMedian(groups: GroupedSamples, rng: Rng, groupOrder?: readonly number[]): number {
  const out: number[] = [];
  const g = groups.length;
  for (let k = 0; k < g; k++) {
    const groupIndex = g === 1 ? 0 : groupOrder ? (groupOrder[k] as number) : randomIndex(rng, g);
    const group = groups[groupIndex] as readonly number[];
    for (let j = 0; j < group.length; j++) out.push(group[randomIndex(rng, group.length)] as number);
  }
  out.sort((a, b) => a - b);
  return quantileSorted(out, 0.5);
}

export interface BootstrapOptions {
  /** Number of bootstrap replicates (default 10,000). */
  readonly iterations?: number;
  /** Two-sided coverage of the interval, in (0, 1) (default 0.95). */
  readonly confidence?: number;
  /** Seed of the PRNG (default 1). The same inputs and seed always give the same interval. */
  readonly seed?: number;
  /**
   * Resample the processes of numerator and denominator together (default false). Use it when both variants ran
   * interleaved in the same processes, so group i of the numerator and group i of the denominator shared a
   * process: then a slow process slows both and the pairing cancels that. Requires grouped samples with the same
   * number of groups on both sides.
   */
  readonly paired?: boolean;
}

export interface RatioCI {
  /** median(pooled numerator) / median(pooled denominator), computed on the data, not on the replicates. */
  readonly ratio: number;
  /** Percentile-bootstrap interval of the ratio. low ≤ high always; the ratio usually but not necessarily lies inside. */
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  readonly iterations: number;
}

export interface MedianCI {
  readonly median: number;
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  readonly iterations: number;
}

function checkOptions(opts: BootstrapOptions): { iterations: number; confidence: number; seed: number } {
  const iterations = opts.iterations ?? 10_000;
  const confidence = opts.confidence ?? 0.95;
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new RangeError(`bootstrap: iterations must be a positive integer, got ${iterations}`);
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`bootstrap: confidence must be in (0, 1), got ${confidence}`);
  return { iterations, confidence, seed };
}

function percentileInterval(replicates: number[], confidence: number): { low: number; high: number } {
  replicates.sort((a, b) => a - b);
  const alpha = (1 - confidence) / 2;
  return { low: quantileSorted(replicates, alpha), high: quantileSorted(replicates, 1 - alpha) };
}

/**
 * Percentile-bootstrap confidence interval for the ratio of two medians, e.g. the median time of a Mutex<Vec>
 * variant over the median time of a channel variant ("channels are 3.4x faster").
 *
 * Each side is either a flat array (runs treated as independent) or an array of arrays, one per process
 * (hierarchical bootstrap: each replicate draws processes with replacement, then runs with replacement within
 * each drawn process, then takes the median of everything drawn). Numerator and denominator are resampled
 * independently unless `paired` is set (see `BootstrapOptions.paired`).
 *
 * Throws a RangeError when the denominator's median is 0 (the ratio is undefined), when any sample is non-finite,
 * or when a group is empty. Samples are meant to be positive measurements (durations, throughputs).
 */
export function bootstrapRatioCI(numerator: Samples, denominator: Samples, options: BootstrapOptions = {}): RatioCI {
  const { iterations, confidence, seed } = checkOptions(options);
  const num = toGroups(numerator, 'bootstrapRatioCI numerator');
  const den = toGroups(denominator, 'bootstrapRatioCI denominator');
  const denMedian = median(pooled(denominator));
  if (denMedian === 0) throw new RangeError('bootstrapRatioCI: the denominator median is 0, the ratio is undefined');
  const ratio = median(pooled(numerator)) / denMedian;

  const paired = options.paired ?? false;
  if (paired) {
    if (!isGrouped(numerator) || !isGrouped(denominator) || num.length !== den.length) {
      throw new RangeError(
        'bootstrapRatioCI: paired resampling needs grouped samples with the same number of groups on both sides',
      );
    }
  }
  const rng = createRng(seed);
  const replicates: number[] = [];
  const order: number[] = new Array<number>(num.length).fill(0);
  for (let i = 0; i < iterations; i++) {
    let r: number;
    if (paired) {
      for (let k = 0; k < order.length; k++) order[k] = randomIndex(rng, num.length);
      r = replicateMedian(num, rng, order) / replicateMedian(den, rng, order);
    } else {
      r = replicateMedian(num, rng) / replicateMedian(den, rng);
    }
    // A replicate whose denominator median is 0 gives ±Infinity or NaN; keep ±Infinity (it sorts correctly and
    // honestly widens the interval) and drop NaN (0/0), which has no place in an ordering.
    if (!Number.isNaN(r)) replicates.push(r);
  }
  if (replicates.length === 0) throw new RangeError('bootstrapRatioCI: every replicate was 0/0');
  return { ratio, ...percentileInterval(replicates, confidence), confidence, iterations };
}

/** Percentile-bootstrap interval for one median, with the same flat/grouped resampling as `bootstrapRatioCI`. */
export function bootstrapMedianCI(samples: Samples, options: BootstrapOptions = {}): MedianCI {
  const { iterations, confidence, seed } = checkOptions(options);
  const groups = toGroups(samples, 'bootstrapMedianCI');
  const rng = createRng(seed);
  const replicates: number[] = [];
  for (let i = 0; i < iterations; i++) replicates.push(replicateMedian(groups, rng));
  return { median: median(pooled(samples)), ...percentileInterval(replicates, confidence), confidence, iterations };
}

// ---------------------------------------------------------------------------------------------------------------
// Trends ("bounded stays flat, unbounded grows")

/** Least-squares slope of y on x. Throws when x has no spread (the slope is undefined). */
export function linearSlope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new RangeError('linearSlope: xs and ys differ in length');
  assertFinite(xs, 'linearSlope xs');
  assertFinite(ys, 'linearSlope ys');
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx;
    sxy += dx * ((ys[i] as number) - my);
    sxx += dx * dx;
  }
  if (sxx === 0) throw new RangeError('linearSlope: all x values are equal');
  return sxy / sxx;
}

export interface TrendCI {
  /**
   * Relative change across the measured x range: slope × (max x − min x) / |median y|. 0.5 means "the fitted line
   * rises by half of the typical value from the first to the last x"; it is unit-free, so one flatness tolerance
   * fits bytes, milliseconds and queue lengths alike.
   */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly slope: number;
  readonly confidence: number;
  readonly iterations: number;
}

/**
 * Bootstrap interval of the relative change (see `TrendCI.estimate`) of y over x, resampling (x, y) pairs.
 * Repeated x values are fine (several runs per thread count). Needs at least two distinct x values and a nonzero
 * median of y; resamples that happen to contain a single x value are redrawn.
 *
 * Pass log10(x) when x grows geometrically (1k, 10k, 100k messages; 1, 2, 4, 8 threads): on a linear x axis the
 * last point alone decides the slope, and resamples that miss it swing the interval wildly.
 */
export function bootstrapTrendCI(
  xs: readonly number[],
  ys: readonly number[],
  options: Omit<BootstrapOptions, 'paired'> = {},
): TrendCI {
  const { iterations, confidence, seed } = checkOptions(options);
  const slope = linearSlope(xs, ys);
  const span = Math.max(...xs) - Math.min(...xs);
  const level = Math.abs(median(ys));
  if (level === 0) throw new RangeError('bootstrapTrendCI: the median of y is 0, a relative change is undefined');
  const rel = (s: number) => (s * span) / level;
  const rng = createRng(seed);
  const n = xs.length;
  const bx = new Array<number>(n).fill(0);
  const by = new Array<number>(n).fill(0);
  const replicates: number[] = [];
  for (let i = 0; i < iterations; i++) {
    for (let attempt = 0; ; attempt++) {
      let distinct = false;
      for (let k = 0; k < n; k++) {
        const j = randomIndex(rng, n);
        bx[k] = xs[j] as number;
        by[k] = ys[j] as number;
        if (bx[k] !== bx[0]) distinct = true;
      }
      if (distinct) break;
      if (attempt > 1000) throw new RangeError('bootstrapTrendCI: too few distinct x values to resample');
    }
    replicates.push(rel(linearSlope(bx, by)));
  }
  return { estimate: rel(slope), slope, ...percentileInterval(replicates, confidence), confidence, iterations };
}
