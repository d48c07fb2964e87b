/**
 * The `pipeline` command's benchmark: the threaded pipeline against the single-threaded baseline on real-format
 * logs, in one process.
 *
 *   npx tsx benches/pipeline.ts [--quick] [--json] [--lines N[,N...]] [--reps N] [--workers N]
 *                               [--chunk-bytes N] [--read-bytes N] [--batch-bytes N] [--capacity N]
 *
 * Input: the four loghub samples (fixtures/logs/*_2k.log) repeated into four temporary files (one per layout,
 * so detection runs per file) holding N lines in all, one malformed or blank line in 997; written before
 * timing, read once untimed so that every variant finds them in the page cache, deleted at the end. Sizes:
 * 1,000,000 lines (~127 MB; the target's size) and 4,000,000 (the same with fixed costs spread thinner);
 * --quick runs only the first, with 5 repetitions instead of 7.
 *
 * Variants, all in this process and checked to count exactly the same:
 *   baseline   runBaseline: the same reader and per-line code in one loop on the main thread
 *   cold       runPipeline with 2 parser threads: start the threads, run, join them (what one CLI run does);
 *              its threads compile the parsers from scratch every time
 *   warm       PipelineThreads started once and reused for every repetition, so, like the baseline, it runs
 *              code that is already compiled
 * Each repetition runs all three, rotating their order; the first two warm up and are not counted. Reported:
 * median lines/s per variant, ratios of medians against the baseline with paired bootstrap 95% intervals, the
 * load average before and after. Target: threaded ≥ 1.6× the baseline with 2 workers on this 2-core machine.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PipelineThreads, runBaseline, runPipeline, type PipelineOptions } from '../apps/pipeline/pipeline.ts';
import type { PipelineReport } from '../apps/pipeline/report.ts';
import { FIXTURE_NAMES, writeRepeatedLog } from '../apps/pipeline/synthetic.ts';
import { bootstrapRatioCI, median } from './lib/stats.ts';

const TARGET = 1.6;
/** Unmeasured repetitions first. Two, because each kept thread sees only its share of the input per run, so
 * its code needs about twice as many runs as the baseline's to be fully compiled. */
const WARM_UPS = 2;
/** Pause before every timed run (see where it is used). */
const SETTLE_MS = 250;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'boolean' },
    lines: { type: 'string' },
    reps: { type: 'string' },
    workers: { type: 'string' },
    'chunk-bytes': { type: 'string' },
    'read-bytes': { type: 'string' },
    capacity: { type: 'string' },
    'batch-bytes': { type: 'string' },
  },
});
const quick = args.quick === true;
// 1M lines is the size of the target; 4M shows the same run with the fixed costs (thread start-up, each
// thread compiling the parsers afresh) spread over four times the work.
const sizes = args.lines ? args.lines.split(',').map(Number) : quick ? [1_000_000] : [1_000_000, 4_000_000];
const reps = Number(args.reps ?? (quick ? 5 : 7));
const workers = Number(args.workers ?? 2);
const tuning: PipelineOptions = {
  ...(args['chunk-bytes'] ? { chunkBytes: Number(args['chunk-bytes']) } : {}),
  ...(args['read-bytes'] ? { readBytes: Number(args['read-bytes']) } : {}),
  ...(args.capacity ? { channelCapacity: Number(args.capacity) } : {}),
  ...(args['batch-bytes'] ? { batchBytes: Number(args['batch-bytes']) } : {}),
};

function log(line: string): void {
  if (!args.json) process.stderr.write(`${line}\n`);
}

/** The counts of a report (what must not change between runs). */
function counts(r: PipelineReport): string {
  return JSON.stringify([r.total, r.kept, r.filtered, r.blank, r.deadLettered, r.byLevel, r.bySource]);
}

async function warmPageCache(files: readonly string[]): Promise<void> {
  for (const file of files) for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 }));
}

type Variant = 'baseline' | 'cold' | 'warm';
const VARIANTS: readonly Variant[] = ['baseline', 'cold', 'warm'];

interface Comparison {
  ratio: number;
  ratioInterval95: [number, number];
  meetsTarget: boolean;
}

interface SizeResult {
  lines: number;
  repetitions: number;
  loadAverage1m: { before: number; after: number };
  /** Median lines/s per variant. */
  linesPerSecond: Record<Variant, number>;
  cold: Comparison;
  warm: Comparison;
  samples: Record<Variant, number[]>;
}

function compare(threaded: number[], baseline: number[]): Comparison {
  // One group per repetition: the variants of a repetition ran side by side, so pair them.
  const ci = bootstrapRatioCI(
    threaded.map((x) => [x]),
    baseline.map((x) => [x]),
    { paired: true },
  );
  return { ratio: Number(ci.ratio.toFixed(3)), ratioInterval95: [Number(ci.low.toFixed(3)), Number(ci.high.toFixed(3))], meetsTarget: ci.ratio >= TARGET };
}

async function measure(dir: string, lines: number): Promise<SizeResult> {
  const files = FIXTURE_NAMES.map((name) => path.join(dir, `${name}-${lines}.log`));
  log(`writing ${lines.toLocaleString('en-US')} lines to ${dir} ...`);
  await Promise.all(FIXTURE_NAMES.map((name, i) => writeRepeatedLog(files[i]!, name, { lines: Math.ceil(lines / 4), malformedEvery: 997 })));
  await warmPageCache(files);
  const loadBefore = loadavg()[0]!;
  log(`${lines.toLocaleString('en-US')} lines: load average (1 min) ${loadBefore.toFixed(2)}; ${reps} repetitions + ${WARM_UPS} warm-ups`);
  const samples: Record<Variant, number[]> = { baseline: [], cold: [], warm: [] };
  const kept = new PipelineThreads({ workers, ...tuning });
  let expected: string | undefined;
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  try {
    for (let rep = 1 - WARM_UPS; rep <= reps; rep++) {
      const row = {} as Record<Variant, number>;
      // Rotate the order, so that no variant always runs first (or right after another).
      for (let k = 0; k < VARIANTS.length; k++) {
        const variant = VARIANTS[(rep + WARM_UPS + k) % VARIANTS.length]!;
        // A joined thread may still be tearing down its heap for a while; let that finish before timing.
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const report =
          variant === 'baseline'
            ? await runBaseline(files, tuning)
            : variant === 'cold'
              ? await runPipeline(files, { workers, ...tuning })
              : await kept.run(files, tuning);
        expected ??= counts(report);
        if (counts(report) !== expected) throw new Error(`${variant} run ${rep} counted differently from the first run`);
        row[variant] = (report.total * 1000) / report.elapsedMs;
      }
      const line = `baseline ${fmt(row.baseline)}, threaded cold ${fmt(row.cold)} (${(row.cold / row.baseline).toFixed(2)}×), warm ${fmt(row.warm)} (${(row.warm / row.baseline).toFixed(2)}×) lines/s`;
      if (rep <= 0) {
        log(`  warm-up: ${line}`);
        continue;
      }
      for (const v of VARIANTS) samples[v].push(row[v]);
      log(`  rep ${rep}: ${line}`);
    }
  } finally {
    await kept.close();
    for (const file of files) rmSync(file, { force: true });
  }
  return {
    lines,
    repetitions: reps,
    loadAverage1m: { before: loadBefore, after: loadavg()[0]! },
    linesPerSecond: { baseline: Math.round(median(samples.baseline)), cold: Math.round(median(samples.cold)), warm: Math.round(median(samples.warm)) },
    cold: compare(samples.cold, samples.baseline),
    warm: compare(samples.warm, samples.baseline),
    samples: { baseline: samples.baseline.map(Math.round), cold: samples.cold.map(Math.round), warm: samples.warm.map(Math.round) },
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'pipeline-bench-'));
try {
  log(`cores ${availableParallelism()}, ${workers} workers, sizes ${sizes.map((n) => n.toLocaleString('en-US')).join(', ')} lines`);
  const results: SizeResult[] = [];
  for (const lines of sizes) results.push(await measure(dir, lines));
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ workers, cores: availableParallelism(), target: TARGET, tuning, results }, null, 2)}\n`);
  } else {
    const out = [`pipeline: threaded (${workers} workers) vs single-threaded baseline on ${availableParallelism()} cores; target ≥ ${TARGET}×`];
    const cmp = (c: Comparison) =>
      `${c.ratio.toFixed(2)}× [95% ${c.ratioInterval95[0].toFixed(2)}–${c.ratioInterval95[1].toFixed(2)}] ${c.meetsTarget ? 'met' : 'NOT met'}`;
    for (const r of results) {
      out.push(
        `  ${r.lines.toLocaleString('en-US')} lines (medians of ${r.repetitions}; load ${r.loadAverage1m.before.toFixed(2)} → ${r.loadAverage1m.after.toFixed(2)}):`,
        `    baseline            ${r.linesPerSecond.baseline.toLocaleString('en-US').padStart(10)} lines/s`,
        `    threaded, cold      ${r.linesPerSecond.cold.toLocaleString('en-US').padStart(10)} lines/s  ${cmp(r.cold)}   (threads started for the run, as the CLI does)`,
        `    threaded, warm      ${r.linesPerSecond.warm.toLocaleString('en-US').padStart(10)} lines/s  ${cmp(r.warm)}   (threads kept across runs)`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
