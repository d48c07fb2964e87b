/**
 * The registry ties claims, tables and cells together: every claim's variants must be variants the planned cell
 * reports (per the registry, not per the claims' own names), every variant a real run reported (the committed
 * sample report) must be in the registry, and no file spells a variant name by hand.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellKey } from './analysis.ts';
import { CLAIMS, resolveCell } from './claims.ts';
import { PROFILES } from './profiles.ts';
import { CELL, KINDS, S, V, variantsOf } from './registry.ts';
import type { RunRecord } from './report.ts';
import { planSuite } from './suites.ts';
import { repoRoot } from './target.ts';
import { rotate } from './cells/common.ts';
import { type CellSpec, SUITE_NAMES } from './types.ts';

const ref = [{ label: 'reference' as const, dir: '/x/solutions' }];

function planned(cores: number, profile = PROFILES.full): Map<string, CellSpec> {
  const ctx = { profile, p1m6Impls: ref, p2m6Impls: ref, p3m6Impls: ref, harmonyStruct: true, cores };
  return new Map(SUITE_NAMES.flatMap((s) => planSuite(s, ctx)).map((c) => [cellKey(c.suite, c.id), c]));
}

function claimVariants(m: (typeof CLAIMS)[number]['measure']): { variants: string[]; series: string[] } {
  if (m.kind === 'ratio') return { variants: [m.numerator, m.denominator], series: [] };
  if (m.kind === 'value') return { variants: [m.variant], series: [] };
  if (m.kind === 'trend') return { variants: [], series: [m.series] };
  return { variants: [], series: [] };
}

describe('registry', () => {
  it('every claim reads variants its cell reports, on a 16-core machine (full) and a 2-core one (quick, alsoAt)', () => {
    const big = planned(16);
    const small = planned(2, PROFILES.quick);
    let checked = 0;
    for (const c of CLAIMS) {
      if (c.measure.kind === 'none') continue;
      const { variants, series } = claimVariants(c.measure);
      const targets: [Map<string, CellSpec>, string][] = [[big, resolveCell(c.measure.cell, 16)]];
      if (c.alsoAt) targets.push([small, c.alsoAt.cell(2)]);
      else if (c.requiredThreads <= 2 && c.fullOnly === undefined)
        targets.push([small, resolveCell(c.measure.cell, 2)]);
      for (const [plan, key] of targets) {
        const spec = plan.get(key);
        expect(spec, `${c.id}: no planned cell ${key}`).toBeDefined();
        const reported = variantsOf(spec!.kind, spec!.params);
        for (const v of variants) expect(reported, `${c.id}: ${key} does not report "${v}"`).toContain(v);
        for (const s of series)
          expect(
            KINDS[spec!.kind as keyof typeof KINDS].series ?? [],
            `${c.id}: ${key} has no series "${s}"`,
          ).toContain(s);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('a claim naming a variant its cell does not report is caught', () => {
    const spec = planned(16).get(CELL.transport)!;
    expect(variantsOf(spec.kind, spec.params)).not.toContain('kit f64, batches of 256');
    expect(variantsOf(spec.kind, spec.params)).toContain(V.transport.kitF64Batches);
  });

  it('every variant and series of the committed sample report is in the registry', () => {
    const record = JSON.parse(
      readFileSync(path.join(repoRoot, 'reports', 'sample', 'report.json'), 'utf8'),
    ) as RunRecord;
    expect(record.cells.length).toBeGreaterThan(10);
    for (const cell of record.cells) {
      const known = variantsOf(cell.spec.kind, cell.spec.params);
      for (const v of [...Object.keys(cell.samples), ...Object.keys(cell.unavailable)])
        expect(known, `${cell.spec.suite}:${cell.spec.id}`).toContain(v);
      for (const s of Object.keys(cell.series)) expect(KINDS[cell.spec.kind as keyof typeof KINDS].series).toContain(s);
    }
  });

  it('no cell, plan, claim or report file spells a variant name by hand', () => {
    const dir = path.join(repoRoot, 'benches', 'runner');
    const files = [
      ...readdirSync(path.join(dir, 'cells')).map((f) => path.join(dir, 'cells', f)),
      ...['suites.ts', 'claims.ts', 'report.ts', 'report-html.ts', 'judge.ts'].map((f) => path.join(dir, f)),
    ];
    const names = [
      ...Object.values(V).flatMap((o) => Object.values(o).filter((x): x is string => typeof x === 'string')),
      ...Object.values(S).flatMap((o) => Object.values(o)),
      V.p3m6.at('mutex', 0.9),
    ];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const n of names) {
        // A one-word name ('pool', 'channel') may be any string; only multi-word names are distinctive enough.
        if (!/[\s@×,]/.test(n)) continue;
        expect(text.includes(`'${n}'`) || text.includes(`"${n}"`), `${path.basename(f)} spells '${n}'`).toBe(false);
      }
    }
  });
});

describe('variant order', () => {
  it("each variant takes each place across a cell's processes, with one repetition per process", () => {
    const variants = ['a', 'b', 'c', 'd'];
    const places = variants.map(() => new Set<number>());
    for (let round = 0; round < variants.length; round++) {
      const order = rotate(variants, 0, { round });
      expect([...order].sort()).toEqual(variants);
      order.forEach((v, place) => places[variants.indexOf(v)]!.add(place));
    }
    for (const seen of places) expect(seen.size).toBe(variants.length);
    // Within one process the repetitions still rotate, starting from its round.
    expect(rotate(variants, 1, { round: 2 })).toEqual(['d', 'a', 'b', 'c']);
    expect(rotate(variants, 3)).toEqual(['d', 'a', 'b', 'c']);
  });
});
