/**
 * Reports from many machines → one verdict table by core count (`npm run bench -- --merge a.json b.json … | DIR`),
 * and the anonymised report a student or a CI job hands in (`--share`).
 *
 * Merging. Every report must come from the same method version (METHOD_VERSION) and the same claims list; a
 * report that does not is refused with a one-line reason, before anything is written. Reports are grouped by the
 * cores each could use (os.availableParallelism(): 1, 2, 3–4 → "4", 5–8 → "8", more → "16+"; taskset and cgroup
 * limits count). For each claim and group the table shows the verdicts of the reports that could judge it (a "not
 * testable here" is not a verdict and is only counted), how many machines agree (the most common verdict over all
 * that judged), and the spread of the measured value across machines. A report with load warnings of its own is
 * shown, marked "loaded", and its verdicts counted apart ("2 + 1 loaded"); `--exclude-loaded` leaves such reports
 * out. Scaling claims (those judged at a thread count) get one chart: each machine's measured value (or, where it
 * could not judge, its value at the threads it had) against its core count, one point per machine.
 *
 * The result depends only on the set of reports: they are sorted by a key of their own content before anything
 * else, so the order of the files on the command line does not matter (merge.test.ts checks both).
 *
 * Sharing. `anonymise(record)` drops what could name a person or a machine: the command line, every absolute
 * path (the repository root, the home folder, temporary folders), the user and host names wherever they occur,
 * and the implementations' directories; what stays is what the merge needs (machine model, cores, Node, load,
 * warnings, samples, verdicts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderSvgChart, type SvgSeries } from '../lib/chart.ts';
import { markdownTable } from '../lib/table.ts';
import { CLAIMS } from './claims.ts';
import { METHOD_VERSION } from './compare.ts';
import type { ClaimResult } from './judge.ts';
import { markdownToHtml } from './report-html.ts';
import { type RunRecord, REPORT_SCHEMA } from './report.ts';
import { repoRoot } from './target.ts';

export const CORE_GROUPS = ['1', '2', '4', '8', '16+'] as const;
export type CoreGroup = (typeof CORE_GROUPS)[number];

export function coreGroup(cores: number): CoreGroup {
  return cores <= 1 ? '1' : cores <= 2 ? '2' : cores <= 4 ? '4' : cores <= 8 ? '8' : '16+';
}

export interface LoadedReport {
  readonly file: string;
  readonly record: RunRecord;
}

/** Reads report files and folders of them (every *.json inside, not recursive). */
export function readReports(inputs: readonly string[]): LoadedReport[] {
  const files = inputs.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.json')).map((f) => path.join(p, f)) : [p]));
  return files.map((file) => {
    let record: RunRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
    } catch (error) {
      throw new RangeError(`${file}: not JSON (${(error as Error).message})`);
    }
    return { file, record };
  });
}

/** Why a report cannot be merged, in one line; undefined when it can. */
export function refusal(r: LoadedReport): string | undefined {
  const rec = r.record as Partial<RunRecord>;
  if (rec.schema !== REPORT_SCHEMA) return `${r.file}: not a benchmark report of this project (schema ${String(rec.schema)})`;
  if (rec.method?.version !== METHOD_VERSION) return `${r.file}: method version ${String(rec.method?.version)}, this runner measures with version ${METHOD_VERSION}`;
  const ids = new Set(CLAIMS.map((c) => c.id));
  const theirs = (rec.claims ?? []).map((c) => c.id);
  const missing = [...ids].filter((id) => !theirs.includes(id));
  if (missing.length) return `${r.file}: made with another claims list (no ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`;
  return undefined;
}

/** A stable key of a report's own content (never its file name or position). */
function contentKey(r: RunRecord): string {
  return createHash('sha256').update(JSON.stringify([r.machine.availableParallelism, r.machine.cpuModel, r.startedAt, r.claims.map((c) => c.measuredText)])).digest('hex');
}

export interface MachineColumn {
  readonly label: string;
  readonly cores: number;
  readonly group: CoreGroup;
  readonly loaded: boolean;
  readonly cpu: string;
  readonly node: string;
  readonly profile: string;
  readonly warnings: readonly string[];
}

export interface ClaimRow {
  readonly id: string;
  readonly text: string;
  readonly claimText: string;
  /** group → verdict → count, for quiet and loaded machines apart. */
  readonly byGroup: Record<CoreGroup, { quiet: Record<string, number>; loaded: Record<string, number>; notTestable: number }>;
  readonly judged: number;
  readonly agree: number;
  readonly majority?: string;
  /** Measured estimates of the machines that judged it: min and max. */
  readonly spread?: { readonly low: number; readonly high: number; readonly machines: number };
}

export interface Merged {
  readonly machines: readonly MachineColumn[];
  readonly rows: readonly ClaimRow[];
  /** One point per machine per scaling claim: [cores, value, judged]. */
  readonly scaling: Readonly<Record<string, readonly { readonly cores: number; readonly value: number; readonly judged: boolean; readonly machine: string }[]>>;
}

export function mergeReports(reports: readonly LoadedReport[], options: { excludeLoaded?: boolean } = {}): Merged {
  for (const r of reports) {
    const why = refusal(r);
    if (why) throw new RangeError(why);
  }
  const sorted = [...reports].sort((a, b) => {
    const d = a.record.machine.availableParallelism - b.record.machine.availableParallelism;
    return d !== 0 ? d : contentKey(a.record) < contentKey(b.record) ? -1 : contentKey(a.record) > contentKey(b.record) ? 1 : 0;
  });
  const used = sorted.filter((r) => !(options.excludeLoaded && r.record.machine.warnings.length > 0));
  const machines: MachineColumn[] = used.map((r, i) => ({
    label: `M${i + 1}`,
    cores: r.record.machine.availableParallelism,
    group: coreGroup(r.record.machine.availableParallelism),
    loaded: r.record.machine.warnings.some((w) => w.startsWith('load average')),
    cpu: r.record.machine.cpuModel,
    node: r.record.machine.nodeVersion,
    profile: r.record.settings.profile.name,
    warnings: r.record.machine.warnings,
  }));
  const rows: ClaimRow[] = CLAIMS.map((def) => {
    const byGroup = Object.fromEntries(CORE_GROUPS.map((g) => [g, { quiet: {}, loaded: {}, notTestable: 0 }])) as ClaimRow['byGroup'];
    const verdicts: string[] = [];
    const values: number[] = [];
    used.forEach((r, i) => {
      const c = r.record.claims.find((x) => x.id === def.id) as ClaimResult;
      const m = machines[i]!;
      const cell = byGroup[m.group];
      if (c.verdict.status === 'not testable here') {
        cell.notTestable++;
        return;
      }
      const side = m.loaded ? cell.loaded : cell.quiet;
      side[c.verdict.status] = (side[c.verdict.status] ?? 0) + 1;
      verdicts.push(c.verdict.status);
      if (c.measured) values.push(c.measured.estimate);
    });
    const tally = new Map<string, number>();
    for (const v of verdicts) tally.set(v, (tally.get(v) ?? 0) + 1);
    const top = [...tally.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    return {
      id: def.id,
      text: def.text,
      claimText: used[0]?.record.claims.find((x) => x.id === def.id)?.claimText ?? '',
      byGroup,
      judged: verdicts.length,
      agree: top?.[1] ?? 0,
      ...(top ? { majority: top[0] } : {}),
      ...(values.length ? { spread: { low: Math.min(...values), high: Math.max(...values), machines: values.length } } : {}),
    };
  });
  const scaling: Record<string, { cores: number; value: number; judged: boolean; machine: string }[]> = {};
  for (const def of CLAIMS) {
    if (def.requiredThreads <= 1 || def.measure.kind === 'none') continue;
    const points = used.flatMap((r, i) => {
      const c = r.record.claims.find((x) => x.id === def.id)!;
      const judged = c.verdict.status !== 'not testable here' && c.measured !== undefined;
      const m = judged ? c.measured : c.alsoMeasured;
      return m ? [{ cores: machines[i]!.cores, value: m.estimate, judged, machine: machines[i]!.label }] : [];
    });
    if (points.length) scaling[def.id] = points;
  }
  return { machines, rows, scaling };
}

const sig = (x: number) => Number(x.toPrecision(3)).toString();

function groupCell(g: ClaimRow['byGroup'][CoreGroup], machinesInGroup: number): string {
  if (machinesInGroup === 0) return '';
  const parts = Object.entries(g.quiet)
    .sort()
    .map(([v, n]) => `${v}${n > 1 ? ` ×${n}` : ''}`);
  for (const [v, n] of Object.entries(g.loaded).sort()) parts.push(`${v} ×${n} (loaded)`);
  if (parts.length === 0) return g.notTestable ? 'not testable' : '—';
  return parts.join('; ');
}

export function renderMergedMarkdown(m: Merged): { markdown: string; svgs: { file: string; svg: string }[] } {
  const count = (g: CoreGroup) => m.machines.filter((x) => x.group === g).length;
  const empty = CORE_GROUPS.filter((g) => count(g) === 0);
  const out: string[] = [
    '# Threading patterns: benchmark reports merged by core count',
    '',
    '## Machines',
    '',
    markdownTable(
      ['machine', 'cores (group)', 'CPU', 'Node', 'profile', 'warnings'],
      m.machines.map((x) => [x.label, `${x.cores} (${x.group})`, x.cpu, x.node, x.profile, x.warnings.length ? x.warnings.map((w) => w.split(':')[0]).join('; ') : 'none']),
    ),
    '',
    `${m.machines.length} reports. A column is a core-count group; a cell lists the verdicts of the machines of that group that could judge the claim ("not testable" when none could). Verdicts of machines that reported load of their own are marked "(loaded)".`,
    ...(empty.length ? ['', `No report yet from machines with ${empty.join(', ')} cores: those columns stay empty until real reports come in.`] : []),
    '',
    '## Claims by core count',
    '',
    markdownTable(
      ['claim', 'chapter', ...CORE_GROUPS.map((g) => `${g} cores`), 'machines agreeing', 'spread of measured values'],
      m.rows.map((r) => [
        r.text,
        r.claimText,
        ...CORE_GROUPS.map((g) => groupCell(r.byGroup[g], count(g))),
        r.judged ? `${r.agree} of ${r.judged}${r.majority ? ` (${r.majority})` : ''}` : '—',
        r.spread ? (r.spread.machines > 1 ? `${sig(r.spread.low)}–${sig(r.spread.high)} over ${r.spread.machines}` : `${sig(r.spread.low)} (one machine)`) : '—',
      ]),
    ),
    '',
  ];
  const svgs: { file: string; svg: string }[] = [];
  const ids = Object.keys(m.scaling).sort();
  if (ids.length) {
    const cores = [...new Set(m.machines.map((x) => x.cores))].sort((a, b) => a - b);
    out.push('## Scaling claims against cores', '', 'One point per machine: its judged value, or (hollow in the table, "at fewer threads") its value at the threads it had.', '');
    for (const id of ids) {
      const pts = m.scaling[id]!;
      const series: SvgSeries[] = m.machines
        .filter((x) => pts.some((p) => p.machine === x.label))
        .map((x) => ({ name: `${x.label} (${x.cores} cores)`, values: cores.map((c) => pts.find((p) => p.machine === x.label && c === x.cores)?.value ?? null) }));
      const file = `merge-${id}.svg`;
      svgs.push({ file, svg: renderSvgChart({ kind: 'line', xLabels: cores, series, title: `${id}: measured value by cores`, xTitle: 'cores available', yTitle: 'measured' }) });
      out.push(`- ${id}: ${pts.map((p) => `${p.machine} ${sig(p.value)}${p.judged ? '' : ' (at fewer threads)'}`).join(', ')}`, '', `![${id}](${file})`, '');
    }
  }
  return { markdown: out.join('\n'), svgs };
}

export function writeMerged(dir: string, m: Merged): string[] {
  mkdirSync(dir, { recursive: true });
  const { markdown, svgs } = renderMergedMarkdown(m);
  writeFileSync(path.join(dir, 'merged.md'), markdown);
  const svgMap = new Map(svgs.map((s) => [s.file, s.svg]));
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Benchmark reports merged by core count</title><style>body{font:14px system-ui,sans-serif;max-width:1300px;margin:auto;padding:16px}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:3px 6px;vertical-align:top}</style></head><body>\n${markdownToHtml(markdown.replace(/^# (.*)$/m, '## $1'), svgMap)}\n</body></html>\n`;
  writeFileSync(path.join(dir, 'merged.html'), html);
  for (const s of svgs) writeFileSync(path.join(dir, s.file), `${s.svg}\n`);
  return ['merged.md', 'merged.html', ...svgs.map((s) => s.file)];
}

// ---------------------------------------------------------------------------------------------------------------
// Sharing

/** What identifies this machine or its user in text: longest first, so that a path goes before its parts. */
export function identifyingStrings(): string[] {
  const out = new Set<string>([repoRoot, path.dirname(repoRoot), os.homedir(), os.tmpdir(), os.hostname()]);
  try {
    out.add(os.userInfo().username);
  } catch {
    // no user name on this platform
  }
  return [...out].filter((s) => s.length >= 3 && s !== '/').sort((a, b) => b.length - a.length);
}

/** The report with no command line, no path, no user or host name: safe to hand in. */
export function anonymise(record: RunRecord, identifying: readonly string[] = identifyingStrings()): RunRecord {
  const r = structuredClone(record) as RunRecord & { settings: Record<string, unknown> };
  const settings = { ...r.settings, argv: [], target: { ...r.settings.target, dir: '<target>' } } as Record<string, unknown>;
  delete settings['compare'];
  let text = JSON.stringify({ ...r, settings, cells: r.cells.map((c) => ({ ...c, spec: { ...c.spec, impls: (c.spec.impls ?? []).map((i) => ({ ...i, dir: `<${i.label}>` })) } })) });
  for (const s of identifying) {
    // Paths literally; names (user, host) as whole words only, so that ordinary words around them survive.
    text = s.includes('/') || s.includes('\\') ? text.split(s).join('<redacted>') : text.replace(new RegExp(`\\b${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g'), '<redacted>');
  }
  // Absolute paths that none of the strings above caught (another temporary folder, a stack trace).
  text = text.replace(/(?:\/(?:home|Users|root|tmp|var|private|work|mnt|opt)\/[^\s"'):]*)|(?:[A-Z]:\\\\[^\s"'):]*)/g, '<path>');
  return JSON.parse(text) as RunRecord;
}
