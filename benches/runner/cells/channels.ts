/**
 * Cells of the `channels` suite (run inside a child process).
 *
 *   p1m6          the P1 m6 benchmark: channel pipeline vs Mutex<SharedVec>, `entries` log entries over `threads`
 *                 producer threads (workers wait at a barrier, so start-up is not timed), reference and target
 *   transport     kit channel vs postMessage, main thread → one consumer thread: numbers (f64 codec, and batches
 *                 of 256), ~100-byte records (record codec, and batches of 64) and the same objects through the
 *                 default structured codec; a fresh consumer per repetition, a warm-up round of a tenth of the
 *                 messages before the timed round
 *   pipeline      P1 m2: three sleeping stages (the chapter's 100/50/50 ms, scaled to `stageMs`·2/1/1) against
 *                 the same sleeps done one after another; plus three equal stages (the chapter's "3 stages @
 *                 100ms") and the latency of one message through an idle equal-stage pipeline. Sleeping needs no
 *                 core, so this runs fairly on any machine.
 *   backpressure  P1 m3 at the chapter's own rates: a producer at 1000 msgs/s, a consumer at 100 msgs/s, through an
 *                 unbounded channel and through one bounded at 100; the queue length is sampled every 10 ms. Also
 *                 the chapter's test_backpressure_blocks: how long a send into a full channel of 2 blocks while a
 *                 consumer thread, spawned after the clock starts, sleeps 100 ms before taking one; and the same
 *                 send with the consumer already running (the blocking alone). The process's resident memory is
 *                 sampled beside the queue length.
 *   logs          the `pipeline` command on real-format logs: threaded (cold and warm) vs the single-threaded
 *                 baseline (see logs())
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { channel, type Receiver, type Sender, syncChannel } from '#kit/channel.ts';
import { arrayOf, type Codec, f64, record, structured } from '#kit/codec.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { sleep, spawn } from '#kit/thread.ts';
import { drainBatches, drainRounds } from '../../kit-bodies.ts';
import { pacedConsumer, pacedProducer, signalSleepRecv, sleepStage, sleepThenRecv, wallNow } from '../bodies.ts';
import { S, V } from '../registry.ts';
import { PipelineThreads, runBaseline, runPipeline } from '../../../apps/pipeline/pipeline.ts';
import type { PipelineReport } from '../../../apps/pipeline/report.ts';
import { FIXTURE_NAMES, writeRepeatedLog } from '../../../apps/pipeline/synthetic.ts';
import { BENCHMARKED_MILESTONES } from '../target.ts';
import type { CellOutput, CellSpec } from '../types.ts';
import { guardImpl, loadImpls, num, Recorder, rotate, timeCommand, variantName } from './common.ts';

interface P1m6Module {
  benchmarkChannelPipeline(numLogs: number, numWorkers: number): { elapsedMs: number; entries: number };
  benchmarkSharedState(numLogs: number, numWorkers: number): { elapsedMs: number; entries: number };
}

async function p1m6(spec: CellSpec, rec: Recorder): Promise<void> {
  const { folder, file } = BENCHMARKED_MILESTONES.p1m6;
  const impls = await loadImpls<P1m6Module>(spec, folder, file, rec);
  const threads = num(spec, 'threads');
  const entries = num(spec, 'entries');
  type Run = { name: string; label: string; go: () => { elapsedMs: number; entries: number } };
  let runs: Run[] = [];
  for (const { impl, module } of impls) {
    const ch = variantName(impl, V.p1m6.channel);
    const mu = variantName(impl, V.p1m6.mutex);
    rec.declare(ch, 'ms');
    rec.declare(mu, 'ms');
    // Warm-up (JIT, the compile cache of thread bodies); a stub fails here and its variants are dropped.
    const ok = guardImpl(impl, rec, () => {
      module.benchmarkChannelPipeline(Math.min(entries, 5000), threads);
      module.benchmarkSharedState(Math.min(entries, 5000), threads);
    });
    if (!ok) continue;
    runs.push({ name: ch, label: impl.label, go: () => module.benchmarkChannelPipeline(entries, threads) });
    runs.push({ name: mu, label: impl.label, go: () => module.benchmarkSharedState(entries, threads) });
  }
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const run of rotate(runs, rep, spec)) {
      const impl = spec.impls?.find((i) => i.label === run.label);
      let result: { elapsedMs: number; entries: number } | undefined;
      if (impl && !guardImpl(impl, rec, () => (result = run.go()))) {
        runs = runs.filter((r) => r.label !== run.label);
        continue;
      }
      if (!result) continue;
      if (result.entries !== entries) rec.notes.push(`${run.name}: ${result.entries} of ${entries} entries arrived`);
      rec.add(run.name, result.elapsedMs);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// transport (the logic of benches/kit.ts)

const LEVELS = ['Debug', 'Info', 'Warn', 'Error'] as const;
const entryCodec = record({ timestamp: 'f64', level: { enum: LEVELS }, message: 'string', source: 'string' });
type Entry = { timestamp: number; level: (typeof LEVELS)[number]; message: string; source: string };
const ENTRIES: Entry[] = Array.from({ length: 1024 }, (_, i) => ({
  timestamp: 1_700_000_000_000 + i,
  level: LEVELS[i % 4]!,
  message: `request ${i} served in ${(i * 7) % 1000} ms from cache shard ${i % 16}`,
  source: `web-${i % 8}.frontend`,
}));
/**
 * Each variant gets a fresh consumer and two rounds: an untimed warm-up of a tenth of the messages (the send loop
 * and the codec compiled, the consumer running), then the timed round of all of them. The timed round keeps the
 * harness's own volume (1M numbers, 200k records) in every profile: postMessage gets slower per message as its
 * unbounded queue grows while a kit channel is bounded, so the ratio depends on the volume and a scaled-down
 * round would judge another claim.
 */
const warmupOf = (perRound: number) => Math.max(1, Math.ceil(perRound / 10));

async function postRound(perRound: number, value: (i: number) => unknown): Promise<number> {
  const warmup = warmupOf(perRound);
  const worker = new Worker(new URL('../../workers/post-drain.mjs', import.meta.url), {
    workerData: { warmup, perRound },
  });
  await once(worker, 'message');
  for (let i = 0; i < warmup; i++) worker.postMessage(value(i));
  await once(worker, 'message');
  const start = performance.now();
  for (let i = 0; i < perRound; i++) worker.postMessage(value(i));
  await once(worker, 'message');
  const elapsed = performance.now() - start;
  await worker.terminate();
  return elapsed;
}

function kitRound<T>(perRound: number, make: () => [Sender<T>, Receiver<T>], value: (i: number) => T): number {
  const warmup = warmupOf(perRound);
  const [tx, rx] = make();
  const [doneTx, doneRx] = channel<number>();
  const consumer = spawn(drainRounds, rx as Receiver<unknown>, doneTx, warmup, perRound);
  doneRx.recv();
  for (let i = 0; i < warmup; i++) tx.send(value(i));
  doneRx.recv();
  const start = performance.now();
  for (let i = 0; i < perRound; i++) tx.send(value(i));
  doneRx.recv();
  const elapsed = performance.now() - start;
  tx.close();
  consumer.join();
  return elapsed;
}

function kitBatchRound<T>(perRound: number, batch: number, codec: Codec<T>, value: (i: number) => T): number {
  const warmup = warmupOf(perRound);
  const [tx, rx] = syncChannel<T[]>(64, { codec: arrayOf(codec) });
  const [doneTx, doneRx] = channel<number>();
  const consumer = spawn(drainBatches, rx as Receiver<unknown[]>, doneTx, warmup, perRound);
  const sendAll = (count: number) => {
    for (let i = 0; i < count; i += batch) {
      const items: T[] = [];
      for (let j = i; j < Math.min(count, i + batch); j++) items.push(value(j));
      tx.send(items);
    }
  };
  doneRx.recv();
  sendAll(warmup);
  doneRx.recv();
  const start = performance.now();
  sendAll(perRound);
  doneRx.recv();
  const elapsed = performance.now() - start;
  tx.close();
  consumer.join();
  return elapsed;
}

async function transport(spec: CellSpec, rec: Recorder): Promise<void> {
  const n = num(spec, 'numbers');
  const m = num(spec, 'records');
  const variants: [string, () => Promise<number> | number][] = [
    [V.transport.postNumbers, () => postRound(n, (i) => i)],
    [
      V.transport.kitF64,
      () =>
        kitRound(
          n,
          () => syncChannel<number>(1 << 14, { codec: f64 }),
          (i) => i,
        ),
    ],
    [V.transport.kitF64Batches, () => kitBatchRound(n, 256, f64, (i) => i)],
    [V.transport.postRecords, () => postRound(m, (i) => ENTRIES[i & 1023])],
    [
      V.transport.kitRecord,
      () =>
        kitRound(
          m,
          () => syncChannel<Entry>(4096, { codec: entryCodec }),
          (i) => ENTRIES[i & 1023]!,
        ),
    ],
    [V.transport.kitRecordBatches, () => kitBatchRound(m, 64, entryCodec, (i) => ENTRIES[i & 1023]!)],
    [
      V.transport.kitStructured,
      () =>
        kitRound(
          m,
          () => syncChannel<Entry>(4096, { codec: structured<Entry>() }),
          (i) => ENTRIES[i & 1023]!,
        ),
    ],
  ];
  for (const [name] of variants) rec.declare(name, 'ms');
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const [name, run] of rotate(variants, rep, spec)) rec.add(name, await run());
  }
}

// ---------------------------------------------------------------------------------------------------------------
// pipeline (P1 m2 and the chapter's introduction)

/** Time for `messages` messages through three sleeping stages, ms; all messages are queued at once. */
function pipelined(stages: readonly number[], messages: number): number {
  const [firstTx, firstRx] = channel<number>({ codec: f64 });
  let rx = firstRx;
  const handles = stages.map((ms) => {
    const [tx, next] = channel<number>({ codec: f64 });
    const h = spawn(sleepStage, rx, tx, ms);
    rx = next;
    return h;
  });
  // One message through first, untimed: every stage thread is up and compiled before the clock starts.
  firstTx.send(-1);
  rx.recv();
  const start = performance.now();
  for (let i = 0; i < messages; i++) firstTx.send(i);
  for (let i = 0; i < messages; i++) rx.recv();
  const elapsed = performance.now() - start;
  firstTx.close();
  for (const h of handles) h.join();
  return elapsed;
}

/** Median latency of one message through an idle pipeline (sent only after the previous one came out), ms. */
function idleLatency(stages: readonly number[], probes: number): number {
  const [firstTx, firstRx] = channel<number>({ codec: f64 });
  let rx = firstRx;
  const handles = stages.map((ms) => {
    const [tx, next] = channel<number>({ codec: f64 });
    const h = spawn(sleepStage, rx, tx, ms);
    rx = next;
    return h;
  });
  firstTx.send(-1);
  rx.recv();
  const times: number[] = [];
  for (let i = 0; i < probes; i++) {
    const start = performance.now();
    firstTx.send(i);
    rx.recv();
    times.push(performance.now() - start);
  }
  firstTx.close();
  for (const h of handles) h.join();
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

function sequential(stages: readonly number[], messages: number): number {
  const start = performance.now();
  for (let i = 0; i < messages; i++) for (const ms of stages) sleep(ms);
  return performance.now() - start;
}

async function pipeline(spec: CellSpec, rec: Recorder): Promise<void> {
  const unit = num(spec, 'stageMs');
  const messages = num(spec, 'messages');
  const uneven = [unit * 2, unit, unit]; // 100/50/50 ms scaled
  const equal = [unit * 2, unit * 2, unit * 2]; // 3 × 100 ms scaled
  const variants: [string, () => number][] = [
    [V.pipeline.sequentialUneven, () => sequential(uneven, messages)],
    [V.pipeline.pipelinedUneven, () => pipelined(uneven, messages)],
    [V.pipeline.sequentialEqual, () => sequential(equal, messages)],
    [V.pipeline.pipelinedEqual, () => pipelined(equal, messages)],
    [V.pipeline.latencyEqual, () => idleLatency(equal, 5)],
  ];
  for (const [name] of variants) rec.declare(name, 'ms');
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const [name, run] of rotate(variants, rep, spec)) rec.add(name, run());
  }
}

// ---------------------------------------------------------------------------------------------------------------
// backpressure (P1 m3)

interface QueueRun {
  readonly points: [number, number][];
  readonly sent: [number, number][];
  readonly received: [number, number][];
  /** Resident set size of this process, MB (the queue lives in shared memory, which the RSS counts). */
  readonly memory: [number, number][];
}

function queueRun(capacity: number | undefined, windowMs: number, producerMs: number, consumerMs: number): QueueRun {
  const [tx, rx] =
    capacity === undefined ? channel<number>({ codec: f64 }) : syncChannel<number>(capacity, { codec: f64 });
  const counters = new SharedI32Array(2);
  const observer = tx.clone();
  const startAt = wallNow() + 150; // both threads are up by then
  const deadline = startAt + windowMs;
  const producer = spawn(pacedProducer, tx, counters, producerMs, startAt, deadline);
  const consumer = spawn(pacedConsumer, rx, counters, consumerMs, startAt, deadline);
  const points: [number, number][] = [];
  const sent: [number, number][] = [];
  const received: [number, number][] = [];
  const memory: [number, number][] = [];
  if (wallNow() < startAt) sleep(startAt - wallNow());
  for (let t = 10; t <= windowMs - 10; t += 10) {
    const due = startAt + t;
    if (due > wallNow()) sleep(due - wallNow());
    const x = (wallNow() - startAt) / 1000;
    points.push([x, observer.len()]);
    sent.push([x, Atomics.load(counters.array, 0)]);
    received.push([x, Atomics.load(counters.array, 1)]);
    memory.push([x, process.memoryUsage.rss() / 2 ** 20]);
  }
  observer.close();
  producer.join();
  consumer.join();
  return { points, sent, received, memory };
}

function slopePerSecond(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (const [x, y] of points) {
    mx += x / n;
    my += y / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** test_backpressure_blocks, timed as the chapter times it (the clock starts before the consumer's spawn). */
function blockedSend(): number {
  const [tx, rx] = syncChannel<number>(2, { codec: f64 });
  tx.send(1);
  tx.send(2);
  const start = performance.now();
  const consumer = spawn(sleepThenRecv, rx, 100);
  tx.send(3);
  const elapsed = performance.now() - start;
  consumer.join();
  return elapsed;
}

/**
 * The same blocking send with the consumer thread already running: the clock starts once the consumer has said
 * it started (and begun its 100 ms sleep), so the time is the blocking alone, without a thread's start-up.
 */
function blockedSendOnly(): number {
  const [tx, rx] = syncChannel<number>(2, { codec: f64 });
  const [startedTx, startedRx] = channel<number>({ codec: f64 });
  tx.send(1);
  tx.send(2);
  const consumer = spawn(signalSleepRecv, startedTx, rx, 100);
  startedRx.recv();
  const start = performance.now();
  tx.send(3);
  const elapsed = performance.now() - start;
  consumer.join();
  return elapsed;
}

async function backpressure(spec: CellSpec, rec: Recorder): Promise<void> {
  const windowMs = num(spec, 'windowMs');
  const producerMs = 1; // 1000 msgs/s
  const consumerMs = 10; // 100 msgs/s
  const capacity = 100;
  const B = V.backpressure;
  rec.declare(B.unboundedGrowth, 'msgs/s', 'lower');
  rec.declare(B.unboundedEnd, 'messages', 'lower');
  rec.declare(B.boundedEnd, 'messages', 'lower');
  rec.declare(B.boundedRate, 'x', 'lower');
  rec.declare(B.blockedSendWithSpawn, 'ms');
  rec.declare(B.blockedSend, 'ms');
  const kinds: (number | undefined)[] = [undefined, capacity];
  for (let rep = 0; rep < spec.reps; rep++) {
    rec.add(B.blockedSendWithSpawn, blockedSend());
    rec.add(B.blockedSend, blockedSendOnly());
    for (const cap of rotate(kinds, rep, spec)) {
      const run = queueRun(cap, windowMs, producerMs, consumerMs);
      const unbounded = cap === undefined;
      rec.addSeries(unbounded ? S.backpressure.unbounded : S.backpressure.bounded, run.points);
      rec.addSeries(unbounded ? S.backpressure.unboundedMemory : S.backpressure.boundedMemory, run.memory);
      const last = run.points[run.points.length - 1]?.[1] ?? 0;
      rec.add(unbounded ? B.unboundedEnd : B.boundedEnd, last);
      if (unbounded) rec.add(B.unboundedGrowth, slopePerSecond(run.points));
      else {
        // Once the queue is full, the producer can only go as fast as the consumer: compare their rates then.
        const half = (windowMs / 1000) * 0.5;
        const later = (s: [number, number][]) => s.filter(([x]) => x >= half);
        const consumerRate = slopePerSecond(later(run.received));
        rec.add(B.boundedRate, consumerRate > 0 ? slopePerSecond(later(run.sent)) / consumerRate : 0);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// logs: the `pipeline` command on real-format logs

/** The counts of a pipeline report: what every variant must agree on. */
function logCounts(r: PipelineReport): string {
  return JSON.stringify([r.total, r.kept, r.filtered, r.blank, r.deadLettered, r.byLevel, r.bySource]);
}

/**
 * The `pipeline` command (apps/pipeline) on `lines` lines of the four loghub samples repeated into four temporary
 * files (one malformed or blank line in 997), in the page cache before timing: the single-threaded baseline, the
 * threaded pipeline as one CLI run does it (threads started for the run: "cold"), and the same threads kept across
 * runs ("warm"), each checked to count exactly like the first run. `warmUps` rounds first, untimed. Then the
 * command as a user runs it, whole processes (start-up included): threaded against `--single-threaded`.
 */
async function logs(spec: CellSpec, rec: Recorder): Promise<void> {
  const { mkdtempSync, rmSync, createReadStream } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const lines = num(spec, 'lines');
  const workers = num(spec, 'workers');
  const warmUps = num(spec, 'warmUps');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-logs-'));
  const files = FIXTURE_NAMES.map((name) => path.join(dir, `${name}.log`));
  await Promise.all(
    FIXTURE_NAMES.map((name, i) =>
      writeRepeatedLog(files[i]!, name, { lines: Math.ceil(lines / 4), malformedEvery: 997 }),
    ),
  );
  for (const file of files) for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 }));
  const kept = new PipelineThreads({ workers });
  let expected: string | undefined;
  const timed = (run: () => Promise<PipelineReport>) => async (): Promise<number> => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // a joined thread's heap teardown, out of the clock
    const report = await run();
    expected ??= logCounts(report);
    if (logCounts(report) !== expected) throw new Error('logs: a variant counted differently from the first run');
    return report.elapsedMs;
  };
  const asProcess = (extra: string[]) => async (): Promise<number> => {
    const { ms, stdout } = timeCommand('pipeline', [...files, '--json', ...extra]);
    const report = JSON.parse(stdout) as PipelineReport;
    if (logCounts(report) !== expected) throw new Error('logs: the command counted differently from the first run');
    return ms;
  };
  const L = V.logs;
  const variants: [string, () => Promise<number>][] = [
    [L.baseline, timed(() => runBaseline(files))],
    [L.cold, timed(() => runPipeline(files, { workers }))],
    [L.warm, timed(() => kept.run(files))],
    [L.processSingle, asProcess(['--single-threaded'])],
    [L.processThreaded, asProcess([])], // the command's default thread count, as a user gets it
  ];
  for (const [name] of variants) rec.declare(name, 'ms');
  try {
    for (let w = 0; w < warmUps; w++) for (const [, run] of rotate(variants, w)) await run();
    for (let rep = 0; rep < spec.reps; rep++)
      for (const [name, run] of rotate(variants, rep, spec)) rec.add(name, await run());
  } finally {
    await kept.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runCell(spec: CellSpec): Promise<CellOutput> {
  const rec = new Recorder();
  switch (spec.kind) {
    case 'logs':
      await logs(spec, rec);
      break;
    case 'p1m6':
      await p1m6(spec, rec);
      break;
    case 'transport':
      await transport(spec, rec);
      break;
    case 'pipeline':
      await pipeline(spec, rec);
      break;
    case 'backpressure':
      await backpressure(spec, rec);
      break;
    default:
      throw new Error(`channels: unknown cell kind ${spec.kind}`);
  }
  return rec.output();
}
