/**
 * From raw samples to intervals: the only place where the runner turns per-process samples into numbers with
 * bootstrap intervals (benches/lib/stats.ts does the resampling).
 *
 * Samples of a variant are kept per process, aligned by process index (an empty array where a process failed),
 * so two variants of one cell can be paired process by process: a ratio uses paired resampling over the
 * processes where both variants have samples (a slow process slows both and cancels out), and falls back to
 * independent resampling when only one process is left. Results are looked up by `<suite>:<cell id>`.
 */
import {
  bootstrapMedianCI,
  bootstrapRatioCI,
  bootstrapTrendCI,
  type MedianCI,
  type RatioCI,
  type TrendCI,
} from '../lib/stats.ts';
import type { CellResult } from './types.ts';

export type Results = ReadonlyMap<string, CellResult>;

export const cellKey = (suite: string, id: string): string => `${suite}:${id}`;

export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

const ITERATIONS = 4000;

/** Per-process sample groups of a variant (aligned by process; empty groups kept), or undefined if none. */
export function groupsOf(results: Results, key: string, variant: string): number[][] | undefined {
  const groups = results.get(key)?.samples[variant];
  if (!groups || groups.every((g) => g.length === 0)) return undefined;
  return groups;
}

/** Median with its interval, times `scale`. */
export function medianOf(results: Results, key: string, variant: string, scale = 1): Interval | undefined {
  const groups = groupsOf(results, key, variant)?.filter((g) => g.length > 0);
  if (!groups) return undefined;
  const ci: MedianCI = bootstrapMedianCI(groups, { iterations: ITERATIONS });
  const [a, b] = [ci.low * scale, ci.high * scale].sort((x, y) => x - y) as [number, number];
  return { estimate: ci.median * scale, low: a, high: b };
}

/** median(numerator) / median(denominator), paired by process where possible. */
export function ratioOf(
  results: Results,
  key: string,
  numerator: string,
  denominator: string,
  denominatorKey = key,
): Interval | undefined {
  const num = groupsOf(results, key, numerator);
  const den = groupsOf(results, denominatorKey, denominator);
  if (!num || !den) return undefined;
  const pairs: [number[], number[]][] = [];
  for (let i = 0; i < Math.min(num.length, den.length); i++) {
    const a = num[i] as number[];
    const b = den[i] as number[];
    if (a.length > 0 && b.length > 0) pairs.push([a, b]);
  }
  let ci: RatioCI;
  try {
    if (pairs.length >= 2) {
      ci = bootstrapRatioCI(
        pairs.map((p) => p[0]),
        pairs.map((p) => p[1]),
        { paired: true, iterations: ITERATIONS },
      );
    } else {
      ci = bootstrapRatioCI(
        num.filter((g) => g.length > 0),
        den.filter((g) => g.length > 0),
        { iterations: ITERATIONS },
      );
    }
  } catch {
    return undefined; // a zero median: no ratio
  }
  if (!Number.isFinite(ci.low) || !Number.isFinite(ci.high)) return undefined;
  return { estimate: ci.ratio, low: ci.low, high: ci.high };
}

/**
 * Relative change over time of a sampled series (e.g. queue length), from `fromFraction` of each run's time span
 * on: every repetition's points are pooled and resampled as (x, y) pairs.
 */
export function trendOf(
  results: Results,
  key: string,
  series: string,
  fromFraction = 0,
): (Interval & { slope: number }) | undefined {
  const runs = results.get(key)?.series[series];
  if (!runs || runs.length === 0) return undefined;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const run of runs) {
    const maxX = Math.max(...run.map((p) => p[0]));
    for (const [x, y] of run) {
      if (x >= maxX * fromFraction) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  let ci: TrendCI;
  try {
    ci = bootstrapTrendCI(xs, ys, { iterations: 2000 });
  } catch {
    return undefined;
  }
  return { estimate: ci.estimate, low: ci.low, high: ci.high, slope: ci.slope };
}

/** The median series of several runs of the same sampling schedule (point by point), for charts. */
export function medianSeries(runs: readonly [number, number][][]): [number, number][] {
  const length = Math.min(...runs.map((r) => r.length));
  const out: [number, number][] = [];
  for (let i = 0; i < length; i++) {
    const xs = runs.map((r) => (r[i] as [number, number])[0]).sort((a, b) => a - b);
    const ys = runs.map((r) => (r[i] as [number, number])[1]).sort((a, b) => a - b);
    out.push([xs[xs.length >> 1] as number, ys[ys.length >> 1] as number]);
  }
  return out;
}
