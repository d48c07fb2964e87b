/**
 * Claims → verdicts: looks up the measurement each claim names (claims.ts), computes its interval
 * (analysis.ts) and asks benches/lib/verdict.ts for the verdict. Nothing here decides a verdict by itself;
 * it only picks what "not testable here" means when no number exists (no cell in this profile, a failed cell,
 * a claim with nothing to measure).
 */
import { formatClaim, judgeClaim, notTestable, type Verdict } from '../lib/verdict.ts';
import { formatRatio } from '../lib/table.ts';
import { type Interval, medianOf, ratioOf, type Results, trendOf } from './analysis.ts';
import { CLAIMS, type ClaimDef, type Measure, resolveCell } from './claims.ts';
import type { Profile } from './types.ts';

export interface ClaimResult {
  readonly id: string;
  readonly source: string;
  readonly origin: 'chapter' | 'harness';
  readonly text: string;
  readonly claimText: string;
  readonly requiredThreads: number;
  readonly measured?: Interval;
  /** The measurement as text, e.g. "1.12x [1.05–1.20]". */
  readonly measuredText: string;
  /** The same measurement at a thread count this machine can run, when the claim itself is not testable. */
  readonly alsoText?: string;
  readonly method?: string;
  readonly verdict: Verdict;
  /** Why JS threads differ, when the claim was not reproduced. */
  readonly explanation?: string;
}

function cellOf(m: Measure, cores: number): string | undefined {
  return m.kind === 'none' ? undefined : resolveCell(m.cell, cores);
}

export function measureOf(m: Measure, results: Results, profile: Profile, cores: number, cellOverride?: string): Interval | undefined {
  const cell = cellOverride ?? cellOf(m, cores);
  if (m.kind === 'none' || cell === undefined) return undefined;
  if (m.kind === 'ratio') return ratioOf(results, cell, m.numerator, m.denominator);
  if (m.kind === 'value') return medianOf(results, cell, m.variant, m.scale ? m.scale(profile) : 1);
  const t = trendOf(results, cell, m.series, m.fromFraction);
  return t ? { estimate: t.estimate, low: t.low, high: t.high } : undefined;
}

function significant(x: number): string {
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : Number(x.toPrecision(3)).toString();
}

export function formatMeasured(def: ClaimDef, m: Interval | undefined): string {
  if (!m) return '—';
  if (def.claim.kind === 'trend') return `${(m.estimate * 100).toFixed(0)}% change [${(m.low * 100).toFixed(0)}–${(m.high * 100).toFixed(0)}%]`;
  const unit = def.claim.unit;
  if (def.measure.kind === 'ratio' || unit === 'x') return formatRatio(m.estimate, m.low, m.high);
  return `${significant(m.estimate)} ${unit ?? ''} [${significant(m.low)}–${significant(m.high)}]`.replace('  ', ' ');
}

export function judgeAll(results: Results, profile: Profile, cores: number, defs: readonly ClaimDef[] = CLAIMS): ClaimResult[] {
  return defs.map((def) => {
    const base = {
      id: def.id,
      source: def.source,
      origin: def.origin,
      text: def.text,
      claimText: formatClaim(def.claim),
      requiredThreads: def.requiredThreads,
      ...(def.method ? { method: def.method } : {}),
    };
    if (def.measure.kind === 'none') {
      return { ...base, measuredText: '—', verdict: notTestable(def.claim, def.measure.reason) };
    }
    const cell = cellOf(def.measure, cores) as string;
    const measured = measureOf(def.measure, results, profile, cores);
    let verdict: Verdict;
    if (def.requiredThreads > cores) {
      verdict = judgeClaim(def.claim, undefined, { requiredThreads: def.requiredThreads, availableParallelism: cores });
    } else if (measured === undefined) {
      const r = results.get(cell);
      const reason = r
        ? Object.keys(r.notImplemented).length > 0 && Object.keys(r.samples).length === 0
          ? 'the reference is not implemented yet'
          : `the cell ${cell} produced no usable samples${r.failures.length ? ` (${r.failures[0]?.split('\n')[0]})` : ''}`
        : `the ${profile.name} profile does not run ${cell} (run with --full, or the suite was not selected)`;
      verdict = notTestable(def.claim, reason);
    } else {
      verdict = judgeClaim(def.claim, measured, { requiredThreads: def.requiredThreads, availableParallelism: cores });
    }
    let alsoText: string | undefined;
    if (verdict.status === 'not testable here' && def.alsoAt) {
      const also = measureOf(def.measure, results, profile, cores, def.alsoAt.cell(cores));
      if (also) alsoText = `${def.alsoAt.label(cores)}: ${formatMeasured(def, also)}`;
    }
    const failed = verdict.status === 'not reproduced';
    return {
      ...base,
      ...(measured ? { measured } : {}),
      measuredText: formatMeasured(def, verdict.status === 'not testable here' ? undefined : measured),
      ...(alsoText ? { alsoText } : {}),
      verdict,
      ...(failed && def.whyDifferent ? { explanation: def.whyDifferent } : {}),
    };
  });
}

/** "not reproduced (lower, 2.5x off)" and the like, for the table's verdict column. */
export function verdictLabel(v: Verdict): string {
  switch (v.status) {
    case 'reproduced':
      return 'reproduced';
    case 'inconclusive':
      return `inconclusive (CI straddles the ${v.straddles === 'both' ? 'band' : `${v.straddles} edge`}, leaning ${v.leaning})`;
    case 'not reproduced':
      return v.gap.measure === 'factor'
        ? `not reproduced (${v.direction}, ${significant(v.gap.point)}x off)`
        : `not reproduced (${v.direction}, ${significant(v.gap.point * 100)} points off)`;
    case 'not testable here':
      return `not testable here: ${v.reason}`;
  }
}
