/**
 * End to end: `scripts/bench.ts --profile tiny` through the real child-process machinery (zx, fresh `node
 * --import tsx` cells) into a temporary --out folder; the report files must exist and parse.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from './report.ts';
import { V, variantsOf } from './registry.ts';
import { SECTION_HEADINGS, suiteHeading } from './report.ts';
import { repoRoot } from './target.ts';

const run = promisify(execFile);

describe('npm run bench (tiny profile)', () => {
  it('runs channels and kit in child processes and writes report.md, report.json and SVG charts', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repoRoot, 'scripts', 'bench.ts'),
        '--profile',
        'tiny',
        'channels',
        'kit',
        '--share',
        '--out',
        out,
      ],
      {
        cwd: repoRoot,
        timeout: 90_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    expect(stdout).toContain('report:');
    const latest = path.join(out, 'latest');
    const runs = readdirSync(out).filter((d) => /^\d{4}-\d{2}-\d{2}-\d{6}$/.test(d));
    expect(runs).toHaveLength(1);
    for (const dir of [latest, path.join(out, runs[0]!)]) {
      expect(existsSync(path.join(dir, 'report.md'))).toBe(true);
      expect(existsSync(path.join(dir, 'report.json'))).toBe(true);
      expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    }
    const record = JSON.parse(readFileSync(path.join(latest, 'report.json'), 'utf8')) as RunRecord;
    expect(record.settings.profile.name).toBe('tiny');
    expect(record.machine.cpuModel.length).toBeGreaterThan(0);
    const p1 = record.cells.find((c) => c.spec.id === 'p1m6/t1');
    expect(p1?.failures).toEqual([]);
    expect(p1?.samples['channel']?.[0]?.length).toBe(1);
    expect(record.cells.find((c) => c.spec.id === 'micro')?.samples['Atomics.add']?.[0]?.[0]).toBeGreaterThan(0);
    expect(record.claims.length).toBeGreaterThan(30);
    // What real cell processes reported is what the registry declares, and each process told its CPU and memory.
    for (const cell of record.cells) {
      const known = variantsOf(cell.spec.kind, cell.spec.params);
      for (const v of Object.keys(cell.samples)) expect(known, `${cell.spec.id}`).toContain(v);
      expect(cell.resources?.[0]?.cpuMs, cell.spec.id).toBeGreaterThan(0);
      expect(cell.resources?.[0]?.maxRssMb, cell.spec.id).toBeGreaterThan(10);
    }
    expect(record.cells.find((c) => c.spec.id === 'threads')?.samples[V.threads.pingPong]?.[0]?.[0]).toBeGreaterThan(0);
    // --share: the anonymised copy is there, without the repository's path or the command line.
    const shareFile = /^share file: (.+)$/m.exec(stdout)?.[1];
    expect(shareFile, 'the run names its share file').toBeDefined();
    const shared = readFileSync(shareFile!.trim(), 'utf8');
    expect(shared).not.toContain(repoRoot);
    expect(shared).not.toContain(out);
    expect((JSON.parse(shared) as RunRecord).claims).toHaveLength(record.claims.length);
    const md = readFileSync(path.join(latest, 'report.md'), 'utf8');
    for (const h of [
      SECTION_HEADINGS.machine,
      SECTION_HEADINGS.claims,
      suiteHeading('channels'),
      suiteHeading('kit'),
      SECTION_HEADINGS.warnings,
      SECTION_HEADINGS.reproduce,
    ]) {
      expect(md).toContain(h);
    }
    const svgs = readdirSync(latest).filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThan(0);
    for (const f of svgs) {
      const svg = readFileSync(path.join(latest, f), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trim().endsWith('</svg>')).toBe(true);
    }
  }, 120_000);
});
