/** --compare on synthetic reports: flags only changes whose whole interval is >5% away from 1, in the right direction. */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../lib/paths.ts';
import {
  classify,
  type ComparableReport,
  compareReports,
  environmentWarnings,
  METHOD_VERSION,
  regressionGate,
  regressionsBeyond,
} from './compare.ts';
import { colourWanted } from './report.ts';
import { cellMatcher } from './run.ts';
import type { CellSpec } from './types.ts';

const spec = (id: string, params: Record<string, number> = { threads: 2 }): CellSpec => ({
  suite: 'channels',
  id,
  kind: 'p1m6',
  label: id,
  params,
  reps: 3,
  threads: 2,
  timeoutMs: 1000,
});

function report(
  version: number,
  cells: {
    id: string;
    params?: Record<string, number>;
    variant: string;
    values: number[][];
    better?: 'lower' | 'higher';
  }[],
): ComparableReport {
  return {
    method: { version },
    cells: cells.map((c) => ({
      spec: spec(c.id, c.params),
      samples: { [c.variant]: c.values },
      info: { [c.variant]: { unit: 'ms', better: c.better ?? 'lower' } },
    })),
  };
}

const around = (center: number) => [
  [center * 0.99, center, center * 1.01],
  [center * 0.98, center * 1.005, center * 1.02],
  [center, center * 0.995, center * 1.01],
];

describe('classify', () => {
  it('needs the whole interval beyond ±5%', () => {
    expect(classify(1.06, 1.2, 'lower')).toBe('regression');
    expect(classify(1.04, 1.2, 'lower')).toBe('unchanged');
    expect(classify(0.7, 0.94, 'lower')).toBe('improvement');
    expect(classify(1.06, 1.2, 'higher')).toBe('improvement');
    expect(classify(0.7, 0.94, 'higher')).toBe('regression');
  });
});

describe('compareReports', () => {
  it('flags a 30% slower time as a regression and a 30% faster one as an improvement', () => {
    const old = report(1, [
      { id: 'a', variant: 'channel', values: around(100) },
      { id: 'b', variant: 'channel', values: around(100) },
      { id: 'c', variant: 'channel', values: around(100) },
    ]);
    const now = report(1, [
      { id: 'a', variant: 'channel', values: around(130) },
      { id: 'b', variant: 'channel', values: around(70) },
      { id: 'c', variant: 'channel', values: around(101) },
    ]);
    const c = compareReports(now, old);
    expect(c.comparable).toBe(true);
    const by = Object.fromEntries(c.changes.map((x) => [x.cell, x]));
    expect(by['channels:a']?.status).toBe('regression');
    expect(by['channels:a']?.ratio?.estimate).toBeCloseTo(1.3, 1);
    expect(by['channels:b']?.status).toBe('improvement');
    expect(by['channels:c']?.status).toBe('unchanged');
  });

  it('reads "higher is better" variants the other way round', () => {
    const old = report(1, [{ id: 'a', variant: 'rate', values: around(100), better: 'higher' }]);
    const now = report(1, [{ id: 'a', variant: 'rate', values: around(130), better: 'higher' }]);
    expect(compareReports(now, old).changes[0]?.status).toBe('improvement');
  });

  it('refuses reports made with another method, and cells with other settings', () => {
    const old = report(0, [{ id: 'a', variant: 'channel', values: around(100) }]);
    const now = report(1, [{ id: 'a', variant: 'channel', values: around(130) }]);
    const c = compareReports(now, old);
    expect(c.comparable).toBe(false);
    expect(c.reason).toMatch(/method/);

    const old2 = report(1, [{ id: 'a', params: { threads: 4 }, variant: 'channel', values: around(100) }]);
    const c2 = compareReports(now, old2);
    expect(c2.changes[0]?.status).toBe('not comparable');
    expect(c2.changes[0]?.reason).toMatch(/settings/);
  });

  it('does not judge single samples (no interval)', () => {
    const old = report(1, [{ id: 'a', variant: 'channel', values: [[100]] }]);
    const now = report(1, [{ id: 'a', variant: 'channel', values: [[200]] }]);
    expect(compareReports(now, old).changes[0]).toMatchObject({ status: 'not comparable' });
  });

  it('lists variants missing from the earlier report as not comparable', () => {
    const old = report(1, [{ id: 'a', variant: 'channel', values: around(100) }]);
    const now = report(1, [{ id: 'z', variant: 'channel', values: around(100) }]);
    expect(compareReports(now, old).changes[0]).toMatchObject({
      status: 'not comparable',
      reason: 'not in the earlier report',
    });
  });
});

describe('--compare across machines, --fail-on-regression, --cells, colour', () => {
  const m = { cpuModel: 'AMD EPYC', availableParallelism: 2, nodeVersion: 'v20.20.2' };

  it('warns when the CPU, the core count or the Node version differ, and only then', () => {
    expect(environmentWarnings(m, m)).toEqual([]);
    const w = environmentWarnings(m, { cpuModel: 'Intel Xeon', availableParallelism: 8, nodeVersion: 'v22.1.0' });
    expect(w).toHaveLength(3);
    expect(w.join(' ')).toMatch(
      /different CPU: Intel Xeon then, AMD EPYC now.*different core count: 8 then, 2 now.*different Node version/,
    );
    const c = compareReports(
      { ...report(1, [{ id: 'a', variant: 'v', values: around(10) }]), machine: m },
      { ...report(1, [{ id: 'a', variant: 'v', values: around(10) }]), machine: { ...m, nodeVersion: 'v18.0.0' } },
    );
    expect(c.warnings?.[0]).toMatch(/different Node version/);
  });

  it('fails only on regressions beyond the threshold', () => {
    const c = compareReports(
      report(1, [{ id: 'a', variant: 'v', values: around(11.5) }]),
      report(1, [{ id: 'a', variant: 'v', values: around(10) }]),
    );
    expect(c.changes[0]?.status).toBe('regression');
    expect(regressionsBeyond(c, 5)).toHaveLength(1);
    expect(regressionsBeyond(c, 30)).toHaveLength(0);
    const better = compareReports(
      report(1, [{ id: 'a', variant: 'v', values: around(8) }]),
      report(1, [{ id: 'a', variant: 'v', values: around(10) }]),
    );
    expect(regressionsBeyond(better, 0)).toHaveLength(0);
  });

  it('--fail-on-regression fails on a regression, and when nothing could be compared; passes otherwise', () => {
    const old = report(2, [{ id: 'a', variant: 'v', values: around(10) }]);
    const slower = compareReports(report(2, [{ id: 'a', variant: 'v', values: around(11.5) }]), old);
    expect(regressionGate(slower, 5)).toEqual({ pass: false, message: '1 regression(s) beyond 5%: channels:a "v"' });
    expect(regressionGate(slower, 30)).toEqual({ pass: true });
    const same = compareReports(report(2, [{ id: 'a', variant: 'v', values: around(10) }]), old);
    expect(regressionGate(same, 5)).toEqual({ pass: true });
    // A gate that cannot look must not pass: another method version, or no variant with equal settings.
    const otherMethod = compareReports(report(2, [{ id: 'a', variant: 'v', values: around(10) }]), report(1, []));
    expect(regressionGate(otherMethod, 5)).toEqual({
      pass: false,
      message: 'nothing was compared: different method versions (1 then, 2 now)',
    });
    const otherSizes = compareReports(
      report(2, [{ id: 'a', params: { threads: 4 }, variant: 'v', values: around(10) }]),
      old,
    );
    expect(regressionGate(otherSizes, 5)).toMatchObject({ pass: false, message: expect.stringMatching(/^nothing/) });
  });

  it('npm run bench -- --compare <report of another method> --fail-on-regression stops before measuring', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-compare-')), 'old.json');
    writeFileSync(file, JSON.stringify({ ...report(METHOD_VERSION - 1, []), machine: {} }));
    const run = promisify(execFile);
    const r = await run(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'scripts', 'bench.ts'), '--compare', file, '--fail-on-regression'],
      { cwd: repoRoot, timeout: 60_000 },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `bench: --fail-on-regression: ${file} was measured with method version ${METHOD_VERSION - 1}, this runner uses ${METHOD_VERSION}: nothing could be compared`,
    );
  }, 60_000);

  it('chooses cells by comma-separated globs over <suite>:<id>', () => {
    const match = cellMatcher('locks:p3m6/*, kit:micro');
    expect(match('locks:p3m6/t2')).toBe(true);
    expect(match('kit:micro')).toBe(true);
    expect(match('kit:threads')).toBe(false);
    expect(match('channels:p1m6/t2')).toBe(false);
    expect(cellMatcher('pool:sleep/d10/w1')('pool:sleep/d10/w10')).toBe(false);
  });

  it('colours a terminal unless NO_COLOR is set', () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted({ isTTY: false }, {})).toBe(false);
    expect(colourWanted({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });
});
