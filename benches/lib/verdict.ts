/**
 * Verdicts: does a measurement, with its confidence interval, support one of the chapter's numeric claims?
 *
 * Orient the measurement like the claim before judging: for "channels are 3–4x faster than a Mutex<Vec>", pass
 * the ratio median(Mutex time) / median(channel time) (equivalently channel ops/s over Mutex ops/s), so that
 * "faster" means a ratio above 1. Nothing here guesses the direction.
 *
 * Every claim is turned into an accepted band [A, B] on the measured quantity, then the measured interval
 * [a, b] (a bootstrap CI, see stats.ts) is compared with the band. Band edges are inclusive everywhere.
 *
 *   band by claim kind (t = the global `tolerance`, default 0.10):
 *     range    "3–4x"      [low·(1−t), high·(1+t)]
 *     atLeast  "≥ 100x"    [value·(1−t), +∞)
 *     atMost   "≤ 2 ms"    (−∞, value·(1+t)]
 *     approx   "~200 ms"   [value·(1−τ), value·(1+τ)], τ = the claim's own tolerance (default 0.20); t is NOT
 *                           added on top: "~" already says how loose the claim is
 *     trend    flat        relative change ∈ [−f, f]   (f = the claim's flatTolerance, default 0.10; the relative
 *              increasing  relative change ∈ [f, +∞)    change is slope × x-span / |median y|, see
 *              decreasing  relative change ∈ (−∞, −f]   stats.bootstrapTrendCI)
 *
 *   rule (checked in this order):
 *     1. the claim needs more threads than os.availableParallelism()  → 'not testable here' (the measurement, if
 *        any, is ignored: oversubscribed threads measure the scheduler, not the primitive)
 *     2. b < A                       → 'not reproduced', direction 'lower'
 *     3. a > B                       → 'not reproduced', direction 'higher'
 *     4. A ≤ a and b ≤ B             → 'reproduced' (the whole CI lies in the band: it may overlap the claimed
 *                                       range and stick out of it by at most the tolerance)
 *     5. otherwise                   → 'inconclusive': the CI straddles edge A ('low'), edge B ('high') or both;
 *                                       more repetitions (a narrower CI) could still go either way
 *
 * How far off a 'not reproduced' is, `gap`, is measured against the claim itself, not the widened band:
 *   numeric claims, lower:  point = claimedLow / estimate, atLeast = claimedLow / b   (1.2x vs "3–4x" → 2.5)
 *   numeric claims, higher: point = estimate / claimedHigh, atLeast = a / claimedHigh
 *   (claimedLow/High of atLeast/atMost/approx is the claimed value)
 *   trends: the difference of relative change from the claimed edge (0 for flat, ±f for increasing/decreasing),
 *           as a positive number; atLeast uses the CI bound nearest the edge.
 * A non-positive estimate (or b) in the 'lower' direction gives an infinite factor.
 */

import os from 'node:os';

export type Claim =
  | { readonly kind: 'range'; readonly low: number; readonly high: number; readonly unit?: string }
  | { readonly kind: 'atLeast'; readonly value: number; readonly unit?: string }
  | { readonly kind: 'atMost'; readonly value: number; readonly unit?: string }
  | { readonly kind: 'approx'; readonly value: number; readonly tolerance?: number; readonly unit?: string }
  | { readonly kind: 'trend'; readonly expect: 'flat' | 'increasing' | 'decreasing'; readonly flatTolerance?: number };

/** A point estimate with its interval. `ratio` is accepted as the estimate so a `RatioCI` can be passed as is. */
export type MeasuredInterval = { readonly low: number; readonly high: number } & (
  | { readonly estimate: number }
  | { readonly ratio: number }
);

export interface Band {
  readonly low: number;
  readonly high: number;
}

export type Direction = 'lower' | 'higher';

export interface Gap {
  /** 'factor' for numeric claims (× off), 'relative change' for trends (difference in relative change). */
  readonly measure: 'factor' | 'relative change';
  /** How far off the point estimate is. */
  readonly point: number;
  /** How far off at least, judged from the CI bound nearest the claim. */
  readonly atLeast: number;
}

interface VerdictBase {
  readonly claim: Claim;
  /** The claim as text, e.g. "3–4x". */
  readonly claimText: string;
  /** One sentence for the report. */
  readonly summary: string;
}

export interface Reproduced extends VerdictBase {
  readonly status: 'reproduced';
  readonly band: Band;
  readonly measured: { readonly estimate: number; readonly low: number; readonly high: number };
}

export interface NotReproduced extends VerdictBase {
  readonly status: 'not reproduced';
  readonly direction: Direction;
  readonly gap: Gap;
  readonly band: Band;
  readonly measured: { readonly estimate: number; readonly low: number; readonly high: number };
}

export interface Inconclusive extends VerdictBase {
  readonly status: 'inconclusive';
  /** Which band edge(s) the CI straddles. */
  readonly straddles: 'low' | 'high' | 'both';
  /** Where the point estimate lies relative to the band. */
  readonly leaning: 'inside' | 'below' | 'above';
  readonly band: Band;
  readonly measured: { readonly estimate: number; readonly low: number; readonly high: number };
}

export interface NotTestable extends VerdictBase {
  readonly status: 'not testable here';
  readonly reason: string;
}

/**
 * The harness itself makes the claim true (threads paced by deadlines, a bounded channel that cannot hold more):
 * the measurement agrees, but it shows the harness works, not that the chapter's number was found.
 */
export interface HoldsByConstruction extends VerdictBase {
  readonly status: 'holds by construction';
  readonly reason: string;
  readonly measured: { readonly estimate: number; readonly low: number; readonly high: number };
}

export type Verdict = Reproduced | NotReproduced | Inconclusive | NotTestable | HoldsByConstruction;

export const DEFAULT_TOLERANCE = 0.1;
export const DEFAULT_APPROX_TOLERANCE = 0.2;
export const DEFAULT_FLAT_TOLERANCE = 0.1;

// ---------------------------------------------------------------------------------------------------------------
// Testability

export type Testability =
  | { readonly testable: true; readonly requiredThreads: number; readonly available: number }
  | { readonly testable: false; readonly requiredThreads: number; readonly available: number; readonly reason: string };

/**
 * A claim about N threads running in parallel is testable iff N ≤ the parallelism this process may use
 * (`os.availableParallelism()`, which respects CPU affinity/cgroup limits where Node can see them). With more
 * runnable threads than cores, threads take turns and a speedup claim cannot show.
 */
export function testability(requiredThreads: number, available: number = os.availableParallelism()): Testability {
  if (!Number.isInteger(requiredThreads) || requiredThreads < 1)
    throw new RangeError(`testability: requiredThreads must be a positive integer, got ${requiredThreads}`);
  if (!Number.isInteger(available) || available < 1)
    throw new RangeError(`testability: available must be a positive integer, got ${available}`);
  if (requiredThreads <= available) return { testable: true, requiredThreads, available };
  const reason = `the claim needs ${requiredThreads} threads running in parallel and this machine offers ${available} (os.availableParallelism())`;
  return { testable: false, requiredThreads, available, reason };
}

// ---------------------------------------------------------------------------------------------------------------
// Claims

function fmt(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : x < 0 ? '−∞' : 'NaN';
  const abs = Math.abs(x);
  if (abs >= 100 || Number.isInteger(x)) return String(Math.round(x * 10) / 10);
  return String(Number(x.toPrecision(3)));
}

function withUnit(text: string, unit: string | undefined): string {
  if (!unit) return text;
  return unit === 'x' || unit === '%' ? `${text}${unit}` : `${text} ${unit}`;
}

/** The claim as it would read in the chapter: "3–4x", "≥ 100x", "≤ 2 ms", "~200 ms (±20%)", "flat". */
export function formatClaim(claim: Claim): string {
  switch (claim.kind) {
    case 'range':
      return withUnit(`${fmt(claim.low)}–${fmt(claim.high)}`, claim.unit);
    case 'atLeast':
      return `≥ ${withUnit(fmt(claim.value), claim.unit)}`;
    case 'atMost':
      return `≤ ${withUnit(fmt(claim.value), claim.unit)}`;
    case 'approx':
      return `~${withUnit(fmt(claim.value), claim.unit)} (±${fmt((claim.tolerance ?? DEFAULT_APPROX_TOLERANCE) * 100)}%)`;
    case 'trend':
      return claim.expect;
  }
}

function checkTolerance(t: number, what: string): void {
  if (!(t >= 0 && t < 1)) throw new RangeError(`${what} must be in [0, 1), got ${t}`);
}

function checkPositive(x: number, what: string): void {
  if (!(Number.isFinite(x) && x > 0)) throw new RangeError(`${what} must be a positive finite number, got ${x}`);
}

/** The accepted band of a claim (see the table at the top of this file). Validates the claim. */
export function acceptedBand(claim: Claim, tolerance: number = DEFAULT_TOLERANCE): Band {
  checkTolerance(tolerance, 'tolerance');
  switch (claim.kind) {
    case 'range':
      checkPositive(claim.low, 'range low');
      checkPositive(claim.high, 'range high');
      if (claim.high < claim.low) throw new RangeError(`range: high ${claim.high} < low ${claim.low}`);
      return { low: claim.low * (1 - tolerance), high: claim.high * (1 + tolerance) };
    case 'atLeast':
      checkPositive(claim.value, 'atLeast value');
      return { low: claim.value * (1 - tolerance), high: Infinity };
    case 'atMost':
      checkPositive(claim.value, 'atMost value');
      return { low: -Infinity, high: claim.value * (1 + tolerance) };
    case 'approx': {
      checkPositive(claim.value, 'approx value');
      const tau = claim.tolerance ?? DEFAULT_APPROX_TOLERANCE;
      checkTolerance(tau, 'approx tolerance');
      return { low: claim.value * (1 - tau), high: claim.value * (1 + tau) };
    }
    case 'trend': {
      const f = claim.flatTolerance ?? DEFAULT_FLAT_TOLERANCE;
      if (!(f >= 0 && Number.isFinite(f))) throw new RangeError(`flatTolerance must be ≥ 0, got ${f}`);
      if (claim.expect === 'flat') return { low: -f, high: f };
      if (claim.expect === 'increasing') return { low: f, high: Infinity };
      return { low: -Infinity, high: -f };
    }
  }
}

/** The claim's own edges (no tolerance), against which a gap is measured. */
function claimedEdges(claim: Claim): Band {
  switch (claim.kind) {
    case 'range':
      return { low: claim.low, high: claim.high };
    case 'atLeast':
    case 'atMost':
    case 'approx':
      return { low: claim.value, high: claim.value };
    case 'trend': {
      const f = claim.flatTolerance ?? DEFAULT_FLAT_TOLERANCE;
      if (claim.expect === 'flat') return { low: 0, high: 0 };
      if (claim.expect === 'increasing') return { low: f, high: f };
      return { low: -f, high: -f };
    }
  }
}

function safeDiv(a: number, b: number): number {
  return b <= 0 ? Infinity : a / b;
}

// ---------------------------------------------------------------------------------------------------------------
// Judging

export interface JudgeOptions {
  /** Relative tolerance added to range/atLeast/atMost claims, in [0, 1) (default 0.10). */
  readonly tolerance?: number;
  /** Threads the claim needs running in parallel (e.g. 4 for "3.8–4x at 4 workers"). */
  readonly requiredThreads?: number;
  /** Defaults to os.availableParallelism(). */
  readonly availableParallelism?: number;
}

function normalize(m: MeasuredInterval): { estimate: number; low: number; high: number } {
  const estimate = 'estimate' in m ? m.estimate : m.ratio;
  if (Number.isNaN(estimate) || Number.isNaN(m.low) || Number.isNaN(m.high))
    throw new RangeError('judgeClaim: NaN in the measured interval');
  if (m.low > m.high) throw new RangeError(`judgeClaim: interval low ${m.low} > high ${m.high}`);
  return { estimate, low: m.low, high: m.high };
}

/** A 'not testable here' verdict with a reason of your own (e.g. "needs a NUMA machine"). */
export function notTestable(claim: Claim, reason: string): NotTestable {
  const claimText = formatClaim(claim);
  return {
    status: 'not testable here',
    claim,
    claimText,
    reason,
    summary: `not testable here: claimed ${claimText}; ${reason}`,
  };
}

/**
 * A claim the harness makes true: 'holds by construction' when the measurement agrees with it (reproduced), else
 * the measured verdict as it is (the harness failed to drive the workload as designed, which the report must show).
 */
export function byConstruction(verdict: Verdict, reason: string): Verdict {
  if (verdict.status !== 'reproduced') return verdict;
  return {
    status: 'holds by construction',
    reason,
    measured: verdict.measured,
    claim: verdict.claim,
    claimText: verdict.claimText,
    summary: `holds by construction: ${reason}`,
  };
}

/**
 * Judges a measured interval against a claim by the rules at the top of this file. `measured` may be omitted
 * only when the claim turns out not testable here (the benches skip cells they cannot run); otherwise it throws.
 */
export function judgeClaim(claim: Claim, measured: MeasuredInterval | undefined, options: JudgeOptions = {}): Verdict {
  const band = acceptedBand(claim, options.tolerance ?? DEFAULT_TOLERANCE);
  const claimText = formatClaim(claim);
  if (options.requiredThreads !== undefined) {
    const t = testability(options.requiredThreads, options.availableParallelism ?? os.availableParallelism());
    if (!t.testable) return notTestable(claim, t.reason);
  }
  if (measured === undefined) throw new RangeError('judgeClaim: no measurement for a testable claim');
  const m = normalize(measured);
  const isTrend = claim.kind === 'trend';
  const unit = claim.kind === 'trend' ? undefined : claim.unit;
  const show = (x: number) => (isTrend ? `${fmt(x * 100)}%` : withUnit(fmt(x), unit));
  const bare = (x: number) => (isTrend ? fmt(x * 100) : fmt(x));
  const measuredText = `${isTrend ? 'relative change ' : ''}${show(m.estimate)} [${bare(m.low)}–${bare(m.high)}]`;
  const edges = claimedEdges(claim);
  const tolNote =
    claim.kind === 'range' || claim.kind === 'atLeast' || claim.kind === 'atMost'
      ? ` (±${fmt((options.tolerance ?? DEFAULT_TOLERANCE) * 100)}% tolerance)`
      : '';

  if (m.high < band.low || m.low > band.high) {
    const direction: Direction = m.high < band.low ? 'lower' : 'higher';
    let gap: Gap;
    if (isTrend) {
      gap =
        direction === 'lower'
          ? { measure: 'relative change', point: edges.low - m.estimate, atLeast: edges.low - m.high }
          : { measure: 'relative change', point: m.estimate - edges.high, atLeast: m.low - edges.high };
    } else {
      gap =
        direction === 'lower'
          ? { measure: 'factor', point: safeDiv(edges.low, m.estimate), atLeast: safeDiv(edges.low, m.high) }
          : { measure: 'factor', point: m.estimate / edges.high, atLeast: m.low / edges.high };
    }
    const edgeName = claim.kind === 'range' ? (direction === 'lower' ? ' the low end of' : ' the high end of') : '';
    const how = isTrend
      ? `${fmt(gap.point * 100)} points ${direction === 'lower' ? 'below' : 'above'} the claimed trend`
      : `${fmt(gap.point)}x ${direction} than${edgeName} the claim (at least ${fmt(gap.atLeast)}x)`;
    return {
      status: 'not reproduced',
      direction,
      gap,
      band,
      measured: m,
      claim,
      claimText,
      summary: `not reproduced: measured ${measuredText} vs claimed ${claimText}${tolNote}, ${how}`,
    };
  }
  if (band.low <= m.low && m.high <= band.high) {
    return {
      status: 'reproduced',
      band,
      measured: m,
      claim,
      claimText,
      summary: `reproduced: measured ${measuredText} within claimed ${claimText}${tolNote}`,
    };
  }
  const low = m.low < band.low;
  const high = m.high > band.high;
  const straddles = low && high ? 'both' : low ? 'low' : 'high';
  const leaning = m.estimate < band.low ? 'below' : m.estimate > band.high ? 'above' : 'inside';
  return {
    status: 'inconclusive',
    straddles,
    leaning,
    band,
    measured: m,
    claim,
    claimText,
    summary:
      `inconclusive: measured ${measuredText} straddles the ${straddles === 'both' ? 'low and high edges' : `${straddles} edge`} ` +
      `of claimed ${claimText}${tolNote}, accepted ${show(band.low)} to ${show(band.high)}; the interval is too wide to decide`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing the chapter's wording

const NUM = String.raw`(\d+(?:\.\d+)?)`;
const UNIT = String.raw`\s*([a-zA-Zµμ%/]+(?:\/[a-zA-Z]+)?)?`;

/**
 * Parses the usual spellings of a numeric claim. Units are kept as text, never converted: the caller must measure
 * in the claim's unit. Recognized (whitespace optional):
 *   "3–4x", "3-4x", "3 to 4x", "3.8–4x"        → range
 *   "≥ 100x", ">= 100x", "at least 100x"        → atLeast
 *   "≤ 2 ms", "<= 2 ms", "at most 2 ms"         → atMost
 *   "~200 ms", "≈ 200 ms", "about 200 ms"       → approx (default tolerance)
 *   "5x" (a bare number)                        → approx: a single number in prose is an approximation
 * Returns undefined for anything else (trend claims are qualitative and are built directly).
 */
export function parseClaim(text: string): Claim | undefined {
  const s = text.trim();
  const unitOf = (u: string | undefined) => (u === undefined || u === '' ? {} : { unit: u === 'μs' ? 'µs' : u });
  let m = new RegExp(String.raw`^${NUM}\s*(?:x\s*)?(?:[–—-]|to)\s*${NUM}${UNIT}$`, 'i').exec(s);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (hi < lo) return undefined;
    return { kind: 'range', low: lo, high: hi, ...unitOf(m[3]) };
  }
  m = new RegExp(String.raw`^(?:≥|>=|at least)\s*${NUM}${UNIT}$`, 'i').exec(s);
  if (m) return { kind: 'atLeast', value: Number(m[1]), ...unitOf(m[2]) };
  m = new RegExp(String.raw`^(?:≤|<=|at most)\s*${NUM}${UNIT}$`, 'i').exec(s);
  if (m) return { kind: 'atMost', value: Number(m[1]), ...unitOf(m[2]) };
  m = new RegExp(String.raw`^(?:~|≈|about|around|roughly)?\s*${NUM}${UNIT}$`, 'i').exec(s);
  if (m) return { kind: 'approx', value: Number(m[1]), ...unitOf(m[2]) };
  return undefined;
}
