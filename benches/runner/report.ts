/**
 * The report: report.json (everything: settings, machine, every raw sample, verdicts), report.md (for people),
 * one SVG per chart, and the terminal summary.
 *
 * report.md, in this order (the report test checks it):
 *   1. Machine context   CPU, cores, memory, Node/V8, OS, load before/after, date, commit, then the run's settings
 *   2. Claims            every claim of claims.ts: source, what the chapter says, threads it needs, what was
 *                        measured here with its 95% bootstrap interval, the verdict, and a note (how it was
 *                        measured, why JS threads differ when it failed, the value at fewer threads when the claim
 *                        itself is not testable)
 *   3. One section per suite that ran: tables, a terminal chart (with x labels) and an SVG chart
 *   (4. Target vs reference, and 5. Comparison with an earlier report, when asked for)
 *   6. Warnings          load, oversubscription, outliers, failed processes
 *   7. How to reproduce
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatMachineHeader, type MachineInfo } from '../lib/machine.ts';
import { flagOutliers, pooled } from '../lib/stats.ts';
import { formatRatio, markdownTable, terminalTable } from '../lib/table.ts';
import { type Interval, medianOf, ratioOf } from './analysis.ts';
import type { Comparison } from './compare.ts';
import { type ClaimResult, verdictLabel } from './judge.ts';
import type { Section } from './suites.ts';
import type { MilestoneState } from './target.ts';
import type { CellResult, Profile, SuiteName } from './types.ts';

export const REPORT_SCHEMA = 'threading-patterns-bench/1';

export interface RunRecord {
  readonly schema: typeof REPORT_SCHEMA;
  readonly method: { readonly version: number; readonly description: string };
  readonly settings: {
    readonly profile: Profile;
    readonly suites: readonly SuiteName[];
    readonly target: { readonly name: string; readonly dir: string; readonly isReference: boolean };
    readonly milestones: Readonly<Record<string, MilestoneState>>;
    readonly harmonyStruct: boolean;
    /** Busy processes that ran beside the cells (--load); absent in older reports. */
    readonly load?: number;
    readonly argv: readonly string[];
    readonly compare?: string;
  };
  readonly machine: MachineInfo;
  readonly startedAt: string;
  readonly wallMs: number;
  readonly cells: readonly CellResult[];
  readonly claims: readonly ClaimResult[];
  readonly comparison?: Comparison;
}

export const SECTION_HEADINGS = {
  machine: '## Machine context',
  claims: '## Claims of the chapter',
  target: '## Target vs reference',
  compare: '## Comparison with an earlier report',
  warnings: '## Warnings',
  reproduce: '## How to reproduce',
} as const;

export const suiteHeading = (suite: SuiteName): string => `## Suite: ${suite}`;

function claimRows(claims: readonly ClaimResult[]): string[][] {
  return claims.map((c, i) => {
    const notes = [c.method, c.alsoText ? `measured ${c.alsoText} (not judged)` : undefined, c.explanation ? `why JS differs: ${c.explanation}` : undefined]
      .filter((x): x is string => x !== undefined && x !== '')
      .join('; ');
    return [String(i + 1), `${c.text} (${c.source})`, c.claimText, String(c.requiredThreads), c.measuredText, verdictLabel(c.verdict), notes];
  });
}

export function countVerdicts(claims: readonly ClaimResult[]): Record<string, number> {
  const counts: Record<string, number> = { reproduced: 0, 'not reproduced': 0, inconclusive: 0, 'not testable here': 0 };
  for (const c of claims) counts[c.verdict.status] = (counts[c.verdict.status] ?? 0) + 1;
  return counts;
}

function settingsLines(record: RunRecord): string[] {
  const s = record.settings;
  const p = s.profile;
  const ms = Object.entries(s.milestones)
    .map(([id, m]) => `${id} ${m.status === 'stubbed' ? `not implemented yet (${m.stubs.length} stubs)` : m.status === 'missing' ? 'missing' : 'ready'}`)
    .join(', ');
  return [
    `- Profile: ${p.name}: ${p.processes} fresh process${p.processes === 1 ? '' : 'es'} per cell × ${p.reps} repetition${p.reps === 1 ? '' : 's'} per process (variants interleaved); wall time ${(record.wallMs / 1000).toFixed(1)} s`,
    `- Suites: ${s.suites.join(', ')}`,
    `- Target: ${s.target.isReference ? 'solutions (the reference)' : `${s.target.name} (${s.target.dir}) against the reference`}${ms ? `; milestones: ${ms}` : ''}`,
    `- V8 Atomics.Mutex (node --harmony-struct): ${s.harmonyStruct ? 'available' : 'not available'}`,
    `- Intervals: 95% percentile bootstrap, processes resampled as groups; ratios paired by process`,
    `- Load: the 1-minute average "after" includes this run's own work (it keeps up to ${record.machine.availableParallelism} cores busy); "before" tells whether others were competing`,
    ...(s.load ? [`- Competing load added by the runner (--load): ${s.load} busy process${s.load === 1 ? '' : 'es'} beside every cell`] : []),
  ];
}

function warningLines(record: RunRecord): string[] {
  const out = record.machine.warnings.map((w) => `- ${w}`);
  for (const cell of record.cells) {
    for (const f of cell.failures) out.push(`- ${cell.spec.suite}:${cell.spec.id} — a process failed: ${f.split('\n')[0]}`);
    for (const [variant, groups] of Object.entries(cell.samples)) {
      const all = pooled(groups.filter((g) => g.length > 0));
      if (all.length < 4) continue;
      const o = flagOutliers(all);
      if (o.indices.length > 0) out.push(`- ${cell.spec.suite}:${cell.spec.id} "${variant}": ${o.indices.length} of ${all.length} samples are outliers (more than 3 robust SDs from the median); they are kept`);
    }
    for (const [variant, why] of Object.entries(cell.unavailable)) out.push(`- ${cell.spec.suite}:${cell.spec.id} "${variant}": ${why}`);
  }
  if (out.length === 0) out.push('- none');
  return out;
}

function targetLines(record: RunRecord, results: ReadonlyMap<string, CellResult>): string[] {
  const rows: string[][] = [];
  for (const cell of record.cells) {
    for (const variant of Object.keys(cell.samples)) {
      if (!variant.startsWith('target:')) continue;
      const ref = variant.slice('target:'.length);
      const key = `${cell.spec.suite}:${cell.spec.id}`;
      const r: Interval | undefined = ratioOf(results, key, variant, ref);
      rows.push([key, ref, r ? formatRatio(r.estimate, r.low, r.high) : '—', !r ? '—' : r.low === r.high ? 'one sample per side: no interval, no reading' : r.low > 1.05 ? 'slower' : r.high < 0.95 ? 'faster' : 'about the same']);
    }
  }
  const lines = [`Target: ${record.settings.target.name}. Ratios are target time ÷ reference time (above 1: the target is slower).`, ''];
  for (const [id, m] of Object.entries(record.settings.milestones)) {
    if (m.status === 'stubbed') lines.push(`- ${id}: not implemented yet — still stubbed: ${m.stubs.join(', ')}`);
    else if (m.status === 'missing') lines.push(`- ${id}: not implemented yet — the folder ${m.folder} is missing`);
  }
  for (const cell of record.cells) for (const [label, why] of Object.entries(cell.notImplemented)) lines.push(`- ${cell.spec.suite}:${cell.spec.id}: ${label} not implemented yet (${why})`);
  lines.push('');
  if (rows.length) lines.push(markdownTable(['cell', 'variant', 'target ÷ reference [95% CI]', 'reading'], rows));
  else lines.push('No target measurements (every benchmarked milestone of the target is still stubbed or missing).');
  return lines;
}

function compareLines(c: Comparison, file: string): string[] {
  if (!c.comparable) return [`Not compared with ${file}: ${c.reason}.`];
  const flagged = c.changes.filter((x) => x.status === 'regression' || x.status === 'improvement');
  const lines = [
    `Against ${file}: new ÷ old median per variant; flagged when the whole 95% interval is more than 5% away from 1. ${flagged.length} flagged of ${c.changes.filter((x) => x.status !== 'not comparable').length} compared.`,
    '',
  ];
  const rows = c.changes.map((x) => [x.cell, x.variant, x.ratio ? formatRatio(x.ratio.estimate, x.ratio.low, x.ratio.high) : '—', x.status + (x.reason ? ` (${x.reason})` : '')]);
  if (rows.length) lines.push(markdownTable(['cell', 'variant', 'new ÷ old', 'status'], rows));
  return lines;
}

export function reproduceLines(record: RunRecord): string[] {
  const s = record.settings;
  const args: string[] = [...s.suites];
  if (s.profile.name !== 'quick') args.push(s.profile.name === 'full' ? '--full' : `--profile ${s.profile.name}`);
  if (!s.target.isReference) args.push(`--target ${s.target.name}`);
  return [
    '```sh',
    `git checkout ${record.machine.git.commit ?? '<commit>'}`,
    'npm ci',
    `npm run bench -- ${args.join(' ')}`,
    '```',
    '',
    'Run it on a quiet machine (check `uptime`): the load average before and after the run is part of the report. Compare two runs with `--compare reports/<run>/report.json`.',
  ];
}

export function renderMarkdown(record: RunRecord, sections: readonly Section[], results: ReadonlyMap<string, CellResult>): string {
  const counts = countVerdicts(record.claims.filter((c) => c.origin === 'chapter'));
  const chapter = record.claims.filter((c) => c.origin === 'chapter');
  const harness = record.claims.filter((c) => c.origin === 'harness');
  const head = ['#', 'claim (source)', 'chapter says', 'threads needed', 'measured here [95% CI]', 'verdict', 'notes'];
  const out: string[] = [
    '# Threading patterns: benchmark report',
    '',
    SECTION_HEADINGS.machine,
    '',
    formatMachineHeader(record.machine),
    '',
    ...settingsLines(record),
    '',
    SECTION_HEADINGS.claims,
    '',
    `${chapter.length} claims: ${counts['reproduced']} reproduced, ${counts['not reproduced']} not reproduced, ${counts['inconclusive']} inconclusive, ${counts['not testable here']} not testable here. ` +
      'A claim is reproduced when its whole interval lies in the claimed band (±10% for ranges, ±20% for "~" values); a claim that needs more threads than this machine can run in parallel is not testable here, and the same measurement at fewer threads is shown for information only.',
    '',
    markdownTable(head, claimRows(chapter)),
    '',
    '### Targets of this harness (not from the chapter)',
    '',
    markdownTable(head, claimRows(harness)),
    '',
  ];
  for (const s of sections) out.push(suiteHeading(s.suite), '', `_${s.title}_`, '', s.markdown.trimEnd(), '');
  if (!record.settings.target.isReference) out.push(SECTION_HEADINGS.target, '', ...targetLines(record, results), '');
  if (record.comparison && record.settings.compare) out.push(SECTION_HEADINGS.compare, '', ...compareLines(record.comparison, record.settings.compare), '');
  out.push(SECTION_HEADINGS.warnings, '', ...warningLines(record), '', SECTION_HEADINGS.reproduce, '', ...reproduceLines(record), '');
  return out.join('\n');
}

/** The short version for the terminal: the claims table and the charts. */
export function renderTerminal(record: RunRecord, sections: readonly Section[], reportDir: string): string {
  const rows = record.claims.map((c, i) => [
    String(i + 1),
    c.source,
    c.claimText,
    c.measuredText === '—' && c.alsoText ? `(${c.alsoText})` : c.measuredText,
    verdictLabel(c.verdict).replace(/^not testable here: .*/, 'not testable here'),
  ]);
  const counts = countVerdicts(record.claims.filter((c) => c.origin === 'chapter'));
  const out = [
    '',
    terminalTable(['#', 'source', 'claim', 'measured [95% CI]', 'verdict'], rows),
    '',
    `chapter claims: ${counts['reproduced']} reproduced, ${counts['not reproduced']} not reproduced, ${counts['inconclusive']} inconclusive, ${counts['not testable here']} not testable here`,
  ];
  for (const s of sections) for (const chart of s.terminal) out.push('', chart);
  if (record.comparison?.comparable) {
    const flagged = record.comparison.changes.filter((x) => x.status === 'regression' || x.status === 'improvement');
    out.push('', `compared with ${record.settings.compare}: ${flagged.length} change(s) flagged`);
    for (const f of flagged) out.push(`  ${f.status}: ${f.cell} "${f.variant}" new/old ${f.ratio ? formatRatio(f.ratio.estimate, f.ratio.low, f.ratio.high) : ''}`);
  }
  out.push('', `report: ${path.join(reportDir, 'report.md')} (wall time ${(record.wallMs / 1000).toFixed(1)} s)`);
  return out.join('\n');
}

export function writeReport(dir: string, record: RunRecord, sections: readonly Section[], results: ReadonlyMap<string, CellResult>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(record, null, 1)}\n`);
  writeFileSync(path.join(dir, 'report.md'), renderMarkdown(record, sections, results));
  for (const s of sections) for (const svg of s.svgs) writeFileSync(path.join(dir, svg.file), `${svg.svg}\n`);
}

/** For tests and the compare step: median of a variant straight from a record's cells. */
export function recordMedian(record: Pick<RunRecord, 'cells'>, key: string, variant: string): Interval | undefined {
  const map = new Map(record.cells.map((c) => [`${c.spec.suite}:${c.spec.id}`, c]));
  return medianOf(map, key, variant);
}
