/**
 * Cells of the `locks` suite (run inside a child process).
 *
 *   p3m6      the P3 m6 benchmark through the milestone's own `benchmarkCounter(kind, ops, threads, readRatio)`:
 *             Mutex, RwLock and atomic counters at each read ratio, `threads` threads, reference and target.
 *             With `perOp`, also the P3 m4 per-operation costs: every operation an increment (Mutex, atomic) or
 *             a read (RwLock), reported as µs per operation of wall time (total time / total operations).
 *   v8mutex   kit Mutex against V8's `Atomics.Mutex` (behind --harmony-struct, which only works when given to
 *             node at start: the parent starts this cell with the flag when a probe showed it works), two
 *             threads × `ops` increments each, time from the first thread's start to the last one's end; each
 *             side's threads are started once and warmed up by an untimed round, then run one round per
 *             repetition
 */
import { Worker } from 'node:worker_threads';
import { Barrier } from '#kit/barrier.ts';
import { channel } from '#kit/channel.ts';
import { Mutex } from '#kit/mutex.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { spawn } from '#kit/thread.ts';
import { mutexIncrementRounds } from '../bodies.ts';
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

/**
 * The Atomics.Mutex side, as plain JavaScript for two eval workers (they need no kit and no TypeScript). Each worker
 * runs `rounds` rounds on the same threads: it waits for the round's number in `sync[1]` (both start together), does
 * its increments, and posts its span.
 */
const V8_BODY = `
import { workerData, parentPort } from 'node:worker_threads';
const { mutex, counter, sync, ops, rounds } = workerData;
Atomics.add(sync, 0, 1);
Atomics.notify(sync, 0);
for (let round = 1; round <= rounds; round++) {
  while (Atomics.load(sync, 1) < round) Atomics.wait(sync, 1, round - 1, 50);
  const start = performance.timeOrigin + performance.now();
  for (let i = 0; i < ops; i++) Atomics.Mutex.lock(mutex, () => { counter[0]++; });
  parentPort.postMessage([start, performance.timeOrigin + performance.now()]);
}
`;

interface V8Mutex {
  Mutex: new () => object;
}

/** Two threads that contend for one lock, round after round: `round()` times one round (first thread's start to
 * the last one's end). */
interface Contenders {
  round(): Promise<number>;
  close(): Promise<void>;
}

async function atomicsMutexContenders(ops: number, rounds: number): Promise<Contenders> {
  const AtomicsWithMutex = Atomics as unknown as V8Mutex;
  const mutex = new AtomicsWithMutex.Mutex();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const sync = new Int32Array(new SharedArrayBuffer(8));
  const workers = [0, 1].map(
    () => new Worker(V8_BODY, { eval: true, workerData: { mutex, counter, sync, ops, rounds } }),
  );
  const spans: Array<Array<[number, number]>> = [[], []];
  const waiting: Array<() => void> = [];
  let failure: Error | undefined;
  workers.forEach((worker, i) => {
    worker.on('message', (span: [number, number]) => {
      spans[i]!.push(span);
      waiting.shift()?.();
    });
    worker.once('error', (error) => {
      failure = error;
      for (const wake of waiting.splice(0)) wake();
    });
  });
  while (Atomics.load(sync, 0) < 2) await new Promise((r) => setTimeout(r, 1));
  let done = 0;
  return {
    async round() {
      done++;
      Atomics.store(sync, 1, done);
      Atomics.notify(sync, 1);
      while (!failure && (spans[0]!.length < done || spans[1]!.length < done))
        await new Promise<void>((resolve) => waiting.push(resolve));
      if (failure) throw failure;
      if (counter[0] !== 2 * ops * done)
        throw new Error(`Atomics.Mutex lost updates: ${counter[0]} of ${2 * ops * done}`);
      const [a, b] = [spans[0]![done - 1]!, spans[1]![done - 1]!];
      return Math.max(a[1], b[1]) - Math.min(a[0], b[0]);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

async function kitMutexContenders(ops: number, rounds: number): Promise<Contenders> {
  const mutex = new Mutex(new SharedI32Array(1));
  const start = new Barrier(3);
  const [spanTx, spanRx] = channel<[number, number]>();
  const handles = [0, 1].map(() => spawn(mutexIncrementRounds, mutex, start, spanTx.clone(), ops, rounds));
  spanTx.close();
  let done = 0;
  return {
    async round() {
      done++;
      await start.waitAsync();
      const [a, b] = [await spanRx.recvAsync(), await spanRx.recvAsync()];
      const total = mutex.withLock((c) => c.get(0));
      if (total !== 2 * ops * done) throw new Error(`kit Mutex lost updates: ${total} of ${2 * ops * done}`);
      return Math.max(a[1], b[1]) - Math.min(a[0], b[0]);
    },
    async close() {
      await Promise.all(handles.map((h) => h.joinAsync()));
    },
  };
}

/**
 * Steady-state contended throughput: each side's two threads are started once and run a warm-up round (thread
 * start, and the JIT compiling the kit's lock code in each new thread, would otherwise be timed on the kit side only:
 * V8's lock is native code), then one timed round per repetition, the two sides alternating in rotating order.
 */
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
  const rounds = spec.reps + 1;
  const sides: [string, Contenders][] = [[V.v8mutex.kit, await kitMutexContenders(ops, rounds)]];
  if (available) sides.push([V.v8mutex.v8, await atomicsMutexContenders(ops, rounds)]);
  try {
    for (const [, side] of sides) await side.round(); // warm-up
    for (let rep = 0; rep < spec.reps; rep++) {
      for (const [name, side] of rotate(sides, rep, spec)) rec.add(name, await side.round());
    }
  } finally {
    await Promise.all(sides.map(([, side]) => side.close()));
  }
}

export async function runCell(spec: CellSpec): Promise<CellOutput> {
  const rec = new Recorder();
  if (spec.kind === 'p3m6') await p3m6(spec, rec);
  else if (spec.kind === 'v8mutex') await v8mutex(spec, rec);
  else throw new Error(`locks: unknown cell kind ${spec.kind}`);
  return rec.output();
}
