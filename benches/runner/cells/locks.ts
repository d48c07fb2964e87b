/**
 * Cells of the `locks` suite (run inside a child process).
 *
 *   p3m6      the P3 m6 benchmark through the milestone's own `benchmarkCounter(kind, ops, threads, readRatio)`:
 *             Mutex, RwLock and atomic counters at each read ratio, `threads` threads, reference and target.
 *             With `perOp`, also the P3 m4 per-operation costs: every operation an increment (Mutex, atomic) or
 *             a read (RwLock), reported as µs per operation of wall time (total time / total operations).
 *   v8mutex   kit Mutex against V8's `Atomics.Mutex` (behind --harmony-struct, which only works when given to
 *             node at start: the parent starts this cell with the flag when a probe showed it works), two
 *             threads × `ops` increments each, time from the first thread's start to the last one's end
 */
import { Worker } from 'node:worker_threads';
import { Barrier } from '#kit/barrier.ts';
import { Mutex } from '#kit/mutex.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { spawn } from '#kit/thread.ts';
import { mutexIncrements } from '../bodies.ts';
import { BENCHMARKED_MILESTONES } from '../target.ts';
import type { CellOutput, CellSpec, Implementation } from '../types.ts';
import { flag, guardImpl, loadImpls, num, nums, Recorder, rotate, variantName } from './common.ts';
import { V } from '../registry.ts';

type Kind = 'mutex' | 'rwlock' | 'atomic';
interface P3m6Module {
  benchmarkCounter(kind: Kind, numOps: number, numThreads: number, readRatio: number): { elapsedMs: number };
}

async function p3m6(spec: CellSpec, rec: Recorder): Promise<void> {
  const { folder, file } = BENCHMARKED_MILESTONES.p3m6;
  const impls = await loadImpls<P3m6Module>(spec, folder, file, rec);
  const threads = num(spec, 'threads');
  const ops = num(spec, 'ops');
  const ratios = nums(spec, 'ratios');
  const perOp = flag(spec, 'perOp');
  type Run = { name: string; impl: Implementation; go: () => number };
  let runs: Run[] = [];
  for (const { impl, module } of impls) {
    const ok = guardImpl(impl, rec, () => {
      for (const kind of ['mutex', 'rwlock', 'atomic'] as const)
        module.benchmarkCounter(kind, Math.min(ops, 10_000), threads, 0.9);
    });
    if (!ok) continue;
    for (const ratio of ratios) {
      for (const kind of ['mutex', 'rwlock', 'atomic'] as const) {
        const name = variantName(impl, V.p3m6.at(kind, ratio));
        rec.declare(name, 'ms');
        runs.push({ name, impl, go: () => module.benchmarkCounter(kind, ops, threads, ratio).elapsedMs });
      }
    }
    if (perOp) {
      const perOpRuns: [string, Kind, number][] = [
        [V.p3m6.mutexPerOp, 'mutex', 0],
        [V.p3m6.rwlockPerOp, 'rwlock', 1],
        [V.p3m6.atomicPerOp, 'atomic', 0],
      ];
      for (const [label, kind, ratio] of perOpRuns) {
        const name = variantName(impl, label);
        rec.declare(name, 'µs/op');
        runs.push({
          name,
          impl,
          go: () => (module.benchmarkCounter(kind, ops, threads, ratio).elapsedMs * 1000) / ops,
        });
      }
    }
  }
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const run of rotate(runs, rep, spec)) {
      let value: number | undefined;
      if (!guardImpl(run.impl, rec, () => (value = run.go()))) {
        runs = runs.filter((r) => r.impl.label !== run.impl.label);
        continue;
      }
      if (value !== undefined) rec.add(run.name, value);
    }
  }
}

/** The Atomics.Mutex side, as plain JavaScript for two eval workers (they need no kit and no TypeScript). */
const V8_BODY = `
import { workerData, parentPort } from 'node:worker_threads';
const { mutex, counter, sync, ops } = workerData;
Atomics.add(sync, 0, 1);
Atomics.notify(sync, 0);
while (Atomics.load(sync, 1) === 0) Atomics.wait(sync, 1, 0, 50);
const start = performance.timeOrigin + performance.now();
for (let i = 0; i < ops; i++) Atomics.Mutex.lock(mutex, () => { counter[0]++; });
parentPort.postMessage([start, performance.timeOrigin + performance.now()]);
`;

interface V8Mutex {
  Mutex: new () => object;
}

async function atomicsMutexRun(ops: number): Promise<number> {
  const AtomicsWithMutex = Atomics as unknown as V8Mutex;
  const mutex = new AtomicsWithMutex.Mutex();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const sync = new Int32Array(new SharedArrayBuffer(8));
  const workers = [0, 1].map(() => new Worker(V8_BODY, { eval: true, workerData: { mutex, counter, sync, ops } }));
  const spans = workers.map(
    (w) => new Promise<[number, number]>((resolve, reject) => w.once('message', resolve).once('error', reject)),
  );
  while (Atomics.load(sync, 0) < 2) await new Promise((r) => setTimeout(r, 1));
  Atomics.store(sync, 1, 1);
  Atomics.notify(sync, 1);
  const done = await Promise.all(spans);
  await Promise.all(workers.map((w) => w.terminate()));
  if (counter[0] !== 2 * ops) throw new Error(`Atomics.Mutex lost updates: ${counter[0]} of ${2 * ops}`);
  return Math.max(...done.map((s) => s[1])) - Math.min(...done.map((s) => s[0]));
}

async function kitMutexRun(ops: number): Promise<number> {
  const mutex = new Mutex(new SharedI32Array(1));
  const start = new Barrier(3);
  const handles = [0, 1].map(() => spawn(mutexIncrements, mutex, start, ops));
  await start.waitAsync();
  const spans = await Promise.all(handles.map((h) => h.joinAsync()));
  const total = mutex.withLock((c) => c.get(0));
  if (total !== 2 * ops) throw new Error(`kit Mutex lost updates: ${total} of ${2 * ops}`);
  return Math.max(...spans.map((s) => s[1])) - Math.min(...spans.map((s) => s[0]));
}

async function v8mutex(spec: CellSpec, rec: Recorder): Promise<void> {
  const ops = num(spec, 'ops');
  rec.declare(V.v8mutex.kit, 'ms');
  const available = typeof (Atomics as unknown as Partial<V8Mutex>).Mutex === 'function';
  if (available) rec.declare(V.v8mutex.v8, 'ms');
  else {
    rec.unavailable[V.v8mutex.v8] = process.execArgv.includes('--harmony-struct')
      ? 'Atomics.Mutex is not defined even with --harmony-struct in this Node'
      : 'not available: node --harmony-struct did not work here, so the cell ran without it';
  }
  const variants: [string, () => Promise<number>][] = [[V.v8mutex.kit, () => kitMutexRun(ops)]];
  if (available) variants.push([V.v8mutex.v8, () => atomicsMutexRun(ops)]);
  for (const [, run] of variants) await run(); // warm-up
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const [name, run] of rotate(variants, rep, spec)) rec.add(name, await run());
  }
}

export async function runCell(spec: CellSpec): Promise<CellOutput> {
  const rec = new Recorder();
  if (spec.kind === 'p3m6') await p3m6(spec, rec);
  else if (spec.kind === 'v8mutex') await v8mutex(spec, rec);
  else throw new Error(`locks: unknown cell kind ${spec.kind}`);
  return rec.output();
}
