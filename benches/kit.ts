/**
 * Kit benchmarks: what a kit channel costs against Node's own postMessage, measured in one process.
 *
 *   npx tsx benches/kit.ts [--quick] [--json]
 *
 * Every scenario runs beside its baseline, alternating between the two on every repetition so that a noisy
 * neighbour hurts both alike; each repetition uses a fresh worker whose first round only warms up the JIT.
 * Reported: medians, and the ratio of medians (baseline time / kit time: above 1 means the kit is faster).
 *
 * Scenarios and the targets they are checked against (2-core machine):
 *   numbers    one f64 per message, main thread → one consumer thread          kit ≥ 15× postMessage
 *   records    ~100-byte log entries, record codec vs postMessage of objects   kit ≥ 5×
 *   cloneable  the same objects through the default structured codec          kit ≥ 1.5×
 *   ping-pong  round trip between two busy threads                            ≤ 2 µs
 *   idle       CPU used by a thread parked in recv for one second              (should be ~0)
 *   startup    spawn of a TypeScript thread body to its first message         ≤ 1.5× a plain ESM worker
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { channel, type Receiver, type Sender, syncChannel } from '#kit/channel.ts';
import { arrayOf, type Codec, f64, record, structured } from '#kit/codec.ts';
import { spawn } from '#kit/thread.ts';
import { drainBatches, drainRounds, hello, idle, ping, pong } from './kit-bodies.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const asJson = argv.includes('--json');
const REPS = quick ? 3 : 7;
const ROUNDS = 3; // per worker; the first is warm-up

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function log(line: string): void {
  if (!asJson) process.stderr.write(`${line}\n`);
}

const LEVELS = ['Debug', 'Info', 'Warn', 'Error'] as const;
const entryCodec = record({ timestamp: 'f64', level: { enum: LEVELS }, message: 'string', source: 'string' });
type Entry = { timestamp: number; level: (typeof LEVELS)[number]; message: string; source: string };
const entries: Entry[] = Array.from({ length: 1024 }, (_, i) => ({
  timestamp: 1_700_000_000_000 + i,
  level: LEVELS[i % 4]!,
  message: `request ${i} served in ${(i * 7) % 1000} ms from cache shard ${i % 16}`,
  source: `web-${i % 8}.frontend`,
}));

/** ms per round of `perRound` postMessage sends to a consumer worker (warm rounds only). */
async function postRounds(perRound: number, value: (i: number) => unknown): Promise<number[]> {
  const worker = new Worker(new URL('./workers/post-drain.mjs', import.meta.url), { workerData: { perRound } });
  await once(worker, 'message');
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < perRound; i++) worker.postMessage(value(i));
    await once(worker, 'message');
    times.push(performance.now() - start);
  }
  await worker.terminate();
  return times.slice(1);
}

/** ms per round of `perRound` kit sends to a consumer thread (warm rounds only). */
function kitRounds<T>(perRound: number, make: () => [Sender<T>, Receiver<T>], value: (i: number) => T): number[] {
  const [tx, rx] = make();
  const [doneTx, doneRx] = channel<number>();
  const consumer = spawn(drainRounds, rx as Receiver<unknown>, doneTx, perRound, ROUNDS);
  doneRx.recv();
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < perRound; i++) tx.send(value(i));
    doneRx.recv();
    times.push(performance.now() - start);
  }
  tx.close();
  consumer.join();
  return times.slice(1);
}

/** Same, sending `batch` values per message with arrayOf(codec). */
function kitBatchRounds<T>(perRound: number, batch: number, codec: Codec<T>, value: (i: number) => T): number[] {
  const [tx, rx] = syncChannel<T[]>(64, { codec: arrayOf(codec) });
  const [doneTx, doneRx] = channel<number>();
  const consumer = spawn(drainBatches, rx as Receiver<unknown[]>, doneTx, perRound, ROUNDS);
  doneRx.recv();
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < perRound; i += batch) {
      const items: T[] = [];
      for (let j = i; j < Math.min(perRound, i + batch); j++) items.push(value(j));
      tx.send(items);
    }
    doneRx.recv();
    times.push(performance.now() - start);
  }
  tx.close();
  consumer.join();
  return times.slice(1);
}

interface Comparison {
  readonly scenario: string;
  readonly messages: number;
  readonly baseline: { readonly name: string; readonly ms: number[] };
  readonly variants: ReadonlyArray<{ readonly name: string; readonly ms: number[] }>;
  readonly target?: number;
}

async function compare(
  scenario: string,
  messages: number,
  baseline: () => Promise<number[]>,
  variants: Record<string, () => number[]>,
  target?: number,
): Promise<Comparison> {
  const base: number[] = [];
  const results = Object.fromEntries(Object.keys(variants).map((name) => [name, [] as number[]]));
  for (let rep = 0; rep < REPS; rep++) {
    log(`  ${scenario}: repetition ${rep + 1}/${REPS}`);
    base.push(...(await baseline()));
    for (const [name, run] of Object.entries(variants)) results[name]!.push(...run());
  }
  return {
    scenario,
    messages,
    baseline: { name: 'postMessage', ms: base },
    variants: Object.entries(results).map(([name, ms]) => ({ name, ms })),
    ...(target === undefined ? {} : { target }),
  };
}

function rate(messages: number, ms: number): string {
  const perSecond = (messages / ms) * 1000;
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M/s` : `${(perSecond / 1e3).toFixed(0)}k/s`;
}

async function startup(): Promise<{ kitMs: number[]; plainMs: number[] }> {
  const [tx, rx] = channel<number>();
  spawn(hello, tx.clone()).join(); // compile once: the steady state is what a run of many spawns sees
  rx.recv();
  const kitMs: number[] = [];
  const plainMs: number[] = [];
  for (let rep = 0; rep < REPS * 3; rep++) {
    let start = performance.now();
    const handle = spawn(hello, tx.clone());
    rx.recv();
    kitMs.push(performance.now() - start);
    await handle.joinAsync();
    start = performance.now();
    const worker = new Worker(new URL('./workers/hello.mjs', import.meta.url));
    await once(worker, 'message');
    plainMs.push(performance.now() - start);
    await once(worker, 'exit');
  }
  tx.close();
  return { kitMs, plainMs };
}

function pingPong(): number[] {
  const results: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const [aTx, aRx] = channel<number>({ codec: f64 });
    const [bTx, bRx] = channel<number>({ codec: f64 });
    const echo = spawn(pong, aRx, bTx);
    results.push(spawn(ping, aTx, bRx, 20_000, quick ? 50_000 : 200_000).join() / 1000);
    echo.join();
  }
  return results;
}

async function idleCpu(): Promise<number> {
  const [tx, rx] = channel<number>();
  const handle = spawn(idle, rx);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const before = process.cpuUsage();
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const used = process.cpuUsage(before);
  const elapsed = performance.now() - start;
  tx.close();
  await handle.joinAsync();
  return ((used.user + used.system) / 1000 / elapsed) * 100;
}

const N = quick ? 200_000 : 1_000_000;
const M = quick ? 50_000 : 200_000;
log(`kit benchmarks (${quick ? 'quick' : 'full'}): ${REPS} repetitions, medians`);

const comparisons: Comparison[] = [];
comparisons.push(
  await compare(
    'numbers',
    N,
    () => postRounds(N, (i) => i),
    {
      'kit f64': () => kitRounds(N, () => syncChannel<number>(1 << 14, { codec: f64 }), (i) => i),
      'kit f64, batches of 256': () => kitBatchRounds(N, 256, f64, (i) => i),
    },
    15,
  ),
);
comparisons.push(
  await compare(
    'records',
    M,
    () => postRounds(M, (i) => entries[i & 1023]),
    {
      'kit record codec': () => kitRounds(M, () => syncChannel<Entry>(4096, { codec: entryCodec }), (i) => entries[i & 1023]!),
      'kit record codec, batches of 64': () => kitBatchRounds(M, 64, entryCodec, (i) => entries[i & 1023]!),
    },
    5,
  ),
);
comparisons.push(
  await compare(
    'cloneable',
    M,
    () => postRounds(M, (i) => entries[i & 1023]),
    { 'kit structured codec': () => kitRounds(M, () => syncChannel<Entry>(4096, { codec: structured<Entry>() }), (i) => entries[i & 1023]!) },
    1.5,
  ),
);
log('  ping-pong');
const roundTripUs = pingPong();
log('  idle receiver');
const idlePercent = await idleCpu();
log('  startup');
const start = await startup();

const summary = {
  comparisons: comparisons.map((c) => {
    const baseMs = median(c.baseline.ms);
    return {
      scenario: c.scenario,
      messages: c.messages,
      target: c.target,
      baseline: { name: c.baseline.name, medianMs: baseMs, samplesMs: c.baseline.ms },
      variants: c.variants.map((v) => ({
        name: v.name,
        medianMs: median(v.ms),
        samplesMs: v.ms,
        speedup: baseMs / median(v.ms),
      })),
    };
  }),
  pingPong: { medianUs: median(roundTripUs), samplesUs: roundTripUs, targetUs: 2 },
  idleReceiverCpuPercent: idlePercent,
  startup: {
    kitMedianMs: median(start.kitMs),
    plainMedianMs: median(start.plainMs),
    ratio: median(start.kitMs) / median(start.plainMs),
    target: 1.5,
    kitMs: start.kitMs,
    plainMs: start.plainMs,
  },
};

if (asJson) {
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} else {
  const out: string[] = [];
  for (const c of summary.comparisons) {
    out.push(`${c.scenario} (${c.messages} messages)`);
    out.push(`  ${'postMessage'.padEnd(34)} ${c.baseline.medianMs.toFixed(1).padStart(8)} ms  ${rate(c.messages, c.baseline.medianMs).padStart(9)}`);
    for (const v of c.variants) {
      const verdict = c.target === undefined ? '' : v.speedup >= c.target ? `  meets ≥${c.target}×` : `  below ≥${c.target}×`;
      out.push(
        `  ${v.name.padEnd(34)} ${v.medianMs.toFixed(1).padStart(8)} ms  ${rate(c.messages, v.medianMs).padStart(9)}  ${v.speedup.toFixed(2)}×${verdict}`,
      );
    }
  }
  const pp = summary.pingPong.medianUs;
  out.push(`ping-pong round trip: ${pp.toFixed(2)} µs (target ≤ 2 µs: ${pp <= 2 ? 'met' : 'not met'})`);
  out.push(`idle receiver: ${idlePercent.toFixed(2)}% of a core while parked for 1 s`);
  const s = summary.startup;
  out.push(
    `startup to first message: kit ${s.kitMedianMs.toFixed(1)} ms, plain ESM worker ${s.plainMedianMs.toFixed(1)} ms, ratio ${s.ratio.toFixed(2)} (target ≤ 1.5: ${s.ratio <= 1.5 ? 'met' : 'not met'})`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
