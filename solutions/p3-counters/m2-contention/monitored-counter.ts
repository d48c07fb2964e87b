/**
 * A Mutex counter that measures its own contention: how often a thread found the lock taken, and how long
 * threads waited for it in total. The statistics are atomics, updated without taking the lock, so measuring
 * does not add to the contention being measured.
 */
import { AtomicU64 } from '#kit/atomic.ts';
import { Mutex, type MutexGuard } from '#kit/mutex.ts';
import { type Destination, registerShareable, type Shareable, share, wireOf } from '#kit/share.ts';
import { SharedF64Array } from '#kit/shared-data.ts';

/** Lock statistics; every field is shared by all threads that hold the counter. */
export class ContentionStats {
  constructor(
    /** Locks taken. */
    readonly totalLocks = new AtomicU64(0n),
    /** Locks that were held by another thread when asked for. */
    readonly contentionEvents = new AtomicU64(0n),
    /** Microseconds spent waiting for the lock, summed over all threads. */
    readonly totalWaitTimeUs = new AtomicU64(0n),
  ) {}

  /** Average wait per lock, in whole microseconds (0 before the first lock). */
  avgWaitTimeUs(): bigint {
    // #region solution
    const total = this.totalLocks.load();
    return total === 0n ? 0n : this.totalWaitTimeUs.load() / total;
    // #endregion solution
  }
}

export class MonitoredCounter implements Shareable {
  /** @internal Use `MonitoredCounter.new()`. */
  constructor(
    readonly cell: Mutex<SharedF64Array>,
    private readonly contention: ContentionStats,
  ) {}

  static new(): MonitoredCounter {
    return new MonitoredCounter(new Mutex(new SharedF64Array(1)), new ContentionStats());
  }

  /**
   * Take the lock, recording the lock, whether it was contended (a `tryLock` failed first) and how long the
   * wait lasted (µs, rounded down). The caller releases the guard.
   */
  private lockMeasured(): MutexGuard<SharedF64Array> {
    // #region solution
    const first = this.cell.tryLock();
    if (first.ok) {
      this.contention.totalLocks.fetchAdd(1n);
      return first.value;
    }
    const start = performance.now();
    const guard = this.cell.lock();
    const waitedUs = BigInt(Math.floor((performance.now() - start) * 1000));
    this.contention.totalLocks.fetchAdd(1n);
    this.contention.contentionEvents.fetchAdd(1n);
    this.contention.totalWaitTimeUs.fetchAdd(waitedUs);
    return guard;
    // #endregion solution
  }

  increment(): void {
    const guard = this.lockMeasured();
    try {
      guard.value.array[0]! += 1;
    } finally {
      guard.unlock();
    }
  }

  get(): number {
    const guard = this.lockMeasured();
    try {
      return guard.value.array[0]!;
    } finally {
      guard.unlock();
    }
  }

  stats(): ContentionStats {
    return this.contention;
  }

  clone(): MonitoredCounter {
    return new MonitoredCounter(this.cell, this.contention);
  }

  [share](destination: Destination) {
    const { totalLocks, contentionEvents, totalWaitTimeUs } = this.contention;
    return wireOf(
      'p3.MonitoredCounter',
      { cell: this.cell, totalLocks, contentionEvents, totalWaitTimeUs },
      destination,
    );
  }
}

registerShareable(
  'p3.MonitoredCounter',
  (parts) =>
    new MonitoredCounter(
      parts.cell as Mutex<SharedF64Array>,
      new ContentionStats(
        parts.totalLocks as AtomicU64,
        parts.contentionEvents as AtomicU64,
        parts.totalWaitTimeUs as AtomicU64,
      ),
    ),
);
