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
  // #region solution
  const base = Math.floor(numLogs / numWorkers);
  const extra = numLogs % numWorkers;
  const first = index * base + Math.min(index, extra);
  return [first, first + base + (index < extra ? 1 : 0)];
  // #endregion solution
}

export const channelProducer = defineThread(
  import.meta.url,
  'channelProducer',
  (tx: Sender<LogEntry>, start: Barrier, first: number, end: number): void => {
    // #region solution
    start.wait();
    for (let seq = first; seq < end; seq++) tx.send(makeEntry(seq));
    // #endregion solution
  },
);

export const mutexProducer = defineThread(
  import.meta.url,
  'mutexProducer',
  (shared: Mutex<SharedVec<LogEntry>>, start: Barrier, done: Sender<number>, first: number, end: number): void => {
    // #region solution
    start.wait();
    for (let seq = first; seq < end; seq++) {
      const entry = makeEntry(seq);
      shared.withLock((entries) => entries.push(entry));
    }
    done.send(end - first);
    // #endregion solution
  },
);

/** The channel version; the calling thread is the collector. Blocks until every entry has arrived. */
export function benchmarkChannelPipeline(numLogs: number, numWorkers: number): BenchmarkRun {
  // #region solution
  const [tx, rx] = syncChannel<LogEntry>(4096, { codec: logEntryCodec });
  const start = new Barrier(numWorkers + 1);
  const workers = Array.from({ length: numWorkers }, (_, i) =>
    spawn(channelProducer, tx.clone(), start, ...shareOf(numLogs, numWorkers, i)),
  );
  tx.close();
  start.wait();
  const began = performance.now();
  let entries = 0;
  let checksum = 0;
  for (const entry of rx) {
    entries++;
    checksum += entry.timestamp;
  }
  const elapsedMs = performance.now() - began;
  for (const worker of workers) worker.join();
  return { elapsedMs, entries, checksum };
  // #endregion solution
}

/** The shared-state version. Blocks until every worker has pushed its share and the collector has read it all. */
export function benchmarkSharedState(numLogs: number, numWorkers: number): BenchmarkRun {
  // #region solution
  const shared = new Mutex(new SharedVec(logEntryCodec));
  const start = new Barrier(numWorkers + 1);
  const [doneTx, doneRx] = channel<number>();
  const workers = Array.from({ length: numWorkers }, (_, i) =>
    spawn(mutexProducer, shared, start, doneTx.clone(), ...shareOf(numLogs, numWorkers, i)),
  );
  doneTx.close();
  start.wait();
  const began = performance.now();
  for (const _ of doneRx);
  // Read every entry once before the clock stops, as the channel version's collector does while it receives.
  let entries = 0;
  let checksum = 0;
  {
    using guard = shared.lock();
    for (const entry of guard.value) {
      entries++;
      checksum += entry.timestamp;
    }
  }
  const elapsedMs = performance.now() - began;
  for (const worker of workers) worker.join();
  return { elapsedMs, entries, checksum };
  // #endregion solution
}

/** Both versions at each thread count, channel first. */
export function runComparison(numLogs: number, threadCounts: readonly number[]): ComparisonRow[] {
  // #region solution
  return threadCounts.map((threads) => {
    const channelRun = benchmarkChannelPipeline(numLogs, threads);
    const mutexRun = benchmarkSharedState(numLogs, threads);
    const channelPerSecond = (numLogs / channelRun.elapsedMs) * 1000;
    const mutexPerSecond = (numLogs / mutexRun.elapsedMs) * 1000;
    return {
      threads,
      channel: channelRun,
      mutex: mutexRun,
      channelPerSecond,
      mutexPerSecond,
      speedup: channelPerSecond / mutexPerSecond,
    };
  });
  // #endregion solution
}
