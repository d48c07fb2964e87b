/**
 * Every numeric claim of the chapter (spec/chapter14-threading-patterns.md), in one declarative list, with what
 * answers it here. Plus a few targets of this harness (not from the chapter), judged the same way.
 *
 * Each entry says:
 *   - where the claim comes from (project/milestone) and what it says, paraphrased;
 *   - `claim`: the chapter's number in a form benches/lib/verdict.ts parses ("3–4x", "~200 ms", "≥ 15x"), or a
 *     trend claim built directly;
 *   - `requiredThreads`: how many threads must run in parallel for the claim to be tested fairly (a speedup
 *     claimed for 8 threads needs 8 cores; a claim about sleeping tasks needs none, since sleep takes no core);
 *   - `measure`: which cell and variants answer it (`<suite>:<cell id>`, see suites.ts), as a ratio of medians,
 *     a median value, or a trend; `scale` converts the measured unit into the claim's (e.g. the scaled-down
 *     pipeline back to the chapter's 100 ms stages);
 *   - `alsoAt`: when the claim is not testable here, the same measurement at a thread count this machine can run,
 *     shown for information (never judged);
 *   - `workload`: 'chapter' when the cell runs the chapter's own workload, or `{ changed }`: what differs and why
 *     (shown on the row; required, so no claim can change its workload silently); a function of the profile when
 *     only some profiles scale the workload down, so that each row names the sizes that run actually used;
 *   - `byConstruction`: set when the harness makes the claim true by how it drives the workload (e.g. threads
 *     paced by a deadline): the verdict is then "holds by construction", not "reproduced";
 *   - `whyDifferent`: one line on where JS workers differ from Rust threads, shown wherever the measured number
 *     contradicts the chapter (also when the claim itself is not testable and the number at fewer threads does).
 *
 * Adding a claim: append an entry; if no cell measures it yet, add a variant to a cell in cells/<suite>.ts and
 * plan it in suites.ts. The report test checks that every entry appears in the claims table.
 */
import { type Claim, parseClaim } from '../lib/verdict.ts';
import { plural } from '../lib/table.ts';
import { CELL, S, V } from './registry.ts';
import { PROFILES } from './profiles.ts';
import { perOpThreads, v8MutexOps } from './suites.ts';
import type { Profile } from './types.ts';

export type Measure =
  | {
      readonly kind: 'ratio';
      readonly cell: string;
      readonly numerator: string;
      readonly denominator: string;
    }
  | {
      readonly kind: 'value';
      readonly cell: string;
      readonly variant: string;
      readonly scale?: (p: Profile) => number;
      readonly unit?: string;
    }
  | { readonly kind: 'trend'; readonly cell: string; readonly series: string; readonly fromFraction: number }
  | { readonly kind: 'none'; readonly reason: string };

export type Workload = 'chapter' | { readonly changed: string };

export interface ClaimDef {
  readonly id: string;
  /** 'p1 m6', 'p2 intro', ... */
  readonly source: string;
  readonly origin: 'chapter' | 'harness';
  /** The claim in our words. */
  readonly text: string;
  readonly claim: Claim;
  readonly requiredThreads: number;
  readonly measure: Measure;
  /** How it is measured here (timing, what is divided by what). */
  readonly method?: string;
  /** The chapter's workload, or what changed and why (a function when it depends on the profile's sizes). */
  readonly workload: Workload | ((p: Profile) => Workload);
  /** Why the harness makes the claim hold by construction (then never "reproduced"). */
  readonly byConstruction?: string;
  /** The same measurement at fewer threads (cell id of another cell), shown when the claim is not testable. */
  readonly alsoAt?: { readonly cell: (cores: number) => string; readonly label: (cores: number) => string };
  readonly whyDifferent: string;
  /** What only --full measures for this claim (whole-process runs of a command): other profiles leave it unjudged. */
  readonly fullOnly?: string;
}

function c(text: string): Claim {
  const parsed = parseClaim(text);
  if (!parsed) throw new Error(`claims.ts: cannot parse claim "${text}"`);
  return parsed;
}

/** The workload a claim ran in profile `p`. */
export function workloadIn(def: Pick<ClaimDef, 'workload'>, p: Profile): Workload {
  return typeof def.workload === 'function' ? def.workload(p) : def.workload;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * A workload sized by the profile: `ran` items of `unit` where the chapter runs `chapter` and --full runs `full`.
 * The row says so unless the run used the chapter's size and nothing else changed (`also`: the rest of what
 * differs, e.g. "through 8 producers"; `scaled`: how a smaller run's number is brought back to the chapter's size).
 */
function sized(ran: number, chapter: number, full: number, unit: string, also = '', scaled = ''): Workload {
  const lead = also ? `${also}: ` : '';
  if (ran === chapter) return also ? { changed: `${lead}${count(ran)} ${unit}` } : 'chapter';
  const fuller = ran >= full ? '' : full === chapter ? ', as --full runs' : `; --full runs ${count(full)}`;
  return {
    changed: `${lead}${count(ran)} ${unit} (the chapter: ${count(chapter)}${fuller})${ran < chapter ? scaled : ''}`,
  };
}
/** P1 m6's 100,000 log entries. */
const entriesWorkload =
  (also = '') =>
  (p: Profile): Workload =>
    sized(p.p1m6Entries, 100_000, PROFILES.full.p1m6Entries, 'log entries', also);
/** P3's lock operations (1M in m6, 800,000 in m4's own benchmark). */
const opsWorkload =
  (chapterOps: number, also = '', scaled = '') =>
  (p: Profile): Workload =>
    sized(p.lockOps, chapterOps, PROFILES.full.lockOps, 'operations', also, scaled);

const twoCores = (cores: number) => Math.max(1, Math.min(cores, 16));
const p1m6At = CELL.p1m6;
const p3m6At = CELL.p3m6;
/** The largest thread count of the quick sweeps that the machine can run in parallel. */
const testableThreads = (cores: number) => (cores >= 4 ? 4 : cores >= 2 ? 2 : 1);

const channelVsMutex = (t: number): Measure => ({
  kind: 'ratio',
  cell: p1m6At(t),
  numerator: V.p1m6.mutex,
  denominator: V.p1m6.channel,
});
const p1m6Also = {
  cell: (cores: number) => p1m6At(testableThreads(twoCores(cores))),
  label: (cores: number) => `at ${plural(testableThreads(cores), 'thread')}`,
};
const p3m4Also = {
  cell: (cores: number) => CELL.p3m4.replace('/tM4', `/t${perOpThreads(cores)}`),
  label: (cores: number) => `at ${plural(perOpThreads(cores), 'thread')}`,
};
const cpuAlso = {
  cell: (cores: number) => CELL.cpu(5, Math.min(2, cores)),
  label: (cores: number) => `at ${plural(Math.min(2, cores), 'worker')}`,
};
const sleepSpeedup = (w: number): Measure => ({
  kind: 'ratio',
  cell: CELL.sleep(10, w),
  numerator: V.sweep.sequential,
  denominator: V.sweep.pool,
});
const cpuSpeedup = (w: number): Measure => ({
  kind: 'ratio',
  cell: CELL.cpu(5, w),
  numerator: V.sweep.sequential,
  denominator: V.sweep.pool,
});
const spawnAlso = { cell: () => CELL.spawn, label: (cores: number) => `with ${plural(Math.min(8, cores), 'worker')}` };
const p3m6Also = {
  cell: (cores: number) => p3m6At(Math.min(2, cores)),
  label: (cores: number) => `at ${plural(Math.min(2, cores), 'thread')}`,
};

const WHY_P1M6 =
  'each entry is encoded into shared memory either way (a JS thread cannot hand over an object by pointer), so both versions pay the same per-entry copy and the one collecting thread bounds both; the lock is not the bottleneck it is in Rust';
const WHY_SPAWN =
  'a worker thread is a whole V8 isolate with its own heap, event loop and module graph to load, not an OS thread sharing the process heap';
const WHY_RW =
  'a JS RwLock read is still an atomic read-modify-write on one shared word (all SeqCst), so readers contend on one cache line; with at most the machine\u2019s cores running, reads cannot spread far';

export const CLAIMS: readonly ClaimDef[] = [
  // ---- Project 1: channels ------------------------------------------------------------------------------------
  {
    id: 'p1-intro-throughput',
    source: 'p1 intro',
    origin: 'chapter',
    text: 'Pipelining three stages of 100 ms gives 10× the throughput of running them in sequence',
    claim: c('~10x'),
    workload: (p) => ({
      changed: `stages of 100 ms scaled down to ${2 * p.pipelineStageMs} ms (sleeping stages: a ratio does not depend on the time unit)`,
    }),
    requiredThreads: 1,
    measure: {
      kind: 'ratio',
      cell: CELL.pipeline,
      numerator: V.pipeline.sequentialEqual,
      denominator: V.pipeline.pipelinedEqual,
    },
    method: 'sleeping stages scaled down (sleep needs no core, so any machine can run them)',
    whyDifferent:
      'not a JS effect: with three stages the gain is bounded by the number of stages (3×); 10× would need ten equal stages',
  },
  {
    id: 'p1-intro-latency',
    source: 'p1 intro',
    origin: 'chapter',
    text: 'With pipelining, the latency of three 100 ms stages drops from 300 ms to 100 ms',
    claim: c('~100 ms'),
    workload: (p) => ({
      changed: `stages of 100 ms scaled down to ${2 * p.pipelineStageMs} ms, scaled back to 100 ms stages for the verdict`,
    }),
    requiredThreads: 1,
    measure: {
      kind: 'value',
      cell: CELL.pipeline,
      variant: V.pipeline.latencyEqual,
      scale: (p) => 100 / (2 * p.pipelineStageMs),
    },
    method: 'one message through an idle pipeline of sleeping stages, scaled back to 100 ms stages',
    whyDifferent:
      'not a JS effect: pipelining overlaps different messages, but one message still passes all three stages, so its latency stays their sum',
  },
  {
    id: 'p1-m1-8-producers',
    source: 'p1 m1',
    origin: 'chapter',
    text: 'With 8 producers, channels give 8× the throughput of a Mutex<Vec>',
    claim: c('~8x'),
    workload: entriesWorkload('the P1 m6 benchmark workload through 8 producers'),
    requiredThreads: 8,
    measure: channelVsMutex(8),
    alsoAt: p1m6Also,
    whyDifferent: WHY_P1M6,
  },
  {
    id: 'p1-m2-pipelining',
    source: 'p1 m2',
    origin: 'chapter',
    text: 'Stages of 100/50/50 ms: pipelined is about 2× faster than sequential (200 s vs ~100 s for 1000 messages)',
    claim: c('~2x'),
    workload: (p) => ({
      changed: `stages of 100/50/50 ms scaled down to ${2 * p.pipelineStageMs}/${p.pipelineStageMs}/${p.pipelineStageMs} ms, ${p.pipelineMessages} messages instead of 1000 (sleeping stages: the ratio does not depend on either)`,
    }),
    requiredThreads: 1,
    measure: {
      kind: 'ratio',
      cell: CELL.pipeline,
      numerator: V.pipeline.sequentialUneven,
      denominator: V.pipeline.pipelinedUneven,
    },
    method: 'sleeping stages scaled down (sleep needs no core, so 2 cores suffice for 3 stage threads)',
    whyDifferent: 'kit sleep overshoots slightly per call and each hand-off wakes a parked thread (tens of µs on a VM)',
  },
  {
    id: 'p1-m3-blocked-send',
    source: 'p1 m3',
    origin: 'chapter',
    text: 'A send into a full bounded channel (capacity 2) blocks ~100 ms until a consumer that sleeps 100 ms takes one',
    claim: c('~100 ms'),
    workload: 'chapter',
    requiredThreads: 1,
    measure: { kind: 'value', cell: CELL.backpressure, variant: V.backpressure.blockedSend },
    method:
      'the clock starts once the consumer thread runs (it says so on a channel, then sleeps 100 ms): only the blocking is timed. The chapter\u2019s test_backpressure_blocks also times the consumer\u2019s spawn; that number is in the channels suite table',
    whyDifferent:
      'a blocked send parks on a futex-style wait and wakes when the consumer takes a message; the wake-up and the kit sleep\u2019s overshoot add little',
  },
  {
    id: 'p1-m3-growth',
    source: 'p1 m3',
    origin: 'chapter',
    text: 'Unbounded channel, producer 1000 msgs/s, consumer 100 msgs/s: the queue grows by 900 msgs/s',
    claim: c('~900 msgs/s'),
    workload: 'chapter',
    byConstruction:
      'the producer and the consumer are paced by deadlines at 1000 and 100 msgs/s, so the queue grows by their difference unless a thread falls behind',
    requiredThreads: 1,
    measure: { kind: 'value', cell: CELL.backpressure, variant: V.backpressure.unboundedGrowth },
    method: 'paced producer and consumer at the chapter\u2019s rates; slope of the sampled queue length',
    whyDifferent: 'the pacing threads oversleep under load, so the rates drift from 1000/100 per second',
  },
  {
    id: 'p1-m3-unbounded-grows',
    source: 'p1 m3',
    origin: 'chapter',
    text: 'An unbounded channel keeps growing while the producer outpaces the consumer',
    claim: { kind: 'trend', expect: 'increasing', flatTolerance: 0.1 },
    workload: 'chapter',
    byConstruction:
      'the paced producer sends faster than the paced consumer takes, so an unbounded queue can only grow',
    requiredThreads: 1,
    measure: { kind: 'trend', cell: CELL.backpressure, series: S.backpressure.unbounded, fromFraction: 0.5 },
    method: 'queue length over the second half of the window',
    whyDifferent: 'the producer could not keep its pace (machine overloaded)',
  },
  {
    id: 'p1-m3-bounded-flat',
    source: 'p1 m3',
    origin: 'chapter',
    text: 'A bounded channel (capacity 100) keeps memory stable: the queue stays flat',
    claim: { kind: 'trend', expect: 'flat', flatTolerance: 0.1 },
    workload: 'chapter',
    requiredThreads: 1,
    measure: { kind: 'trend', cell: CELL.backpressure, series: S.backpressure.boundedMemory, fromFraction: 0.5 },
    method:
      'resident memory of the process over the second half of the window (the queue is full by then; its length, capped at 100 by the channel, is in the channels suite table)',
    whyDifferent:
      'the process allocated for something else during the window (garbage collection, JIT), so its memory moved',
  },
  {
    id: 'p1-m3-producer-slows',
    source: 'p1 m3',
    origin: 'chapter',
    text: 'With a bounded channel the producer slows to the consumer\u2019s rate',
    claim: c('~1x'),
    workload: 'chapter',
    requiredThreads: 1,
    measure: { kind: 'value', cell: CELL.backpressure, variant: V.backpressure.boundedRate },
    method: 'producer rate ÷ consumer rate over the second half of the window (queue full)',
    whyDifferent: 'the blocked producer wakes late under load',
  },
  {
    id: 'p1-m6-1',
    source: 'p1 m6',
    origin: 'chapter',
    text: '1 thread: channel ≈ Mutex (no contention)',
    claim: c('~1x'),
    workload: entriesWorkload(),
    requiredThreads: 1,
    measure: channelVsMutex(1),
    whyDifferent:
      'with one producer the channel adds a cross-thread hand-off per entry (encode, publish, wake the collector), while the Mutex version pushes into shared memory under an uncontended lock (~20 ns): a JS channel is not a pointer hand-off as in Rust',
  },
  {
    id: 'p1-m6-4',
    source: 'p1 m6',
    origin: 'chapter',
    text: '4 threads: channel 3–4× faster than Mutex<Vec>',
    claim: c('3–4x'),
    workload: entriesWorkload(),
    requiredThreads: 4,
    measure: channelVsMutex(4),
    alsoAt: p1m6Also,
    whyDifferent: WHY_P1M6,
  },
  {
    id: 'p1-m6-8',
    source: 'p1 m6',
    origin: 'chapter',
    text: '8 threads: channel 5–8× faster',
    claim: c('5–8x'),
    workload: entriesWorkload(),
    requiredThreads: 8,
    measure: channelVsMutex(8),
    alsoAt: p1m6Also,
    whyDifferent: WHY_P1M6,
  },
  {
    id: 'p1-m6-16',
    source: 'p1 m6',
    origin: 'chapter',
    text: '16 threads: channel 8–15× faster',
    claim: c('8–15x'),
    workload: entriesWorkload(),
    requiredThreads: 16,
    measure: channelVsMutex(16),
    alsoAt: p1m6Also,
    whyDifferent: WHY_P1M6,
  },
  // ---- Project 2: thread pool ---------------------------------------------------------------------------------
  {
    id: 'p2-intro-spawn-cost',
    source: 'p2 intro',
    origin: 'chapter',
    text: 'Creating a thread costs 1–2 ms',
    claim: c('1–2 ms'),
    workload: 'chapter',
    requiredThreads: 1,
    measure: { kind: 'value', cell: CELL.spawn, variant: V.spawn.spawnJoin, unit: 'ms' },
    method: 'spawn + join of a kit thread that does nothing (body already compiled)',
    whyDifferent: WHY_SPAWN,
  },
  {
    id: 'p2-intro-spawn-10k',
    source: 'p2 intro',
    origin: 'chapter',
    text: '10,000 small tasks with a thread per task take 10–20 s',
    claim: c('10–20 s'),
    workload: (p) => ({
      changed: `${p.spawnTasks} spawn-per-task tasks timed and scaled to 10,000 (spawning 10,000 workers would take minutes)`,
    }),
    requiredThreads: 1,
    measure: { kind: 'value', cell: CELL.spawn, variant: V.spawn.spawnPerTask, scale: () => 10 },
    method: 'time per task of spawn-per-task (at most one thread per core alive), × 10,000',
    whyDifferent: WHY_SPAWN,
  },
  {
    id: 'p2-intro-pool-10k',
    source: 'p2 intro',
    origin: 'chapter',
    text: '10,000 small tasks on a pool of 8 workers take 1–2 s',
    claim: c('1–2 s'),
    workload: 'chapter',
    requiredThreads: 8,
    measure: { kind: 'value', cell: CELL.spawn, variant: V.spawn.referencePool, scale: () => 10 },
    method: '10,000 tiny tasks through the reference ThreadPool with 8 workers',
    alsoAt: spawnAlso,
    whyDifferent:
      'handing a job to a parked worker through shared memory costs microseconds, so a pool of tiny tasks is far faster than the chapter assumes',
  },
  {
    id: 'p2-intro-ratio',
    source: 'p2 intro',
    origin: 'chapter',
    text: 'Spawn per task vs thread pool for 10,000 small tasks: 10–20 s vs 1–2 s, about 10×',
    claim: c('~10x'),
    workload: (p) => ({
      changed: `spawn per task timed on ${p.spawnTasks} tasks, the pool on ${count(p.poolTinyTasks)}; compared per task`,
    }),
    requiredThreads: 8,
    measure: { kind: 'ratio', cell: CELL.spawn, numerator: V.spawn.spawnPerTask, denominator: V.spawn.referencePool },
    alsoAt: spawnAlso,
    whyDifferent: `${WHY_SPAWN}; a pooled tiny task costs microseconds, so the gap is far wider than 10×`,
  },
  {
    id: 'p2-m1-spawn-overhead',
    source: 'p2 m1',
    origin: 'chapter',
    text: 'Spawn per task: 1000 tasks × 1 ms spawn = 1 s of overhead',
    claim: c('~1 s'),
    workload: 'chapter',
    requiredThreads: 1,
    measure: { kind: 'value', cell: CELL.spawn, variant: V.spawn.spawnJoin, unit: 's' },
    method: 'spawn + join cost × 1000',
    whyDifferent: WHY_SPAWN,
  },
  {
    id: 'p2-m1-8-tasks',
    source: 'p2 m1',
    origin: 'chapter',
    text: '8 tasks of 100 ms on 4 workers finish in about 200 ms',
    claim: c('~200 ms'),
    workload: 'chapter',
    requiredThreads: 1,
    measure: { kind: 'value', cell: CELL.sleep(10, 4), variant: V.sweep.p2m1Eight },
    method:
      'the reference ThreadPool (started and warmed before timing) with sleeping tasks, as in the chapter\u2019s test; sleeping needs no core, so 4 workers run fine on 2 cores',
    whyDifferent: 'sleep overshoot and hand-off wake-ups add up under load',
  },
  {
    id: 'p2-m2-images',
    source: 'p2 m2',
    origin: 'chapter',
    text: '10 images of 500 ms: 5 s sequential, ~625 ms on 8 cores (8× speedup)',
    claim: c('~8x'),
    workload: (p) => ({
      changed: `${p.poolTasks} CPU-bound tasks of fixed work instead of 10 images of 500 ms: with 10 tasks on 8 workers the batch takes two rounds, so the chapter\u2019s own workload caps the speedup near 5× (see the contradictions)`,
    }),
    requiredThreads: 8,
    measure: cpuSpeedup(8),
    method: 'CPU-bound tasks of fixed work on 8 workers',
    alsoAt: cpuAlso,
    whyDifferent: 'CPU-bound speedup is capped by the cores; each worker also carries its own isolate',
  },
  {
    id: 'p2-m5-waste',
    source: 'p2 m5',
    origin: 'chapter',
    text: 'A fixed pool of 100 workers wastes 95% of its resources at low load',
    claim: c('~95%'),
    workload: 'chapter',
    requiredThreads: 1,
    measure: {
      kind: 'none',
      reason: 'a statement about idle capacity under a load profile, not a measurement this harness defines',
    },
    whyDifferent: '',
  },
  {
    id: 'p2-m5-cost',
    source: 'p2 m5',
    origin: 'chapter',
    text: 'Adaptive sizing cuts cloud costs by 50–90%',
    claim: c('50–90%'),
    workload: 'chapter',
    requiredThreads: 1,
    measure: { kind: 'none', reason: 'a cloud-billing claim: needs a production load trace and a price model' },
    whyDifferent: '',
  },
  {
    id: 'p2-m6-sleep-1',
    source: 'p2 m6',
    origin: 'chapter',
    text: 'Pool vs sequential, 1 worker: 1× (sleeping tasks)',
    claim: c('~1x'),
    workload: (p) => ({
      changed: `${p.poolTasks} sleeping tasks of 10 ms (the chapter varies 1/10/100 ms; --full runs all three)`,
    }),
    requiredThreads: 1,
    measure: sleepSpeedup(1),
    method: 'the chapter\u2019s own benchmark sleeps in each task (10 ms)',
    whyDifferent: 'each job is a channel hand-off to a parked thread',
  },
  {
    id: 'p2-m6-sleep-4',
    source: 'p2 m6',
    origin: 'chapter',
    text: 'Pool vs sequential, 4 workers: 3.8–4× (sleeping tasks)',
    claim: c('3.8–4x'),
    workload: (p) => ({
      changed: `${p.poolTasks} sleeping tasks of 10 ms (the chapter varies 1/10/100 ms; --full runs all three)`,
    }),
    requiredThreads: 1,
    measure: sleepSpeedup(4),
    method: 'sleeping tasks need no core, so 4 workers are testable on any machine',
    whyDifferent: 'per-task hand-off and sleep overshoot eat into the ideal speedup',
  },
  {
    id: 'p2-m6-sleep-8',
    source: 'p2 m6',
    origin: 'chapter',
    text: 'Pool vs sequential, 8 workers: 7–8× (sleeping tasks)',
    claim: c('7–8x'),
    workload: (p) => ({
      changed: `${p.poolTasks} sleeping tasks of 10 ms (the chapter varies 1/10/100 ms; --full runs all three)`,
    }),
    requiredThreads: 1,
    measure: sleepSpeedup(8),
    method: 'sleeping tasks need no core, so 8 workers are testable on any machine',
    whyDifferent: 'per-task hand-off and sleep overshoot eat into the ideal speedup',
  },
  {
    id: 'p2-m6-cpu-1',
    source: 'p2 m6',
    origin: 'chapter',
    text: 'Pool vs sequential, 1 worker: 1× (CPU-bound tasks)',
    claim: c('~1x'),
    workload: (p) => ({
      changed: `${p.poolTasks} CPU-bound tasks of ~5 ms of spinning (the chapter does not fix the CPU work)`,
    }),
    requiredThreads: 1,
    measure: cpuSpeedup(1),
    whyDifferent: 'the worker runs in its own isolate with its own JIT warm-up',
  },
  {
    id: 'p2-m6-cpu-4',
    source: 'p2 m6',
    origin: 'chapter',
    text: 'Pool vs sequential, 4 workers: 3.8–4× (CPU-bound tasks)',
    claim: c('3.8–4x'),
    workload: (p) => ({
      changed: `${p.poolTasks} CPU-bound tasks of ~5 ms of spinning (the chapter does not fix the CPU work)`,
    }),
    requiredThreads: 4,
    measure: cpuSpeedup(4),
    alsoAt: cpuAlso,
    whyDifferent: 'CPU-bound speedup is capped by the cores',
  },
  {
    id: 'p2-m6-cpu-8',
    source: 'p2 m6',
    origin: 'chapter',
    text: 'Pool vs sequential, 8 workers: 7–8× (CPU-bound tasks)',
    claim: c('7–8x'),
    workload: (p) => ({
      changed: `${p.poolTasks} CPU-bound tasks of ~5 ms of spinning (the chapter does not fix the CPU work)`,
    }),
    requiredThreads: 8,
    measure: cpuSpeedup(8),
    alsoAt: cpuAlso,
    whyDifferent: 'CPU-bound speedup is capped by the cores',
  },
  // ---- Project 3: shared counters -----------------------------------------------------------------------------
  {
    id: 'p3-intro-mutex',
    source: 'p3 intro',
    origin: 'chapter',
    text: '1M operations on 8 threads: Mutex 500 ms',
    claim: c('~500 ms'),
    workload: opsWorkload(1_000_000, '', ', scaled to 1M'),
    requiredThreads: 8,
    measure: { kind: 'value', cell: p3m6At(8), variant: V.p3m6.at('mutex', 0.9), scale: (p) => 1_000_000 / p.lockOps },
    method: 'P3 m6 workload at 90% reads, scaled to 1M operations',
    alsoAt: p3m6Also,
    whyDifferent: 'JS threads hold a futex-style lock for nanoseconds and spin briefly before parking',
  },
  {
    id: 'p3-intro-rwlock',
    source: 'p3 intro',
    origin: 'chapter',
    text: '1M operations on 8 threads: RwLock (90% reads) 100 ms',
    claim: c('~100 ms'),
    workload: opsWorkload(1_000_000, '', ', scaled to 1M'),
    requiredThreads: 8,
    measure: { kind: 'value', cell: p3m6At(8), variant: V.p3m6.at('rwlock', 0.9), scale: (p) => 1_000_000 / p.lockOps },
    alsoAt: p3m6Also,
    whyDifferent: WHY_RW,
  },
  {
    id: 'p3-intro-atomic',
    source: 'p3 intro',
    origin: 'chapter',
    text: '1M operations on 8 threads: AtomicU64 50 ms',
    claim: c('~50 ms'),
    workload: opsWorkload(1_000_000, '', ', scaled to 1M'),
    requiredThreads: 8,
    measure: { kind: 'value', cell: p3m6At(8), variant: V.p3m6.at('atomic', 0.9), scale: (p) => 1_000_000 / p.lockOps },
    alsoAt: p3m6Also,
    whyDifferent:
      'JS atomics are all SeqCst; the loop around them (seeded random numbers, a method call) costs more than the atomic itself',
  },
  {
    id: 'p3-m3-8x',
    source: 'p3 m3',
    origin: 'chapter',
    text: '90% reads: RwLock gives 8× the throughput of a Mutex',
    claim: c('~8x'),
    workload: opsWorkload(1_000_000, 'the P3 m6 benchmark at 90% reads'),
    requiredThreads: 8,
    measure: {
      kind: 'ratio',
      cell: p3m6At(8),
      numerator: V.p3m6.at('mutex', 0.9),
      denominator: V.p3m6.at('rwlock', 0.9),
    },
    alsoAt: p3m6Also,
    whyDifferent: WHY_RW,
  },
  {
    id: 'p3-m3-5-10x',
    source: 'p3 m3',
    origin: 'chapter',
    text: 'For caches and metrics (read-heavy), RwLock is often 5–10× faster',
    claim: c('5–10x'),
    workload: opsWorkload(1_000_000, 'the P3 m6 benchmark at 90% reads'),
    requiredThreads: 8,
    measure: {
      kind: 'ratio',
      cell: p3m6At(8),
      numerator: V.p3m6.at('mutex', 0.9),
      denominator: V.p3m6.at('rwlock', 0.9),
    },
    alsoAt: p3m6Also,
    whyDifferent: WHY_RW,
  },
  {
    id: 'p3-m4-mutex-op',
    source: 'p3 m4',
    origin: 'chapter',
    text: 'Mutex: 2–5 µs per operation',
    claim: c('2–5 µs'),
    workload: opsWorkload(800_000, 'per thread count'),
    requiredThreads: 8,
    measure: { kind: 'value', cell: p3m6At(8), variant: V.p3m6.mutexPerOp },
    alsoAt: p3m4Also,
    method: 'wall time ÷ increments with 8 threads contending, as in the chapter\u2019s own benchmark',
    whyDifferent:
      'a kit Mutex spins briefly before parking and is held for a few ns, so with 2 threads it rarely sleeps in the kernel',
  },
  {
    id: 'p3-m4-rwlock-op',
    source: 'p3 m4',
    origin: 'chapter',
    text: 'RwLock: 1–3 µs per (read) operation',
    claim: c('1–3 µs'),
    workload: opsWorkload(800_000, 'per thread count'),
    requiredThreads: 8,
    measure: { kind: 'value', cell: p3m6At(8), variant: V.p3m6.rwlockPerOp },
    alsoAt: p3m4Also,
    method: 'wall time ÷ reads with 8 threads contending, as in the chapter\u2019s own benchmark',
    whyDifferent: 'an uncontended read lock is a couple of atomic operations (tens of ns), never a syscall',
  },
  {
    id: 'p3-m4-atomic-op',
    source: 'p3 m4',
    origin: 'chapter',
    text: 'Atomic: 0.01–0.1 µs per operation',
    claim: c('0.01–0.1 µs'),
    workload: opsWorkload(800_000, 'per thread count'),
    requiredThreads: 8,
    measure: { kind: 'value', cell: p3m6At(8), variant: V.p3m6.atomicPerOp },
    alsoAt: p3m4Also,
    method: 'wall time ÷ increments with 8 threads contending, as in the chapter\u2019s own benchmark',
    whyDifferent: 'JS atomics are all SeqCst, and the workload loop (random draw, method call) adds to each operation',
  },
  {
    id: 'p3-m4-100x',
    source: 'p3 m4',
    origin: 'chapter',
    text: 'Atomics are 100× faster than a Mutex',
    claim: c('~100x'),
    workload: opsWorkload(800_000, 'per thread count'),
    requiredThreads: 8,
    measure: { kind: 'ratio', cell: p3m6At(8), numerator: V.p3m6.mutexPerOp, denominator: V.p3m6.atomicPerOp },
    alsoAt: p3m4Also,
    method: 'per-operation cost ratio, 8 threads contending',
    whyDifferent:
      'a JS Mutex costs only a few atomic operations when it does not park, and JS atomics are all SeqCst, so the gap is a few times, not 100×',
  },
  {
    id: 'p3-m6-50',
    source: 'p3 m6',
    origin: 'chapter',
    text: '50% reads: Mutex ≈ RwLock',
    claim: c('~1x'),
    workload: opsWorkload(1_000_000),
    requiredThreads: 8,
    measure: {
      kind: 'ratio',
      cell: p3m6At(8),
      numerator: V.p3m6.at('mutex', 0.5),
      denominator: V.p3m6.at('rwlock', 0.5),
    },
    alsoAt: p3m6Also,
    whyDifferent: WHY_RW,
  },
  {
    id: 'p3-m6-90',
    source: 'p3 m6',
    origin: 'chapter',
    text: '90% reads: RwLock 5× faster than Mutex',
    claim: c('~5x'),
    workload: opsWorkload(1_000_000),
    requiredThreads: 8,
    measure: {
      kind: 'ratio',
      cell: p3m6At(8),
      numerator: V.p3m6.at('mutex', 0.9),
      denominator: V.p3m6.at('rwlock', 0.9),
    },
    alsoAt: p3m6Also,
    whyDifferent: WHY_RW,
  },
  {
    id: 'p3-m6-99',
    source: 'p3 m6',
    origin: 'chapter',
    text: '99% reads: RwLock 10× faster than Mutex',
    claim: c('~10x'),
    workload: opsWorkload(1_000_000),
    requiredThreads: 8,
    measure: {
      kind: 'ratio',
      cell: p3m6At(8),
      numerator: V.p3m6.at('mutex', 0.99),
      denominator: V.p3m6.at('rwlock', 0.99),
    },
    alsoAt: p3m6Also,
    whyDifferent: WHY_RW,
  },
  {
    id: 'p3-m6-atomic',
    source: 'p3 m6',
    origin: 'chapter',
    text: '99% reads: atomic 100× faster than Mutex',
    claim: c('~100x'),
    workload: opsWorkload(1_000_000),
    requiredThreads: 8,
    measure: {
      kind: 'ratio',
      cell: p3m6At(8),
      numerator: V.p3m6.at('mutex', 0.99),
      denominator: V.p3m6.at('atomic', 0.99),
    },
    alsoAt: p3m6Also,
    whyDifferent: 'a JS Mutex costs only a few atomic operations when it does not park, and JS atomics are all SeqCst',
  },
  // ---- Harness targets (benches/kit.ts, benches/locks-micro.ts), not the chapter's ----------------------------
  {
    id: 'kit-numbers',
    source: 'kit',
    origin: 'harness',
    text: 'kit channel (f64 codec) vs postMessage, one number per message',
    claim: c('≥ 15x'),
    workload: 'chapter',
    requiredThreads: 2,
    measure: {
      kind: 'ratio',
      cell: CELL.transport,
      numerator: V.transport.postNumbers,
      denominator: V.transport.kitF64,
    },
    whyDifferent:
      'a blocking hand-off per message costs a wake-up when the consumer parks (~50 µs on a VM); batches avoid it',
  },
  {
    id: 'kit-records',
    source: 'kit',
    origin: 'harness',
    text: 'kit channel (record codec) vs postMessage of ~100-byte objects',
    claim: c('≥ 5x'),
    workload: 'chapter',
    requiredThreads: 2,
    measure: {
      kind: 'ratio',
      cell: CELL.transport,
      numerator: V.transport.postRecords,
      denominator: V.transport.kitRecord,
    },
    whyDifferent: 'string fields are still encoded per message',
  },
  {
    id: 'kit-cloneable',
    source: 'kit',
    origin: 'harness',
    text: 'kit channel (default structured codec) vs postMessage of the same objects',
    claim: c('≥ 1.5x'),
    workload: 'chapter',
    requiredThreads: 2,
    measure: {
      kind: 'ratio',
      cell: CELL.transport,
      numerator: V.transport.postRecords,
      denominator: V.transport.kitStructured,
    },
    whyDifferent: 'the structured codec serializes each object (JSON fast path) much like postMessage does',
  },
  {
    id: 'pipeline-process',
    source: 'kit',
    origin: 'harness',
    text: 'the pipeline command as a whole process, threaded (its default) vs --single-threaded, real-format logs',
    claim: c('≥ 1.3x'),
    workload: 'chapter',
    requiredThreads: 2,
    measure: { kind: 'ratio', cell: CELL.logs, numerator: V.logs.processSingle, denominator: V.logs.processThreaded },
    fullOnly: 'the pipeline command as whole processes',
    whyDifferent:
      'each run pays Node start-up and a parser thread\u2019s start and JIT warm-up that one thread does not; the per-line parse is shared by both',
  },
  {
    id: 'images-process',
    source: 'kit',
    origin: 'harness',
    text: 'the images command as a whole process, its default vs one worker thread, real photos',
    claim: c('≥ 1.8x'),
    workload: 'chapter',
    requiredThreads: 2,
    measure: { kind: 'ratio', cell: CELL.images, numerator: V.images.processOne, denominator: V.images.processDefault },
    fullOnly: 'the images command as whole processes',
    whyDifferent:
      'start-up is paid by both sides and bounds the ratio on a small batch; in one process libvips work does not scale past ~1.5x, hence worker processes',
  },
  {
    id: 'kit-v8-mutex',
    source: 'kit',
    origin: 'harness',
    text: 'kit Mutex at least as fast as V8\u2019s Atomics.Mutex, 2 threads contending',
    claim: c('≥ 0.9x'),
    workload: (p) =>
      v8MutexOps(p) === 1_000_000
        ? 'chapter'
        : { changed: `2 threads × ${count(v8MutexOps(p))} increments (the harness: 1,000,000, as --full runs)` },
    requiredThreads: 2,
    measure: { kind: 'ratio', cell: CELL.v8mutex, numerator: V.v8mutex.v8, denominator: V.v8mutex.kit },
    whyDifferent: 'V8\u2019s native lock avoids the JS-level spin and guard objects',
  },
];

/** A claim's cell id with the per-machine placeholder (`tM4`: the P3 m4 thread count) filled in. */
export function resolveCell(cell: string, cores: number): string {
  return cell.replace('/tM4', `/t${perOpThreads(cores)}`);
}
