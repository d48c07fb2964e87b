/**
 * `--compare <report.json>`: this run against an earlier report, variant by variant.
 *
 * Only like is compared with like: both reports must use the same method version (how cells are timed), and a
 * cell counts only when its parameters (sizes, thread counts) are equal in both; anything else is listed as not
 * comparable rather than compared. For each variant the ratio new/old of medians gets a bootstrap interval
 * (processes resampled independently: the two runs share nothing). A change is flagged only when the whole
 * interval lies more than 5% away from 1: above 1.05 (or below 0.95) is a regression or an improvement
 * depending on whether lower or higher is better for that variant's unit. A variant with fewer than two samples on
 * either side has no interval and is not compared. When the two reports come from another CPU model, core count or
 * Node version, the comparison carries a warning for each; `--fail-on-regression[=PCT]` turns regressions beyond
 * PCT% (default 5) into a non-zero exit.
 */
import { bootstrapRatioCI } from '../lib/stats.ts';
import type { MachineInfo } from '../lib/machine.ts';
import type { Better, CellResult } from './types.ts';

/**
 * How cells are measured. Bump it whenever a change makes a report's numbers mean something else, so that
 * `--compare` and `--merge` refuse to set reports measured one way against reports measured another.
 *
 *   1  the first runner (fresh processes per cell, interleaved variants, bootstrap over processes)
 *   2  the blocked-send claim times the blocking only (no consumer spawn); the P2 m2 claim runs fixed CPU tasks;
 *      the transport and pool cells warm up before timing, the transport cell's timed round sends the harness's
 *      full volume in every profile; the quick profile runs 5 processes
 */
export const METHOD_VERSION = 2;
export const CHANGE_THRESHOLD = 0.05;

/** The part of a report that --compare reads. */
export interface ComparableReport {
  readonly method: { readonly version: number };
  readonly cells: readonly Pick<CellResult, 'spec' | 'samples' | 'info'>[];
  readonly machine?: Pick<MachineInfo, 'cpuModel' | 'availableParallelism' | 'nodeVersion'>;
}

/**
 * Why two reports' numbers may differ for reasons other than the code: another CPU model, another core count,
 * another Node version. Each is one sentence for the report and the terminal; the comparison still runs.
 */
export function environmentWarnings(now: ComparableReport['machine'], then: ComparableReport['machine']): string[] {
  if (!now || !then)
    return then ? [] : ['the earlier report has no machine context: cannot tell whether it ran on the same machine'];
  const out: string[] = [];
  if (now.cpuModel !== then.cpuModel) out.push(`different CPU: ${then.cpuModel} then, ${now.cpuModel} now`);
  if (now.availableParallelism !== then.availableParallelism)
    out.push(`different core count: ${then.availableParallelism} then, ${now.availableParallelism} now`);
  if (now.nodeVersion !== then.nodeVersion)
    out.push(`different Node version: ${then.nodeVersion} then, ${now.nodeVersion} now`);
  return out.map((w) => `${w}; changes may come from the machine, not the code`);
}

/** The regressions beyond `pct` percent (the whole interval past 1 ± pct/100): what --fail-on-regression fails on. */
export function regressionsBeyond(c: Comparison, pct: number): Change[] {
  return c.changes.filter(
    (x) => x.ratio && x.better && classify(x.ratio.low, x.ratio.high, x.better, pct / 100) === 'regression',
  );
}

/**
 * What `--fail-on-regression=PCT` decides: a regression beyond PCT% fails, and so does a comparison that compared
 * nothing (another method version, or no variant measured with the same settings on both sides): a gate that
 * cannot see a regression must not pass.
 */
export function regressionGate(c: Comparison, pct: number): { pass: true } | { pass: false; message: string } {
  if (!c.comparable) return { pass: false, message: `nothing was compared: ${c.reason}` };
  if (c.changes.every((x) => x.status === 'not comparable'))
    return { pass: false, message: 'nothing was compared: no variant ran with the same settings in both reports' };
  const bad = regressionsBeyond(c, pct);
  if (bad.length === 0) return { pass: true };
  const named = bad.slice(0, 3).map((b) => `${b.cell} "${b.variant}"`);
  return {
    pass: false,
    message: `${bad.length} regression(s) beyond ${pct}%: ${named.join(', ')}${bad.length > 3 ? ', …' : ''}`,
  };
}

export type ChangeStatus = 'regression' | 'improvement' | 'unchanged' | 'not comparable';

export interface Change {
  readonly cell: string;
  readonly variant: string;
  readonly status: ChangeStatus;
  /** new/old ratio of medians with its interval (absent when not comparable). */
  readonly ratio?: { readonly estimate: number; readonly low: number; readonly high: number };
  readonly better?: Better;
  readonly reason?: string;
}

export interface Comparison {
  readonly comparable: boolean;
  /** Differences of machine that make the comparison suspect (CPU, cores, Node). */
  readonly warnings?: string[];
  readonly reason?: string;
  readonly changes: Change[];
}

/** Classifies an interval of new/old: see the header. */
export function classify(
  low: number,
  high: number,
  better: Better,
  threshold = CHANGE_THRESHOLD,
): Exclude<ChangeStatus, 'not comparable'> {
  const up = low > 1 + threshold;
  const down = high < 1 - threshold;
  if (!up && !down) return 'unchanged';
  if (better === 'lower') return up ? 'regression' : 'improvement';
  return up ? 'improvement' : 'regression';
}

const nonEmpty = (groups: readonly (readonly number[])[] | undefined) => (groups ?? []).filter((g) => g.length > 0);

export function compareReports(current: ComparableReport, earlier: ComparableReport): Comparison {
  if (current.method.version !== earlier.method.version) {
    return {
      comparable: false,
      reason: `different method versions (${earlier.method.version} then, ${current.method.version} now)`,
      changes: [],
    };
  }
  const old = new Map(earlier.cells.map((c) => [`${c.spec.suite}:${c.spec.id}`, c]));
  const changes: Change[] = [];
  for (const cell of current.cells) {
    const key = `${cell.spec.suite}:${cell.spec.id}`;
    const before = old.get(key);
    for (const variant of Object.keys(cell.samples)) {
      const better = cell.info[variant]?.better ?? 'lower';
      if (!before) {
        changes.push({ cell: key, variant, status: 'not comparable', reason: 'not in the earlier report' });
        continue;
      }
      if (JSON.stringify(before.spec.params) !== JSON.stringify(cell.spec.params)) {
        changes.push({ cell: key, variant, status: 'not comparable', reason: 'different cell settings' });
        continue;
      }
      const a = nonEmpty(cell.samples[variant]);
      const b = nonEmpty(before.samples[variant]);
      if (a.length === 0 || b.length === 0) {
        changes.push({ cell: key, variant, status: 'not comparable', reason: 'no samples on one side' });
        continue;
      }
      if (a.flat().length < 2 || b.flat().length < 2) {
        changes.push({
          cell: key,
          variant,
          status: 'not comparable',
          reason: 'fewer than 2 samples on one side: no interval',
        });
        continue;
      }
      try {
        const ci = bootstrapRatioCI(a, b, { iterations: 4000 });
        changes.push({
          cell: key,
          variant,
          status: classify(ci.low, ci.high, better),
          ratio: { estimate: ci.ratio, low: ci.low, high: ci.high },
          better,
        });
      } catch (error) {
        changes.push({ cell: key, variant, status: 'not comparable', reason: (error as Error).message });
      }
    }
  }
  const warnings = environmentWarnings(current.machine, earlier.machine);
  return { comparable: true, changes, ...(warnings.length ? { warnings } : {}) };
}
