/**
 * `--merge`: real share files from 1- and 2-core runs of this machine (fixtures/, see its README) merged into the
 * by-core table and charts; the rules (groups, weighted majority, split, loaded machines, method version) on
 * small hand-built reports that carry verdicts only, no measurements; and the CI workflow that merges a matrix.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../lib/paths.ts';
import { METHOD_VERSION } from './compare.ts';
import {
  checkReport,
  coreGroup,
  groupCellText,
  mergedBlocks,
  mergeReports,
  readInputs,
  renderMergedHtml,
  renderMergedMarkdown,
  type Merged,
} from './merge.ts';

const FIXTURES = path.join(repoRoot, 'benches', 'runner', 'fixtures');
/** A real share file of method version 1 (the runner before claims 5 and 20, the warmed cells, 5 quick processes). */
const OLD_METHOD = path.join(repoRoot, 'benches', 'runner', 'fixtures-method-1', 'share-1core-tiny.json');
const fixtureFiles = () =>
  readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(FIXTURES, f));
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'bench-merge-'));
const render = (m: Merged) => {
  const blocks = mergedBlocks(m);
  return { md: renderMergedMarkdown(blocks), html: renderMergedHtml(blocks), json: JSON.stringify(m) };
};
/** The markdown row of a claim in the by-core table, split into cells. */
const rowOf = (md: string, text: string) => {
  const line = md.split('\n').find((l) => l.startsWith('|') && l.includes(text));
  if (!line) throw new Error(`no row for ${text}`);
  return line
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
};

describe('merging real reports (fixtures)', () => {
  it('files the four fixtures in the 1- and 2-core groups and leaves 4, 8, 16+ empty, saying so', () => {
    const m = mergeReports(readInputs([FIXTURES]));
    expect(m.machines.map((x) => [x.label, x.cores, x.group])).toEqual([
      ['M1', 1, '1'],
      ['M2', 2, '2'],
      ['M3', 2, '2'],
      ['M4', 2, '2'],
    ]);
    // The machine was busy: every report saw a load above 0.5 per core before it started.
    expect(m.machines.every((x) => x.loaded && x.weight === 0.5)).toBe(true);
    const { md } = render(m);
    const header = md.split('\n').find((l) => /^\|\s+#\s+\|/.test(l));
    expect(header).toMatch(/\| 1 core +\| 2 cores +\| 4 cores +\| 8 cores +\| 16\+ cores +\|/);
    expect(md).toContain(
      'The 4, 8, 16+ core columns are empty: no report from a machine with that many cores has been merged yet.',
    );
    for (const c of m.claims) {
      for (const g of c.groups.filter((x) => ['4', '8', '16+'].includes(x.group))) {
        expect(g.machines).toBe(0);
        expect(groupCellText(g)).toBe('');
      }
    }
  });

  it('is deterministic and does not depend on the order, the names or the folder of the inputs', () => {
    const files = fixtureFiles();
    expect(files.length).toBeGreaterThanOrEqual(3);
    const a = render(mergeReports(readInputs(files)));
    const b = render(mergeReports(readInputs([...files].reverse())));
    const c = render(mergeReports(readInputs([FIXTURES])));
    // The same files under other names, in another order, in another folder.
    const dir = tmp();
    for (const [i, f] of files.entries())
      copyFileSync(f, path.join(dir, `${String.fromCharCode(122 - i)}-renamed.json`));
    const d = render(mergeReports(readInputs([dir])));
    for (const other of [b, c, d]) {
      expect(other.md).toBe(a.md);
      expect(other.html).toBe(a.html);
      expect(other.json).toBe(a.json);
    }
    expect(render(mergeReports(readInputs(files))).md).toBe(a.md);
  });

  it('shows both verdicts of a claim the 1-core and the 2-core machines judged differently', () => {
    const m = mergeReports(readInputs([FIXTURES]));
    const differing = m.claims.filter((c) => c.acrossGroups === 'differs');
    expect(differing.length).toBeGreaterThan(0);
    const { md } = render(m);
    for (const c of differing) {
      const one = c.groups.find((g) => g.group === '1');
      const two = c.groups.find((g) => g.group === '2');
      expect(one?.label).toBeDefined();
      expect(two?.label).toBeDefined();
      expect(one?.label).not.toBe(two?.label);
      const cells = rowOf(md, `${c.text} (${c.source})`);
      expect(cells[4]).toContain(one?.label);
      expect(cells[5]).toContain(two?.label);
      expect(cells[9]).toBe('differs by core count');
    }
  });

  it('reads a grader batch folder: each student\u2019s share file, not the repository copies\u2019 own reports', () => {
    const batch = tmp();
    const [one, two] = fixtureFiles();
    for (const [student, share] of [
      ['ann', one],
      ['bob', two],
    ] as const) {
      const repo = path.join(batch, student);
      mkdirSync(path.join(repo, 'reports', 'sample'), { recursive: true });
      mkdirSync(path.join(repo, 'node_modules', 'x'), { recursive: true });
      copyFileSync(share as string, path.join(repo, 'bench-share.json'));
      copyFileSync(
        path.join(repoRoot, 'reports', 'sample', 'report.json'),
        path.join(repo, 'reports', 'sample', 'report.json'),
      );
      writeFileSync(path.join(repo, 'package.json'), '{"name": "threading-patterns-harness"}');
      writeFileSync(path.join(repo, 'node_modules', 'x', 'report.json'), readFileSync(share as string));
    }
    const inputs = readInputs([batch]);
    expect(inputs.reports.map((r) => path.relative(batch, r.file))).toEqual([
      path.join('ann', 'bench-share.json'),
      path.join('bob', 'bench-share.json'),
    ]);
    expect(inputs.plainIgnored).toBe(2);
    expect(inputs.ignored).toBe(2);
    expect(inputs.refused).toEqual([]);
    expect(renderMergedMarkdown(mergedBlocks(mergeReports(inputs)))).toContain(
      '2 plain reports (not share files) in folders that hold share files: ignored',
    );
    // Of two files of one run, the share file is kept, whatever their names.
    const { share: _header, ...plain } = JSON.parse(readFileSync(one as string, 'utf8')) as Record<string, unknown>;
    const plainFile = path.join(batch, 'a-plain-copy.json');
    writeFileSync(plainFile, JSON.stringify(plain));
    const both = readInputs([plainFile, path.join(batch, 'ann', 'bench-share.json')]);
    expect(both.reports.map((r) => path.relative(batch, r.file))).toEqual([path.join('ann', 'bench-share.json')]);
    expect(both.duplicates.map((d) => d.reason)).toEqual([
      `the same run as ${path
        .relative(process.cwd(), path.join(batch, 'ann', 'bench-share.json'))
        .split(path.sep)
        .join('/')}`,
    ]);
  });

  it('draws each scaling claim a machine measured as an SVG chart, one category per machine', () => {
    const m = mergeReports(readInputs([FIXTURES]));
    const charts = mergedBlocks(m).filter((b) => b.kind === 'chart');
    expect(charts.length).toBeGreaterThan(0);
    // kit Mutex vs V8's Atomics.Mutex needs 2 threads: the 2-core quick run judged it.
    const v8 = m.claims.find((c) => c.id === 'kit-v8-mutex');
    expect(v8?.points.some((p) => p.kind === 'judged, loaded machine' && p.cores === 2)).toBe(true);
    const chart = charts.find((b) => b.file === 'merge-kit-v8-mutex.svg');
    expect(chart?.svg.startsWith('<svg')).toBe(true);
    expect(chart?.svg).toContain('data-name="measured, judged, loaded machine"');
    for (const label of ['1 (M1)', '2 (M2)', '2 (M3)', '2 (M4)']) expect(chart?.svg).toContain(`>${label}</text>`);
    // p3 m4 "atomics 100× a Mutex" needs 8 threads: the 2-core quick run measured it at 2 without judging.
    const atomic = m.claims.find((c) => c.id === 'p3-m4-100x');
    expect(atomic?.points.map((p) => [p.kind, p.cores])).toEqual([['not judged (at fewer threads)', 2]]);
    expect(charts.find((b) => b.file === 'merge-p3-m4-100x.svg')?.svg).toContain(
      'data-name="measured, not judged (at fewer threads)"',
    );
    // Only claims that need more than one thread are charted.
    const chartedIds = charts.map((b) => b.file);
    for (const c of m.claims.filter((x) => x.requiredThreads <= 1))
      expect(chartedIds).not.toContain(`merge-${c.id}.svg`);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Rules, on hand-built reports: verdict statuses only, no measured numbers.

interface Fake {
  cores: number;
  loadBefore?: number;
  verdicts: Record<string, string>;
  version?: number;
  start: string;
}

function fakeReport(f: Fake): unknown {
  return {
    schema: 'threading-patterns-bench/1',
    method: { version: f.version ?? METHOD_VERSION },
    machine: {
      cpuModel: 'Test CPU',
      availableParallelism: f.cores,
      nodeVersion: 'v20.0.0',
      platform: 'linux',
      arch: 'x64',
      loadAverage1mBefore: f.loadBefore ?? 0,
      loadAverage1mAfter: null,
      warnings: [],
    },
    startedAt: f.start,
    settings: { profile: { name: 'quick' }, suites: ['locks'] },
    claims: Object.entries(f.verdicts).map(([id, status]) => ({
      id,
      source: 'p9 m9',
      origin: 'chapter',
      text: `claim ${id}`,
      claimText: '~8x (±20%)',
      requiredThreads: 8,
      verdict: {
        status,
        ...(status === 'not reproduced' ? { direction: 'lower' } : {}),
        claim: { kind: 'approx', value: 8, unit: 'x' },
      },
    })),
    someFieldOfALaterRunner: { ignored: true },
  };
}

function writeFakes(fakes: Fake[]): string[] {
  const dir = tmp();
  return fakes.map((f, i) => {
    const file = path.join(dir, `r${i}.json`);
    writeFileSync(file, JSON.stringify(fakeReport(f)));
    return file;
  });
}

describe('merge rules', () => {
  it('groups machines by available cores: 1, 2–3, 4–7, 8–15, 16+', () => {
    expect([1, 2, 3, 4, 7, 8, 15, 16, 64].map((n) => coreGroup(n).label)).toEqual([
      '1',
      '2',
      '2',
      '4',
      '4',
      '8',
      '8',
      '16+',
      '16+',
    ]);
  });

  it('shows a different verdict per group, the weighted majority, splits and loaded machines', () => {
    const files = writeFakes([
      { cores: 2, verdicts: { a: 'not testable here', b: 'reproduced' }, start: '2026-01-01T00:00:00Z' },
      { cores: 8, verdicts: { a: 'reproduced', b: 'reproduced' }, start: '2026-01-02T00:00:00Z' },
      { cores: 12, verdicts: { a: 'reproduced', b: 'not reproduced' }, start: '2026-01-03T00:00:00Z' },
      { cores: 8, loadBefore: 7, verdicts: { a: 'not reproduced', b: 'inconclusive' }, start: '2026-01-04T00:00:00Z' },
      { cores: 16, verdicts: { a: 'not reproduced', b: 'reproduced' }, start: '2026-01-05T00:00:00Z' },
      { cores: 32, verdicts: { a: 'inconclusive', b: 'reproduced' }, start: '2026-01-06T00:00:00Z' },
    ]);
    const m = mergeReports(readInputs(files));
    const a = m.claims.find((c) => c.id === 'a');
    const b = m.claims.find((c) => c.id === 'b');
    const cell = (claim: typeof a, group: string) =>
      groupCellText(claim?.groups.find((g) => g.group === group) as never);
    // a: the 2-core machine could not judge; 8 group: two quiet "reproduced" outweigh one loaded "not reproduced".
    expect(cell(a, '2')).toBe('not judged (1 machine)');
    expect(cell(a, '8')).toBe('reproduced · 2/3 agree, 1 loaded');
    // 16+: one quiet machine each way is a tie, shown as split with both verdicts.
    expect(cell(a, '16+')).toBe('split: inconclusive 1, not reproduced 1');
    expect(cell(a, '4')).toBe('');
    expect(a?.acrossGroups).toBe('differs');
    // b: 8 group has reproduced (1), not reproduced (1), loaded inconclusive (0.5): a tie between the quiet two.
    expect(cell(b, '8')).toBe('split: inconclusive 1, not reproduced 1, reproduced 1; 1 loaded');
    expect(cell(b, '2')).toBe('reproduced · 1/1 agree');
    expect(cell(b, '16+')).toBe('reproduced · 2/2 agree');

    // --exclude-loaded: the loaded machine is listed but not counted.
    const x = mergeReports(readInputs(files), { excludeLoaded: true });
    const ax = x.claims.find((c) => c.id === 'a');
    const bx = x.claims.find((c) => c.id === 'b');
    expect(groupCellText(ax?.groups.find((g) => g.group === '8') as never)).toBe(
      'reproduced · 2/2 agree, 1 loaded left out',
    );
    expect(groupCellText(bx?.groups.find((g) => g.group === '8') as never)).toBe(
      'split: not reproduced 1, reproduced 1; 1 loaded left out',
    );
    expect(render(x).md).toMatch(/\| M\d +\| +8 \(8\) .*\| left out \(loaded\) \|/);
  });

  it('shows a verdict status it does not know as it is, and counts only "not testable" as not judged', () => {
    const files = writeFakes([
      { cores: 4, verdicts: { a: 'holds by construction' }, start: '2026-01-01T00:00:00Z' },
      { cores: 4, verdicts: { a: 'holds by construction' }, start: '2026-01-02T00:00:00Z' },
      { cores: 4, verdicts: { a: 'not testable (a new reason)' }, start: '2026-01-03T00:00:00Z' },
    ]);
    const g = mergeReports(readInputs(files)).claims[0]?.groups.find((x) => x.group === '4');
    expect(groupCellText(g as never)).toBe('holds by construction · 2/2 agree');
  });

  it('refuses a report of another method version, or no report at all, with a one-line reason and merges the rest', () => {
    const files = writeFakes([
      { cores: 2, verdicts: { a: 'reproduced' }, start: '2026-01-01T00:00:00Z' },
      { cores: 4, verdicts: { a: 'reproduced' }, start: '2026-01-02T00:00:00Z', version: METHOD_VERSION + 1 },
    ]);
    const junk = path.join(path.dirname(files[0] as string), 'junk.json');
    writeFileSync(junk, '{"name": "not a report"}');
    const inputs = readInputs([...files, junk, path.join(path.dirname(junk), 'missing.json')]);
    expect(inputs.reports).toHaveLength(1);
    expect(inputs.refused.map((r) => r.reason)).toEqual([
      'not a benchmark report (no method, machine or claims)',
      'no such file or folder',
      `method version ${METHOD_VERSION + 1}, this runner merges method version ${METHOD_VERSION} only (rerun the benchmark with this version)`,
    ]);
    for (const r of inputs.refused) expect(r.reason).not.toContain('\n');
    // A real report of the first method version: refused, with the same one line.
    expect(readInputs([OLD_METHOD]).refused.map((r) => r.reason)).toEqual([
      `method version 1, this runner merges method version ${METHOD_VERSION} only (rerun the benchmark with this version)`,
    ]);
    expect(checkReport({ method: { version: METHOD_VERSION }, machine: {}, claims: [] })).toEqual({
      ok: false,
      reason: 'the machine info has no core count',
    });
    // In a folder, JSON files that are not reports (package.json, …) are ignored, and one run copied twice counts once.
    const dir = path.dirname(junk);
    copyFileSync(files[0] as string, path.join(dir, 'copy-of-r0.json'));
    const fromDir = readInputs([dir]);
    expect(fromDir.reports).toHaveLength(1);
    expect(fromDir.ignored).toBe(1);
    expect(fromDir.duplicates).toHaveLength(1);
    expect(fromDir.refused).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The command line

const run = promisify(execFile);
const bench = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'bench.ts'), ...args], {
    cwd: repoRoot,
    timeout: 60_000,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('npm run bench -- --merge', () => {
  it('merges three or more reports into report.md, report.html and one SVG per charted claim; refuses a real report of method version 1', async () => {
    const out = tmp();
    expect(METHOD_VERSION).toBeGreaterThan(1);
    const r = await bench(['--merge', FIXTURES, OLD_METHOD, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([
      `bench: benches/runner/fixtures-method-1/share-1core-tiny.json: refused: method version 1, this runner merges method version ${METHOD_VERSION} only (rerun the benchmark with this version)`,
    ]);
    expect(r.stdout).toContain('merged 4 report(s) (core groups 1, 2; 1 refused');
    expect(r.stdout).toMatch(/ #\s+source\s+claim\s+needs\s+1 core\s+2 cores\s+4 cores\s+8 cores\s+16\+ cores/);
    const dir = path.join(out, 'merged');
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('## Claims by core count');
    expect(md).toContain('## Inputs refused or skipped');
    const svgs = readdirSync(dir).filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThan(0);
    for (const f of svgs) {
      expect(md).toContain(`](${f})`);
      const svg = readFileSync(path.join(dir, f), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trim().endsWith('</svg>')).toBe(true);
    }
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<(script|link|img)\b/); // self-contained: inline SVG and CSS only
    expect((html.match(/<svg /g) ?? []).length).toBe(svgs.length);
    expect(existsSync(path.join(dir, 'merged.json'))).toBe(true);
  }, 90_000);

  it('exits 2 with one line when nothing can be merged or the flags do not go together', async () => {
    const empty = tmp();
    mkdirSync(path.join(empty, 'sub'));
    const none = await bench(['--merge', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')[0]).toBe(`bench: --merge: no report to merge in ${empty}`);
    const loose = await bench(['--exclude-loaded']);
    expect(loose.code).toBe(2);
    expect(loose.stderr.split('\n')[0]).toBe('bench: --exclude-loaded goes with --merge');
    const mixed = await bench(['--merge', FIXTURES, '--full']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr.split('\n')[0]).toBe('bench: --merge reads reports and runs nothing: --full does not apply');
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------
// The CI matrix workflow

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  strategy?: { 'fail-fast'?: boolean; matrix: { runner: string; cpus: string[]; include?: Record<string, string>[] } };
  steps: Step[];
}

describe('.github/workflows/bench-matrix.yml', () => {
  const wf = parse(readFileSync(path.join(repoRoot, '.github', 'workflows', 'bench-matrix.yml'), 'utf8')) as {
    on: { workflow_dispatch: { inputs: { runners: { default: string } } } };
    jobs: { bench: Job; merge: Job };
  };

  it('runs the quick profile with --share on several runner sizes and uploads each share file', () => {
    const defaults = JSON.parse(wf.on.workflow_dispatch.inputs.runners.default) as string[];
    expect(defaults.length).toBeGreaterThanOrEqual(3);
    const { bench: job } = wf.jobs;
    expect(job['runs-on']).toBe(`$\{{ matrix.runner }}`);
    expect(job.strategy?.['fail-fast']).toBe(false);
    // The matrix falls back to the same default list when started without inputs.
    const fallback = /fromJSON\(inputs\.runners \|\| '(.*)'\)/.exec(job.strategy?.matrix.runner ?? '')?.[1];
    expect(JSON.parse(fallback ?? 'null')).toEqual(defaults);
    expect(job.strategy?.matrix.include?.map((i) => i['cpus'])).toEqual(['0', '0,1']);
    const benchStep = job.steps.find((s) => s.run?.includes('npm run bench'));
    expect(benchStep?.run).toMatch(/npm run bench -- --quick --share "\$SHARE"/);
    expect(benchStep?.run).toMatch(/taskset -c "\$CPUS" npm run bench -- --quick --share "\$SHARE"/);
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.['path']).toBe(benchStep?.env?.['SHARE']);
    expect(upload?.with?.['name']).toMatch(/^bench-share-\$\{\{ strategy\.job-index \}\}$/);
    expect(upload?.with?.['if-no-files-found']).toBe('error');
  });

  it('merges every uploaded share file in a final job, even when some runners failed', () => {
    const { merge: job } = wf.jobs;
    expect([job.needs].flat()).toEqual(['bench']);
    expect(job.if).toContain('!cancelled()');
    const download = job.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with?.['pattern']).toBe('bench-share-*');
    expect(download?.with?.['merge-multiple']).toBe(true);
    const mergeStep = job.steps.find((s) => s.run?.includes('--merge'));
    expect(mergeStep?.run).toBe(`npm run bench -- --merge ${String(download?.with?.['path'])}`);
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(String(upload?.with?.['path'])).toContain('reports/merged/');
    // Steps come in order: install, download, merge, upload.
    const at = (s: Step | undefined) => job.steps.indexOf(s as Step);
    expect(at(job.steps.find((s) => s.run?.startsWith('npm ci')))).toBeLessThan(at(mergeStep));
    expect(at(download)).toBeLessThan(at(mergeStep));
    expect(at(mergeStep)).toBeLessThan(at(upload));
  });
});
