/**
 * The suites, parent side: which cells each suite runs under a profile (`planSuite`), and how its results read
 * in the report (`suiteSection`: markdown tables, a terminal chart with x labels, SVG charts).
 *
 *   channels  P1 m6 channel vs Mutex<SharedVec> over thread counts; kit channel vs postMessage; P1 m2 pipelining
 *             with sleeping stages; P1 m3 bounded vs unbounded queue growth
 *   locks     P3 m6 Mutex vs RwLock vs atomic over read ratios and thread counts (with the P3 m4 per-op costs);
 *             kit Mutex vs V8 Atomics.Mutex
 *   pool      kit-thread pool vs sequential over worker counts, sleeping and CPU-bound tasks, piscina beside it;
 *             thread spawn cost and spawn-per-task vs pool
 *   kit       one-thread micro costs with mitata
 *
 * Cells are run by benches/runner/cells/<suite>.ts in child processes; this file never measures anything.
 */
import { type AsciiSeries, renderAsciiChart, renderSvgChart, type SvgSeries } from '../lib/chart.ts';
import { formatDuration, formatRatio, formatSi, markdownTable, plural } from '../lib/table.ts';
import { cellKey, medianOf, medianSeries, ratioOf, type Results } from './analysis.ts';
import { CELL, S, V } from './registry.ts';
import type { CellSpec, Implementation, Profile, SuiteName } from './types.ts';

export interface PlanContext {
  readonly profile: Profile;
  /** Reference first, then the target when it is another tree and implemented. */
  readonly p1m6Impls: readonly Implementation[];
  readonly p3m6Impls: readonly Implementation[];
  readonly p2m6Impls: readonly Implementation[];
  /** Whether `node --harmony-struct` works here (then the cells that can use it start with it). */
  readonly harmonyStruct: boolean;
  readonly cores: number;
}

/** Thread count of the P3 m4 per-operation cell: the chapter's 8, or all cores when there are fewer. */
export const perOpThreads = (cores: number): number => Math.max(2, Math.min(8, cores));
/** Increments per thread of the kit-vs-V8 Mutex cell: twice the profile's lock operations, at most the harness's 1M. */
export const v8MutexOps = (p: Profile): number => Math.min(p.lockOps * 2, 1_000_000);

export const SUITE_TITLES: Readonly<Record<SuiteName, string>> = {
  channels: 'Channels: pipeline vs shared state, kit channel vs postMessage, pipelining, backpressure',
  locks: 'Locks: Mutex vs RwLock vs atomics',
  pool: 'Thread pool: pool vs sequential, spawn per task, piscina',
  kit: 'Kit costs: one-thread micro costs (mitata), ping-pong, parked receiver, thread start-up',
};

/**
 * The quick profile keeps its sweeps short on a small machine but still gives every verdict the machine can:
 * thread counts of the full sweep that fit in the cores are added (4 and 8 on an 8-core machine).
 */
export function sweepFor(list: readonly number[], ctx: PlanContext): number[] {
  if (ctx.profile.name !== 'quick') return [...list];
  return [...new Set([...list, ...[4, 8, 16].filter((t) => t <= ctx.cores)])].sort((a, b) => a - b);
}

export function planSuite(suite: SuiteName, ctx: PlanContext): CellSpec[] {
  const p = ctx.profile;
  const reps = (id: string) => p.repsOverride[id] ?? p.reps;
  const base = { suite, timeoutMs: p.cellTimeoutMs };
  const harmony = ctx.harmonyStruct ? { nodeFlags: ['--harmony-struct'] } : {};
  switch (suite) {
    case 'channels': {
      const cells: CellSpec[] = sweepFor(p.threadCounts, ctx).map((t) => ({
        ...base,
        id: `p1m6/t${t}`,
        kind: 'p1m6',
        label: `channel vs mutex × ${t} thread${t === 1 ? '' : 's'}`,
        params: { threads: t, entries: p.p1m6Entries },
        reps: reps('p1m6'),
        threads: t + 1,
        impls: ctx.p1m6Impls,
      }));
      if (p.transport) {
        cells.push({
          ...base,
          id: 'transport',
          kind: 'transport',
          label: 'kit channel vs postMessage',
          params: { ...p.transport },
          reps: reps('transport'),
          threads: 2,
        });
      }
      cells.push({
        ...base,
        id: 'pipeline',
        kind: 'pipeline',
        label: 'pipelined vs sequential stages',
        params: { stageMs: p.pipelineStageMs, messages: p.pipelineMessages },
        reps: reps('pipeline'),
        threads: 1, // the stage threads sleep: they need no core
      });
      cells.push({
        ...base,
        id: 'backpressure',
        kind: 'backpressure',
        label: 'bounded vs unbounded queue',
        params: { windowMs: p.backpressureWindowMs },
        reps: reps('backpressure'),
        threads: 1, // paced threads that mostly sleep
      });
      if (p.logLines > 0) {
        const lw = Math.min(2, ctx.cores);
        cells.push({
          ...base,
          id: 'logs',
          kind: 'logs',
          label: `pipeline command, ${lw} workers vs baseline`,
          params: { lines: p.logLines, workers: lw, warmUps: 2 },
          reps: reps('logs'),
          threads: lw + 1,
        });
      }
      return cells;
    }
    case 'locks': {
      const m4 = perOpThreads(ctx.cores);
      const counts = [...new Set([...sweepFor(p.lockThreadCounts, ctx), ...(p.name === 'tiny' ? [] : [m4])])].sort(
        (a, b) => a - b,
      );
      const cells: CellSpec[] = counts.map((t) => ({
        ...base,
        id: `p3m6/t${t}`,
        kind: 'p3m6',
        label: `Mutex/RwLock/atomic × ${t} thread${t === 1 ? '' : 's'}`,
        params: { threads: t, ops: p.lockOps, ratios: p.readRatios, perOp: t === m4 },
        reps: reps('p3m6'),
        threads: t + 1,
        impls: ctx.p3m6Impls,
      }));
      if (p.name !== 'tiny') {
        cells.push({
          ...base,
          ...harmony,
          id: 'v8mutex',
          kind: 'v8mutex',
          label: 'kit Mutex vs Atomics.Mutex',
          params: { ops: v8MutexOps(p) },
          reps: reps('v8mutex'),
          threads: 3,
        });
      }
      return cells;
    }
    case 'pool': {
      const cells: CellSpec[] = [];
      for (const d of p.poolTaskMs) {
        for (const w of p.poolWorkerCounts) {
          cells.push({
            ...base,
            id: `sleep/d${d}/w${w}`,
            kind: 'sleep',
            label: `sleeping ${d} ms tasks × ${w} worker${w === 1 ? '' : 's'}`,
            params: {
              workers: w,
              taskMs: d,
              tasks: p.poolTasks,
              p2m1: d === 10 && w === 4,
              freshPool: d === 10 && w === 4,
              piscina: p.piscinaInSleep,
              kitPool: p.piscinaInSleep,
            },
            reps: reps('sleep'),
            threads: 1,
            impls: ctx.p2m6Impls,
          });
        }
      }
      for (const d of p.cpuTaskMs) {
        for (const w of sweepFor(p.cpuWorkerCounts, ctx)) {
          cells.push({
            ...base,
            id: `cpu/d${d}/w${w}`,
            kind: 'cpu',
            label: `CPU ${d} ms tasks × ${w} worker${w === 1 ? '' : 's'}`,
            params: { workers: w, taskMs: d, tasks: p.poolTasks, piscina: true, kitPool: true },
            reps: reps('cpu'),
            threads: w,
            impls: ctx.p2m6Impls,
          });
        }
      }
      const w = Math.min(8, ctx.cores);
      cells.push({
        ...base,
        id: 'spawn',
        kind: 'spawn',
        label: `spawn per task vs pool (${plural(w, 'worker')})`,
        params: { workers: w, spawnTasks: p.spawnTasks, tinyTasks: p.poolTinyTasks },
        reps: reps('spawn'),
        threads: w,
        impls: ctx.p2m6Impls.filter((i) => i.label === 'reference'),
      });
      if (p.imageCopies > 0) {
        const iw = Math.min(2, ctx.cores);
        cells.push({
          ...base,
          id: 'images',
          kind: 'images',
          label: `photos with sharp: pool of ${iw} vs main thread`,
          params: { workers: iw, copies: p.imageCopies, wholeProcess: p.imagesWholeProcess },
          reps: reps('images'),
          threads: iw,
          impls: ctx.p2m6Impls.filter((i) => i.label === 'reference'),
        });
      }
      return cells;
    }
    case 'kit':
      return [
        {
          ...base,
          ...harmony,
          id: 'micro',
          kind: 'micro',
          label: 'one-thread micro costs',
          params: { minCpuNs: p.microMinCpuNs },
          reps: reps('micro'),
          threads: 1,
        },
        {
          ...base,
          id: 'threads',
          kind: 'threads',
          label: 'ping-pong, parked receiver, thread start-up',
          params: { ...p.threadsCell },
          reps: reps('threads'),
          threads: 2,
        },
      ];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report sections

export interface Section {
  readonly suite: SuiteName;
  readonly title: string;
  readonly markdown: string;
  /** Terminal charts (asciichart with x labels). */
  readonly terminal: string[];
  readonly svgs: { readonly file: string; readonly svg: string }[];
}

const ms = (x: number | undefined) => (x === undefined ? '—' : formatDuration(x));
const ratio = (r: { estimate: number; low: number; high: number } | undefined) =>
  r ? formatRatio(r.estimate, r.low, r.high) : '—';

function cellsOf(results: Results, suite: SuiteName, kind: string): CellSpec[] {
  return [...results.values()].map((r) => r.spec).filter((s) => s.suite === suite && s.kind === kind);
}

function notImplementedLines(results: Results, suite: SuiteName): string[] {
  const seen = new Set<string>();
  for (const r of results.values()) {
    if (r.spec.suite !== suite) continue;
    for (const [label, why] of Object.entries(r.notImplemented)) seen.add(`- ${label}: not implemented yet (${why})`);
  }
  return [...seen];
}

function chartPair(
  name: string,
  title: string,
  xLabels: (string | number)[],
  series: SvgSeries[],
  xTitle: string,
  yTitle: string,
  logY = false,
): { terminal: string; svg: { file: string; svg: string } } | undefined {
  const usable = series.filter((s) => s.values.some((v) => v !== null));
  if (usable.length === 0 || xLabels.length === 0) return undefined;
  // asciichart has no gaps: a series is drawn up to its first missing point.
  const ascii: AsciiSeries[] = [];
  for (const s of usable) {
    const values: number[] = [];
    for (const v of s.values) {
      if (v === null) break;
      values.push(v);
    }
    if (values.length > 0) ascii.push({ name: s.name, values });
  }
  const terminal = ascii.length ? renderAsciiChart(ascii, { xLabels, title, xTitle, yTitle, height: 8, logY }) : '';
  const svg = renderSvgChart({ kind: 'line', xLabels, series: usable, title, xTitle, yTitle, logY });
  return { terminal, svg: { file: `${name}.svg`, svg } };
}

function channelsSection(results: Results): Omit<Section, 'suite' | 'title'> {
  const md: string[] = [];
  const terminal: string[] = [];
  const svgs: { file: string; svg: string }[] = [];
  const p1 = cellsOf(results, 'channels', 'p1m6').sort((a, b) => Number(a.params.threads) - Number(b.params.threads));
  if (p1.length > 0) {
    const hasTarget = p1.some((s) => results.get(cellKey('channels', s.id))?.samples[`target:${V.p1m6.channel}`]);
    const entries = Number(p1[0]!.params.entries);
    md.push(`### P1 m6: channel pipeline vs Mutex<SharedVec> (${entries.toLocaleString('en-US')} log entries)`, '');
    const head = [
      'threads',
      'channel',
      'mutex',
      'channel entries/s',
      'mutex entries/s',
      'channel speedup (mutex ÷ channel)',
    ];
    if (hasTarget) head.push('target channel', 'target mutex', 'target speedup');
    const rows = p1.map((s) => {
      const key = cellKey('channels', s.id);
      const ch = medianOf(results, key, V.p1m6.channel);
      const mu = medianOf(results, key, V.p1m6.mutex);
      const row = [
        String(s.params.threads),
        ms(ch?.estimate),
        ms(mu?.estimate),
        ch ? formatSi((entries / ch.estimate) * 1000) : '—',
        mu ? formatSi((entries / mu.estimate) * 1000) : '—',
        ratio(ratioOf(results, key, V.p1m6.mutex, V.p1m6.channel)),
      ];
      if (hasTarget) {
        row.push(
          ms(medianOf(results, key, `target:${V.p1m6.channel}`)?.estimate),
          ms(medianOf(results, key, `target:${V.p1m6.mutex}`)?.estimate),
          ratio(ratioOf(results, key, `target:${V.p1m6.mutex}`, `target:${V.p1m6.channel}`)),
        );
      }
      return row;
    });
    md.push(markdownTable(head, rows), '');
    const through = (variant: string): SvgSeries => {
      const values: (number | null)[] = [];
      const low: (number | null)[] = [];
      const high: (number | null)[] = [];
      for (const s of p1) {
        const m = medianOf(results, cellKey('channels', s.id), variant);
        values.push(m ? (entries / m.estimate) * 1000 : null);
        low.push(m ? (entries / m.high) * 1000 : null);
        high.push(m ? (entries / m.low) * 1000 : null);
      }
      return { name: variant, values, low, high };
    };
    const series = [through(V.p1m6.channel), through(V.p1m6.mutex)];
    if (hasTarget) series.push(through(`target:${V.p1m6.channel}`), through(`target:${V.p1m6.mutex}`));
    const chart = chartPair(
      'channels-p1m6',
      'P1 m6 throughput (entries/s)',
      p1.map((s) => Number(s.params.threads)),
      series,
      'threads',
      'entries/s',
    );
    if (chart) {
      terminal.push(chart.terminal);
      svgs.push(chart.svg);
      md.push(`![P1 m6 throughput](${chart.svg.file})`, '');
    }
  }
  const transport = results.get(CELL.transport);
  if (transport) {
    const key = CELL.transport;
    md.push('### Kit channel vs postMessage (main thread → one consumer thread)', '');
    const n = Number(transport.spec.params.numbers);
    const m = Number(transport.spec.params.records);
    const rows: string[][] = [];
    const add = (scenario: string, base: string, variant: string, count: number) => {
      const v = medianOf(results, key, variant);
      rows.push([
        scenario,
        variant,
        ms(v?.estimate),
        v ? `${formatSi((count / v.estimate) * 1000)} msgs/s` : '—',
        variant === base ? '1.00x (baseline)' : ratio(ratioOf(results, key, base, variant)),
      ]);
    };
    const T = V.transport;
    add('numbers', T.postNumbers, T.postNumbers, n);
    add('numbers', T.postNumbers, T.kitF64, n);
    add('numbers', T.postNumbers, T.kitF64Batches, n);
    add('records', T.postRecords, T.postRecords, m);
    add('records', T.postRecords, T.kitRecord, m);
    add('records', T.postRecords, T.kitRecordBatches, m);
    add('cloneable', T.postRecords, T.kitStructured, m);
    md.push(markdownTable(['scenario', 'variant', 'median', 'throughput', 'speedup over postMessage'], rows), '');
  }
  const pipe = results.get(CELL.pipeline);
  if (pipe) {
    const key = CELL.pipeline;
    const unit = Number(pipe.spec.params.stageMs);
    const P = V.pipeline;
    md.push(
      `### P1 m2: pipelined vs sequential stages (sleeping; the chapter's 100 ms is ${unit * 2} ms here, ${pipe.spec.params.messages} messages)`,
      '',
    );
    md.push(
      markdownTable(
        ['stages', 'sequential', 'pipelined', 'speedup'],
        [
          [
            `${unit * 2}/${unit}/${unit} ms (100/50/50 scaled)`,
            ms(medianOf(results, key, P.sequentialUneven)?.estimate),
            ms(medianOf(results, key, P.pipelinedUneven)?.estimate),
            ratio(ratioOf(results, key, P.sequentialUneven, P.pipelinedUneven)),
          ],
          [
            `${unit * 2}/${unit * 2}/${unit * 2} ms (3 × 100 scaled)`,
            ms(medianOf(results, key, P.sequentialEqual)?.estimate),
            ms(medianOf(results, key, P.pipelinedEqual)?.estimate),
            ratio(ratioOf(results, key, P.sequentialEqual, P.pipelinedEqual)),
          ],
        ],
      ),
      '',
      `Latency of one message through the idle equal-stage pipeline: ${ms(medianOf(results, key, P.latencyEqual)?.estimate)} (three stages of ${unit * 2} ms).`,
      '',
    );
  }
  const bp = results.get(CELL.backpressure);
  if (bp) {
    const key = CELL.backpressure;
    md.push('### P1 m3: bounded (capacity 100) vs unbounded channel, producer 1000 msgs/s, consumer 100 msgs/s', '');
    const B = V.backpressure;
    const g = medianOf(results, key, B.unboundedGrowth);
    md.push(
      markdownTable(
        ['measure', 'median [95% CI]'],
        [
          [
            'unbounded queue growth',
            g ? `${g.estimate.toFixed(0)} msgs/s [${g.low.toFixed(0)}–${g.high.toFixed(0)}]` : '—',
          ],
          ['unbounded queue length at the end', String(medianOf(results, key, B.unboundedEnd)?.estimate ?? '—')],
          ['bounded queue length at the end', String(medianOf(results, key, B.boundedEnd)?.estimate ?? '—')],
          ['bounded: producer rate ÷ consumer rate once full', ratio(medianOf(results, key, B.boundedRate))],
          [
            'send into a full channel of 2, consumer spawned after the clock starts (test_backpressure_blocks)',
            ms(medianOf(results, key, B.blockedSendWithSpawn)?.estimate),
          ],
          [
            'the same send, consumer already running (the blocking alone)',
            ms(medianOf(results, key, B.blockedSend)?.estimate),
          ],
        ],
      ),
      '',
    );
    const ub = bp.series[S.backpressure.unbounded];
    const bd = bp.series[S.backpressure.bounded];
    if (ub?.length && bd?.length) {
      const a = medianSeries(ub);
      const b = medianSeries(bd);
      const step = Math.max(1, Math.ceil(a.length / 10));
      const idx = a.map((_, i) => i).filter((i) => i % step === 0);
      const xLabels = idx.map((i) => `${Math.round((a[i] as [number, number])[0] * 1000)}`);
      const chart = chartPair(
        'channels-backpressure',
        'P1 m3 queue length over time',
        xLabels,
        [
          { name: 'unbounded', values: idx.map((i) => (a[i] as [number, number])[1]) },
          { name: 'bounded (100)', values: idx.map((i) => (b[i] as [number, number] | undefined)?.[1] ?? null) },
        ],
        'ms',
        'messages queued',
      );
      if (chart) {
        terminal.push(chart.terminal);
        svgs.push(chart.svg);
        md.push(`![queue length](${chart.svg.file})`, '');
      }
    }
  }
  const lg = results.get(CELL.logs);
  if (lg) {
    const L = V.logs;
    const lines = Number(lg.spec.params.lines);
    const row = (v: string) => {
      const m = medianOf(results, CELL.logs, v);
      return [
        v,
        ms(m?.estimate),
        m ? `${formatSi((lines / m.estimate) * 1000)} lines/s` : '—',
        v === L.baseline ? '1.00x (baseline)' : ratio(ratioOf(results, CELL.logs, L.baseline, v)),
      ];
    };
    md.push(
      `### The pipeline command on real-format logs (${lines.toLocaleString('en-US')} lines, ${lg.spec.params.workers} parser threads)`,
      '',
      markdownTable(
        ['variant', 'median', 'throughput', 'speedup over the baseline'],
        [row(L.baseline), row(L.cold), row(L.warm)],
      ),
      '',
      'The same files through the command as a user runs it (`npm run pipeline`): whole processes, start-up included.',
      '',
      markdownTable(
        ['variant', 'median', 'throughput', 'speedup over --single-threaded'],
        [L.processSingle, L.processThreaded].map((v) => {
          const m = medianOf(results, CELL.logs, v);
          return [
            v,
            ms(m?.estimate),
            m ? `${formatSi((lines / m.estimate) * 1000)} lines/s` : '—',
            v === L.processSingle ? '1.00x (baseline)' : ratio(ratioOf(results, CELL.logs, L.processSingle, v)),
          ];
        }),
      ),
      '',
    );
  }
  return { markdown: md.join('\n'), terminal, svgs };
}

function locksSection(results: Results): Omit<Section, 'suite' | 'title'> {
  const md: string[] = [];
  const terminal: string[] = [];
  const svgs: { file: string; svg: string }[] = [];
  const cells = cellsOf(results, 'locks', 'p3m6').sort((a, b) => Number(a.params.threads) - Number(b.params.threads));
  if (cells.length > 0) {
    const ratios = cells[0]!.params.ratios as readonly number[];
    const ops = Number(cells[0]!.params.ops);
    md.push(`### P3 m6: Mutex vs RwLock vs atomic counter (${ops.toLocaleString('en-US')} operations)`, '');
    const rows: string[][] = [];
    for (const s of cells) {
      const key = cellKey('locks', s.id);
      for (const r of ratios) {
        rows.push([
          String(s.params.threads),
          `${Math.round(r * 100)}%`,
          ms(medianOf(results, key, V.p3m6.at('mutex', r))?.estimate),
          ms(medianOf(results, key, V.p3m6.at('rwlock', r))?.estimate),
          ms(medianOf(results, key, V.p3m6.at('atomic', r))?.estimate),
          ratio(ratioOf(results, key, V.p3m6.at('mutex', r), V.p3m6.at('rwlock', r))),
          ratio(ratioOf(results, key, V.p3m6.at('mutex', r), V.p3m6.at('atomic', r))),
          ...(results.get(key)?.samples[`target:${V.p3m6.at('mutex', r)}`]
            ? [ratio(ratioOf(results, key, `target:${V.p3m6.at('mutex', r)}`, V.p3m6.at('mutex', r)))]
            : []),
        ]);
      }
    }
    const hasTarget = rows.some((r) => r.length > 7);
    md.push(
      markdownTable(
        [
          'threads',
          'reads',
          'Mutex',
          'RwLock',
          'atomic',
          'RwLock speedup',
          'atomic speedup',
          ...(hasTarget ? ['target Mutex ÷ reference Mutex'] : []),
        ],
        rows,
      ),
      '',
    );
    const r90 = ratios.find((r) => r >= 0.9) ?? ratios[ratios.length - 1]!;
    const series = (['mutex', 'rwlock', 'atomic'] as const).map((kind): SvgSeries => {
      const values: (number | null)[] = [];
      const low: (number | null)[] = [];
      const high: (number | null)[] = [];
      for (const s of cells) {
        const m = medianOf(results, cellKey('locks', s.id), V.p3m6.at(kind, r90));
        values.push(m ? (ops / m.estimate) * 1000 : null);
        low.push(m ? (ops / m.high) * 1000 : null);
        high.push(m ? (ops / m.low) * 1000 : null);
      }
      return { name: kind, values, low, high };
    });
    const chart = chartPair(
      'locks-p3m6',
      `P3 m6 throughput at ${Math.round(r90 * 100)}% reads (ops/s)`,
      cells.map((s) => Number(s.params.threads)),
      series,
      'threads',
      'ops/s',
      true,
    );
    if (chart) {
      terminal.push(chart.terminal);
      svgs.push(chart.svg);
      md.push(`![P3 m6 throughput](${chart.svg.file})`, '');
    }
    const perOp = cells.find((s) => s.params.perOp === true);
    if (perOp) {
      const key = cellKey('locks', perOp.id);
      const us = (v: string) => {
        const m = medianOf(results, key, v);
        return m ? `${m.estimate.toPrecision(3)} µs [${m.low.toPrecision(3)}–${m.high.toPrecision(3)}]` : '—';
      };
      md.push(
        `### P3 m4: cost per operation, ${perOp.params.threads} threads contending (wall time ÷ operations)`,
        '',
        markdownTable(
          ['operation', 'µs per operation'],
          [
            ['Mutex increment', us(V.p3m6.mutexPerOp)],
            ['RwLock read', us(V.p3m6.rwlockPerOp)],
            ['atomic increment', us(V.p3m6.atomicPerOp)],
          ],
        ),
        '',
      );
    }
  }
  const v8 = results.get(CELL.v8mutex);
  if (v8) {
    const key = CELL.v8mutex;
    const ops = Number(v8.spec.params.ops);
    const rate = (v: string) => {
      const m = medianOf(results, key, v);
      return m ? `${formatSi(((2 * ops) / m.estimate) * 1000)} ops/s` : '—';
    };
    const K = V.v8mutex;
    const na = v8.unavailable[K.v8];
    md.push(
      `### kit Mutex vs V8 Atomics.Mutex (2 threads × ${ops.toLocaleString('en-US')} increments)`,
      '',
      markdownTable(
        ['lock', 'median', 'throughput', 'kit speed ÷ Atomics.Mutex speed'],
        [
          [
            'kit Mutex',
            ms(medianOf(results, key, K.kit)?.estimate),
            rate(K.kit),
            ratio(ratioOf(results, key, K.v8, K.kit)),
          ],
          [
            'Atomics.Mutex (--harmony-struct)',
            na ? na : ms(medianOf(results, key, K.v8)?.estimate),
            na ? '—' : rate(K.v8),
            '',
          ],
        ],
      ),
      '',
    );
  }
  return { markdown: md.join('\n'), terminal, svgs };
}

function poolSection(results: Results): Omit<Section, 'suite' | 'title'> {
  const md: string[] = [];
  const terminal: string[] = [];
  const svgs: { file: string; svg: string }[] = [];
  md.push(
    'The pool under test is the reference ThreadPool (P2 m1) running the P2 m6 tasks, started once per process and warmed up before timing (sequential: the m6 `benchmarkSequential`); beside it a minimal pool of N kit threads on one kit channel, and piscina with N threads, all running the same work.',
    '',
  );
  const sweep = (kind: 'sleep' | 'cpu', title: string) => {
    const cells = cellsOf(results, 'pool', kind);
    const durations = [...new Set(cells.map((s) => Number(s.params.taskMs)))].sort((a, b) => a - b);
    for (const d of durations) {
      const ds = cells
        .filter((s) => Number(s.params.taskMs) === d)
        .sort((a, b) => Number(a.params.workers) - Number(b.params.workers));
      md.push(`### ${title}, ${d} ms per task, ${ds[0]?.params.tasks} tasks`, '');
      const has = (v: string) => ds.some((s) => results.get(cellKey('pool', s.id))?.samples[v]);
      const W = V.sweep;
      const extra = [W.kitPool, W.piscina, `target:${W.pool}`].filter(has);
      const rows = ds.map((s) => {
        const key = cellKey('pool', s.id);
        return [
          String(s.params.workers),
          ms(medianOf(results, key, W.sequential)?.estimate),
          ms(medianOf(results, key, W.pool)?.estimate),
          ratio(ratioOf(results, key, W.sequential, W.pool)),
          ...extra.map((v) => ratio(ratioOf(results, key, seqFor(v), v))),
        ];
      });
      md.push(
        markdownTable(
          ['workers', 'sequential', 'reference pool', 'reference pool speedup', ...extra.map((v) => `${v} speedup`)],
          rows,
        ),
        '',
      );
      const speed = (variant: string): SvgSeries => {
        const values: (number | null)[] = [];
        const low: (number | null)[] = [];
        const high: (number | null)[] = [];
        for (const s of ds) {
          const r = ratioOf(results, cellKey('pool', s.id), seqFor(variant), variant);
          values.push(r?.estimate ?? null);
          low.push(r?.low ?? null);
          high.push(r?.high ?? null);
        }
        return { name: `${variant === W.pool ? 'reference pool' : variant} speedup`, values, low, high };
      };
      const series = [
        speed(W.pool),
        ...extra.map(speed),
        { name: 'ideal (= workers)', values: ds.map((s) => Number(s.params.workers)) },
      ];
      const chart = chartPair(
        `pool-${kind}-d${d}`,
        `${title}: speedup over sequential (${d} ms tasks)`,
        ds.map((s) => Number(s.params.workers)),
        series,
        'workers',
        'speedup',
      );
      if (chart) {
        terminal.push(chart.terminal);
        svgs.push(chart.svg);
        md.push(`![${title} speedup](${chart.svg.file})`, '');
      }
    }
  };
  sweep('sleep', 'Sleeping tasks');
  const w4key = CELL.sleep(10, 4);
  const w4 = results.get(w4key);
  if (w4?.samples[V.sweep.p2m1Eight]) {
    md.push(
      `P2 m1 test: 8 sleeping tasks of 100 ms on 4 workers of the warm reference pool took ${ms(medianOf(results, w4key, V.sweep.p2m1Eight)?.estimate)} (median).`,
      '',
    );
  }
  const fresh = V.sweep.freshPool;
  if (w4?.samples[fresh]) {
    const key = w4key;
    md.push(
      `The m6 \`benchmarkThreadPool\` as written starts a new pool per run; its timing then includes each worker's first import of the task module: ${ms(medianOf(results, key, fresh)?.estimate)} for the 4-worker batch above, against ${ms(medianOf(results, key, V.sweep.pool)?.estimate)} on the warm pool (${ratio(ratioOf(results, key, fresh, V.sweep.pool))}).`,
      '',
    );
  }
  sweep('cpu', 'CPU-bound tasks');
  const sp = results.get(CELL.spawn);
  if (sp) {
    const key = CELL.spawn;
    const P = V.spawn;
    md.push(`### Spawn per task vs pool (${plural(Number(sp.spec.params.workers), 'worker')}; tiny tasks)`, '');
    md.push(
      markdownTable(
        ['measure', 'median [95% CI]'],
        [
          ['thread spawn + join (a thread that does nothing)', fmtInterval(medianOf(results, key, P.spawnJoin))],
          [
            `spawn per task (${sp.spec.params.spawnTasks} tasks), per task`,
            fmtInterval(medianOf(results, key, P.spawnPerTask)),
          ],
          [
            `reference pool (${sp.spec.params.tinyTasks} tasks), per task`,
            fmtInterval(medianOf(results, key, P.referencePool)),
          ],
          [`kit pool (${sp.spec.params.tinyTasks} tasks), per task`, fmtInterval(medianOf(results, key, P.kitPool))],
          [`piscina (${sp.spec.params.tinyTasks} tasks), per task`, fmtInterval(medianOf(results, key, P.piscina))],
          ['spawn per task ÷ reference pool', ratio(ratioOf(results, key, P.spawnPerTask, P.referencePool))],
          ['piscina ÷ reference pool (per task)', ratio(ratioOf(results, key, P.piscina, P.referencePool))],
          ['kit pool ÷ reference pool (per task)', ratio(ratioOf(results, key, P.kitPool, P.referencePool))],
        ],
      ),
      '',
    );
  }
  const im = results.get(CELL.images);
  if (im) {
    const I = V.images;
    md.push(
      `### Real photos with sharp (${im.notes.find((n) => n.endsWith('per batch')) ?? ''}, resize 320 + blur 1.5, sharp.concurrency(1))`,
      '',
      markdownTable(
        ['variant', 'median', 'speedup over one by one'],
        [I.sequential, I.pool, I.twoInFlight].map((v) => [
          v,
          ms(medianOf(results, CELL.images, v)?.estimate),
          v === I.sequential ? '1.00x (baseline)' : ratio(ratioOf(results, CELL.images, I.sequential, v)),
        ]),
      ),
      '',
    );
    if (medianOf(results, CELL.images, I.processDefault)) {
      md.push(
        'The `images` command on the same batch as a user runs it: whole processes (start-up, the folder walk and',
        'the writes included), the default against one worker thread.',
        '',
        markdownTable(
          ['variant', 'median', 'speedup over one worker'],
          [I.processOne, I.processDefault].map((v) => [
            v,
            ms(medianOf(results, CELL.images, v)?.estimate),
            v === I.processOne ? '1.00x (baseline)' : ratio(ratioOf(results, CELL.images, I.processOne, v)),
          ]),
        ),
        '',
      );
    }
  }
  return { markdown: md.join('\n'), terminal, svgs };
}

/** The sequential baseline of a pool variant: the target's own for target variants. */
const seqFor = (variant: string): string =>
  variant.startsWith('target:') ? `target:${V.sweep.sequential}` : V.sweep.sequential;

function fmtInterval(m: { estimate: number; low: number; high: number } | undefined): string {
  return m ? `${formatDuration(m.estimate)} [${formatDuration(m.low)}–${formatDuration(m.high)}]` : '—';
}

function kitSection(results: Results): Omit<Section, 'suite' | 'title'> {
  const r = results.get(CELL.micro);
  const th = results.get(CELL.threads);
  if (!r && !th) return { markdown: 'No results.', terminal: [], svgs: [] };
  const key = CELL.micro;
  // Either cell may run alone (--cells kit:threads): each part of the section shows what ran.
  const names = r ? Object.keys(r.info) : [];
  const md: string[] = [];
  if (r) {
    const rows = names.map((n) => {
      const m = medianOf(results, key, n);
      return [n, m ? `${m.estimate.toFixed(1)} ns [${m.low.toFixed(1)}–${m.high.toFixed(1)}]` : '—'];
    });
    for (const [n, why] of Object.entries(r.unavailable)) rows.push([n, why]);
    md.push(
      'One operation on one thread, uncontended (mitata p50 per repetition; median over repetitions and processes).',
      '',
      markdownTable(['operation', 'ns per operation [95% CI]'], rows),
      '',
    );
  }
  if (th) {
    const T = V.threads;
    const cell = (v: string, digits: number) => {
      const m = medianOf(results, CELL.threads, v);
      return m ? `${m.estimate.toFixed(digits)} [${m.low.toFixed(digits)}–${m.high.toFixed(digits)}]` : '—';
    };
    md.push(
      '### Crossing threads',
      '',
      markdownTable(
        ['measure', 'median [95% CI]'],
        [
          [
            `ping-pong round trip between two busy threads (${th.spec.params.roundTrips} round trips), µs`,
            cell(T.pingPong, 2),
          ],
          [
            'the same between two threads spinning on one shared word (no kit): the cost of crossing cores here, µs',
            cell(T.corePingPong, 2),
          ],
          [
            'kit ping-pong ÷ core-to-core round trip',
            ratio(ratioOf(results, CELL.threads, T.pingPong, T.corePingPong)),
          ],
          [`receiver parked in recv for ${th.spec.params.idleMs} ms, % of a core`, cell(T.idleCpu, 2)],
          ['TypeScript thread body, spawn to first message, ms', cell(T.kitStartup, 1)],
          ['plain ES module worker, start to first message, ms', cell(T.plainStartup, 1)],
          ['kit start-up ÷ plain worker start-up', ratio(ratioOf(results, CELL.threads, T.kitStartup, T.plainStartup))],
        ],
      ),
      '',
    );
  }
  const svgs: { file: string; svg: string }[] = [];
  const values = names.map((n) => medianOf(results, key, n) ?? null);
  if (values.some((v) => v !== null)) {
    const svg = renderSvgChart({
      kind: 'bar',
      xLabels: names,
      series: [
        {
          name: 'ns per operation',
          values: values.map((v) => v?.estimate ?? null),
          low: values.map((v) => v?.low ?? null),
          high: values.map((v) => v?.high ?? null),
        },
      ],
      title: 'Kit micro costs (ns per operation, one thread)',
      yTitle: 'ns/op',
      width: 1100,
    });
    svgs.push({ file: 'kit-micro.svg', svg });
    md.push('![kit micro costs](kit-micro.svg)', '');
  }
  return { markdown: md.join('\n'), terminal: [], svgs };
}

export function suiteSection(suite: SuiteName, results: Results): Section {
  const body =
    suite === 'channels'
      ? channelsSection(results)
      : suite === 'locks'
        ? locksSection(results)
        : suite === 'pool'
          ? poolSection(results)
          : kitSection(results);
  const stubs = notImplementedLines(results, suite);
  const failures: string[] = [];
  for (const r of results.values()) {
    if (r.spec.suite !== suite) continue;
    for (const f of r.failures) failures.push(`- ${r.spec.label}: ${f.split('\n')[0]}`);
  }
  const extra = [
    ...(stubs.length ? ['', '**Target:**', ...stubs] : []),
    ...(failures.length ? ['', '**Failed processes:**', ...failures] : []),
  ];
  return {
    suite,
    title: SUITE_TITLES[suite],
    ...body,
    markdown: body.markdown + (extra.length ? `\n${extra.join('\n')}\n` : ''),
  };
}
