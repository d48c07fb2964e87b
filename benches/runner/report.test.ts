/**
 * The report's structure on synthetic results: every claim of claims.ts in the claims table, the sections in
 * the documented order, and claims that point at cells the suites really plan.
 */
import { describe, expect, it } from 'vitest';
import { collectMachineInfo } from '../lib/machine.ts';
import { parseClaim } from '../lib/verdict.ts';
import { cellKey } from './analysis.ts';
import { CLAIMS, resolveCell } from './claims.ts';
import { judgeAll } from './judge.ts';
import { PROFILES } from './profiles.ts';
import { S, variantsOf } from './registry.ts';
import {
  outlierSummary,
  renderMarkdown,
  REPORT_SCHEMA,
  reproduceLines,
  type RunRecord,
  SECTION_HEADINGS,
  suiteHeading,
  VERDICT_ORDER,
} from './report.ts';
import { renderHtml } from './report-html.ts';
import { planSuite, suiteSection } from './suites.ts';
import { SUITE_NAMES, type CellResult, type CellSpec } from './types.ts';

const ref = [{ label: 'reference' as const, dir: '/x/solutions' }];

function plannedCells(cores: number, profile = PROFILES.full): CellSpec[] {
  const ctx = { profile, p1m6Impls: ref, p2m6Impls: ref, p3m6Impls: ref, harmonyStruct: true, cores };
  return SUITE_NAMES.flatMap((s) => planSuite(s, ctx));
}

/**
 * Fake samples, all 10 ms-ish over 5 processes, for every variant the registry says each planned cell reports
 * (not the names the claims use: a claim naming a variant no cell reports must show up as "—").
 */
function syntheticResults(cells: CellSpec[]): Map<string, CellResult> {
  const results = new Map<string, CellResult>();
  for (const spec of cells) {
    const samples: Record<string, number[][]> = {};
    const info: CellResult['info'] = {};
    for (const v of variantsOf(spec.kind, spec.params).filter((x) => !x.startsWith('target:'))) {
      samples[v] = [
        [10, 11],
        [10.5, 9.5],
        [10.2, 10.1],
        [10.3, 9.9],
        [10.1, 10.4],
      ];
      info[v] = { unit: 'ms', better: 'lower' };
    }
    const series = {
      [S.backpressure.unbounded]: [Array.from({ length: 20 }, (_, i) => [i / 10, i * 10] as [number, number])],
      [S.backpressure.bounded]: [Array.from({ length: 20 }, (_, i) => [i / 10, 100] as [number, number])],
      [S.backpressure.boundedMemory]: [Array.from({ length: 20 }, (_, i) => [i / 10, 80] as [number, number])],
    };
    results.set(cellKey(spec.suite, spec.id), {
      spec,
      samples,
      info,
      series,
      unavailable: {},
      notImplemented: {},
      failures: [],
      notes: [],
      processMs: [1],
    });
  }
  return results;
}

describe('claims.ts', () => {
  it('has unique ids, parsed claims and a measurement or a reason for each', () => {
    const ids = CLAIMS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CLAIMS) {
      expect(c.claim).toBeDefined();
      expect(c.requiredThreads).toBeGreaterThanOrEqual(1);
      if (c.measure.kind === 'none') expect(c.measure.reason.length).toBeGreaterThan(10);
      if (c.origin === 'chapter') expect(c.source).toMatch(/^p[123] (intro|m\d)$/);
    }
    expect(parseClaim('3–4x')).toEqual({ kind: 'range', low: 3, high: 4, unit: 'x' });
  });

  it('points every measurement at a cell the full profile plans (on a 16-core machine)', () => {
    const planned = new Set(plannedCells(16).map((c) => cellKey(c.suite, c.id)));
    for (const c of CLAIMS) {
      if (c.measure.kind === 'none') continue;
      expect(planned, `${c.id} → ${c.measure.cell}`).toContain(resolveCell(c.measure.cell, 16));
    }
  });

  it('covers the chapter claims the project promises', () => {
    const sources = CLAIMS.map((c) => c.source);
    for (const s of [
      'p1 intro',
      'p1 m1',
      'p1 m2',
      'p1 m3',
      'p1 m6',
      'p2 intro',
      'p2 m1',
      'p2 m2',
      'p2 m5',
      'p2 m6',
      'p3 intro',
      'p3 m3',
      'p3 m4',
      'p3 m6',
    ]) {
      expect(sources).toContain(s);
    }
    expect(CLAIMS.filter((c) => c.source === 'p1 m6')).toHaveLength(4);
    expect(CLAIMS.filter((c) => c.source === 'p3 m6')).toHaveLength(4);
  });
});

describe('planning', () => {
  it('adds the thread counts a bigger machine can run to the quick sweeps', () => {
    const ids = (cores: number) => plannedCells(cores, PROFILES.quick).map((c) => `${c.suite}:${c.id}`);
    expect(ids(2)).not.toContain('channels:p1m6/t8');
    expect(ids(8)).toContain('channels:p1m6/t8');
    expect(ids(8)).toContain('locks:p3m6/t8');
    expect(ids(8)).toContain('pool:cpu/d5/w8');
    expect(ids(2)).toContain('pool:sleep/d10/w8'); // sleeping workers need no core
  });
});

describe('report.md', () => {
  const cores = 2;
  const cells = plannedCells(cores, PROFILES.quick);
  const results = syntheticResults(cells);
  const claims = judgeAll(results, PROFILES.quick, cores);
  const record: RunRecord = {
    schema: REPORT_SCHEMA,
    method: { version: 1, description: 'test' },
    settings: {
      profile: PROFILES.quick,
      suites: SUITE_NAMES,
      target: { name: 'solutions', dir: '/x/solutions', isReference: true },
      milestones: {},
      harmonyStruct: true,
      argv: [],
    },
    machine: collectMachineInfo({ probe: { git: () => 'abc1234\n' } }),
    startedAt: new Date(0).toISOString(),
    wallMs: 1234,
    cells: [...results.values()],
    claims,
  };
  const md = renderMarkdown(
    record,
    SUITE_NAMES.map((s) => suiteSection(s, results)),
    results,
  );

  it('lists every claim, numbered, with a verdict', () => {
    for (const c of CLAIMS) expect(md).toContain(c.text);
    for (const c of claims) expect(VERDICT_ORDER).toContain(c.verdict.status);
    const claimsPart = md.slice(md.indexOf(SECTION_HEADINGS.claims), md.indexOf(suiteHeading('channels')));
    expect(claimsPart.match(/^\| +\d+ \|/gm)).toHaveLength(CLAIMS.length);
    // Every measured claim got a number: no claim reads a variant the registry says its cell does not report.
    for (const c of claims) if (c.verdict.status !== 'not testable here') expect(c.measuredText, c.id).not.toBe('—');
  });

  it('is readable: claims split by suite into narrow tables, each note once, no ASCII charts, one warning per line', () => {
    const claimsPart = md.slice(md.indexOf(SECTION_HEADINGS.claims), md.indexOf(SECTION_HEADINGS.contradictions));
    expect(claimsPart.match(/^### Project \d/gm)).toHaveLength(3);
    for (const line of claimsPart.split('\n'))
      if (line.startsWith('|')) expect(line.length, line.slice(0, 60)).toBeLessThan(260);
    // The thread-count reason is stated once, not on every row.
    expect(md.match(/this machine offers 2/g) ?? []).toHaveLength(0);
    expect(claimsPart.match(/needs 8 threads/g)!.length).toBeGreaterThan(5);
    // A note shared by the four P1 m6 rows appears once in their table's notes.
    const p1 = claimsPart.slice(claimsPart.indexOf('### Project 1'), claimsPart.indexOf('### Project 2'));
    expect(p1.split('Workload changed: 20,000 log entries').length - 1).toBe(1);
    expect(md).not.toContain('```text');
    const machine = md.slice(0, md.indexOf(SECTION_HEADINGS.claims));
    expect(machine).not.toMatch(/Warning:.*\n> \*\*Warning/);
  });

  it('states the verdict rules and the chapter contradictions once', () => {
    expect(md.split(SECTION_HEADINGS.rules).length).toBe(2);
    expect(md).toContain('RwLock at 90% reads: 8× or 5×?');
    expect(md).toContain('~625 ms');
  });

  it('marks claims above the core count not testable, with the value at fewer threads', () => {
    const c8 = claims.find((c) => c.id === 'p1-m6-8')!;
    expect(c8.verdict.status).toBe('not testable here');
    expect(c8.alsoText).toMatch(/^at 2 threads: /);
    expect(claims.find((c) => c.id === 'p2-m6-sleep-8')!.verdict.status).not.toBe('not testable here');
    expect(claims.find((c) => c.id === 'p2-m5-cost')!.verdict.status).toBe('not testable here');
  });

  it('has the sections in order: machine, claims, suites, warnings, reproduce', () => {
    const order = [
      SECTION_HEADINGS.machine,
      SECTION_HEADINGS.claims,
      ...SUITE_NAMES.map(suiteHeading),
      SECTION_HEADINGS.warnings,
      SECTION_HEADINGS.reproduce,
    ];
    const positions = order.map((h) => md.indexOf(`\n${h}\n`));
    for (const p of positions) expect(p).toBeGreaterThan(0);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('starts with the machine context and settings', () => {
    const machine = md.slice(md.indexOf(SECTION_HEADINGS.machine), md.indexOf(SECTION_HEADINGS.claims));
    for (const word of ['CPU:', 'Node', 'Load average', 'Date:', 'Commit:', 'Profile: quick'])
      expect(machine).toContain(word);
  });

  it('reproduces the run with every option that shaped it', () => {
    const command = (settings: Partial<RunRecord['settings']>) =>
      reproduceLines({ ...record, settings: { ...record.settings, ...settings } }).find((l) =>
        l.startsWith('npm run bench'),
      );
    expect(command({})).toBe('npm run bench -- channels locks pool kit');
    expect(command({ profile: { ...PROFILES.quick, processes: 10 }, cells: 'locks:p3m6/*,kit:micro', load: 2 })).toBe(
      "npm run bench -- channels locks pool kit --processes 10 --cells 'locks:p3m6/*,kit:micro' --load 2",
    );
    expect(command({ profile: PROFILES.full })).toBe('npm run bench -- channels locks pool kit --full');
  });

  it('summarises outliers per suite, with advice a user can follow', () => {
    const spiky = [
      [10, 10.1, 9.9, 10, 10.2],
      [10, 9.8, 10.1, 10, 80],
    ];
    const cell = { ...[...results.values()][0]!, samples: { channel: spiky } };
    const lines = outlierSummary({ cells: [cell], settings: record.settings });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^- channels: 1 outlying samples .* in 1 variants, e\.g\. p1m6\/t1 "channel"\. /);
    expect(lines[0]).toContain('rerun on a quiet machine');
    expect(lines[0]).toContain(`--processes ${2 * PROFILES.quick.processes}`);
  });

  it('report.html shows the comparison and the target too, the comparison\u2019s machine warnings at the top', () => {
    const [first] = [...results.values()];
    const variant = Object.keys(first!.samples)[0]!;
    const comparison = {
      comparable: true,
      warnings: ['different Node version: v18.0.0 then, v20.20.2 now; changes may come from the machine, not the code'],
      changes: [
        {
          cell: `${first!.spec.suite}:${first!.spec.id}`,
          variant,
          status: 'regression' as const,
          ratio: { estimate: 1.2, low: 1.1, high: 1.3 },
          better: 'lower' as const,
        },
      ],
    };
    const html = renderHtml(
      {
        ...record,
        settings: {
          ...record.settings,
          compare: 'old/report.json',
          target: { name: 'exercises', dir: '/x', isReference: false },
        },
        comparison,
      },
      [],
    );
    const top = html.slice(0, html.indexOf('<h2>'));
    expect(top).toContain('--compare: different Node version: v18.0.0 then');
    expect(html).toContain('<h2>Comparison with an earlier report</h2>');
    expect(html).toContain('Against old/report.json');
    expect(html).toContain('1.20x [1.10–1.30]');
    expect(html).toContain('<h2>Target vs reference</h2>');
    expect(renderHtml(record, [])).not.toContain('<h2>Comparison with an earlier report</h2>');
  });

  it('has a table and a chart in each suite section', () => {
    for (const s of SUITE_NAMES) {
      const section = suiteSection(s, results);
      expect(section.markdown, s).toMatch(/^\| /m);
      expect(section.svgs.length, s).toBeGreaterThan(0);
      for (const svg of section.svgs) expect(svg.svg.startsWith('<svg')).toBe(true);
    }
    for (const s of ['channels', 'locks', 'pool'] as const) {
      const chart = suiteSection(s, results).terminal[0]!;
      expect(chart).toContain('┬'); // x ticks
    }
  });
});
