/**
 * owner-lock's wake-up protocol (WAKING): a release notifies one registered waiter and marks the wake-up as
 * pending; releases skip the notify while it is pending; the mark goes when the woken waiter returns from its
 * sleep or leaves, or at once if the notify found nobody asleep. Sleepers are registered with Atomics.waitAsync on
 * this thread, so every step is deterministic: a skipped notify can only show as a timed-out wait.
 */
import { describe, expect, test } from 'vitest';
import { OWNER, releaseFast, release, tryAcquire, WAITERS, WAKING } from '../internal/owner-lock.ts';
import { Mutex } from '../mutex.ts';
import { SharedI32Array } from '../shared-data.ts';
import { spawn } from '../thread.ts';
import { mutexIncrement } from './sync-bodies.ts';

const words = () => new Int32Array(new SharedArrayBuffer(8));

describe.each([
  ['release', release],
  ['releaseFast', releaseFast],
] as const)('%s', (_, releaseLock) => {
  test('with a waiter asleep: notifies it and marks the wake-up pending', async () => {
    const w = words();
    expect(tryAcquire(w, 0)).toBe(true);
    w[WAITERS] = 1;
    const sleeper = Atomics.waitAsync(w, OWNER, w[OWNER]!, 5000);
    expect(sleeper.async).toBe(true);
    releaseLock(w, 0);
    expect(await sleeper.value).toBe('ok');
    expect(w[WAITERS]).toBe(1 | WAKING);
  });

  test('while a wake-up is pending: does not notify again', async () => {
    const w = words();
    expect(tryAcquire(w, 0)).toBe(true);
    w[WAITERS] = 2 | WAKING;
    const sleeper = Atomics.waitAsync(w, OWNER, w[OWNER]!, 100);
    releaseLock(w, 0);
    expect(await sleeper.value).toBe('timed-out');
    expect(w[WAITERS]).toBe(2 | WAKING);
  });

  test('with waiters registered but none asleep yet: no wake-up is left pending', () => {
    const w = words();
    expect(tryAcquire(w, 0)).toBe(true);
    w[WAITERS] = 1;
    releaseLock(w, 0);
    expect(w[OWNER]).toBe(0);
    expect(w[WAITERS]).toBe(1);
  });

  test('with no waiter: touches nothing but OWNER', () => {
    const w = words();
    expect(tryAcquire(w, 0)).toBe(true);
    releaseLock(w, 0);
    expect([w[OWNER], w[WAITERS]]).toEqual([0, 0]);
  });
});

test('waiters that slept and took the lock leave no count and no pending wake-up behind (4 threads, contended)', async () => {
  for (let round = 0; round < 5; round++) {
    const mutex = new Mutex(new SharedI32Array(1));
    const guard = mutex.lock();
    const threads = Array.from({ length: 4 }, () => spawn(mutexIncrement, mutex, 20_000));
    // Held long enough for the threads to give up spinning and sleep on OWNER.
    await new Promise((resolve) => setTimeout(resolve, 20));
    guard.unlock();
    await Promise.all(threads.map((t) => t.joinAsync()));
    expect(mutex.withLock((c) => c.get(0))).toBe(80_000);
    const ctl = (mutex as unknown as { ctl: Int32Array }).ctl;
    expect(ctl[WAITERS]).toBe(0);
  }
});
