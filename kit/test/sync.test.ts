import { describe, expect, test } from 'vitest';
import { AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64, Ordering } from '../atomic.ts';
import { Barrier } from '../barrier.ts';
import { i32, record } from '../codec.ts';
import { Condvar } from '../condvar.ts';
import { LockTimeoutError, Mutex, type MutexGuard, PoisonError, WouldBlockError } from '../mutex.ts';
import { RwLock, type RwLockReadGuard } from '../rwlock.ts';
import { SharedF64Array, SharedI32Array, SharedStruct, SharedVec } from '../shared-data.ts';
import { type JoinHandle, sleepAsync, spawn } from '../thread.ts';
import {
  atomicIncrement,
  barrierRounds,
  casIncrement,
  cvConsume,
  cvProduce,
  cvWaitForFlag,
  holdAndDie,
  holdWriteOrRead,
  leakGuard,
  makeCounter,
  type LogEntry,
  lockAndReport,
  mutexIncrement,
  pushEntries,
  rwReader,
  rwStarvedWriter,
  rwWriter,
  structIncrement,
  throwWhileHolding,
  tryLockFromThread,
  unsyncIncrement,
  writeOnce,
} from './sync-bodies.ts';

const logEntry = record({ thread: 'u32', seq: 'u32', level: { enum: ['info', 'warn', 'error'] }, message: 'string' });

/** Poll (without blocking the event loop) until `condition` holds; fails after a generous limit. */
async function until(condition: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > limitMs) throw new Error(`timed out waiting until ${what}`);
    await sleepAsync(2);
  }
}

async function joinAll<R>(handles: Array<JoinHandle<R>>): Promise<R[]> {
  return Promise.all(handles.map((h) => h.joinAsync()));
}

/** Lock on the main thread and take the guard even if the mutex is poisoned; reports which it was. */
async function lockRecovering<T extends SharedI32Array>(
  m: Mutex<T>,
): Promise<{ guard: MutexGuard<T>; poisoned: boolean }> {
  try {
    return { guard: await m.lockAsync(), poisoned: false };
  } catch (error) {
    if (!(error instanceof PoisonError)) throw error;
    return { guard: error.intoInner() as MutexGuard<T>, poisoned: true };
  }
}

describe('Mutex', () => {
  test('4 threads × 250k increments under a Mutex give the exact total', async () => {
    const counter = new Mutex(new SharedI32Array(1));
    const threads = [0, 1, 2, 3].map(() => spawn(mutexIncrement, counter, 250_000));
    expect(await joinAll(threads)).toEqual([250_000, 250_000, 250_000, 250_000]);
    using guard = await counter.lockAsync();
    expect(guard.value.get(0)).toBe(1_000_000);
    expect(counter.isPoisoned()).toBe(false);
  });

  test('an unsynchronized shared counter can lose updates (it never gains any)', async () => {
    const counter = new SharedI32Array(1);
    await joinAll([spawn(unsyncIncrement, counter, 1_000_000), spawn(unsyncIncrement, counter, 1_000_000)]);
    const total = counter.get(0);
    // Lost updates are likely but not certain (the threads may not overlap), so only bounds that always hold are
    // asserted. Even the lower one is not 1,000,000: with the worst interleaving, two threads end at 2.
    expect(total).toBeLessThanOrEqual(2_000_000);
    expect(total).toBeGreaterThanOrEqual(2);
  });

  test('a guard gives access while held, and none after unlock or the end of its using block', async () => {
    const m = new Mutex(new SharedI32Array([5]));
    let escaped: MutexGuard<SharedI32Array>;
    {
      using guard = await m.lockAsync();
      escaped = guard;
      expect(guard.value.get(0)).toBe(5);
      expect(m.isLocked()).toBe(true);
    }
    expect(m.isLocked()).toBe(false);
    expect(() => escaped.value).toThrow(/released/);
    const guard = m.lock(); // uncontended: fine on the main thread
    guard.unlock();
    guard.unlock(); // idempotent
    expect(m.isLocked()).toBe(false);
  });

  test('withLock refuses an async callback, which would outlive the lock', async () => {
    const m = new Mutex(new SharedI32Array(1));
    expect(() => m.withLock(async () => {})).toThrow(/withLockAsync/);
    expect(m.isLocked()).toBe(false);
    expect(m.isPoisoned()).toBe(false);
    expect(await m.withLockAsync(async (cells) => cells.get(0) + 1)).toBe(1);
  });

  test('locking twice from one thread throws instead of deadlocking', () => {
    const m = new Mutex();
    using _guard = m.lock();
    expect(() => m.lock()).toThrow(/not reentrant/);
  });

  test('tryLock and lockTimeout report a held lock as values', async () => {
    const m = new Mutex();
    {
      using _guard = await m.lockAsync();
      const held = m.tryLock();
      expect(held.ok).toBe(false);
      if (!held.ok) expect(held.error).toBeInstanceOf(WouldBlockError);
      expect(await spawn(tryLockFromThread, m).joinAsync()).toEqual({
        tryLock: 'WouldBlockError',
        lockTimeout: 'LockTimeoutError',
      });
      const start = performance.now();
      const timed = await m.lockTimeoutAsync(40);
      expect(timed.ok).toBe(false);
      if (!timed.ok) expect(timed.error).toBeInstanceOf(LockTimeoutError);
      expect(performance.now() - start).toBeGreaterThanOrEqual(30);
    }
    expect(await spawn(tryLockFromThread, m).joinAsync()).toEqual({ tryLock: 'acquired', lockTimeout: 'acquired' });
    const free = m.tryLock();
    expect(free.ok).toBe(true);
    if (free.ok) free.value.unlock();
  });

  test('concurrent lockAsync calls on the main thread queue behind each other', async () => {
    const m = new Mutex(new SharedI32Array(1));
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        using guard = await m.lockAsync();
        order.push(`${name}+`);
        guard.value.array[0]!++;
        await sleepAsync(5);
        order.push(`${name}-`);
      }),
    );
    // Each critical section ends before the next begins.
    for (let i = 0; i < order.length; i += 2) expect(order[i]!.slice(0, 1)).toBe(order[i + 1]!.slice(0, 1));
    expect(m.withLock((cells) => cells.get(0))).toBe(3);
  });

  test('a Mutex is shared like an Arc: created in one thread, returned, and passed on to others', async () => {
    const { counter, flag } = await spawn(makeCounter, 10).joinAsync();
    expect(flag.load()).toBe(true);
    await joinAll([spawn(mutexIncrement, counter, 1_000), spawn(mutexIncrement, counter, 1_000)]);
    expect(counter.withLock((cells) => cells.get(0))).toBe(2_010);
  });

  test('Mutex<SharedStruct> from 4 threads keeps both fields exact', async () => {
    const stats = new Mutex(new SharedStruct({ count: 'i32', total: 'f64' }));
    await joinAll([0, 1, 2, 3].map(() => spawn(structIncrement, stats, 20_000)));
    expect(await stats.withLockAsync((s) => s.snapshot())).toEqual({ count: 80_000, total: 40_000 });
  });

  test('Mutex<SharedVec<LogEntry>>: 4 threads append 1,000 records each, none lost or torn', async () => {
    const log = new Mutex(new SharedVec(logEntry, { initialBytes: 1024 }));
    await joinAll([0, 1, 2, 3].map((t) => spawn(pushEntries, log, t, 1_000)));
    using guard = await log.lockAsync();
    const entries: LogEntry[] = guard.value.toArray();
    expect(entries).toHaveLength(4_000);
    for (let t = 0; t < 4; t++) {
      const mine = entries.filter((e) => e.thread === t);
      // Each thread's records appear in its own order.
      expect(mine.map((e) => e.seq)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
      expect(mine[10]).toEqual({ thread: t, seq: 10, level: 'warn', message: `thread ${t} entry 10 ✓` });
    }
  });

  describe('poisoning', () => {
    test('a holder that throws inside withLock poisons; later lockers get the data through PoisonError', async () => {
      const m = new Mutex(new SharedI32Array([1]));
      await expect(spawn(throwWhileHolding, m).joinAsync()).rejects.toThrow(/failed halfway/);
      expect(m.isPoisoned()).toBe(true);
      const error = await m.lockAsync().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PoisonError);
      {
        using guard = (error as PoisonError<MutexGuard<SharedI32Array>>).intoInner();
        expect(guard.value.get(0)).toBe(-1); // the half-done update is visible
        guard.value.set(0, 1); // repaired
      }
      expect(() => m.withLock(() => 'never runs')).toThrow(PoisonError);
      expect(m.isLocked()).toBe(false); // withLock released the lock it refused to use
      m.clearPoison();
      expect(m.withLock((cells) => cells.get(0))).toBe(1);
    });

    test('tryLock on a poisoned mutex throws PoisonError that holds the lock until released', () => {
      const m = new Mutex(new SharedI32Array(1));
      expect(() =>
        m.withLock(() => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      let caught: unknown;
      try {
        m.tryLock();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PoisonError);
      expect(m.isLocked()).toBe(true);
      (caught as PoisonError<MutexGuard<SharedI32Array>>).release();
      expect(m.isLocked()).toBe(false);
    });

    test('a thread that calls process.exit while holding the lock does not block others, and poisons', async () => {
      const m = new Mutex(new SharedI32Array(1));
      const holding = new AtomicBool(false);
      const holder = spawn(holdAndDie, m, holding, 'exit');
      await expect(holder.joinAsync()).rejects.toThrow(/died before finishing/);
      expect(holding.load()).toBe(true);
      const { guard, poisoned } = await lockRecovering(m);
      expect(poisoned).toBe(true);
      expect(guard.value.get(0)).toBe(42);
      guard.unlock();
    });

    test('a thread whose body returns still holding a guard leaves the lock poisoned, not stuck', async () => {
      const m = new Mutex(new SharedI32Array(1));
      expect(await spawn(leakGuard, m).joinAsync()).toBe('returned holding the lock');
      const { guard, poisoned } = await lockRecovering(m);
      expect(poisoned).toBe(true);
      expect(guard.value.get(0)).toBe(11);
      guard.unlock();
    });

    test('a thread terminated while holding the lock releases a thread blocked in lock()', async () => {
      const m = new Mutex(new SharedI32Array(1));
      const holding = new AtomicBool(false);
      const holder = spawn(holdAndDie, m, holding, 'wait-for-terminate');
      await until(() => holding.load(), 'the holder has the lock');
      const started = new AtomicBool(false);
      const waiter = spawn(lockAndReport, m, started);
      await until(() => started.load(), 'the waiter is about to lock');
      await sleepAsync(20); // most likely parked in lock() by now; the result is the same either way
      await holder.terminate();
      expect(await waiter.joinAsync()).toEqual({ poisoned: true, value: 42 });
      expect(m.isPoisoned()).toBe(true);
      expect(m.isLocked()).toBe(false);
      m.clearPoison();
      expect((await spawn(lockAndReport, m, started).joinAsync()).poisoned).toBe(false);
    });
  });
});

describe('RwLock', () => {
  test('2 writers × 20k and 2 readers: exact total, and no reader ever sees a half-done write', async () => {
    const lock = new RwLock(new SharedI32Array(2));
    const stop = new AtomicBool(false);
    const reads = new AtomicI32();
    const readers = [0, 1].map(() => spawn(rwReader, lock, stop, reads, 50));
    await joinAll([spawn(rwWriter, lock, 20_000), spawn(rwWriter, lock, 20_000)]);
    stop.store(true);
    const results = await joinAll(readers);
    for (const r of results) expect(r.torn).toBe(0);
    using guard = await lock.readAsync();
    expect([guard.value.get(0), guard.value.get(1)]).toEqual([40_000, 40_000]);
  });

  test('many readers hold the lock at once; a writer excludes them', async () => {
    const lock = new RwLock(new SharedI32Array(1));
    const a = await lock.readAsync();
    const b = lock.tryRead();
    expect(b.ok).toBe(true);
    expect(lock.readerCount()).toBe(2);
    expect(lock.tryWrite().ok).toBe(false);
    const timed = await lock.writeTimeoutAsync(30);
    expect(timed.ok).toBe(false);
    expect(lock.isWriterPending()).toBe(false); // a timed-out writer lets go of its claim
    a.unlock();
    if (b.ok) b.value.unlock();
    const w = lock.tryWrite();
    expect(w.ok).toBe(true);
    if (w.ok) {
      expect(lock.tryRead().ok).toBe(false);
      expect((await lock.readTimeoutAsync(20)).ok).toBe(false);
      w.value.unlock();
    }
    expect(lock.tryRead().ok).toBe(true);
  });

  test('writer preference: once a writer waits, new readers wait behind it', async () => {
    const lock = new RwLock(new SharedI32Array(1));
    const first = await lock.readAsync();
    const writer = spawn(writeOnce, lock, 7);
    await until(() => lock.isWriterPending(), 'the writer is waiting');
    // The lock is only read-held, yet a new reader is refused: the waiting writer comes first.
    expect(lock.tryRead().ok).toBe(false);
    const late = lock.readAsync();
    first.unlock();
    expect(await writer.joinAsync()).toBe('written');
    using guard = await late;
    expect(guard.value.get(0)).toBe(7);
  });

  test('a writer is not starved by a continuous stream of overlapping readers', async () => {
    const lock = new RwLock(new SharedI32Array(2));
    const stop = new AtomicBool(false);
    const reads = new AtomicI32();
    // Two readers that always overlap: with reader preference the read count would never drop to zero.
    const readers = [0, 1].map(() => spawn(rwReader, lock, stop, reads, 20_000));
    const writer = spawn(rwStarvedWriter, lock, stop, reads, 50);
    const outcome = await writer.joinTimeoutAsync(20_000);
    stop.store(true); // release the readers even if the writer failed
    const readerResults = await joinAll(readers);
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(outcome.value.readsBefore).toBeGreaterThanOrEqual(100);
    for (const r of readerResults) expect(r.torn).toBe(0);
    expect((await lock.readAsync()).value.get(0)).toBe(50);
  });

  test('a writer that throws in withWrite poisons; a dead writer is taken over and poisons', async () => {
    const lock = new RwLock(new SharedI32Array(1));
    const flag = new AtomicBool(false);
    await expect(spawn(holdWriteOrRead, lock, 'write-throw', flag, 'release').joinAsync()).rejects.toThrow(
      /writer failed/,
    );
    expect(lock.isPoisoned()).toBe(true);
    const poisonedRead = await lock.readAsync().catch((e: unknown) => e);
    expect(poisonedRead).toBeInstanceOf(PoisonError);
    (poisonedRead as PoisonError<RwLockReadGuard<SharedI32Array>>).release(); // it held a read lock
    lock.clearPoison();

    await expect(spawn(holdWriteOrRead, lock, 'write', flag, 'exit').joinAsync()).rejects.toThrow(/died/);
    expect(lock.isWriterPending()).toBe(true); // still marked as held by the dead thread
    const error = await lock.readAsync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoisonError);
    (error as PoisonError<never>).release();
    expect(lock.isWriterPending()).toBe(false);
  });

  test('read guards held by a thread that died are dropped when a writer needs the lock', async () => {
    const lock = new RwLock(new SharedI32Array(1));
    const holding = new AtomicBool(false);
    await expect(spawn(holdWriteOrRead, lock, 'read', holding, 'exit').joinAsync()).rejects.toThrow(/died/);
    expect(lock.readerCount()).toBe(1);
    expect(await spawn(writeOnce, lock, 3).joinAsync()).toBe('written');
    expect(lock.readerCount()).toBe(0);
    expect(lock.isPoisoned()).toBe(false); // a reader cannot leave the data half-written
  });

  test('readAsync and writeAsync let the main thread share the lock with a writer thread', async () => {
    const lock = new RwLock(new SharedI32Array(2));
    const writer = spawn(rwWriter, lock, 5_000);
    let mainWrites = 0;
    for (let i = 0; i < 200; i++) {
      if (i % 10 === 0) {
        using w = await lock.writeAsync();
        w.value.array[0]!++;
        w.value.array[1]!++;
        mainWrites++;
      } else {
        using r = await lock.readAsync();
        expect(r.value.get(0)).toBe(r.value.get(1));
      }
    }
    await writer.joinAsync();
    expect(lock.withRead((cells) => cells.get(0))).toBe(5_000 + mainWrites);
  });

  test('withRead and withWrite from the main thread', () => {
    const lock = new RwLock(new SharedF64Array([1.5]));
    lock.withWrite((cells) => cells.set(0, cells.get(0) * 2));
    expect(lock.withRead((cells) => cells.get(0))).toBe(3);
    const r = lock.read();
    expect(() => lock.write()).toThrow(/deadlock/);
    r.unlock();
  });
});

describe('Condvar', () => {
  test('producer/consumer: 2 consumers take 5,000 values exactly once', async () => {
    // A lock can guard a plain object of shared values: here a queue and a "no more work" flag.
    const work = new Mutex({ queue: new SharedVec(i32), done: new AtomicBool(false) });
    const notEmpty = new Condvar();
    const consumers = [0, 1].map(() => spawn(cvConsume, work, notEmpty));
    const producer = spawn(cvProduce, work, notEmpty, 5_000);
    await producer.joinAsync();
    const results = await joinAll(consumers);
    expect(results.reduce((n, r) => n + r.count, 0)).toBe(5_000);
    expect(results.reduce((n, r) => n + r.total, 0)).toBe((5_000 * 5_001) / 2);
  });

  test('notifyAll wakes every waiter; waitWhile rechecks its condition', async () => {
    const state = new Mutex(new SharedI32Array(1));
    const changed = new Condvar();
    const waiting = new AtomicI32();
    const waiters = [0, 1, 2].map(() => spawn(cvWaitForFlag, state, changed, waiting));
    await until(() => waiting.load() === 3, 'all three are waiting');
    changed.notifyAll(); // a notification without a change: waitWhile goes back to waiting
    await sleepAsync(10);
    await state.withLockAsync((cells) => cells.set(0, 9));
    changed.notifyAll();
    expect(await joinAll(waiters)).toEqual([9, 9, 9]);
  });

  test('waitTimeout times out without a notification, and returns the guard holding the lock', async () => {
    const m = new Mutex(new SharedI32Array(1));
    const cv = new Condvar();
    const guard = await m.lockAsync();
    const start = performance.now();
    const result = await cv.waitTimeoutAsync(guard, 40);
    expect(performance.now() - start).toBeGreaterThanOrEqual(30);
    expect(result.timedOut).toBe(true);
    expect(result.guard.isHeld).toBe(true);
    expect(m.isLocked()).toBe(true);
    // The blocking form, with a condition that never becomes false.
    const blocking = cv.waitTimeoutWhile(result.guard, 20, () => true);
    expect(blocking.timedOut).toBe(true);
    blocking.guard.unlock();
  });

  test('notifyAll wakes an async waiter on the main thread and a blocking waiter in a thread', async () => {
    const state = new Mutex(new SharedI32Array(1));
    const changed = new Condvar();
    const waiting = new AtomicI32();
    const other = spawn(cvWaitForFlag, state, changed, waiting);
    const guard = await state.lockAsync();
    const waited = changed.waitWhileAsync(guard, (cells) => cells.get(0) === 0); // releases the lock while it waits
    await until(() => waiting.load() === 1, 'the other thread waits too');
    await state.withLockAsync((cells) => cells.set(0, 5));
    changed.notifyAll();
    using result = await waited;
    expect(result.isHeld).toBe(true);
    expect(result.value.get(0)).toBe(5);
    result.unlock();
    expect(await other.joinAsync()).toBe(5);
  });
});

describe('Barrier', () => {
  test('4 threads × 50 rounds: one leader per round, nobody leaves a round early', async () => {
    const barrier = new Barrier(4);
    const arrived = new AtomicI32();
    const leaders = new AtomicI32();
    const behind = await joinAll([0, 1, 2, 3].map(() => spawn(barrierRounds, barrier, arrived, leaders, 50)));
    expect(behind).toEqual([0, 0, 0, 0]);
    expect(leaders.load()).toBe(50);
    expect(arrived.load()).toBe(200);
  });

  test('the main thread can be one of the parties with waitAsync', async () => {
    const barrier = new Barrier(3);
    const arrived = new AtomicI32();
    const leaders = new AtomicI32();
    const threads = [0, 1].map(() => spawn(barrierRounds, barrier, arrived, leaders, 20));
    let behind = 0;
    for (let round = 1; round <= 20; round++) {
      arrived.fetchAdd(1);
      if ((await barrier.waitAsync()).isLeader()) leaders.fetchAdd(1);
      if (arrived.load() < round * 3) behind++;
    }
    expect([behind, ...(await joinAll(threads))]).toEqual([0, 0, 0]);
    expect(leaders.load()).toBe(20);
  });

  test('a barrier of one never blocks and always leads', async () => {
    const barrier = new Barrier(1);
    expect(barrier.wait().isLeader()).toBe(true);
    expect((await barrier.waitAsync()).isLeader()).toBe(true);
  });
});

describe('atomics', () => {
  test('fetchAdd from 4 threads gives exact totals (AtomicI32 and AtomicI64)', async () => {
    const a = new AtomicI32();
    const b = new AtomicI64();
    await joinAll([0, 1, 2, 3].map(() => spawn(atomicIncrement, a, b, 100_000)));
    expect(a.load()).toBe(400_000);
    expect(b.load(Ordering.SeqCst)).toBe(1_200_000n);
  });

  test('a compareExchange loop from 2 threads gives the exact total', async () => {
    const a = new AtomicI32();
    const retries = await joinAll([spawn(casIncrement, a, 100_000), spawn(casIncrement, a, 100_000)]);
    expect(a.load()).toBe(200_000);
    expect(retries.every((n) => n >= 0)).toBe(true);
  });

  test('compareExchange returns ok(previous) or err(actual), as Rust does', () => {
    const a = new AtomicI32(5);
    expect(a.compareExchange(5, 6, Ordering.AcqRel, Ordering.Acquire)).toEqual({ ok: true, value: 5 });
    expect(a.compareExchange(5, 7)).toEqual({ ok: false, error: 6 });
    expect(a.load()).toBe(6);
    const big = new AtomicU64(2n ** 64n - 1n);
    expect(big.compareExchange(2n ** 64n - 1n, 0n)).toEqual({ ok: true, value: 2n ** 64n - 1n });
    const flag = new AtomicBool();
    expect(flag.compareExchange(true, false)).toEqual({ ok: false, error: false });
    expect(flag.compareExchangeWeak(false, true)).toEqual({ ok: true, value: false });
  });

  test('the read-modify-write operations return the previous value and wrap at the width', () => {
    const a = new AtomicI32(0b1100);
    expect(a.swap(0b1010)).toBe(0b1100);
    expect(a.fetchAnd(0b0110)).toBe(0b1010);
    expect(a.fetchOr(0b0001)).toBe(0b0010);
    expect(a.fetchXor(0b0011)).toBe(0b0011);
    expect(a.fetchSub(1)).toBe(0);
    expect(a.load()).toBe(-1);
    a.store(2 ** 31 - 1);
    a.fetchAdd(1);
    expect(a.load()).toBe(-(2 ** 31));
    const u = new AtomicU32(0);
    expect(u.fetchSub(1)).toBe(0);
    expect(u.load()).toBe(2 ** 32 - 1);
    expect(u.fetchMax(5)).toBe(2 ** 32 - 1);
    expect(u.fetchMin(5)).toBe(2 ** 32 - 1);
    expect(u.load()).toBe(5);
    const i64 = new AtomicI64(2n ** 63n - 1n);
    i64.fetchAdd(1n);
    expect(i64.load()).toBe(-(2n ** 63n));
    expect(i64.fetchUpdate(Ordering.SeqCst, Ordering.SeqCst, (v) => (v < 0n ? -v - 1n : undefined))).toEqual({
      ok: true,
      value: -(2n ** 63n),
    });
    expect(i64.load()).toBe(2n ** 63n - 1n);
    const flag = new AtomicBool(true);
    expect(flag.fetchAnd(false)).toBe(true);
    expect(flag.fetchOr(true)).toBe(false);
    expect(flag.fetchXor(true)).toBe(true);
    expect(flag.fetchNand(true)).toBe(false);
    expect(flag.swap(false)).toBe(true);
    expect(flag.load()).toBe(false);
  });
});

describe('shared data', () => {
  test('SharedVec: push, get, set, pop, clear, iterate, and growth past its first buffer', () => {
    const vec = new SharedVec(logEntry, { initialBytes: 64 });
    for (let i = 0; i < 500; i++) vec.push({ thread: 1, seq: i, level: 'info', message: 'x'.repeat(i % 50) });
    expect(vec.length).toBe(500);
    expect(vec.get(499)).toEqual({ thread: 1, seq: 499, level: 'info', message: 'x'.repeat(499 % 50) });
    expect(vec.get(500)).toBeUndefined();
    vec.set(3, { thread: 2, seq: 3, level: 'error', message: 'a much longer message than before' });
    expect(vec.get(3)?.message).toBe('a much longer message than before');
    expect(vec.get(4)?.seq).toBe(4);
    expect(vec.pop()?.seq).toBe(499);
    expect([...vec].map((e) => e.seq).slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    vec.clear();
    expect(vec.isEmpty()).toBe(true);
    vec.push({ thread: 0, seq: 0, level: 'warn', message: '' });
    expect(vec.toArray()).toEqual([{ thread: 0, seq: 0, level: 'warn', message: '' }]);
  });

  test('SharedVec with the default structured codec holds any cloneable value', () => {
    const vec = new SharedVec<{ tags: string[]; at: Date }>();
    vec.push({ tags: ['a', 'b'], at: new Date(0) });
    expect(vec.get(0)).toEqual({ tags: ['a', 'b'], at: new Date(0) });
  });

  test('SharedStruct and the shared arrays read and write their fields', () => {
    const s = new SharedStruct({ hits: 'i32', big: 'u32', mean: 'f64' }, { hits: 2 });
    s.fields.big = 2 ** 32 - 1;
    s.fields.mean = 0.25;
    expect(s.snapshot()).toEqual({ hits: 2, big: 2 ** 32 - 1, mean: 0.25 });
    const ints = new SharedI32Array([1, 2, 3]);
    expect(() => ints.get(3)).toThrow(RangeError);
    expect(ints.length).toBe(3);
    const floats = new SharedF64Array(2);
    floats.set(1, 0.5);
    expect([...floats.array]).toEqual([0, 0.5]);
  });
});
