/**
 * The verdict rules of judge.ts (VERDICT_RULES), one test per rule, on small synthetic results: the numbers are
 * made up to sit inside or outside a claim, which is what the rules are about; no test here says anything about
 * real speed.
 */
import { describe, expect, it } from 'vitest';
import { cellKey } from './analysis.ts';
import { CLAIMS, resolveCell, workloadIn } from './claims.ts';
import { CONTRADICTIONS } from './contradictions.ts';
import { judgeAll, MIN_GROUPS, VERDICT_RULES } from './judge.ts';
import { PROFILES } from './profiles.ts';
import { CELL, S, V } from './registry.ts';
import { claimNotes } from './report.ts';
import { planSuite, suiteSection } from './suites.ts';
import { type CellResult, type CellSpec, SUITE_NAMES } from './types.ts';

const ref = [{ label: 'reference' as const, dir: '/x/solutions' }];
const quick = PROFILES.quick;

function plan(cores: number, profile = PROFILES.full): Map<string, CellSpec> {
  const ctx = { profile, p1m6Impls: ref, p2m6Impls: ref, p3m6Impls: ref, harmonyStruct: true, cores };
  return new Map(SUITE_NAMES.flatMap((s) => planSuite(s, ctx)).map((c) => [cellKey(c.suite, c.id), c]));
}

/** A cell result with `groups` processes of two samples per variant around the given medians. */
function cell(
  key: string,
  medians: Record<string, number>,
  groups = 5,
  series: CellResult['series'] = {},
): [string, CellResult] {
  const [suite, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  const spec = {
    suite,
    id,
    kind: 'x',
    label: id,
    params: {},
    reps: 2,
    threads: 1,
    timeoutMs: 1,
  } as unknown as CellSpec;
  const samples = Object.fromEntries(
    Object.entries(medians).map(([v, m]) => [
      v,
      Array.from({ length: groups }, (_, g) => [m * (1 + 0.001 * g), m * (1 - 0.001 * g)]),
    ]),
  );
  const info = Object.fromEntries(Object.keys(medians).map((v) => [v, { unit: 'ms', better: 'lower' as const }]));
  return [
    key,
    { spec, samples, info, series, unavailable: {}, notImplemented: {}, failures: [], notes: [], processMs: [] },
  ];
}

const byId = (id: string) => CLAIMS.find((c) => c.id === id)!;

describe('verdict rules', () => {
  it('are written once, one sentence per rule', () => {
    expect(VERDICT_RULES).toHaveLength(5);
  });

  it('rule 1: a claim is judged at the thread count its text states, or is not testable, even with numbers at hand', () => {
    const big = plan(16);
    for (const c of CLAIMS) {
      if (c.measure.kind === 'none') continue;
      const stated = /(\d+) (threads|workers|producers|cores)\b/.exec(c.text);
      const spec = big.get(resolveCell(c.measure.cell, 16))!;
      const count = Number(spec.params['threads'] ?? spec.params['workers'] ?? NaN);
      if (stated && !Number.isNaN(count))
        expect(count, `${c.id} measures at ${count}, the text says ${stated[0]}`).toBe(Number(stated[1]));
    }
    // The P3 m4 costs come from the chapter's 8-thread benchmark: judged there, never at 2.
    for (const id of ['p3-m4-mutex-op', 'p3-m4-rwlock-op', 'p3-m4-atomic-op', 'p3-m4-100x']) {
      expect(byId(id).requiredThreads).toBe(8);
      expect(resolveCell((byId(id).measure as { cell: string }).cell, 16)).toBe(CELL.p3m6(8));
    }
    // With 8-thread samples present on a 2-core machine, the verdict is still "not testable here".
    const results = new Map([
      cell(CELL.p3m6(8), { [V.p3m6.mutexPerOp]: 3, [V.p3m6.atomicPerOp]: 0.03 }),
      cell(CELL.p3m6(2), { [V.p3m6.mutexPerOp]: 0.1, [V.p3m6.atomicPerOp]: 0.02 }),
    ]);
    const judged = judgeAll(results, quick, 2, [byId('p3-m4-mutex-op'), byId('p3-m4-100x')]);
    for (const j of judged) {
      expect(j.verdict.status).toBe('not testable here');
      expect(j.measuredText).toBe('—');
      expect(j.alsoText).toMatch(/^at 2 threads: /);
    }
    // On 8 cores the same numbers are judged.
    const eight = judgeAll(results, quick, 8, [byId('p3-m4-mutex-op')]);
    expect(eight[0]!.verdict.status).toBe('reproduced');
  });

  it('rule 2: every chapter claim declares its workload, and a changed one says so on its row', () => {
    let changed = 0;
    for (const c of CLAIMS) {
      for (const p of [quick, PROFILES.full]) {
        const w = workloadIn(c, p);
        expect(w === 'chapter' || w.changed.length > 20, c.id).toBe(true);
        if (p === quick && w !== 'chapter') changed++;
      }
    }
    expect(changed).toBeGreaterThan(10);
    const images = byId('p2-m2-images');
    expect(workloadIn(images, quick)).not.toBe('chapter');
    const [j] = judgeAll(new Map(), quick, 2, [images]);
    expect(claimNotes(j!).some((n) => n.startsWith('Workload changed: 16 CPU-bound tasks'))).toBe(true);
  });

  /** Claims whose number does not depend on the cell parameters the quick profile scales down, and why. */
  const SIZE_FREE: Record<string, string> = {
    'p1-m3-blocked-send': 'one send into a full channel of 2, timed on its own; the window is for the rate scenario',
    'p1-m3-growth': 'a rate per second; the chapter states rates and no duration, the window only bounds the run',
    'p1-m3-unbounded-grows': 'a trend over the window; the chapter states rates and no duration',
    'p1-m3-bounded-flat': 'a trend over the window; the chapter states rates and no duration',
    'p1-m3-producer-slows': 'a ratio of rates; the chapter states rates and no duration',
    'p2-intro-spawn-cost': 'spawn + join of one thread, timed on its own (spawnTasks is the spawn-per-task variant)',
    'p2-intro-pool-10k': 'the pool runs 10,000 tiny tasks in every profile',
    'p2-m1-spawn-overhead': 'spawn + join of one thread × 1000, timed on its own',
    'p2-m1-8-tasks': 'the P2 m1 scenario runs its own 8 tasks of 100 ms in every profile',
  };

  it('rule 2: a profile that scales a claim\u2019s cell down says so on the row, with that profile\u2019s own sizes', () => {
    // The claim's cell as each profile plans it (16 cores: every thread count of the profile is planned).
    const plans = { quick: plan(16, quick), full: plan(16, PROFILES.full) };
    // The numbers of a note, leaving out the chapter's (or harness's) own it quotes ("(the chapter: 100,000, ...)").
    const numbers = (text: string) =>
      (text.replace(/\(the (chapter|harness)[^)]*\)/g, '').match(/\d[\d,]*/g) ?? []).map((n) =>
        Number(n.replaceAll(',', '')),
      );
    let scaled = 0;
    for (const def of CLAIMS) {
      if (def.measure.kind === 'none' || def.fullOnly !== undefined) continue; // quick leaves a full-only claim unjudged
      const key = resolveCell(def.measure.cell, 16);
      const [q, f] = [plans.quick.get(key), plans.full.get(key)];
      if (!q || !f) continue;
      const specs = { quick: q, full: f };
      const rows = {
        quick: judgeAll(new Map(), quick, 16, [def])[0]!,
        full: judgeAll(new Map(), PROFILES.full, 16, [def])[0]!,
      };
      if (JSON.stringify(specs.quick.params) !== JSON.stringify(specs.full.params) && !(def.id in SIZE_FREE)) {
        scaled++;
        expect(rows.quick.workloadChanged, `${def.id}: quick runs other sizes than --full`).toBeDefined();
      }
      // A size in a row's note is that profile's own: a number only the other profile's cell uses is a stale note.
      for (const [name, other] of [
        ['quick', 'full'],
        ['full', 'quick'],
      ] as const) {
        const own = new Set(Object.values(specs[name].params).map(Number));
        const theirs = Object.values(specs[other].params)
          .map(Number)
          .filter((n) => !own.has(n));
        for (const n of numbers(rows[name].workloadChanged ?? ''))
          expect(theirs, `${def.id} (${name}): "${rows[name].workloadChanged}" names ${n}`).not.toContain(n);
      }
    }
    expect(scaled).toBeGreaterThan(10);
  });

  it('rule 3: "holds by construction" is its own verdict, never "reproduced"; a failed construction stays visible', () => {
    const growth = byId('p1-m3-growth');
    expect(growth.byConstruction).toBeDefined();
    const inside = judgeAll(new Map([cell(CELL.backpressure, { [V.backpressure.unboundedGrowth]: 900 })]), quick, 2, [
      growth,
    ]);
    expect(inside[0]!.verdict.status).toBe('holds by construction');
    const outside = judgeAll(new Map([cell(CELL.backpressure, { [V.backpressure.unboundedGrowth]: 300 })]), quick, 2, [
      growth,
    ]);
    expect(outside[0]!.verdict.status).toBe('not reproduced');
    // No claim measured by a paced deadline is left to be "reproduced".
    for (const c of CLAIMS) if (c.byConstruction) expect(c.source).toBe('p1 m3');
  });

  it('rule 4: "why JS differs" wherever the number contradicts the chapter, also on not-testable rows', () => {
    const claim = byId('p1-m6-8'); // 5–8x, needs 8 threads; shown at 2 threads on a 2-core machine
    const contradicting = judgeAll(
      new Map([cell(CELL.p1m6(2), { [V.p1m6.mutex]: 10, [V.p1m6.channel]: 10 })]),
      quick,
      2,
      [claim],
    );
    expect(contradicting[0]!.verdict.status).toBe('not testable here');
    expect(contradicting[0]!.explanation).toBe(claim.whyDifferent);
    const agreeing = judgeAll(new Map([cell(CELL.p1m6(2), { [V.p1m6.mutex]: 60, [V.p1m6.channel]: 10 })]), quick, 2, [
      claim,
    ]);
    expect(agreeing[0]!.explanation).toBeUndefined();
    const failed = judgeAll(new Map([cell(CELL.p1m6(1), { [V.p1m6.mutex]: 5, [V.p1m6.channel]: 10 })]), quick, 2, [
      byId('p1-m6-1'),
    ]);
    expect(failed[0]!.verdict.status).toBe('not reproduced');
    expect(failed[0]!.explanation).toBeDefined();
  });

  it(`rule 5: the quick profile runs ${MIN_GROUPS}+ processes, and an interval on fewer groups is marked`, () => {
    expect(PROFILES.quick.processes).toBeGreaterThanOrEqual(MIN_GROUPS);
    expect(PROFILES.full.processes).toBeGreaterThanOrEqual(MIN_GROUPS);
    const claim = byId('p1-m6-1');
    const few = judgeAll(new Map([cell(CELL.p1m6(1), { [V.p1m6.mutex]: 10, [V.p1m6.channel]: 10 }, 3)]), quick, 2, [
      claim,
    ]);
    expect(few[0]!.measuredText).toMatch(/‡3$/);
    expect(few[0]!.groups).toBe(3);
    const enough = judgeAll(new Map([cell(CELL.p1m6(1), { [V.p1m6.mutex]: 10, [V.p1m6.channel]: 10 }, 5)]), quick, 2, [
      claim,
    ]);
    expect(enough[0]!.measuredText).not.toContain('‡');
  });

  it('prints a trend that rounds to no change as 0%, not -0%', () => {
    const flat = byId('p1-m3-bounded-flat');
    // Memory that falls by a hair: a change of a few thousandths of a percent, below zero.
    const run = (k: number): [number, number][] => Array.from({ length: 20 }, (_, i) => [i, 100 - i * 1e-4 + k * 1e-5]);
    const series = { [S.backpressure.boundedMemory]: [0, 1, 2, 3, 4].map(run) };
    const [j] = judgeAll(new Map([cell(CELL.backpressure, {}, 5, series)]), quick, 2, [flat]);
    expect(j!.measuredText).toMatch(/^0% change \[-?\d+–\d+%\]$/);
  });

  it('the chapter contradictions name real claims', () => {
    const ids = new Set(CLAIMS.map((c) => c.id));
    expect(CONTRADICTIONS.length).toBeGreaterThanOrEqual(4);
    for (const c of CONTRADICTIONS) for (const id of c.claims) expect(ids, `${c.title}: ${id}`).toContain(id);
  });
});

describe('why a claim is unjudged', () => {
  it('names the missing cell as the profile and the selection would have it', () => {
    const def = byId('kit-numbers');
    const reason = (p: typeof quick) => {
      const v = judgeAll(new Map(), p, 16, [def])[0]!.verdict;
      return v.status === 'not testable here' ? v.reason : '';
    };
    expect(reason(quick)).toMatch(/the quick profile does not run channels:transport \(run with --full/);
    expect(reason(PROFILES.full)).toMatch(/this run did not select channels:transport/);
  });

  it('a claim only --full measures is unjudged in other profiles, and says what only --full times', () => {
    for (const id of ['pipeline-process', 'images-process']) {
      const def = byId(id);
      const v = judgeAll(new Map(), quick, 2, [def])[0]!.verdict;
      expect(v.status).toBe('not testable here');
      if (v.status === 'not testable here')
        expect(v.reason).toMatch(/quick profile does not time .*as whole processes/);
    }
  });
});

describe('the kit section', () => {
  it('shows the crossing-threads table when only kit:threads ran (--cells kit:threads)', () => {
    const [key, made] = cell(CELL.threads, { [V.threads.pingPong]: 0.9, [V.threads.kitStartup]: 38 });
    const result = { ...made, spec: { ...made.spec, params: { roundTrips: 1000, idleMs: 100 } } as CellSpec };
    const md = suiteSection('kit', new Map([[key, result]])).markdown;
    expect(md).not.toContain('No results');
    expect(md).toMatch(/ping-pong round trip .*\| 0\.90/);
    expect(suiteSection('kit', new Map()).markdown).toBe('No results.');
  });
});
