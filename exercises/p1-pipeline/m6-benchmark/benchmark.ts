// generated from solutions/p1-pipeline/m6-benchmark/benchmark.ts (npm run exercises -- generate); students edit this copy
/**
 * Channels against shared state: the same job done two ways, so that the difference can be measured.
 *
 * The job: `numWorkers` threads produce `numLogs` log entries between them, and every entry must end up
 * collected in one place.
 *   - channel: each worker sends its entries down one channel (many senders, one receiver); the collecting
 *     thread keeps them. Workers never wait for each other, only for room in the channel.
 *   - shared state: each worker locks one `Mutex<SharedVec<LogEntry>>` per entry and pushes it. Every push
 *     queues for the same lock.
 *
 * Workers are started and held at a barrier before the clock starts, so thread start-up is not measured. Each
 * entry's timestamp field carries its sequence number, so the checksum proves every entry arrived exactly once.
 */
import { Barrier } from '#kit/barrier.ts';
import { channel, type Sender, syncChannel } from '#kit/channel.ts';
import { Mutex } from '#kit/mutex.ts';
import { SharedVec } from '#kit/shared-data.ts';
import { defineThread, spawn } from '#kit/thread.ts';
import { LOG_LEVELS, type LogEntry, logEntryCodec } from '../m1-mpsc/log-entry.ts';
import { todo } from '#kit/todo.ts';

export interface BenchmarkRun {
  readonly elapsedMs: number;
  /** Entries that arrived at the collector. */
  readonly entries: number;
  /** Sum of the sequence numbers that arrived: numLogs·(numLogs−1)/2 when each arrived exactly once. */
  readonly checksum: number;
}

export interface ComparisonRow {
  readonly threads: number;
  readonly channel: BenchmarkRun;
  readonly mutex: BenchmarkRun;
  /** Entries per second, each way, and how many times faster the channel version was. */
  readonly channelPerSecond: number;
  readonly mutexPerSecond: number;
  readonly speedup: number;
}

/** Entry number `seq`: its timestamp is the sequence number (see the header). */
export function makeEntry(seq: number): LogEntry {
  return {
    timestamp: seq,
    level: LOG_LEVELS[seq % LOG_LEVELS.length]!,
    message: `request ${seq} handled`,
    source: `worker-${seq % 16}`,
  };
}

/** The share of `numLogs` that worker `index` of `numWorkers` produces: [first, end). */
export function shareOf(numLogs: number, numWorkers: number, index: number): [first: number, end: number] {
  todo('p1/m6', 'shareOf');
}

export const channelProducer = defineThread(
  import.meta.url,
  'channelProducer',
  (tx: Sender<LogEntry>, start: Barrier, first: number, end: number): void => {
    todo('p1/m6', 'channelProducer');
  },
);

export const mutexProducer = defineThread(
  import.meta.url,
  'mutexProducer',
  (shared: Mutex<SharedVec<LogEntry>>, start: Barrier, done: Sender<number>, first: number, end: number): void => {
    todo('p1/m6', 'mutexProducer');
  },
);

/** The channel version; the calling thread is the collector. Blocks until every entry has arrived. */
export function benchmarkChannelPipeline(numLogs: number, numWorkers: number): BenchmarkRun {
  todo('p1/m6', 'benchmarkChannelPipeline');
}

/** The shared-state version. Blocks until every worker has pushed its share and the collector has read it all. */
export function benchmarkSharedState(numLogs: number, numWorkers: number): BenchmarkRun {
  todo('p1/m6', 'benchmarkSharedState');
}

/** Both versions at each thread count, channel first. */
export function runComparison(numLogs: number, threadCounts: readonly number[]): ComparisonRow[] {
  todo('p1/m6', 'runComparison');
}
