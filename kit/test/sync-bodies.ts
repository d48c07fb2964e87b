/** Thread bodies for the shared-state tests (sync.test.ts): locks, condvars, barriers, atomics, shared data. */
import { AtomicBool, type AtomicI32, type AtomicI64 } from '../atomic.ts';
import type { Barrier } from '../barrier.ts';
import type { Condvar } from '../condvar.ts';
import { Mutex, PoisonError } from '../mutex.ts';
import type { RwLock } from '../rwlock.ts';
import { SharedI32Array, type SharedStruct, type SharedVec } from '../shared-data.ts';
import { defineThread, sleep } from '../thread.ts';

export interface LogEntry {
  thread: number;
  seq: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export const mutexIncrement = defineThread(
  import.meta.url,
  'mutexIncrement',
  (m: Mutex<SharedI32Array>, times: number) => {
    for (let i = 0; i < times; i++) {
      using guard = m.lock();
      guard.value.array[0]!++;
    }
    return times;
  },
);

/** Creates a lock in a thread and returns it: it reaches the parent as a handle onto the same memory. */
export const makeCounter = defineThread(import.meta.url, 'makeCounter', (start: number) => {
  const counter = new Mutex(new SharedI32Array([start]));
  const flag = new AtomicBool(true);
  return { counter, flag };
});

export const structIncrement = defineThread(
  import.meta.url,
  'structIncrement',
  (m: Mutex<SharedStruct<{ count: 'i32'; total: 'f64' }>>, times: number) => {
    for (let i = 0; i < times; i++) {
      m.withLock((s) => {
        s.fields.count += 1;
        s.fields.total += 0.5;
      });
    }
  },
);

export const unsyncIncrement = defineThread(
  import.meta.url,
  'unsyncIncrement',
  (counter: SharedI32Array, times: number) => {
    const cells = counter.array;
    // A read-modify-write that is not atomic: two threads can read the same value and both store value + 1.
    for (let i = 0; i < times; i++) cells[0] = cells[0]! + 1;
  },
);

export const atomicIncrement = defineThread(
  import.meta.url,
  'atomicIncrement',
  (a: AtomicI32, b: AtomicI64, times: number) => {
    for (let i = 0; i < times; i++) {
      a.fetchAdd(1);
      b.fetchAdd(3n);
    }
  },
);

/** Increment with a compareExchange loop, counting how often another thread got in first. */
export const casIncrement = defineThread(import.meta.url, 'casIncrement', (a: AtomicI32, times: number) => {
  let retries = 0;
  for (let i = 0; i < times; i++) {
    let current = a.load();
    for (;;) {
      const result = a.compareExchange(current, current + 1);
      if (result.ok) break;
      current = result.error;
      retries++;
    }
  }
  return retries;
});

export const pushEntries = defineThread(
  import.meta.url,
  'pushEntries',
  (log: Mutex<SharedVec<LogEntry>>, thread: number, count: number) => {
    for (let seq = 0; seq < count; seq++) {
      const level = seq % 10 === 0 ? 'warn' : 'info';
      log.withLock((entries) => entries.push({ thread, seq, level, message: `thread ${thread} entry ${seq} ✓` }));
    }
  },
);

/** Take the lock, say so, then die holding it: by process.exit, or by waiting to be terminated. */
export const holdAndDie = defineThread(
  import.meta.url,
  'holdAndDie',
  (m: Mutex<SharedI32Array>, holding: AtomicBool, how: 'exit' | 'wait-for-terminate') => {
    const guard = m.lock();
    guard.value.array[0] = 42;
    holding.store(true);
    if (how === 'exit') process.exit(7);
    for (;;) sleep(1000);
  },
);

/** Returns while still holding the lock: the guard is never released (a leak Rust's drop would prevent). */
export const leakGuard = defineThread(import.meta.url, 'leakGuard', (m: Mutex<SharedI32Array>) => {
  const guard = m.lock();
  guard.value.array[0] = 11;
  return 'returned holding the lock';
});

export const throwWhileHolding = defineThread(import.meta.url, 'throwWhileHolding', (m: Mutex<SharedI32Array>) => {
  m.withLock((cells) => {
    cells.array[0] = -1; // a half-done update
    throw new Error('failed halfway through the update');
  });
});

/** Block in lock() and report what the lock said: used while the holder dies. */
export const lockAndReport = defineThread(
  import.meta.url,
  'lockAndReport',
  (m: Mutex<SharedI32Array>, started: AtomicBool) => {
    started.store(true);
    try {
      using guard = m.lock();
      return { poisoned: false, value: guard.value.array[0]! };
    } catch (error) {
      if (!(error instanceof PoisonError)) throw error;
      using guard = error.intoInner();
      return { poisoned: true, value: guard.value.array[0]! };
    }
  },
);

export const tryLockFromThread = defineThread(import.meta.url, 'tryLockFromThread', (m: Mutex) => {
  const attempt = m.tryLock();
  if (attempt.ok) attempt.value.unlock();
  const timed = m.lockTimeout(30);
  if (timed.ok) timed.value.unlock();
  return {
    tryLock: attempt.ok ? 'acquired' : attempt.error.name,
    lockTimeout: timed.ok ? 'acquired' : timed.error.name,
  };
});

// ── RwLock ───────────────────────────────────────────────────────────────────────────────────────────────────

/** The writer keeps cells[0] === cells[1] at every moment a reader can see. */
export const rwWriter = defineThread(import.meta.url, 'rwWriter', (lock: RwLock<SharedI32Array>, times: number) => {
  for (let i = 0; i < times; i++) {
    using guard = lock.write();
    const cells = guard.value.array;
    cells[0]!++;
    cells[1]!++;
  }
});

export const rwReader = defineThread(
  import.meta.url,
  'rwReader',
  (lock: RwLock<SharedI32Array>, stop: AtomicBool, reads: AtomicI32, holdIterations: number) => {
    let torn = 0;
    let count = 0;
    let sink = 0;
    while (!stop.load()) {
      using guard = lock.read();
      const cells = guard.value.array;
      const first = cells[0]!;
      for (let i = 0; i < holdIterations; i++) sink += i & 1;
      if (cells[1] !== first) torn++;
      count++;
      reads.fetchAdd(1);
    }
    return { torn, count, sink };
  },
);

/**
 * Writer against a stream of overlapping readers: returns how many writes it made and how many reads the readers
 * had completed before its first and after its last write.
 */
export const rwStarvedWriter = defineThread(
  import.meta.url,
  'rwStarvedWriter',
  (lock: RwLock<SharedI32Array>, stop: AtomicBool, reads: AtomicI32, writes: number) => {
    while (reads.load() < 100) sleep(1);
    const readsBefore = reads.load();
    for (let i = 0; i < writes; i++) {
      using guard = lock.write();
      guard.value.array[0]!++;
      guard.value.array[1]!++;
    }
    const readsAfter = reads.load();
    stop.store(true);
    return { readsBefore, readsAfter };
  },
);

export const holdWriteOrRead = defineThread(
  import.meta.url,
  'holdWriteOrRead',
  (
    lock: RwLock<SharedI32Array>,
    mode: 'write' | 'read' | 'write-throw',
    holding: AtomicBool,
    then: 'exit' | 'release',
  ) => {
    if (mode === 'write-throw') {
      lock.withWrite((cells) => {
        cells.array[0] = 99;
        throw new Error('writer failed');
      });
    }
    const guard = mode === 'write' ? lock.write() : lock.read();
    holding.store(true);
    if (then === 'exit') process.exit(3);
    while (holding.load()) sleep(1);
    guard.unlock();
  },
);

export const writeOnce = defineThread(import.meta.url, 'writeOnce', (lock: RwLock<SharedI32Array>, value: number) => {
  using guard = lock.write();
  guard.value.array[0] = value;
  return 'written';
});

// ── Condvar and Barrier ──────────────────────────────────────────────────────────────────────────────────────

export type WorkQueue = Mutex<{ queue: SharedVec<number>; done: AtomicBool }>;

/** Producer: pushes 1..count, then raises `done`. */
export const cvProduce = defineThread(
  import.meta.url,
  'cvProduce',
  (work: WorkQueue, notEmpty: Condvar, count: number) => {
    for (let i = 1; i <= count; i++) {
      work.withLock(({ queue }) => queue.push(i));
      notEmpty.notifyOne();
    }
    work.withLock(({ done }) => done.store(true));
    notEmpty.notifyAll();
  },
);

/** Consumer: takes values until the queue is empty and `done` is raised; returns their sum and count. */
export const cvConsume = defineThread(import.meta.url, 'cvConsume', (work: WorkQueue, notEmpty: Condvar) => {
  let total = 0;
  let count = 0;
  for (;;) {
    using guard = notEmpty.waitWhile(work.lock(), ({ queue, done }) => queue.isEmpty() && !done.load());
    const value = guard.value.queue.pop();
    if (value === undefined) return { total, count };
    total += value;
    count++;
  }
});

export const cvWaitForFlag = defineThread(
  import.meta.url,
  'cvWaitForFlag',
  (state: Mutex<SharedI32Array>, changed: Condvar, waiting: AtomicI32) => {
    using guard = state.lock();
    waiting.fetchAdd(1);
    changed.waitWhile(guard, (cells) => cells.array[0] === 0);
    return guard.value.array[0]!;
  },
);

export const barrierRounds = defineThread(
  import.meta.url,
  'barrierRounds',
  (barrier: Barrier, arrived: AtomicI32, leaders: AtomicI32, rounds: number) => {
    const parties = barrier.parties;
    let behind = 0;
    for (let round = 1; round <= rounds; round++) {
      arrived.fetchAdd(1);
      if (barrier.wait().isLeader()) leaders.fetchAdd(1);
      // Everyone of this round has arrived before anyone leaves it.
      if (arrived.load() < round * parties) behind++;
    }
    return behind;
  },
);
