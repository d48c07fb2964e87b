/**
 * Pool benchmarks: the reference thread pool of solutions/p2-image-pool against piscina and against running
 * the same work sequentially, in one process.
 *
 *   npx tsx benches/pool.ts [--quick] [--json] [--only=a,b,c]
 *
 * Every scenario repeats (≥ 5 times), alternating which variant goes first on every repetition so that a noisy
 * neighbour hurts both alike; pools are started and warmed up once, before the first timed repetition.
 * Reported: medians, the ratio of medians with a paired-bootstrap 95% interval, and the target it is checked
 * against (2-core machine).
 *
 *   (a) no-op     N tasks that do nothing, reference pool (2 workers) vs piscina (2 threads); throughput.
 *                 Target ≥ 1.0× piscina, aim 2×: one shared-memory queue replaces a postMessage per task
 *                 each way.
 *   (b) cpu       1,000 tasks of ~1 ms busy loop, pool of 2 vs sequential on the main thread. Target ≥ 1.85×.
 *   (c) images    a batch of real photos (fixtures/images/good, each 4 times), resize + blur, pool of 2 vs the
 *                 same batch one by one on the main thread, both with sharp.concurrency(1). Target ≥ 1.7×.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import sharp from 'sharp';
import { workerModuleUrl as loadableModule } from '#kit/thread.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { ThreadPool } from '../solutions/p2-image-pool/m1-thread-pool/thread-pool.ts';
import { type ImageTask, Operation, processImage } from '../solutions/p2-image-pool/m2-image-tasks/image-task.ts';
import { type BenchContext, calibrateSpin, cpuTask, imageTask, spin } from '../solutions/p2-image-pool/m6-benchmark/benchmark.ts';
import { bootstrapRatioCI, median } from './lib/stats.ts';
import { collectMachineInfo, finishMachineInfo, formatMachineHeader } from './lib/machine.ts';
import { formatRatio } from './lib/table.ts';
import { type NoopContext, noopTask } from './pool-bodies.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : undefined;
const asJson = argv.includes('--json');
const REPS = quick ? 5 : 9;
const NOOP_TASKS = quick ? 20_000 : 100_000;
const CPU_TASKS = 1_000;
const WORKERS = 2;

function log(line: string): void {
  if (!asJson) process.stderr.write(`${line}\n`);
}

interface Scenario {
  readonly name: string;
  readonly unit: 'tasks/s' | 'ms';
  /** Per repetition, the measure of the variant under test and of the baseline. */
  readonly subject: number[];
  readonly baseline: number[];
  readonly subjectLabel: string;
  readonly baselineLabel: string;
  /** ratio = how many times better the subject is than the baseline */
  readonly target: number;
  readonly aim?: number;
  /** Other variants measured in the same repetitions, reported for information (same unit). */
  readonly extra?: ReadonlyArray<{ readonly label: string; readonly samples: number[] }>;
}

/** Run every variant once per repetition, rotating which goes first; samples per variant, in order. */
async function interleaveAll(reps: number, variants: ReadonlyArray<() => Promise<number>>): Promise<number[][]> {
  const samples = variants.map(() => [] as number[]);
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (rep + k) % variants.length;
      samples[v]!.push(await variants[v]!());
    }
  }
  return samples;
}

async function interleave(reps: number, a: () => Promise<number>, b: () => Promise<number>): Promise<[number[], number[]]> {
  const [as, bs] = await interleaveAll(reps, [a, b]);
  return [as!, bs!];
}

async function noopScenario(): Promise<Scenario> {
  const ctx: NoopContext = { done: new SharedI32Array(1) };
  const pool = new ThreadPool<NoopContext>(WORKERS, { context: ctx });
  await pool.ready();
  const piscina = new Piscina({ filename: loadableModule(new URL('./pool-bodies.ts', import.meta.url).href), minThreads: WORKERS, maxThreads: WORKERS });
  const ours = async (): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < NOOP_TASKS; i++) pool.execute(noopTask, i);
    await pool.waitIdle();
    return (NOOP_TASKS * 1000) / (performance.now() - start);
  };
  const theirs = async (): Promise<number> => {
    const start = performance.now();
    const runs: Promise<unknown>[] = new Array(NOOP_TASKS);
    for (let i = 0; i < NOOP_TASKS; i++) runs[i] = piscina.run({ kind: 'noop' });
    await Promise.all(runs);
    return (NOOP_TASKS * 1000) / (performance.now() - start);
  };
  await ours(); // warm-up: JIT, task import in each worker
  await theirs();
  const [subject, baseline] = await interleave(REPS, ours, theirs);
  if (Atomics.load(ctx.done.array, 0) !== NOOP_TASKS * (REPS + 1)) throw new Error('no-op: the pool lost tasks');
  await pool.shutdown();
  await piscina.destroy();
  return { name: `(a) ${NOOP_TASKS.toLocaleString('en')} no-op tasks, 2 workers`, unit: 'tasks/s', subject, baseline, subjectLabel: 'reference pool', baselineLabel: 'piscina', target: 1.0, aim: 2.0 };
}

async function cpuScenario(): Promise<Scenario> {
  const iterations = calibrateSpin(1);
  const ctx: BenchContext = { done: new SharedI32Array(2) };
  const pool = new ThreadPool<BenchContext>(WORKERS, { context: ctx });
  await pool.ready();
  let sink = 0;
  const sequential = async (): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < CPU_TASKS; i++) sink ^= spin(iterations);
    return performance.now() - start;
  };
  const pooled = async (): Promise<number> => {
    const before = Atomics.load(ctx.done.array, 0);
    const start = performance.now();
    for (let i = 0; i < CPU_TASKS; i++) pool.execute(cpuTask, iterations);
    await pool.waitIdle();
    const took = performance.now() - start;
    if (Atomics.load(ctx.done.array, 0) - before !== CPU_TASKS) throw new Error('cpu: the pool lost tasks');
    return took;
  };
  await pooled();
  await sequential();
  const [poolMs, seqMs] = await interleave(REPS, pooled, sequential);
  await pool.shutdown();
  if (sink === 0.5) log('(unreachable)');
  // Times: the subject is better when smaller, so compare as "sequential time / pool time".
  return { name: `(b) ${CPU_TASKS} × ~1 ms CPU tasks (${iterations.toLocaleString('en')} iterations), 2 workers`, unit: 'ms', subject: poolMs, baseline: seqMs, subjectLabel: 'pool of 2', baselineLabel: 'sequential', target: 1.85 };
}

async function imageScenario(): Promise<Scenario> {
  const good = path.resolve(import.meta.dirname, '../fixtures/images/good');
  const out = mkdtempSync(path.join(os.tmpdir(), 'bench-pool-images-'));
  const files = readdirSync(good);
  const batch: ImageTask[] = [];
  for (let copy = 0; copy < 4; copy++) {
    for (const file of files) {
      batch.push({ inputPath: path.join(good, file), outputPath: path.join(out, `${copy}-${file}.jpg`), operations: [Operation.resize(320, 320), Operation.blur(1.5)] });
    }
  }
  sharp.concurrency(1); // process-wide: the same libvips setting for both variants
  const ctx: BenchContext = { done: new SharedI32Array(2) };
  const pool = new ThreadPool<BenchContext>(WORKERS, { context: ctx });
  await pool.ready();
  const sequential = async (): Promise<number> => {
    const start = performance.now();
    for (const task of batch) {
      const result = await processImage(task);
      if (!result.ok) throw new Error(`${task.inputPath}: ${result.error}`);
    }
    return performance.now() - start;
  };
  const pooled = async (): Promise<number> => {
    const start = performance.now();
    for (const task of batch) pool.execute(imageTask, task);
    await pool.waitIdle();
    const took = performance.now() - start;
    const failures = pool.failures();
    if (failures.length > 0) throw new Error(`images: ${failures[0]!.error}`);
    return took;
  };
  // For information: no worker threads, but two sharp pipelines in flight from the main thread (sharp works
  // off the JavaScript thread, so this is the obvious alternative to a pool for sharp-only work).
  const twoInFlight = async (): Promise<number> => {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      [0, 1].map(async () => {
        while (next < batch.length) {
          const task = batch[next++]!;
          const result = await processImage(task);
          if (!result.ok) throw new Error(`${task.inputPath}: ${result.error}`);
        }
      }),
    );
    return performance.now() - start;
  };
  await pooled();
  await sequential();
  await twoInFlight();
  const [poolMs, seqMs, inFlightMs] = await interleaveAll(REPS, [pooled, sequential, twoInFlight]);
  await pool.shutdown();
  rmSync(out, { recursive: true, force: true });
  return {
    name: `(c) ${batch.length} photos, resize 320 + blur 1.5, 2 workers`,
    unit: 'ms',
    subject: poolMs!,
    baseline: seqMs!,
    subjectLabel: 'pool of 2',
    baselineLabel: 'sequential',
    target: 1.7,
    extra: [{ label: 'main thread, 2 in flight', samples: inFlightMs! }],
  };
}

function summarize(s: Scenario) {
  // Throughputs: subject/baseline; times: baseline/subject. Either way > 1 means the subject wins.
  const [num, den] = s.unit === 'tasks/s' ? [s.subject, s.baseline] : [s.baseline, s.subject];
  const ci = bootstrapRatioCI([num], [den], { paired: true });
  const verdict = ci.low >= s.target ? 'met' : ci.high < s.target ? 'missed' : 'inconclusive';
  return {
    name: s.name,
    unit: s.unit,
    subject: { label: s.subjectLabel, median: median(s.subject), samples: s.subject },
    baseline: { label: s.baselineLabel, median: median(s.baseline), samples: s.baseline },
    ratio: ci.ratio,
    low: ci.low,
    high: ci.high,
    target: s.target,
    ...(s.aim !== undefined ? { aim: s.aim } : {}),
    verdict,
    extra: (s.extra ?? []).map((e) => ({ label: e.label, median: median(e.samples), samples: e.samples, ratioToBaseline: median(s.baseline) / median(e.samples) })),
  };
}

const machine = collectMachineInfo({ requestedThreads: WORKERS });
log(formatMachineHeader(machine));
log(`\nrepetitions: ${REPS} per variant, interleaved${quick ? ' (--quick)' : ''}\n`);
const scenarios: ReturnType<typeof summarize>[] = [];
const all = { a: noopScenario, b: cpuScenario, c: imageScenario } as const;
for (const [key, run] of Object.entries(all)) {
  if (only && !only.has(key)) continue;
  const s = summarize(await run());
  scenarios.push(s);
  const fmt = (v: number) => (s.unit === 'tasks/s' ? `${Math.round(v).toLocaleString('en')} tasks/s` : `${v.toFixed(1)} ms`);
  log(`${s.name}`);
  log(`  ${s.subject.label.padEnd(16)} ${fmt(s.subject.median)} (median)`);
  log(`  ${s.baseline.label.padEnd(16)} ${fmt(s.baseline.median)} (median)`);
  for (const e of s.extra) log(`  ${e.label.padEnd(16)} ${fmt(e.median)} (median; ${formatRatio(e.ratioToBaseline)} over ${s.baseline.label}, for information)`);
  log(`  ratio ${formatRatio(s.ratio, s.low, s.high)}  target ≥ ${s.target}×${s.aim ? `, aim ${s.aim}×` : ''}: ${s.verdict}\n`);
}
const finished = finishMachineInfo(machine);
if (asJson) process.stdout.write(`${JSON.stringify({ machine: finished, repetitions: REPS, scenarios }, null, 2)}\n`);
