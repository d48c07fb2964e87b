/**
 * Claims → verdicts: looks up the measurement each claim names (claims.ts), computes its interval
 * (analysis.ts) and asks benches/lib/verdict.ts for the verdict. The rules, applied the same way to every claim
 * (VERDICT_RULES is their wording in the report; judge.test.ts has a test per rule):
 *
 *   1. threads    a claim is judged at the chapter's thread count, or it is "not testable here"; the number at
 *                 fewer threads is then shown for information, never judged;
 *   2. workload   the chapter's, or the row says what changed and why (claims.ts `workload`);
 *   3. by construction  a claim the harness makes true gets its own verdict, never "reproduced";
 *   4. why JS differs   shown wherever the measured number contradicts the chapter: on "not reproduced" rows and
 *                 on "not testable" rows whose number at fewer threads would not reproduce it either;
 *   5. intervals  an interval resting on fewer than MIN_GROUPS process groups is marked as such.
 */
import { byConstruction, formatClaim, judgeClaim, notTestable, type Verdict } from '../lib/verdict.ts';
import { formatRatio } from '../lib/table.ts';
import { groupsOf, type Interval, medianOf, ratioOf, type Results, trendOf } from './analysis.ts';
import { CLAIMS, type ClaimDef, type Measure, resolveCell, workloadIn } from './claims.ts';
import type { Profile } from './types.ts';

/** Fewer process groups than this and a bootstrap interval is too coarse to lean on. */
export const MIN_GROUPS = 5;

export const VERDICT_RULES: readonly string[] = [
  'A claim is judged at the thread count the chapter states. When this machine cannot run that many threads in parallel, the claim is "not testable here"; the same measurement at the threads it has is shown for information and never judged.',
  'Each claim runs the chapter\u2019s workload, or its row says what changed and why ("workload changed").',
  '"Holds by construction" marks claims the harness makes true by how it drives the work (threads paced by a deadline); the measurement there checks the harness, not the chapter.',
  '"Why JS differs" is given wherever the measured number contradicts the chapter, including "not testable" rows whose number at fewer threads already lies outside the claim.',
  `A verdict needs its 95% interval inside the claim (with its tolerance) to be "reproduced", wholly outside to be "not reproduced", and is "inconclusive" otherwise. Intervals resting on fewer than ${MIN_GROUPS} process groups are marked ‡.`,
];

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
  /** The interval behind alsoText (for merging reports of several machines: value against cores). */
  readonly alsoMeasured?: Interval;
  readonly method?: string;
  readonly verdict: Verdict;
  /** Why JS threads differ, when the measured number (or the one at fewer threads) contradicts the chapter. */
  readonly explanation?: string;
  /** What differs from the chapter's workload, and why. */
  readonly workloadChanged?: string;
  /** Fewest process groups behind the interval (of the variants it reads); absent when nothing was measured. */
  readonly groups?: number;
}

function cellOf(m: Measure, cores: number): string | undefined {
  return m.kind === 'none' ? undefined : resolveCell(m.cell, cores);
}

export function measureOf(
  m: Measure,
  results: Results,
  profile: Profile,
  cores: number,
  cellOverride?: string,
): Interval | undefined {
  const cell = cellOverride ?? cellOf(m, cores);
  if (m.kind === 'none' || cell === undefined) return undefined;
  if (m.kind === 'ratio') return ratioOf(results, cell, m.numerator, m.denominator);
  if (m.kind === 'value') return medianOf(results, cell, m.variant, m.scale ? m.scale(profile) : 1);
  const t = trendOf(results, cell, m.series, m.fromFraction);
  return t ? { estimate: t.estimate, low: t.low, high: t.high } : undefined;
}

function significant(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : Number(x.toPrecision(3)).toString();
}

/** Process groups (processes with samples) behind a measure: the fewest of the variants it reads. */
export function groupCount(m: Measure, results: Results, cell: string): number | undefined {
  if (m.kind === 'none') return undefined;
  if (m.kind === 'trend') return results.get(cell)?.series[m.series]?.length;
  const variants = m.kind === 'ratio' ? [m.numerator, m.denominator] : [m.variant];
  const counts = variants.map((v) => groupsOf(results, cell, v)?.filter((g) => g.length > 0).length ?? 0);
  return Math.min(...counts);
}

export function formatMeasured(def: ClaimDef, m: Interval | undefined, groups?: number): string {
  const text = formatMeasuredBare(def, m);
  return m && groups !== undefined && groups < MIN_GROUPS ? `${text} ‡${groups}` : text;
}

/** A fraction as whole percent; a value that rounds to zero prints as 0, never "-0". */
const percent = (x: number): string => (Math.round(x * 100) || 0).toFixed(0);

function formatMeasuredBare(def: ClaimDef, m: Interval | undefined): string {
  if (!m) return '—';
  if (def.claim.kind === 'trend') return `${percent(m.estimate)}% change [${percent(m.low)}–${percent(m.high)}%]`;
  const unit = def.claim.unit;
  if (def.measure.kind === 'ratio' || unit === 'x') return formatRatio(m.estimate, m.low, m.high);
  return `${significant(m.estimate)} ${unit ?? ''} [${significant(m.low)}–${significant(m.high)}]`.replace('  ', ' ');
}

export function judgeAll(
  results: Results,
  profile: Profile,
  cores: number,
  defs: readonly ClaimDef[] = CLAIMS,
): ClaimResult[] {
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
    const workload = workloadIn(def, profile);
    const workloadNote = workload !== 'chapter' ? { workloadChanged: workload.changed } : {};
    if (def.measure.kind === 'none') {
      return { ...base, measuredText: '—', verdict: notTestable(def.claim, def.measure.reason), ...workloadNote };
    }
    const cell = cellOf(def.measure, cores) as string;
    const measured = measureOf(def.measure, results, profile, cores);
    let verdict: Verdict;
    if (def.fullOnly !== undefined && profile.name !== 'full') {
      verdict = notTestable(def.claim, `the ${profile.name} profile does not time ${def.fullOnly} (run with --full)`);
    } else if (def.requiredThreads > cores) {
      verdict = judgeClaim(def.claim, undefined, { requiredThreads: def.requiredThreads, availableParallelism: cores });
    } else if (measured === undefined) {
      const r = results.get(cell);
      const reason = r
        ? Object.keys(r.notImplemented).length > 0 && Object.keys(r.samples).length === 0
          ? 'the reference is not implemented yet'
          : `the cell ${cell} produced no usable samples${r.failures.length ? ` (${r.failures[0]?.split('\n')[0]})` : ''}`
        : profile.name === 'full'
          ? `this run did not select ${cell} (its suite or --cells left it out)`
          : `the ${profile.name} profile does not run ${cell} (run with --full, or the suite was not selected)`;
      verdict = notTestable(def.claim, reason);
    } else {
      verdict = judgeClaim(def.claim, measured, { requiredThreads: def.requiredThreads, availableParallelism: cores });
    }
    if (def.byConstruction) verdict = byConstruction(verdict, def.byConstruction);
    let alsoText: string | undefined;
    let alsoMeasured: Interval | undefined;
    let contradicts = verdict.status === 'not reproduced';
    if (verdict.status === 'not testable here' && def.alsoAt) {
      const alsoCell = def.alsoAt.cell(cores);
      const also = measureOf(def.measure, results, profile, cores, alsoCell);
      if (also) {
        alsoMeasured = also;
        alsoText = `${def.alsoAt.label(cores)}: ${formatMeasured(def, also, groupCount(def.measure, results, alsoCell))}`;
        // Not a verdict (rule 1), but a number outside the claim still needs its explanation (rule 4).
        contradicts = judgeClaim(def.claim, also).status === 'not reproduced';
      }
    }
    const groups = measured ? groupCount(def.measure, results, cell) : undefined;
    return {
      ...base,
      ...(measured ? { measured } : {}),
      measuredText: formatMeasured(def, verdict.status === 'not testable here' ? undefined : measured, groups),
      ...(alsoText ? { alsoText } : {}),
      ...(alsoMeasured ? { alsoMeasured } : {}),
      verdict,
      ...(contradicts && def.whyDifferent ? { explanation: def.whyDifferent } : {}),
      ...workloadNote,
      ...(groups !== undefined && verdict.status !== 'not testable here' ? { groups } : {}),
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
    case 'holds by construction':
      return 'holds by construction';
  }
}
