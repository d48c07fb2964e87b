/**
 * The report: report.json (everything: settings, machine, every raw sample, verdicts), report.md (for people),
 * one SVG per chart, and the terminal summary.
 *
 * report.html (report-html.ts) is the same content as one self-contained page with filters and strip plots.
 *
 * report.md, in this order (the report test checks it):
 *   1. Machine context   CPU, cores, memory, Node/V8, OS, load before/after, date, commit (each warning on its own
 *                        line), then the run's settings
 *   2. Claims            the verdict counts, the verdict rules (judge.ts VERDICT_RULES, stated once), then one
 *                        narrow table per project (and one for the harness's own targets): claim, the chapter's
 *                        number, what was measured here with its 95% interval, a short verdict, and references
 *                        to numbered notes under the table (a note shared by several rows is written once)
 *   3. Where the chapter contradicts itself (contradictions.ts)
 *   4. One section per suite that ran: tables and SVG charts (the ASCII charts are for the terminal only)
 *   5. Cost of each cell: wall time, CPU time and peak memory of its processes
 *   (6. Target vs reference, and 7. Comparison with an earlier report, when asked for)
 *   8. Warnings          load, oversubscription, failed processes, intervals on few process groups, outliers
 *                        summarised per suite with advice
 *   9. How to reproduce
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { styleText } from 'node:util';
import { formatMachineHeader, type MachineInfo } from '../lib/machine.ts';
import { flagOutliers, median, pooled } from '../lib/stats.ts';
import { formatDuration, formatRatio, markdownTable, plural, terminalTable } from '../lib/table.ts';
import { type Interval, ratioOf } from './analysis.ts';
import type { Comparison } from './compare.ts';
import { contradictionLines } from './contradictions.ts';
import { PROFILES } from './profiles.ts';
import { renderHtml } from './report-html.ts';
import { type ClaimResult, MIN_GROUPS, VERDICT_RULES, verdictLabel } from './judge.ts';
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
    /** The --cells pattern, when only some cells ran. */
    readonly cells?: string;
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
  rules: '### How verdicts are given',
  contradictions: '## Where the chapter contradicts itself',
  resources: '## Cost of each cell: wall time, CPU, memory',
  target: '## Target vs reference',
  compare: '## Comparison with an earlier report',
  warnings: '## Warnings',
  reproduce: '## How to reproduce',
} as const;

export const suiteHeading = (suite: SuiteName): string => `## Suite: ${suite}`;

/** Which suite a claim's table belongs to: the chapter's projects map onto the suites that measure them. */
export function claimSuite(c: Pick<ClaimResult, 'source'>): SuiteName {
  return c.source.startsWith('p1')
    ? 'channels'
    : c.source.startsWith('p2')
      ? 'pool'
      : c.source.startsWith('p3')
        ? 'locks'
        : 'kit';
}

/** The chapter's order: project 1, 2, 3, then the harness's own targets. */
export const CLAIM_GROUP_ORDER: readonly SuiteName[] = ['channels', 'pool', 'locks', 'kit'];

export const CLAIM_GROUP_TITLES: Readonly<Record<SuiteName, string>> = {
  channels: 'Project 1, channels (suite: channels)',
  pool: 'Project 2, thread pool (suite: pool)',
  locks: 'Project 3, shared counters (suite: locks)',
  kit: 'Targets of this harness, not from the chapter (suites: channels, locks)',
};

/** The thread-count reason is the same sentence on every such row: the table says "needs N threads" only. */
const THREADS_REASON = /^the claim needs (\d+) threads running in parallel/;

/** Short verdict for a table cell (the long reasons are stated once, above the tables or in the notes). */
export function shortVerdict(c: ClaimResult): string {
  const v = c.verdict;
  if (v.status === 'not testable here') {
    const m = THREADS_REASON.exec(v.reason);
    return m ? `not testable here (needs ${m[1]} threads)` : 'not testable here';
  }
  return verdictLabel(v);
}

/** The notes of a claim, each a separate sentence (identical notes across rows are folded by the caller). */
export function claimNotes(c: ClaimResult): string[] {
  const notes: string[] = [];
  if (c.verdict.status === 'not testable here' && !THREADS_REASON.test(c.verdict.reason))
    notes.push(`Not testable: ${c.verdict.reason}.`);
  if (c.verdict.status === 'holds by construction') notes.push(`By construction: ${c.verdict.reason}.`);
  if (c.workloadChanged) notes.push(`Workload changed: ${c.workloadChanged}.`);
  if (c.method) notes.push(`Measured: ${c.method}.`);
  if (c.alsoText) notes.push(`Measured ${c.alsoText} (not judged).`);
  if (c.explanation) notes.push(`Why JS differs: ${c.explanation}.`);
  return notes;
}

/**
 * The claims of one group as a narrow table plus numbered notes under it; a note shared by several rows is
 * written once and cited by all of them.
 */
function claimTable(claims: readonly ClaimResult[], numberOf: (c: ClaimResult) => number): string[] {
  const notes: string[] = [];
  const rows = claims.map((c) => {
    const refs = claimNotes(c).map((n) => {
      let k = notes.indexOf(n);
      if (k < 0) k = notes.push(n) - 1;
      return k + 1;
    });
    return [
      String(numberOf(c)),
      `${c.text} (${c.source})`,
      c.claimText,
      c.measuredText,
      shortVerdict(c),
      refs.map((r) => `[${r}]`).join(' '),
    ];
  });
  const out = [
    markdownTable(['#', 'claim (source)', 'chapter', 'measured here [95% CI]', 'verdict', 'notes'], rows),
    '',
  ];
  notes.forEach((n, i) => out.push(`${i + 1}. ${n}`));
  return out;
}

export const VERDICT_ORDER = [
  'reproduced',
  'not reproduced',
  'inconclusive',
  'holds by construction',
  'not testable here',
] as const;

export function countVerdicts(claims: readonly ClaimResult[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(VERDICT_ORDER.map((v) => [v, 0]));
  for (const c of claims) counts[c.verdict.status] = (counts[c.verdict.status] ?? 0) + 1;
  return counts;
}

function settingsLines(record: RunRecord): string[] {
  const s = record.settings;
  const p = s.profile;
  const ms = Object.entries(s.milestones)
    .map(
      ([id, m]) =>
        `${id} ${m.status === 'stubbed' ? `not implemented yet (${m.stubs.length} stubs)` : m.status === 'missing' ? 'missing' : 'ready'}`,
    )
    .join(', ');
  return [
    `- Profile: ${p.name}: ${p.processes} fresh process${p.processes === 1 ? '' : 'es'} per cell × ${p.reps} repetition${p.reps === 1 ? '' : 's'} per process (variants interleaved); wall time ${(record.wallMs / 1000).toFixed(1)} s`,
    `- Suites: ${s.suites.join(', ')}`,
    `- Target: ${s.target.isReference ? 'solutions (the reference)' : `${s.target.name} (${s.target.dir}) against the reference`}${ms ? `; milestones: ${ms}` : ''}`,
    `- V8 Atomics.Mutex (node --harmony-struct): ${s.harmonyStruct ? 'available' : 'not available'}`,
    `- Intervals: 95% percentile bootstrap, processes resampled as groups; ratios paired by process`,
    `- Load: the 1-minute average "after" includes this run's own work (it keeps up to ${plural(record.machine.availableParallelism, 'core')} busy); "before" tells whether others were competing`,
    ...(s.load
      ? [
          `- Competing load added by the runner (--load): ${s.load} busy process${s.load === 1 ? '' : 'es'} beside every cell`,
        ]
      : []),
  ];
}

/** Outliers per suite: how many variants have any, how many samples in all, and what to do about it. */
export function outlierSummary(record: Pick<RunRecord, 'cells' | 'settings'>): string[] {
  const bySuite = new Map<string, { variants: number; outliers: number; samples: number; worst: string }>();
  for (const cell of record.cells) {
    for (const [variant, groups] of Object.entries(cell.samples)) {
      const all = pooled(groups.filter((g) => g.length > 0));
      if (all.length < 4) continue;
      const o = flagOutliers(all);
      if (o.indices.length === 0) continue;
      const s = bySuite.get(cell.spec.suite) ?? { variants: 0, outliers: 0, samples: 0, worst: '' };
      s.variants++;
      s.outliers += o.indices.length;
      s.samples += all.length;
      if (!s.worst) s.worst = `${cell.spec.id} "${variant}"`;
      bySuite.set(cell.spec.suite, s);
    }
  }
  const p = record.settings.profile;
  return [...bySuite.entries()].map(
    ([suite, s]) =>
      `- ${suite}: ${s.outliers} outlying samples (more than 3 robust SDs from their median; kept) in ${s.variants} variants, e.g. ${s.worst}. ` +
      `Advice: rerun on a quiet machine (load below half the cores), or with more processes (--processes ${2 * p.processes}) so that one disturbed process weighs less in each interval.`,
  );
}

function warningLines(record: RunRecord): string[] {
  const out = record.machine.warnings.map((w) => `- ${w}`);
  for (const cell of record.cells) {
    for (const f of cell.failures)
      out.push(`- ${cell.spec.suite}:${cell.spec.id} — a process failed: ${f.split('\n')[0]}`);
    for (const [variant, why] of Object.entries(cell.unavailable))
      out.push(`- ${cell.spec.suite}:${cell.spec.id} "${variant}": ${why}`);
  }
  const marked = record.claims.filter((c) => c.groups !== undefined && c.groups < MIN_GROUPS);
  if (marked.length)
    out.push(
      `- ${marked.length} claim interval(s) rest on fewer than ${MIN_GROUPS} process groups (marked ‡ with the count): read them as rough.`,
    );
  out.push(...outlierSummary(record));
  if (out.length === 0) out.push('- none');
  return out;
}

/** Wall time, CPU time and peak memory of each cell's processes (medians over processes; peak: the highest). */
export function resourceLines(record: Pick<RunRecord, 'cells'>): string[] {
  const rows: string[][] = [];
  for (const cell of record.cells) {
    const res = cell.resources ?? [];
    if (res.length === 0) continue;
    const wall = median(cell.processMs);
    const cpu = median(res.map((r) => r.cpuMs));
    rows.push([
      `${cell.spec.suite}:${cell.spec.id}`,
      String(res.length),
      formatDuration(wall),
      formatDuration(cpu),
      `${(cpu / wall).toFixed(2)}`,
      `${Math.max(...res.map((r) => r.maxRssMb)).toFixed(0)} MB`,
    ]);
  }
  if (rows.length === 0) return ['No CPU or memory figures in this report.'];
  return [
    'Per cell process (it runs every variant of the cell, all repetitions): wall time and CPU time (user + system, all threads), medians over processes; peak resident memory, the highest of any process. CPU ÷ wall above 1 means threads ran in parallel.',
    '',
    markdownTable(['cell', 'processes', 'wall', 'CPU', 'CPU ÷ wall', 'peak memory'], rows),
  ];
}

export function targetLines(record: RunRecord, results: ReadonlyMap<string, CellResult>): string[] {
  const rows: string[][] = [];
  for (const cell of record.cells) {
    for (const variant of Object.keys(cell.samples)) {
      if (!variant.startsWith('target:')) continue;
      const ref = variant.slice('target:'.length);
      const key = `${cell.spec.suite}:${cell.spec.id}`;
      const r: Interval | undefined = ratioOf(results, key, variant, ref);
      rows.push([
        key,
        ref,
        r ? formatRatio(r.estimate, r.low, r.high) : '—',
        !r
          ? '—'
          : r.low === r.high
            ? 'one sample per side: no interval, no reading'
            : r.low > 1.05
              ? 'slower'
              : r.high < 0.95
                ? 'faster'
                : 'about the same',
      ]);
    }
  }
  const lines = [
    `Target: ${record.settings.target.name}. Ratios are target time ÷ reference time (above 1: the target is slower).`,
    '',
  ];
  for (const [id, m] of Object.entries(record.settings.milestones)) {
    if (m.status === 'stubbed') lines.push(`- ${id}: not implemented yet — still stubbed: ${m.stubs.join(', ')}`);
    else if (m.status === 'missing') lines.push(`- ${id}: not implemented yet — the folder ${m.folder} is missing`);
  }
  for (const cell of record.cells)
    for (const [label, why] of Object.entries(cell.notImplemented))
      lines.push(`- ${cell.spec.suite}:${cell.spec.id}: ${label} not implemented yet (${why})`);
  lines.push('');
  if (rows.length) lines.push(markdownTable(['cell', 'variant', 'target ÷ reference [95% CI]', 'reading'], rows));
  else lines.push('No target measurements (every benchmarked milestone of the target is still stubbed or missing).');
  return lines;
}

export function compareLines(c: Comparison, file: string): string[] {
  if (!c.comparable) return [`Not compared with ${file}: ${c.reason}.`];
  const warned = (c.warnings ?? []).flatMap((w) => [`> **Warning:** ${w}.`, '']);
  const flagged = c.changes.filter((x) => x.status === 'regression' || x.status === 'improvement');
  const lines = [
    ...warned,
    `Against ${file}: new ÷ old median per variant; flagged when the whole 95% interval is more than 5% away from 1. ${flagged.length} flagged of ${c.changes.filter((x) => x.status !== 'not comparable').length} compared.`,
    '',
  ];
  const rows = c.changes.map((x) => [
    x.cell,
    x.variant,
    x.ratio ? formatRatio(x.ratio.estimate, x.ratio.low, x.ratio.high) : '—',
    x.status + (x.reason ? ` (${x.reason})` : ''),
  ]);
  if (rows.length) lines.push(markdownTable(['cell', 'variant', 'new ÷ old', 'status'], rows));
  return lines;
}

export function reproduceLines(record: RunRecord): string[] {
  const s = record.settings;
  const args: string[] = [...s.suites];
  if (s.profile.name !== 'quick') args.push(s.profile.name === 'full' ? '--full' : `--profile ${s.profile.name}`);
  if (s.profile.processes !== PROFILES[s.profile.name].processes) args.push(`--processes ${s.profile.processes}`);
  if (s.cells) args.push(`--cells '${s.cells}'`);
  if (s.load) args.push(`--load ${s.load}`);
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

export function renderMarkdown(
  record: RunRecord,
  sections: readonly Section[],
  results: ReadonlyMap<string, CellResult>,
): string {
  const chapter = record.claims.filter((c) => c.origin === 'chapter');
  const counts = countVerdicts(chapter);
  const numberOf = (c: ClaimResult) => record.claims.indexOf(c) + 1;
  const cores = record.machine.availableParallelism;
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
    `${chapter.length} claims of the chapter: ${verdictCountText(counts)}.`,
    '',
    SECTION_HEADINGS.rules,
    '',
    ...VERDICT_RULES.map((r, i) => `${i + 1}. ${r}`),
    '',
    `This machine runs ${cores} thread${cores === 1 ? '' : 's'} in parallel (os.availableParallelism()): "needs N threads" below means N > ${cores}.`,
    '',
  ];
  for (const suite of CLAIM_GROUP_ORDER) {
    const group = record.claims.filter((c) => claimSuite(c) === suite);
    if (group.length === 0) continue;
    out.push(`### ${CLAIM_GROUP_TITLES[suite]}`, '', ...claimTable(group, numberOf), '');
  }
  out.push(SECTION_HEADINGS.contradictions, '', ...contradictionLines(), '');
  for (const s of sections) out.push(suiteHeading(s.suite), '', `_${s.title}_`, '', s.markdown.trimEnd(), '');
  out.push(SECTION_HEADINGS.resources, '', ...resourceLines(record), '');
  if (!record.settings.target.isReference) out.push(SECTION_HEADINGS.target, '', ...targetLines(record, results), '');
  if (record.comparison && record.settings.compare)
    out.push(SECTION_HEADINGS.compare, '', ...compareLines(record.comparison, record.settings.compare), '');
  out.push(
    SECTION_HEADINGS.warnings,
    '',
    ...warningLines(record),
    '',
    SECTION_HEADINGS.reproduce,
    '',
    ...reproduceLines(record),
    '',
  );
  return out.join('\n');
}

export function verdictCountText(counts: Record<string, number>): string {
  return VERDICT_ORDER.map((v) => `${counts[v] ?? 0} ${v}`).join(', ');
}

/** The short version for the terminal: the claims table and the charts. */
/** Colour on a terminal unless NO_COLOR is set (https://no-color.org) or FORCE_COLOR=0. */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if ('NO_COLOR' in env && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] === '0') return false;
  return stream.isTTY === true || (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '');
}

const TERMINAL_COLOURS: Readonly<Record<string, Parameters<typeof styleText>[0]>> = {
  reproduced: 'green',
  'not reproduced': 'red',
  inconclusive: 'yellow',
  'holds by construction': 'magenta',
  'not testable here': 'gray',
};

export function renderTerminal(
  record: RunRecord,
  sections: readonly Section[],
  reportDir: string,
  options: { colour?: boolean } = {},
): string {
  const paint = (style: Parameters<typeof styleText>[0] | undefined, text: string) =>
    options.colour && style ? styleText(style, text) : text;
  const rows = record.claims.map((c, i) => [
    String(i + 1),
    c.source,
    c.claimText,
    c.measuredText === '—' && c.alsoText ? `(${c.alsoText})` : c.measuredText,
    paint(TERMINAL_COLOURS[c.verdict.status], shortVerdict(c)),
  ]);
  const counts = countVerdicts(record.claims.filter((c) => c.origin === 'chapter'));
  const out = [
    '',
    terminalTable(['#', 'source', 'claim', 'measured [95% CI]', 'verdict'], rows),
    '',
    `chapter claims: ${verdictCountText(counts)}`,
  ];
  for (const s of sections) for (const chart of s.terminal) out.push('', chart);
  for (const w of record.machine.warnings) out.push('', paint('yellow', `warning: ${w}`));
  for (const w of record.comparison?.warnings ?? []) out.push('', paint('yellow', `warning: ${w}`));
  if (record.comparison?.comparable) {
    const flagged = record.comparison.changes.filter((x) => x.status === 'regression' || x.status === 'improvement');
    out.push('', `compared with ${record.settings.compare}: ${flagged.length} change(s) flagged`);
    for (const f of flagged)
      out.push(
        `  ${paint(f.status === 'regression' ? 'red' : 'green', f.status)}: ${f.cell} "${f.variant}" new/old ${f.ratio ? formatRatio(f.ratio.estimate, f.ratio.low, f.ratio.high) : ''}`,
      );
  }
  out.push('', `report: ${path.join(reportDir, 'report.md')} (wall time ${(record.wallMs / 1000).toFixed(1)} s)`);
  return out.join('\n');
}

export function writeReport(
  dir: string,
  record: RunRecord,
  sections: readonly Section[],
  results: ReadonlyMap<string, CellResult>,
): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(record, null, 1)}\n`);
  writeFileSync(path.join(dir, 'report.md'), renderMarkdown(record, sections, results));
  writeFileSync(path.join(dir, 'report.html'), renderHtml(record, sections));
  for (const s of sections) for (const svg of s.svgs) writeFileSync(path.join(dir, svg.file), `${svg.svg}\n`);
}
