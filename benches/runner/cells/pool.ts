/**
 * Cells of the `pool` suite (run inside a child process).
 *
 * The pool under test is the reference ThreadPool (P2 m1) running the P2 m6 tasks, started once per process and
 * warmed up before any timing (see WarmPool), against the m6 `benchmarkSequential`; and a student's tree with
 * --target. Beside it: the plainest pool the kit allows (N pre-started kit
 * threads taking jobs from one kit channel, reporting each finished job on another) and piscina with N threads.
 * Every pool runs the same work: sleeps, or the reference's `spin` steps sized by its `calibrateSpin`.
 *
 *   sleep   `tasks` jobs of `taskMs` sleeping each: what a pool gains when tasks wait (I/O, timers) rather than
 *           compute; needs no free core, so it is fair on a small machine. With `p2m1`, also the chapter's
 *           m1 test on the warm reference pool: 8 tasks of 100 ms on 4 workers; with `freshPool`, the m6
 *           `benchmarkThreadPool` as written (a new pool per run).
 *   cpu     `tasks` jobs of fixed integer work calibrated to about `taskMs` each on this machine
 *   spawn   the cost of a thread (spawn + join of a thread that does nothing), and `spawnTasks` tiny jobs run
 *           spawn-per-task (at most `workers` threads alive) against `tinyTasks` tiny jobs through the pools
 *   images  real photos resized and blurred with sharp: the reference pool against the main thread (see imagesCell)
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { channel, type Receiver } from '#kit/channel.ts';
import { f64 } from '#kit/codec.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { type JoinHandle, spawn } from '#kit/thread.ts';
import { noopThread, poolWorker, taskThread } from '../bodies.ts';
import { BENCHMARKED_MILESTONES } from '../target.ts';
import type { CellOutput, CellSpec } from '../types.ts';
import {
  flag,
  guardImplAsync,
  type LoadedImpl,
  loadImpls,
  num,
  quickMedian,
  Recorder,
  rotate,
  timeCommand,
  variantName,
} from './common.ts';
import { V } from '../registry.ts';

type Workload =
  | { readonly kind: 'sleep'; readonly ms: number; readonly count: number }
  | { readonly kind: 'cpu'; readonly iterations: number; readonly count: number };
interface RunResult {
  readonly elapsedMs: number;
  readonly completed: number;
}
interface P2m6Module {
  benchmarkSequential(workload: Workload): Promise<RunResult>;
  benchmarkThreadPool(workload: Workload, workers: number): Promise<RunResult>;
  calibrateSpin(ms: number): number;
  sleepTask: unknown;
  cpuTask: unknown;
}
interface PoolLike {
  ready(): Promise<void>;
  execute(task: never, ...args: unknown[]): unknown;
  waitIdle(): Promise<void>;
  failures(): unknown[];
  shutdown(): Promise<void>;
}
interface P2m1Module {
  ThreadPool: new (size: number, options: { context: { done: SharedI32Array } }) => PoolLike;
}

/**
 * A tree's ThreadPool (P2 m1) started once per process and warmed up (every worker has run tasks, so each has
 * imported the task module), then timed per batch: submit every task of the m6 workload, wait until idle.
 * The m6 `benchmarkThreadPool` starts a fresh pool per run, so its timing includes each worker's first import
 * of the task module; that variant is kept separately ("pool, fresh per run") to show what it costs.
 */
class WarmPool {
  private constructor(
    private readonly pool: PoolLike,
    private readonly m6: P2m6Module,
    private readonly ctx: { done: SharedI32Array },
  ) {}

  static async start(dir: string, m6: P2m6Module, workers: number): Promise<WarmPool> {
    const { ThreadPool } = (await import(
      pathToFileURL(path.join(dir, 'p2-image-pool', 'm1-thread-pool', 'thread-pool.ts')).href
    )) as P2m1Module;
    const ctx = { done: new SharedI32Array(2) };
    const pool = new ThreadPool(workers, { context: ctx });
    await pool.ready();
    const warm = new WarmPool(pool, m6, ctx);
    await warm.run({ kind: 'sleep', ms: 5, count: workers * 2 });
    await warm.run({ kind: 'cpu', iterations: 1000, count: workers * 2 });
    return warm;
  }

  async run(workload: Workload): Promise<RunResult> {
    const before = Atomics.load(this.ctx.done.array, 0);
    const start = performance.now();
    if (workload.kind === 'sleep')
      for (let i = 0; i < workload.count; i++) this.pool.execute(this.m6.sleepTask as never, workload.ms);
    else for (let i = 0; i < workload.count; i++) this.pool.execute(this.m6.cpuTask as never, workload.iterations);
    await this.pool.waitIdle();
    const elapsedMs = performance.now() - start;
    if (this.pool.failures().length > 0)
      throw new Error(`pool tasks failed: ${JSON.stringify(this.pool.failures()[0])}`);
    return { elapsedMs, completed: Atomics.load(this.ctx.done.array, 0) - before };
  }

  close(): Promise<void> {
    return this.pool.shutdown();
  }
}

async function loadP2m6(
  spec: CellSpec,
  rec: Recorder,
): Promise<{ impls: LoadedImpl<P2m6Module>[]; reference: P2m6Module }> {
  const { folder, file } = BENCHMARKED_MILESTONES.p2m6;
  const impls = await loadImpls<P2m6Module>(spec, folder, file, rec);
  const reference = impls.find((i) => i.impl.label === 'reference')?.module;
  if (!reference) throw new Error('the P2 m6 reference (solutions/p2-image-pool/m6-benchmark) did not load');
  return { impls, reference };
}

const PISCINA_TASK = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'piscina-task.mjs');

/** N pre-started kit threads on one job channel. */
class KitPool {
  private readonly jobs;
  private readonly done: Receiver<number>;
  private readonly handles: JoinHandle<void>[];

  constructor(readonly workers: number) {
    const [jobTx, jobRx] = channel<number>({ codec: f64 });
    const [doneTx, doneRx] = channel<number>({ codec: f64 });
    const [readyTx, readyRx] = channel<number>({ codec: f64 });
    this.handles = Array.from({ length: workers }, () =>
      spawn(poolWorker, jobRx.clone(), doneTx.clone(), readyTx.clone()),
    );
    jobRx.close();
    doneTx.close();
    readyTx.close();
    for (let i = 0; i < workers; i++) readyRx.recv();
    this.jobs = jobTx;
    this.done = doneRx;
  }

  /** Runs every job and waits for all; returns the elapsed ms. */
  run(jobs: readonly number[]): number {
    const start = performance.now();
    for (const job of jobs) this.jobs.send(job);
    for (let i = 0; i < jobs.length; i++) this.done.recv();
    return performance.now() - start;
  }

  close(): void {
    this.jobs.close();
    for (const h of this.handles) h.join();
  }
}

async function piscinaPool(workers: number): Promise<Piscina> {
  const pool = new Piscina({ filename: PISCINA_TASK, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  await Promise.all(Array.from({ length: workers * 2 }, () => pool.run(5)));
  return pool;
}

async function piscinaRun(pool: Piscina, jobs: readonly number[]): Promise<number> {
  const start = performance.now();
  await Promise.all(jobs.map((job) => pool.run(job)));
  return performance.now() - start;
}

async function sweepCell(spec: CellSpec, rec: Recorder, cpu: boolean): Promise<void> {
  const workers = num(spec, 'workers');
  const taskMs = num(spec, 'taskMs');
  const tasks = num(spec, 'tasks');
  const { impls, reference } = await loadP2m6(spec, rec);
  const iterations = cpu ? reference.calibrateSpin(taskMs) : 0;
  if (cpu) rec.notes.push(`one CPU task = ${iterations} spin steps (≈ ${taskMs} ms on one thread at calibration)`);
  const workload: Workload = cpu
    ? { kind: 'cpu', iterations, count: tasks }
    : { kind: 'sleep', ms: taskMs, count: tasks };
  const job = cpu ? -iterations : taskMs;
  const jobs = Array.from({ length: tasks }, () => job);
  const checked = async (name: string, run: Promise<RunResult>): Promise<number> => {
    const r = await run;
    if (r.completed !== tasks) rec.notes.push(`${name}: ${r.completed} of ${tasks} tasks completed`);
    return r.elapsedMs;
  };
  const variants: [string, string, () => number | Promise<number>][] = [];
  const warmPools: WarmPool[] = [];
  for (const { impl, module } of impls) {
    const small: Workload = cpu
      ? { kind: 'cpu', iterations: Math.min(iterations, 1000), count: workers }
      : { kind: 'sleep', ms: 1, count: workers };
    let warm: WarmPool | undefined;
    const ok = await guardImplAsync(impl, rec, async () => {
      await module.benchmarkSequential(small);
      warm = await WarmPool.start(impl.dir, module, workers);
    });
    if (!ok || !warm) continue;
    const pool = warm;
    warmPools.push(pool);
    const seq = variantName(impl, V.sweep.sequential);
    const name = variantName(impl, V.sweep.pool);
    variants.push([seq, impl.label, () => checked(seq, module.benchmarkSequential(workload))]);
    variants.push([name, impl.label, () => checked(name, pool.run(workload))]);
    if (flag(spec, 'freshPool')) {
      const fresh = variantName(impl, V.sweep.freshPool);
      variants.push([fresh, impl.label, () => checked(fresh, module.benchmarkThreadPool(workload, workers))]);
    }
  }
  const kitPool = flag(spec, 'kitPool') ? new KitPool(workers) : undefined;
  const piscina = flag(spec, 'piscina') ? await piscinaPool(workers) : undefined;
  if (kitPool) {
    kitPool.run(jobs.slice(0, workers)); // warm-up
    variants.push([V.sweep.kitPool, '', () => kitPool.run(jobs)]);
  }
  if (piscina) variants.push([V.sweep.piscina, '', () => piscinaRun(piscina, jobs)]);
  const referencePool = warmPools[0];
  if (flag(spec, 'p2m1') && workers === 4 && !cpu && referencePool && impls[0]?.impl.label === 'reference') {
    const eight: Workload = { kind: 'sleep', ms: 100, count: 8 };
    variants.push([V.sweep.p2m1Eight, '', async () => (await referencePool.run(eight)).elapsedMs]);
  }
  for (const [name] of variants) rec.declare(name, 'ms');
  let dropped = new Set<string>();
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const [name, label, run] of rotate(variants, rep, spec)) {
      if (dropped.has(label)) continue;
      const impl = impls.find((i) => i.impl.label === label)?.impl;
      let value: number | undefined;
      let ok = true;
      if (impl) {
        ok = await guardImplAsync(impl, rec, async () => {
          value = await run();
        });
      } else {
        value = await run();
      }
      if (!ok) dropped = new Set([...dropped, label]);
      else if (value !== undefined) rec.add(name, value);
    }
  }
  kitPool?.close();
  await piscina?.destroy();
  for (const p of warmPools) await p.close();
}

function spawnPerTask(jobs: readonly number[], concurrency: number): number {
  const start = performance.now();
  const alive: JoinHandle<number>[] = [];
  for (const job of jobs) {
    if (alive.length >= concurrency) alive.shift()!.join();
    alive.push(spawn(taskThread, job));
  }
  for (const h of alive) h.join();
  return performance.now() - start;
}

function spawnCost(count: number): number {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    spawn(noopThread).join();
    times.push(performance.now() - start);
  }
  return quickMedian(times);
}

async function spawnCell(spec: CellSpec, rec: Recorder): Promise<void> {
  const workers = num(spec, 'workers');
  const spawnTasks = num(spec, 'spawnTasks');
  const tinyTasks = num(spec, 'tinyTasks');
  const tiny = Array.from({ length: tinyTasks }, () => 0);
  const { reference } = await loadP2m6(spec, rec);
  const tinyWorkload: Workload = { kind: 'cpu', iterations: 0, count: tinyTasks };
  const referencePool = await WarmPool.start(spec.impls?.[0]?.dir ?? '', reference, workers);
  await referencePool.run({ kind: 'cpu', iterations: 0, count: 1000 });
  spawn(noopThread).join(); // compile the bodies once: the steady state is what many spawns see
  const pool = new KitPool(workers);
  const piscina = await piscinaPool(workers);
  pool.run(tiny.slice(0, 1000));
  await piscinaRun(piscina, tiny.slice(0, 1000));
  const variants: [string, () => number | Promise<number>][] = [
    [V.spawn.spawnJoin, () => spawnCost(5)],
    [V.spawn.spawnPerTask, () => spawnPerTask(tiny.slice(0, spawnTasks), workers) / spawnTasks],
    [V.spawn.referencePool, async () => (await referencePool.run(tinyWorkload)).elapsedMs / tinyTasks],
    [V.spawn.kitPool, () => pool.run(tiny) / tinyTasks],
    [V.spawn.piscina, async () => (await piscinaRun(piscina, tiny)) / tinyTasks],
  ];
  for (const [name] of variants) rec.declare(name, 'ms');
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const [name, run] of rotate(variants, rep, spec)) rec.add(name, await run());
  }
  pool.close();
  await piscina.destroy();
  await referencePool.close();
}

interface ImageModules {
  m2: {
    processImage(task: unknown): Promise<{ ok: boolean; error?: string }>;
    Operation: { resize(w: number, h: number): unknown; blur(s: number): unknown };
  };
  m6: { imageTask: unknown };
}

/**
 * A batch of real photos (fixtures/images/good, each `copies` times), resize to 320 + blur 1.5: the reference pool
 * of `workers` against the same batch one by one on the main thread, and against two sharp pipelines in flight from
 * the main thread (no worker threads: the obvious alternative for sharp-only work). sharp.concurrency(1) for all.
 * With `wholeProcess`, also the `images` command on a folder of the same batch as a user runs it, whole processes
 * (start-up, walk and writes included): one worker thread against the command's default.
 */
async function imagesCell(spec: CellSpec, rec: Recorder): Promise<void> {
  const { readdirSync, mkdtempSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const sharp = (await import('sharp')).default;
  const workers = num(spec, 'workers');
  const copies = num(spec, 'copies');
  const dir = spec.impls?.[0]?.dir;
  if (!dir) throw new Error('images: no reference tree');
  const load = async <M>(rel: string) => (await import(pathToFileURL(path.join(dir, 'p2-image-pool', rel)).href)) as M;
  const m2 = await load<ImageModules['m2']>('m2-image-tasks/image-task.ts');
  const m6 = await load<ImageModules['m6']>('m6-benchmark/benchmark.ts');
  const { ThreadPool } = await load<P2m1Module>('m1-thread-pool/thread-pool.ts');
  const good = path.join(repoRootDir, 'fixtures', 'images', 'good');
  const out = mkdtempSync(path.join(os.tmpdir(), 'bench-images-'));
  const files = readdirSync(good);
  const batch = Array.from({ length: copies }, (_, copy) =>
    files.map((file) => ({
      inputPath: path.join(good, file),
      outputPath: path.join(out, `${copy}-${file}.jpg`),
      operations: [m2.Operation.resize(320, 320), m2.Operation.blur(1.5)],
    })),
  ).flat();
  sharp.concurrency(1);
  const pool = new ThreadPool(workers, { context: { done: new SharedI32Array(2) } });
  await pool.ready();
  const check = (r: { ok: boolean; error?: string }) => {
    if (!r.ok) throw new Error(`images: ${r.error}`);
  };
  const variants: [string, () => Promise<number>][] = [
    [
      V.images.sequential,
      async () => {
        const start = performance.now();
        for (const task of batch) check(await m2.processImage(task));
        return performance.now() - start;
      },
    ],
    [
      V.images.pool,
      async () => {
        const start = performance.now();
        for (const task of batch) pool.execute(m6.imageTask as never, task);
        await pool.waitIdle();
        const took = performance.now() - start;
        if (pool.failures().length > 0) throw new Error(`images: ${JSON.stringify(pool.failures()[0])}`);
        return took;
      },
    ],
    [
      V.images.twoInFlight,
      async () => {
        let next = 0;
        const start = performance.now();
        await Promise.all(
          [0, 1].map(async () => {
            while (next < batch.length) check(await m2.processImage(batch[next++]));
          }),
        );
        return performance.now() - start;
      },
    ],
  ];
  if (spec.params['wholeProcess'] === true) {
    const { copyFileSync, mkdirSync } = await import('node:fs');
    const inDir = path.join(out, 'in');
    mkdirSync(inDir);
    for (let copy = 0; copy < copies; copy++)
      for (const file of files) copyFileSync(path.join(good, file), path.join(inDir, `c${copy}_${file}`));
    let run = 0;
    const asProcess = (extra: string[]) => async (): Promise<number> => {
      const outDir = path.join(out, `run-${run++}`);
      const args = [inDir, outDir, '--resize', '320x320', '--blur', '1.5', '--json', ...extra];
      const { ms, stdout } = timeCommand('images', args);
      const result = JSON.parse(stdout) as { processed: number; failed: unknown[] };
      if (result.processed !== batch.length || result.failed.length > 0)
        throw new Error(`images: the command processed ${result.processed} of ${batch.length}`);
      rmSync(outDir, { recursive: true, force: true });
      return ms;
    };
    variants.push(
      [V.images.processOne, asProcess(['--workers', '1', '--threads'])],
      [V.images.processDefault, asProcess([])],
    );
  }
  for (const [name, run] of variants) {
    rec.declare(name, 'ms');
    await run(); // warm-up: every worker has imported sharp (and the page cache holds the command's files)
  }
  for (let rep = 0; rep < spec.reps; rep++)
    for (const [name, run] of rotate(variants, rep, spec)) rec.add(name, await run());
  rec.notes.push(`${batch.length} photos per batch`);
  await pool.shutdown();
  rmSync(out, { recursive: true, force: true });
}

const repoRootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export async function runCell(spec: CellSpec): Promise<CellOutput> {
  const rec = new Recorder();
  if (spec.kind === 'images') await imagesCell(spec, rec);
  else if (spec.kind === 'sleep') await sweepCell(spec, rec, false);
  else if (spec.kind === 'cpu') await sweepCell(spec, rec, true);
  else if (spec.kind === 'spawn') await spawnCell(spec, rec);
  else throw new Error(`pool: unknown cell kind ${spec.kind}`);
  return rec.output();
}
