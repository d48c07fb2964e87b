/**
 * The one registry of what the runner measures: every cell kind, the suite it belongs to, the variants its child
 * process reports and the series it samples, and builders for cell ids. Cells (cells/*.ts), the plan
 * (suites.ts), claims (claims.ts) and the report's tables and charts name variants only through the constants
 * here, so a renamed variant is a compile error rather than a "—" in a full run. registry.test.ts checks every
 * claim's variants against `variantsOf` and the committed sample report's variants against the same function.
 *
 * Variant names are the keys of report.json's samples: changing one makes older reports incomparable for that
 * variant (--compare lists it as "not in the earlier report").
 */
import type { ParamValue, SuiteName } from './types.ts';

const pct = (r: number): string => `${Math.round(r * 100)}%`;

/** Variants of each kind. Parametric ones are functions of the cell's parameters. */
export const V = {
  p1m6: { channel: 'channel', mutex: 'mutex' },
  transport: {
    postNumbers: 'postMessage numbers',
    kitF64: 'kit f64',
    kitF64Batches: 'kit f64 ×256 batches',
    postRecords: 'postMessage records',
    kitRecord: 'kit record codec',
    kitRecordBatches: 'kit record ×64 batches',
    kitStructured: 'kit structured codec',
  },
  pipeline: {
    sequentialUneven: 'sequential 2:1:1',
    pipelinedUneven: 'pipelined 2:1:1',
    sequentialEqual: 'sequential 1:1:1',
    pipelinedEqual: 'pipelined 1:1:1',
    latencyEqual: 'latency 1:1:1',
  },
  backpressure: {
    blockedSendWithSpawn: 'blocked send (capacity 2)',
    blockedSend: 'blocked send, consumer already running',
    unboundedGrowth: 'unbounded growth',
    unboundedEnd: 'unbounded length at end',
    boundedEnd: 'bounded length at end',
    boundedRate: 'bounded producer/consumer rate',
  },
  p3m6: {
    at: (kind: 'mutex' | 'rwlock' | 'atomic', readRatio: number): string => `${kind} @${pct(readRatio)}`,
    mutexPerOp: 'mutex increment per op',
    rwlockPerOp: 'rwlock read per op',
    atomicPerOp: 'atomic increment per op',
  },
  v8mutex: { kit: 'kit Mutex, 2 threads', v8: 'Atomics.Mutex, 2 threads' },
  sweep: {
    sequential: 'sequential',
    pool: 'pool',
    freshPool: 'pool, fresh per run (m6 benchmarkThreadPool)',
    kitPool: 'kit pool',
    piscina: 'piscina',
    p2m1Eight: '8 × 100 ms on 4 workers',
  },
  spawn: {
    spawnJoin: 'thread spawn + join',
    spawnPerTask: 'spawn per task, per task',
    referencePool: 'reference pool, per task',
    kitPool: 'kit pool, per task',
    piscina: 'piscina, per task',
  },
  logs: {
    baseline: 'pipeline command, single-threaded baseline',
    cold: 'pipeline command, threads started per run',
    warm: 'pipeline command, threads kept',
    processSingle: 'pipeline command as a process, --single-threaded',
    processThreaded: 'pipeline command as a process, threaded (default)',
  },
  images: {
    sequential: 'photos, one by one on the main thread',
    pool: 'photos, reference pool',
    twoInFlight: 'photos, main thread, 2 in flight',
    processOne: 'images command as a process, 1 worker thread',
    processDefault: 'images command as a process, default',
  },
  micro: {
    channel: 'channel send + recv',
    mutex: 'Mutex lock + unlock',
    mutexWithLock: 'Mutex withLock',
    rwlock: 'RwLock read + unlock',
    atomicsAdd: 'Atomics.add',
    atomicU32: 'AtomicU32 fetchAdd',
    v8Mutex: 'Atomics.Mutex lock (V8)',
  },
  threads: {
    pingPong: 'ping-pong round trip',
    corePingPong: 'core-to-core round trip',
    idleCpu: 'parked receiver CPU',
    kitStartup: 'kit thread start-up',
    plainStartup: 'plain ESM worker start-up',
  },
} as const;

/** Series (time → value) sampled by a kind. */
export const S = {
  backpressure: {
    unbounded: 'unbounded queue length',
    bounded: 'bounded queue length',
    unboundedMemory: 'unbounded process memory (MB)',
    boundedMemory: 'bounded process memory (MB)',
  },
} as const;

/** Prefix of the --target tree's variants. */
export const TARGET_PREFIX = 'target:';

export type CellKind =
  | 'p1m6'
  | 'transport'
  | 'pipeline'
  | 'backpressure'
  | 'p3m6'
  | 'v8mutex'
  | 'sleep'
  | 'cpu'
  | 'spawn'
  | 'images'
  | 'logs'
  | 'micro'
  | 'threads';

export interface KindDef {
  readonly suite: SuiteName;
  /** Which parameters a cell of this kind takes. */
  readonly params: readonly string[];
  /** Every variant a cell of this kind with these parameters may report (reference names). */
  readonly variants: (params: Readonly<Record<string, ParamValue>>) => readonly string[];
  readonly series?: readonly string[];
}

const all = (o: Record<string, unknown>): string[] =>
  Object.values(o).filter((v): v is string => typeof v === 'string');

export const KINDS: Readonly<Record<CellKind, KindDef>> = {
  p1m6: { suite: 'channels', params: ['threads', 'entries'], variants: () => all(V.p1m6) },
  transport: { suite: 'channels', params: ['numbers', 'records'], variants: () => all(V.transport) },
  pipeline: { suite: 'channels', params: ['stageMs', 'messages'], variants: () => all(V.pipeline) },
  backpressure: {
    suite: 'channels',
    params: ['windowMs'],
    variants: () => all(V.backpressure),
    series: all(S.backpressure),
  },
  p3m6: {
    suite: 'locks',
    params: ['threads', 'ops', 'ratios', 'perOp'],
    variants: (p) => [
      ...(p['ratios'] as readonly number[]).flatMap((r) =>
        (['mutex', 'rwlock', 'atomic'] as const).map((k) => V.p3m6.at(k, r)),
      ),
      ...(p['perOp'] === true ? [V.p3m6.mutexPerOp, V.p3m6.rwlockPerOp, V.p3m6.atomicPerOp] : []),
    ],
  },
  v8mutex: { suite: 'locks', params: ['ops'], variants: () => all(V.v8mutex) },
  sleep: {
    suite: 'pool',
    params: ['workers', 'taskMs', 'tasks', 'p2m1', 'freshPool', 'piscina', 'kitPool'],
    variants: (p) => [
      V.sweep.sequential,
      V.sweep.pool,
      ...(p['freshPool'] === true ? [V.sweep.freshPool] : []),
      ...(p['kitPool'] === true ? [V.sweep.kitPool] : []),
      ...(p['piscina'] === true ? [V.sweep.piscina] : []),
      ...(p['p2m1'] === true ? [V.sweep.p2m1Eight] : []),
    ],
  },
  cpu: {
    suite: 'pool',
    params: ['workers', 'taskMs', 'tasks', 'piscina', 'kitPool'],
    variants: (p) => [
      V.sweep.sequential,
      V.sweep.pool,
      ...(p['kitPool'] === true ? [V.sweep.kitPool] : []),
      ...(p['piscina'] === true ? [V.sweep.piscina] : []),
    ],
  },
  spawn: { suite: 'pool', params: ['workers', 'spawnTasks', 'tinyTasks'], variants: () => all(V.spawn) },
  images: {
    suite: 'pool',
    params: ['workers', 'copies', 'wholeProcess'],
    variants: (p) =>
      p['wholeProcess'] === true ? all(V.images) : [V.images.sequential, V.images.pool, V.images.twoInFlight],
  },
  logs: { suite: 'channels', params: ['lines', 'workers', 'warmUps'], variants: () => all(V.logs) },
  micro: { suite: 'kit', params: ['minCpuNs'], variants: () => all(V.micro) },
  threads: { suite: 'kit', params: ['roundTrips', 'startups', 'idleMs'], variants: () => all(V.threads) },
};

/** Cell ids, as claims and tables name them: `<suite>:<id>`. */
export const CELL = {
  p1m6: (threads: number) => `channels:p1m6/t${threads}`,
  transport: 'channels:transport',
  pipeline: 'channels:pipeline',
  backpressure: 'channels:backpressure',
  p3m6: (threads: number) => `locks:p3m6/t${threads}`,
  /** The P3 m4 per-operation cell: its thread count depends on the machine, filled in by claims.resolveCell. */
  p3m4: 'locks:p3m6/tM4',
  v8mutex: 'locks:v8mutex',
  sleep: (taskMs: number, workers: number) => `pool:sleep/d${taskMs}/w${workers}`,
  cpu: (taskMs: number, workers: number) => `pool:cpu/d${taskMs}/w${workers}`,
  spawn: 'pool:spawn',
  images: 'pool:images',
  logs: 'channels:logs',
  micro: 'kit:micro',
  threads: 'kit:threads',
} as const;

/** Every variant a cell may report, including the --target tree's. */
export function variantsOf(kind: string, params: Readonly<Record<string, ParamValue>>): string[] {
  const def = (KINDS as Record<string, KindDef | undefined>)[kind];
  if (!def) throw new RangeError(`unknown cell kind '${kind}'`);
  const own = def.variants(params);
  return [...own, ...own.map((v) => `${TARGET_PREFIX}${v}`)];
}
