/**
 * `npm run bench -- --merge <report.json|folder...> [--exclude-loaded]`: the reports of many machines (a class's
 * laptops, a CI matrix, share files from `--share`) merged into one verdict table by core count. No single
 * machine can judge a claim that needs 8 threads in parallel; eight cores somewhere can.
 *
 * Rules (stated again in the merged report):
 * - Inputs: report.json or share files, or folders searched recursively for them (node_modules and dot folders
 *   skipped; other JSON files in a folder are ignored). A folder search that finds share files reads only share
 *   files (a folder of submitted repositories also holds reports/sample/ and local runs). A file named explicitly
 *   that is not a readable report, or any report of another method version than this runner's, is refused with a
 *   one-line reason and the rest is merged. Two files of the same run (same start time, wall time, CPU and cores)
 *   count once, the share file kept when one of them is.
 * - Core groups: a machine is filed by `os.availableParallelism()` as its report recorded it, in the largest group
 *   it reaches: 1, 2 (2–3 cores), 4 (4–7), 8 (8–15), 16+.
 * - Only verdicts a machine could give count in its group: reproduced, not reproduced, inconclusive, or any other
 *   status a later runner adds (shown as it is). "Not testable here" (too few cores, a profile without the cell, a
 *   failed cell) is counted as "not judged".
 * - A group's verdict is the weighted majority of its machines' verdicts: weight 1, or LOADED_WEIGHT for a loaded
 *   machine; a tie is shown as "split" with every verdict and its count. `--exclude-loaded` drops loaded
 *   machines instead (they are still listed). "n/m agree" counts machines, not weights.
 * - Loaded: the report's own load-average reading *before* the run was above 0.5 per core (a machine warning
 *   about load before the run, or loadAverage1mBefore). The "after" reading includes the run's own work, so it
 *   alone does not make a machine loaded.
 * - Scaling claims (those needing more than one thread in parallel) get a chart: the measured value against
 *   cores, one point per machine (machines sorted by cores), with the claim's accepted band; values a machine
 *   measured at fewer threads without judging (the report's "alsoText") are drawn as their own series.
 * - Deterministic and order-independent: machines are sorted by cores, CPU, Node, date and a hash of the run, and
 *   named M1, M2, … in that order; claims keep the runner's order; nothing depends on the order of the inputs
 *   or on the time of merging.
 *
 * Only fields today's report.json has are read (method.version, machine, settings.profile, claims with
 * verdicts); anything else is ignored, so richer reports merge too.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../lib/cli.ts';
import { posix, repoRoot } from '../../lib/paths.ts';
import { escapeXml, renderSvgChart, type SvgSeries } from '../lib/chart.ts';
import { formatSignificant, markdownTable, terminalTable } from '../lib/table.ts';
import { acceptedBand, type Claim } from '../lib/verdict.ts';
import { METHOD_VERSION } from './compare.ts';

/** How much a loaded machine's verdict weighs against a quiet one's (1). */
export const LOADED_WEIGHT = 0.5;

export interface CoreGroup {
  readonly label: string;
  readonly min: number;
  readonly max: number;
}

export const CORE_GROUPS: readonly CoreGroup[] = [
  { label: '1', min: 1, max: 1 },
  { label: '2', min: 2, max: 3 },
  { label: '4', min: 4, max: 7 },
  { label: '8', min: 8, max: 15 },
  { label: '16+', min: 16, max: Infinity },
];

export function coreGroup(cores: number): CoreGroup {
  return [...CORE_GROUPS].reverse().find((g) => cores >= g.min) ?? (CORE_GROUPS[0] as CoreGroup);
}

// ---------------------------------------------------------------------------------------------------------------
// The parts of report.json read here

interface IntervalLike {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

interface ClaimLike {
  readonly id: string;
  readonly source?: string;
  readonly origin?: string;
  readonly text?: string;
  readonly claimText?: string;
  readonly requiredThreads?: number;
  readonly measured?: IntervalLike;
  readonly alsoText?: string;
  readonly verdict: {
    readonly status: string;
    readonly direction?: string;
    readonly claim?: Claim;
    readonly measured?: IntervalLike;
  };
}

interface MachineLike {
  readonly cpuModel?: string;
  readonly availableParallelism?: number;
  readonly logicalCores?: number;
  readonly nodeVersion?: string;
  readonly platform?: string;
  readonly arch?: string;
  readonly loadAverage1mBefore?: number | null;
  readonly loadAverage1mAfter?: number | null;
  readonly date?: string;
  readonly warnings?: readonly string[];
}

export interface ReportLike {
  readonly method: { readonly version: number };
  readonly machine: MachineLike;
  readonly startedAt?: string;
  readonly wallMs?: number;
  readonly settings?: { readonly profile?: { readonly name?: string }; readonly suites?: readonly string[] };
  readonly claims: readonly ClaimLike[];
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** Whether a parsed JSON value looks like a report of this runner at all (of any method version). */
export function looksLikeReport(x: unknown): boolean {
  return isObject(x) && isObject(x['method']) && isObject(x['machine']) && Array.isArray(x['claims']);
}

/** The report, or why it cannot be merged (one line). */
export function checkReport(
  x: unknown,
  methodVersion: number = METHOD_VERSION,
): { ok: true; report: ReportLike } | { ok: false; reason: string } {
  if (!looksLikeReport(x)) return { ok: false, reason: 'not a benchmark report (no method, machine or claims)' };
  const r = x as Record<string, Record<string, unknown>>;
  const version = r['method']?.['version'];
  if (version !== methodVersion) {
    return {
      ok: false,
      reason: `method version ${JSON.stringify(version)}, this runner merges method version ${methodVersion} only (rerun the benchmark with this version)`,
    };
  }
  const cores = r['machine']?.['availableParallelism'] ?? r['machine']?.['logicalCores'];
  if (typeof cores !== 'number' || !Number.isInteger(cores) || cores < 1)
    return { ok: false, reason: 'the machine info has no core count' };
  const claims = (x as { claims: unknown[] }).claims;
  const bad = claims.findIndex(
    (c) =>
      !isObject(c) ||
      typeof c['id'] !== 'string' ||
      !isObject(c['verdict']) ||
      typeof c['verdict']['status'] !== 'string',
  );
  if (bad >= 0) return { ok: false, reason: `claim ${bad + 1} has no id or verdict` };
  return { ok: true, report: x as unknown as ReportLike };
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs

export interface Refusal {
  readonly file: string;
  readonly reason: string;
}

export interface Inputs {
  readonly reports: readonly { readonly file: string; readonly report: ReportLike }[];
  readonly refused: readonly Refusal[];
  /** JSON files in folders that are not reports (package.json, …). */
  readonly ignored: number;
  /** Plain report.json files in folders that also hold share files (only share files are read from those). */
  readonly plainIgnored: number;
  /** Files that repeat a run already read. */
  readonly duplicates: readonly Refusal[];
}

const display = (file: string) => posix(path.relative(process.cwd(), file) || file);

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile() && name.toLowerCase().endsWith('.json')) out.push(p);
  }
}

/** Code-unit order: the same on every machine, whatever its locale. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Identity of a run, unchanged by anonymising: two files with the same key are the same run. */
export function runKey(r: ReportLike): string {
  const m = r.machine;
  const id = JSON.stringify([
    r.startedAt ?? null,
    r.wallMs ?? null,
    m.date ?? null,
    m.cpuModel ?? null,
    m.availableParallelism ?? m.logicalCores,
  ]);
  return createHash('sha256').update(id).digest('hex').slice(0, 12);
}

/** Whether a parsed file is a share file (`npm run bench -- --share`). */
export function isShareFile(x: unknown): boolean {
  return (
    isObject(x) &&
    isObject(x['share']) &&
    typeof x['share']['format'] === 'string' &&
    x['share']['format'].startsWith('threading-patterns-bench-share/')
  );
}

/** Reads files and folders (see the header); never throws for a bad file, only lists it. */
export function readInputs(args: readonly string[], methodVersion: number = METHOD_VERSION): Inputs {
  const explicit: string[] = [];
  const found: string[] = [];
  const refused: Refusal[] = [];
  for (const a of args) {
    const p = path.resolve(a);
    if (!existsSync(p)) refused.push({ file: display(p), reason: 'no such file or folder' });
    else if (statSync(p).isDirectory()) walk(p, found);
    else explicit.push(p);
  }
  const isExplicit = new Set(explicit);
  let ignored = 0;
  let plainIgnored = 0;
  const candidates: { file: string; parsed: unknown; share: boolean }[] = [];
  for (const file of [...new Set([...explicit, ...found])].sort()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      if (isExplicit.has(file))
        refused.push({ file: display(file), reason: `not readable JSON (${(error as Error).message.split('\n')[0]})` });
      else ignored++;
      continue;
    }
    if (!isExplicit.has(file) && !looksLikeReport(parsed)) ignored++;
    else candidates.push({ file, parsed, share: isShareFile(parsed) });
  }
  // A folder that holds share files (a batch of submissions, a CI download) is read for its share files only: the
  // repository copies in it also hold reports/sample/ and each student's local, non-anonymised runs.
  const foundShares = candidates.some((c) => c.share && !isExplicit.has(c.file));
  const kept = candidates.filter((c) => {
    const drop = foundShares && !c.share && !isExplicit.has(c.file);
    if (drop) plainIgnored++;
    return !drop;
  });
  // Share files first, so that of two copies of one run the anonymised one is kept.
  kept.sort((a, b) => Number(b.share) - Number(a.share) || byText(a.file, b.file));
  const reports: { file: string; report: ReportLike }[] = [];
  const duplicates: Refusal[] = [];
  const seen = new Map<string, string>();
  for (const { file, parsed } of kept) {
    const checked = checkReport(parsed, methodVersion);
    if (!checked.ok) {
      refused.push({ file: display(file), reason: checked.reason });
      continue;
    }
    const key = runKey(checked.report);
    const first = seen.get(key);
    if (first !== undefined) {
      duplicates.push({ file: display(file), reason: `the same run as ${first}` });
      continue;
    }
    seen.set(key, display(file));
    reports.push({ file, report: checked.report });
  }
  refused.sort((a, b) => byText(a.file, b.file) || byText(a.reason, b.reason));
  return { reports, refused, ignored, plainIgnored, duplicates };
}

// ---------------------------------------------------------------------------------------------------------------
// The merge

export interface MachineEntry {
  /** M1, M2, … in the sorted order. */
  readonly label: string;
  readonly key: string;
  readonly cores: number;
  readonly group: string;
  readonly cpuModel: string;
  readonly nodeVersion: string;
  readonly os: string;
  readonly profile: string;
  readonly suites: string;
  readonly date: string;
  readonly loadBefore: number | null;
  readonly loadAfter: number | null;
  readonly loaded: boolean;
  /** 0 when left out by --exclude-loaded. */
  readonly weight: number;
  readonly warnings: readonly string[];
}

/**
 * A verdict a machine gave: 'reproduced', 'not reproduced', 'inconclusive', or any other status a later runner
 * adds (shown as it is). Only "not testable …" means the machine could not judge.
 */
export type Status = string;
const judgedStatus = (status: unknown): status is Status => typeof status === 'string' && !/^not testable/.test(status);

export interface Judgement {
  readonly machine: string;
  readonly status: Status;
  readonly direction?: string;
  readonly value?: IntervalLike;
  readonly loaded: boolean;
  readonly weight: number;
}

export interface GroupVerdict {
  readonly group: string;
  /** Machines of this group that ran (whether or not they could judge the claim). */
  readonly machines: number;
  readonly judged: readonly Judgement[];
  /** The weighted majority, 'split' on a tie, undefined when no machine of the group judged the claim. */
  readonly verdict?: Status | 'split';
  /** The verdict as shown, with the direction when every machine behind a "not reproduced" agrees on it. */
  readonly label?: string;
  /** Machines whose verdict is the majority's. */
  readonly agree: number;
  readonly counts: Readonly<Partial<Record<Status, number>>>;
  /** Loaded machines left out (--exclude-loaded). */
  readonly excluded: number;
}

export interface Point {
  readonly machine: string;
  readonly cores: number;
  readonly value: IntervalLike | { readonly estimate: number; readonly low?: undefined; readonly high?: undefined };
  readonly kind: 'judged' | 'judged, loaded machine' | 'not judged (at fewer threads)';
}

export interface MergedClaim {
  readonly id: string;
  readonly source: string;
  readonly origin: string;
  readonly text: string;
  readonly claimText: string;
  readonly requiredThreads: number;
  readonly claim?: Claim;
  readonly groups: readonly GroupVerdict[];
  /** 'differs' when two groups show different verdicts (direction included; "split" counts as one); 'same', 'one group', 'none'. */
  readonly acrossGroups: 'same' | 'differs' | 'one group' | 'none';
  readonly points: readonly Point[];
}

export interface Merged {
  readonly methodVersion: number;
  readonly excludeLoaded: boolean;
  readonly machines: readonly MachineEntry[];
  readonly claims: readonly MergedClaim[];
  readonly refused: readonly Refusal[];
  readonly duplicates: readonly Refusal[];
  readonly ignored: number;
  readonly plainIgnored: number;
}

/** Loaded before the run: see the header. */
export function isLoaded(m: MachineLike): boolean {
  const cores = m.availableParallelism ?? m.logicalCores ?? 1;
  if (typeof m.loadAverage1mBefore === 'number' && m.loadAverage1mBefore > 0.5 * cores) return true;
  return (m.warnings ?? []).some((w) => /load/i.test(w) && /before/i.test(w));
}

const str = (x: unknown, fallback: string) => (typeof x === 'string' && x.trim() !== '' ? x.trim() : fallback);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const interval = (x: unknown): IntervalLike | undefined => {
  if (!isObject(x)) return undefined;
  const e = num(x['estimate']);
  const lo = num(x['low']);
  const hi = num(x['high']);
  return e === null ? undefined : { estimate: e, low: lo ?? e, high: hi ?? e };
};

/** "at 2 threads: 0.86x [0.65–1.21]" → 0.86 (a trend's "12% change [...]" → 0.12); undefined when unreadable. */
export function parseAlsoValue(alsoText: string | undefined, trend: boolean): number | undefined {
  const m = alsoText?.match(/:\s*(-?\d+(?:\.\d+)?)\s*(%)?/);
  if (!m) return undefined;
  const v = Number(m[1]);
  if (!Number.isFinite(v)) return undefined;
  return trend || m[2] === '%' ? v / 100 : v;
}

export function mergeReports(inputs: Inputs, options: { readonly excludeLoaded?: boolean } = {}): Merged {
  const excludeLoaded = options.excludeLoaded ?? false;
  const sortKey = ({ report: r }: { report: ReportLike }) => {
    const m = r.machine;
    return [
      m.availableParallelism ?? m.logicalCores ?? 0,
      str(m.cpuModel, ''),
      str(m.nodeVersion, ''),
      str(r.startedAt ?? m.date, ''),
      runKey(r),
    ] as const;
  };
  const sorted = [...inputs.reports].sort((a, b) => {
    const x = sortKey(a);
    const y = sortKey(b);
    for (let i = 0; i < x.length; i++) {
      const c = typeof x[i] === 'number' ? (x[i] as number) - (y[i] as number) : byText(String(x[i]), String(y[i]));
      if (c !== 0) return c;
    }
    return 0;
  });
  const machines: MachineEntry[] = sorted.map(({ report: r }, i) => {
    const m = r.machine;
    const cores = (m.availableParallelism ?? m.logicalCores) as number;
    const loaded = isLoaded(m);
    return {
      label: `M${i + 1}`,
      key: runKey(r),
      cores,
      group: coreGroup(cores).label,
      cpuModel: str(m.cpuModel, 'unknown CPU'),
      nodeVersion: str(m.nodeVersion, '?'),
      os: `${str(m.platform, '?')}/${str(m.arch, '?')}`,
      profile: str(r.settings?.profile?.name, '?'),
      suites: Array.isArray(r.settings?.suites) ? r.settings.suites.join(', ') : '?',
      date: str(r.startedAt ?? m.date, '?').slice(0, 10),
      loadBefore: num(m.loadAverage1mBefore),
      loadAfter: num(m.loadAverage1mAfter),
      loaded,
      weight: loaded ? (excludeLoaded ? 0 : LOADED_WEIGHT) : 1,
      warnings: Array.isArray(m.warnings) ? m.warnings.filter((w) => typeof w === 'string') : [],
    };
  });

  // Claims in the runner's order: by their smallest position in any report, then id.
  const firstSeen = new Map<string, { index: number; claim: ClaimLike }>();
  for (const { report } of sorted) {
    for (const [index, c] of report.claims.entries()) {
      const prev = firstSeen.get(c.id);
      // The wording comes from the first machine (in the sorted order) that has the claim.
      firstSeen.set(c.id, { index: Math.min(index, prev?.index ?? index), claim: prev?.claim ?? c });
    }
  }
  const ids = [...firstSeen.entries()].sort((a, b) => a[1].index - b[1].index || byText(a[0], b[0])).map(([id]) => id);

  const claims: MergedClaim[] = ids.map((id) => {
    const def = (firstSeen.get(id) as { claim: ClaimLike }).claim;
    const perMachine = sorted.map(({ report }, i) => ({
      machine: machines[i] as MachineEntry,
      claim: report.claims.find((c) => c.id === id),
    }));
    const claim = perMachine
      .map((p) => p.claim?.verdict.claim)
      .find((c): c is Claim => isObject(c) && typeof c['kind'] === 'string');
    const trend = claim?.kind === 'trend';
    const groups: GroupVerdict[] = CORE_GROUPS.map((g) => {
      const inGroup = perMachine.filter((p) => p.machine.group === g.label && p.claim !== undefined);
      const judgedAll = inGroup.filter((p) => judgedStatus(p.claim?.verdict.status));
      const excluded = judgedAll.filter((p) => p.machine.weight === 0).length;
      const judged: Judgement[] = judgedAll
        .filter((p) => p.machine.weight > 0)
        .map((p) => {
          const c = p.claim as ClaimLike;
          const value = interval(c.measured) ?? interval(c.verdict.measured);
          return {
            machine: p.machine.label,
            status: c.verdict.status as Status,
            ...(typeof c.verdict.direction === 'string' ? { direction: c.verdict.direction } : {}),
            ...(value ? { value } : {}),
            loaded: p.machine.loaded,
            weight: p.machine.weight,
          };
        });
      const counts: Partial<Record<Status, number>> = {};
      const weights = new Map<Status, number>();
      for (const j of judged) {
        counts[j.status] = (counts[j.status] ?? 0) + 1;
        weights.set(j.status, (weights.get(j.status) ?? 0) + j.weight);
      }
      const ranked = [...weights.entries()].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]));
      const top = ranked[0];
      const tie =
        ranked.length > 1 && Math.abs((ranked[1] as [Status, number])[1] - (top as [Status, number])[1]) < 1e-9;
      const verdict = top === undefined ? undefined : tie ? 'split' : top[0];
      const agree = verdict === undefined || verdict === 'split' ? 0 : (counts[verdict] ?? 0);
      const dirs = [...new Set(judged.filter((j) => j.status === verdict && j.direction).map((j) => j.direction))];
      const label = verdict === 'not reproduced' && dirs.length === 1 ? `${verdict} (${dirs[0]})` : verdict;
      return {
        group: g.label,
        machines: inGroup.length,
        judged,
        ...(verdict ? { verdict } : {}),
        ...(label ? { label } : {}),
        agree,
        counts,
        excluded,
      };
    });
    const labels = groups.map((g) => g.label).filter((v) => v !== undefined);
    const acrossGroups =
      new Set(labels).size > 1 ? 'differs' : labels.length === 0 ? 'none' : labels.length === 1 ? 'one group' : 'same';

    const points: Point[] = [];
    for (const { machine, claim: c } of perMachine) {
      if (!c || machine.weight === 0) continue;
      if (judgedStatus(c.verdict.status)) {
        const value = interval(c.measured) ?? interval(c.verdict.measured);
        if (value)
          points.push({
            machine: machine.label,
            cores: machine.cores,
            value,
            kind: machine.loaded ? 'judged, loaded machine' : 'judged',
          });
      } else {
        const also = parseAlsoValue(c.alsoText, trend);
        if (also !== undefined)
          points.push({
            machine: machine.label,
            cores: machine.cores,
            value: { estimate: also },
            kind: 'not judged (at fewer threads)',
          });
      }
    }
    return {
      id,
      source: str(def.source, '?'),
      origin: str(def.origin, 'chapter'),
      text: str(def.text, id),
      claimText: str(def.claimText, '?'),
      requiredThreads: typeof def.requiredThreads === 'number' ? def.requiredThreads : 1,
      ...(claim ? { claim } : {}),
      groups,
      acrossGroups,
      points,
    };
  });
  return {
    methodVersion: METHOD_VERSION,
    excludeLoaded,
    machines,
    claims,
    refused: inputs.refused,
    duplicates: [...inputs.duplicates].sort((a, b) => byText(a.file, b.file)),
    ignored: inputs.ignored,
    plainIgnored: inputs.plainIgnored,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering: one list of blocks, written as markdown and as a self-contained HTML page

type Block =
  | { readonly kind: 'h'; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: 'p'; readonly text: string }
  | { readonly kind: 'note'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | { readonly kind: 'table'; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] }
  | { readonly kind: 'chart'; readonly file: string; readonly svg: string; readonly caption: string };

export function groupCellText(g: GroupVerdict): string {
  if (g.machines === 0) return '';
  if (g.judged.length === 0) {
    return g.excluded > 0
      ? `only loaded machines (${g.excluded}), left out`
      : `not judged (${g.machines} machine${g.machines === 1 ? '' : 's'})`;
  }
  const loaded = g.judged.filter((j) => j.loaded).length;
  const extra = [loaded > 0 ? `${loaded} loaded` : '', g.excluded > 0 ? `${g.excluded} loaded left out` : '']
    .filter(Boolean)
    .join(', ');
  if (g.verdict === 'split') {
    const parts = (Object.entries(g.counts) as [Status, number][])
      .sort((a, b) => byText(a[0], b[0]))
      .map(([s, n]) => `${s} ${n}`);
    return `split: ${parts.join(', ')}${extra ? `; ${extra}` : ''}`;
  }
  return `${g.label} · ${g.agree}/${g.judged.length} agree${extra ? `, ${extra}` : ''}`;
}

function fmt(x: number, trend: boolean, unit: string): string {
  if (trend) return `${formatSignificant(x * 100, 3)}%`;
  return unit === 'x' ? `${formatSignificant(x, 3)}x` : `${formatSignificant(x, 3)}${unit ? ` ${unit}` : ''}`;
}

/** The measured values across machines, and how many CPU models and Node versions they came from. */
export function spreadText(c: MergedClaim, machines: readonly MachineEntry[]): string {
  const judged = c.groups.flatMap((g) => g.judged).filter((j) => j.value);
  if (judged.length === 0) return '—';
  const unit = c.claim && c.claim.kind !== 'trend' ? (c.claim.unit ?? '') : '';
  const trend = c.claim?.kind === 'trend';
  const vals = judged.map((j) => (j.value as IntervalLike).estimate);
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const byLabel = new Map(machines.map((m) => [m.label, m]));
  const used = judged.map((j) => byLabel.get(j.machine) as MachineEntry);
  const cpus = new Set(used.map((m) => m.cpuModel)).size;
  const nodes = new Set(used.map((m) => m.nodeVersion)).size;
  const loaded = used.filter((m) => m.loaded).length;
  const range = lo === hi ? fmt(lo, trend, unit) : `${fmt(lo, trend, unit)} to ${fmt(hi, trend, unit)}`;
  const n = judged.length;
  return `${range} · ${n} machine${n === 1 ? '' : 's'} (${cpus} CPU${cpus === 1 ? '' : 's'}, ${nodes} Node${nodes === 1 ? '' : 's'}${loaded ? `, ${loaded} loaded` : ''})`;
}

/**
 * The chart of one scaling claim, or undefined when no machine measured it. Every merged machine is a category
 * on the x axis (in the merge's order, i.e. by cores), so all charts of a merge share one axis; a machine without
 * a value for the claim leaves a gap.
 */
export function claimChart(
  c: MergedClaim,
  index: number,
  machines: readonly MachineEntry[],
): { file: string; svg: string } | undefined {
  if (c.points.length === 0) return undefined;
  const byMachine = new Map(c.points.map((p) => [p.machine, p]));
  const xLabels = machines.map((m) => `${m.cores} (${m.label})`);
  const pts = machines.map((m) => byMachine.get(m.label));
  const kinds: Point['kind'][] = ['judged', 'judged, loaded machine', 'not judged (at fewer threads)'];
  const colors: Record<Point['kind'], string> = {
    judged: '#0072B2',
    'judged, loaded machine': '#E69F00',
    'not judged (at fewer threads)': '#CC79A7',
  };
  const series: SvgSeries[] = [];
  for (const kind of kinds) {
    if (!pts.some((p) => p?.kind === kind)) continue;
    series.push({
      name: `measured, ${kind}`,
      values: pts.map((p) => (p?.kind === kind ? p.value.estimate : null)),
      low: pts.map((p) => (p?.kind === kind && p.value.low !== undefined ? p.value.low : null)),
      high: pts.map((p) => (p?.kind === kind && p.value.high !== undefined ? p.value.high : null)),
      color: colors[kind],
    });
  }
  if (c.claim) {
    try {
      const band = acceptedBand(c.claim);
      if (Number.isFinite(band.low))
        series.push({ name: 'accepted band, lower edge', values: pts.map(() => band.low), color: '#999999' });
      if (Number.isFinite(band.high))
        series.push({ name: 'accepted band, upper edge', values: pts.map(() => band.high), color: '#555555' });
    } catch {
      // A claim this runner cannot read: no band, the measurements are still drawn.
    }
  }
  const trend = c.claim?.kind === 'trend';
  const unit = trend ? 'relative change' : c.claim && 'unit' in c.claim ? (c.claim.unit ?? '') : '';
  const svg = renderSvgChart({
    kind: 'line',
    xLabels,
    series,
    title: `#${index} ${c.source}: ${c.claimText}, needs ${c.requiredThreads} threads`,
    xTitle: 'available cores (machine), one point per machine',
    yTitle: unit === 'x' ? 'ratio (x)' : unit || 'measured',
    width: Math.max(560, 90 * xLabels.length + 150),
  });
  return { file: `merge-${c.id.replace(/[^A-Za-z0-9_-]/g, '_')}.svg`, svg };
}

export function mergedBlocks(m: Merged): Block[] {
  const groupsWithData = CORE_GROUPS.filter((g) => m.machines.some((x) => x.group === g.label)).map((g) => g.label);
  const empty = CORE_GROUPS.map((g) => g.label).filter((l) => !groupsWithData.includes(l));
  const loaded = m.machines.filter((x) => x.loaded).length;
  const blocks: Block[] = [
    { kind: 'h', level: 1, text: 'Threading patterns: benchmark reports merged by core count' },
    {
      kind: 'p',
      text:
        `${m.machines.length} report${m.machines.length === 1 ? '' : 's'} merged (method version ${m.methodVersion}), ` +
        `${loaded} from loaded machine${loaded === 1 ? '' : 's'}${loaded ? (m.excludeLoaded ? ' (left out of the verdicts: --exclude-loaded)' : ` (weighted ${LOADED_WEIGHT})`) : ''}; ` +
        `core groups with reports: ${groupsWithData.join(', ') || 'none'}` +
        `${m.refused.length ? `; ${m.refused.length} input${m.refused.length === 1 ? '' : 's'} refused (listed at the end)` : ''}.`,
    },
  ];
  if (empty.length > 0) {
    blocks.push({
      kind: 'note',
      text:
        `The ${empty.join(', ')} core column${empty.length === 1 ? ' is' : 's are'} empty: no report from a machine with that many cores has been merged yet. ` +
        'They fill in when reports from such machines are added (students\u2019 laptops via --share, or the CI matrix workflow .github/workflows/bench-matrix.yml).',
    });
  }
  blocks.push(
    { kind: 'h', level: 2, text: 'How to read this' },
    {
      kind: 'list',
      items: [
        'Each machine is filed under the largest core group it reaches (available cores as its report recorded them): 1, 2 (2–3), 4 (4–7), 8 (8–15), 16+.',
        'A group\u2019s verdict counts only the machines that could judge the claim (reproduced, not reproduced, inconclusive, or any other verdict but "not testable"); "not judged" means every machine of the group reported it not testable (too few cores for the claim, or a profile that does not measure it).',
        `The verdict shown is the weighted majority (a quiet machine weighs 1, a loaded one ${LOADED_WEIGHT}); "n/m agree" counts machines; a tie is shown as split with every verdict. A machine is loaded when its own report saw a load average above 0.5 per core before the run (the reading after the run includes the run itself).`,
        'Reports of another method version are refused; two files of the same run count once; nothing here depends on the order of the inputs.',
      ],
    },
    { kind: 'h', level: 2, text: 'Machines' },
    {
      kind: 'table',
      head: [
        'machine',
        'cores (group)',
        'CPU',
        'Node',
        'OS',
        'profile (suites)',
        'date',
        'load before / after',
        'weight',
      ],
      rows: m.machines.map((x) => [
        x.label,
        `${x.cores} (${x.group})`,
        x.cpuModel,
        x.nodeVersion,
        x.os,
        `${x.profile} (${x.suites})`,
        x.date,
        `${x.loadBefore === null ? 'n/a' : x.loadBefore.toFixed(2)} / ${x.loadAfter === null ? 'n/a' : x.loadAfter.toFixed(2)}`,
        x.weight === 0 ? 'left out (loaded)' : x.loaded ? `${x.weight} (loaded)` : String(x.weight),
      ]),
    },
  );
  const warnings = m.machines.flatMap((x) => x.warnings.map((w) => `${x.label}: ${w}`));
  if (warnings.length > 0)
    blocks.push(
      { kind: 'p', text: 'Warnings the machines reported about themselves:' },
      { kind: 'list', items: warnings },
    );

  const head = [
    '#',
    'claim (source)',
    'chapter says',
    'threads needed',
    ...CORE_GROUPS.map((g) => `${g.label} core${g.label === '1' ? '' : 's'}`),
    'across groups',
    'measured across machines',
  ];
  const row = (c: MergedClaim, i: number) => [
    String(i + 1),
    `${c.text} (${c.source})`,
    c.claimText,
    String(c.requiredThreads),
    ...c.groups.map(groupCellText),
    c.acrossGroups === 'differs' ? 'differs by core count' : c.acrossGroups === 'none' ? '—' : c.acrossGroups,
    spreadText(c, m.machines),
  ];
  const numbered = m.claims.map((c, i) => ({ c, i }));
  const chapter = numbered.filter(({ c }) => c.origin !== 'harness');
  const harness = numbered.filter(({ c }) => c.origin === 'harness');
  blocks.push(
    { kind: 'h', level: 2, text: 'Claims by core count' },
    { kind: 'table', head, rows: chapter.map(({ c, i }) => row(c, i)) },
  );
  if (harness.length > 0) {
    blocks.push(
      { kind: 'h', level: 3, text: 'Targets of this harness (not from the chapter)' },
      { kind: 'table', head, rows: harness.map(({ c, i }) => row(c, i)) },
    );
  }

  blocks.push(
    { kind: 'h', level: 2, text: 'Scaling claims against cores' },
    {
      kind: 'p',
      text: 'One chart per claim that needs more than one thread in parallel: the measured value (with its 95% interval) on each machine that judged it, machines sorted by cores; values a machine measured at fewer threads without judging are a series of their own; grey lines are the claim\u2019s accepted band.',
    },
  );
  const without: string[] = [];
  numbered
    .filter(({ c }) => c.requiredThreads > 1)
    .forEach(({ c, i }) => {
      const chart = claimChart(c, i + 1, m.machines);
      if (!chart) {
        without.push(`#${i + 1} ${c.source}: ${c.claimText} (needs ${c.requiredThreads} threads)`);
        return;
      }
      blocks.push(
        { kind: 'h', level: 3, text: `#${i + 1} ${c.text} (${c.source})` },
        { kind: 'chart', ...chart, caption: `${c.claimText}, needs ${c.requiredThreads} threads in parallel` },
      );
    });
  if (without.length > 0)
    blocks.push(
      { kind: 'p', text: 'No machine has measured these scaling claims yet (no chart):' },
      { kind: 'list', items: without },
    );

  if (m.refused.length > 0 || m.duplicates.length > 0 || m.ignored > 0 || m.plainIgnored > 0) {
    blocks.push({ kind: 'h', level: 2, text: 'Inputs refused or skipped' });
    const items = [
      ...m.refused.map((r) => `${r.file}: refused: ${r.reason}`),
      ...m.duplicates.map((d) => `${d.file}: skipped: ${d.reason}`),
    ];
    if (m.plainIgnored > 0) {
      items.push(
        `${m.plainIgnored} plain report${m.plainIgnored === 1 ? '' : 's'} (not share files) in folders that hold share files: ignored, only share files are read from such folders`,
      );
    }
    if (m.ignored > 0)
      items.push(
        `${m.ignored} other JSON file${m.ignored === 1 ? '' : 's'} in the folders ${m.ignored === 1 ? 'is' : 'are'} not a benchmark report (ignored)`,
      );
    blocks.push({ kind: 'list', items });
  }
  blocks.push(
    { kind: 'h', level: 2, text: 'How to reproduce' },
    {
      kind: 'p',
      text: 'On each machine: npm run bench -- --share (writes reports/share/bench-<cores>cores-<hash>.json, anonymised). Then, with every share file in one folder: npm run bench -- --merge <folder> [--exclude-loaded].',
    },
  );
  return blocks;
}

export function renderMergedMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'h') out.push(`${'#'.repeat(b.level)} ${b.text}`, '');
    else if (b.kind === 'p') out.push(b.text, '');
    else if (b.kind === 'note') out.push(`> **Note:** ${b.text}`, '');
    else if (b.kind === 'list') out.push(...b.items.map((i) => `- ${i}`), '');
    else if (b.kind === 'table') out.push(markdownTable(b.head, b.rows), '');
    else out.push(`![${b.caption}](${b.file})`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function renderMergedHtml(blocks: readonly Block[]): string {
  const e = escapeXml;
  const body: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'h') body.push(`<h${b.level}>${e(b.text)}</h${b.level}>`);
    else if (b.kind === 'p') body.push(`<p>${e(b.text)}</p>`);
    else if (b.kind === 'note') body.push(`<p class="note"><strong>Note:</strong> ${e(b.text)}</p>`);
    else if (b.kind === 'list') body.push(`<ul>${b.items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`);
    else if (b.kind === 'table') {
      const cls = (s: string) =>
        s.startsWith('reproduced')
          ? ' class="ok"'
          : s.startsWith('not reproduced')
            ? ' class="bad"'
            : s.startsWith('inconclusive') || s.startsWith('split')
              ? ' class="mid"'
              : '';
      body.push(
        `<table><thead><tr>${b.head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>` +
          b.rows.map((r) => `<tr>${r.map((c) => `<td${cls(c)}>${e(c)}</td>`).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
    } else body.push(`<figure>${b.svg}<figcaption>${e(b.caption)}</figcaption></figure>`);
  }
  const css = [
    'body{font-family:sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}',
    'table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}',
    'th{background:#f3f3f3}td.ok{background:#e3f4e8}td.bad{background:#fbe4e0}td.mid{background:#fff4d6}',
    '.note{background:#eef4fb;border-left:4px solid #0072B2;padding:.5em 1em}figure{margin:1em 0}svg{max-width:100%;height:auto}',
  ].join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Threading patterns: benchmark reports merged by core count</title>',
    `<style>${css}</style></head><body>`,
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

/** Writes report.md, report.html, merged.json and the charts into `dir` (old merge-*.svg charts there go). */
export function writeMerged(dir: string, merged: Merged): { blocks: Block[]; files: string[] } {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (/^merge-.*\.svg$/.test(f)) rmSync(path.join(dir, f));
  const blocks = mergedBlocks(merged);
  const files = ['report.md', 'report.html', 'merged.json'];
  writeFileSync(path.join(dir, 'report.md'), renderMergedMarkdown(blocks));
  writeFileSync(path.join(dir, 'report.html'), renderMergedHtml(blocks));
  writeFileSync(path.join(dir, 'merged.json'), `${JSON.stringify(merged, null, 1)}\n`);
  for (const b of blocks) {
    if (b.kind !== 'chart') continue;
    writeFileSync(path.join(dir, b.file), `${b.svg}\n`);
    files.push(b.file);
  }
  return { blocks, files };
}

/** A short cell for the terminal table: the verdict and "agree/judged", or "·" when the group could not judge. */
function terminalCell(g: GroupVerdict): string {
  if (g.machines === 0) return '';
  if (!g.verdict) return '·';
  if (g.verdict === 'split') return `split ${g.judged.length}`;
  const short =
    ({ reproduced: 'yes', 'not reproduced': 'no', inconclusive: '?' } as Record<string, string>)[g.verdict] ??
    g.verdict;
  const dir = g.label?.endsWith('(lower)') ? '↓' : g.label?.endsWith('(higher)') ? '↑' : '';
  return `${short}${dir} ${g.agree}/${g.judged.length}`;
}

/** The by-core table for the terminal (the full one is in report.md). */
export function renderMergedTerminal(m: Merged): string {
  const rows = m.claims.map((c, i) => [
    String(i + 1),
    c.source,
    c.claimText,
    String(c.requiredThreads),
    ...c.groups.map(terminalCell),
    c.acrossGroups === 'differs' ? 'differs' : '',
  ]);
  const head = [
    '#',
    'source',
    'claim',
    'needs',
    ...CORE_GROUPS.map((g) => `${g.label} core${g.label === '1' ? '' : 's'}`),
    '',
  ];
  return [
    terminalTable(head, rows),
    '',
    'yes reproduced · no not reproduced (↓ lower, ↑ higher than claimed) · ? inconclusive · n/m machines agree · "·" no machine of the group could judge it · empty: no machine with that many cores',
  ].join('\n');
}

/** The `--merge` branch of benches/cli.ts. */
export function mergeFromCli(
  positionals: readonly string[],
  values: {
    readonly out?: string | undefined;
    readonly 'exclude-loaded'?: boolean | undefined;
    readonly merge?: boolean | undefined;
    readonly share?: string | undefined;
    readonly [option: string]: unknown;
  },
): number {
  if (!values.merge) throw new UsageError('--exclude-loaded goes with --merge');
  if (values.share !== undefined)
    throw new UsageError('--share and --merge exclude each other (share on each machine, then merge the files)');
  const runOnly = ['quick', 'full', 'profile', 'target', 'compare'].filter((o) => values[o] !== undefined);
  if (runOnly.length > 0)
    throw new UsageError(`--merge reads reports and runs nothing: --${runOnly[0]} does not apply`);
  if (positionals.length === 0)
    throw new UsageError('--merge needs report files or folders: npm run bench -- --merge <report.json|folder...>');
  const inputs = readInputs(positionals);
  for (const r of inputs.refused) process.stderr.write(`bench: ${r.file}: refused: ${r.reason}\n`);
  if (inputs.reports.length === 0) throw new UsageError(`--merge: no report to merge in ${positionals.join(', ')}`);
  const merged = mergeReports(inputs, { excludeLoaded: values['exclude-loaded'] ?? false });
  const dir = path.join(path.resolve(values.out ?? path.join(repoRoot, 'reports')), 'merged');
  const { files } = writeMerged(dir, merged);
  const groups = CORE_GROUPS.filter((g) => merged.machines.some((x) => x.group === g.label)).map((g) => g.label);
  process.stdout.write(
    `${renderMergedTerminal(merged)}\n\n` +
      `merged ${merged.machines.length} report(s) (core groups ${groups.join(', ')}; ${inputs.refused.length} refused, ${inputs.duplicates.length} duplicate(s)): ` +
      `${path.join(dir, 'report.md')} and ${files.length - 1} more file(s)\n`,
  );
  return 0;
}
