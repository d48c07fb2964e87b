import { describe, expect, test } from 'vitest';
import { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
import { channel } from '#kit/channel.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { type JoinHandle, spawn } from '#kit/thread.ts';
import { Counter } from '../m1-mutex-counter/counter.ts';
import { audit, holdLock, transferMany, transferUntilStopped, tryTransferOnce } from './checkpoint-threads.ts';
import { transfer, tryTransferWithTimeout } from './transfer.ts';

function funded(amount: number): Counter {
  const counter = Counter.new();
  counter.add(amount);
  return counter;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Join every thread, allowing each 5 s once its work is over: a thread still waiting then is stuck on a lock
 * for good (a deadlock); it is stopped, and the test fails saying so.
 */
async function joinAll<T>(handles: ReadonlyArray<JoinHandle<T>>): Promise<T[]> {
  const out: T[] = [];
  for (const handle of handles) {
    const result = await handle.joinTimeoutAsync(5000);
    if (!result.ok) {
      await Promise.all(handles.map((h) => h.terminate()));
      throw new Error(
        `thread '${handle.thread.name}' still waits for a lock 5 s after its work ended: the transfers deadlocked`,
      );
    }
    out.push(result.value);
  }
  return out;
}

/**
 * Transfers between `a` and `b` in both directions (one thread per [from→to amount]) racing for `ms`, with an
 * auditor thread that holds both locks and checks the total all the while. Returns the net amount moved from
 * `a` to `b`, what the auditor saw, and the per-thread results.
 */
async function raceTransfers(
  a: Counter,
  b: Counter,
  amounts: readonly number[],
  useTimeout: boolean,
  ms: number,
  auditing = true,
) {
  const total = a.get() + b.get();
  const gate = new Barrier(amounts.length + 1 + (auditing ? 1 : 0));
  const stop = new AtomicBool(false);
  const beats = new SharedI32Array(amounts.length + 1);
  const movers = amounts.map((amount, i) =>
    amount > 0
      ? spawn(transferUntilStopped, a.clone(), b.clone(), amount, useTimeout, gate, stop, beats, i)
      : spawn(transferUntilStopped, b.clone(), a.clone(), -amount, useTimeout, gate, stop, beats, i),
  );
  const auditor = auditing ? spawn(audit, a.clone(), b.clone(), total, gate, stop) : undefined;
  await gate.waitAsync();
  const started = performance.now();
  await pause(ms);
  // Until the movers have been seen running at the same moment often enough: a busy machine takes longer, and the
  // race lasts as long as it takes while the movers make progress. It ends early when no mover has moved for 2 s
  // (movers that deadlocked never move again) or as soon as a mover has ended (it threw: movers run until stopped,
  // so it adds no more beats), and after 6 s in any case.
  let beat = -1;
  let lastMove = performance.now();
  while (
    Atomics.load(beats.array, amounts.length) < 1000 &&
    performance.now() - started < 6000 &&
    !movers.some((mover) => mover.isFinished())
  ) {
    await pause(10);
    let sum = 0;
    for (let i = 0; i < amounts.length; i++) sum += Atomics.load(beats.array, i);
    if (sum !== beat) [beat, lastMove] = [sum, performance.now()];
    else if (performance.now() - lastMove > 2000) break;
  }
  stop.store(true);
  const results = await joinAll(movers);
  const [seen] = auditor === undefined ? [{ looks: 0, bad: undefined }] : await joinAll([auditor]);
  const moved = amounts.reduce((sum, amount, i) => sum + amount * results[i]!.done, 0);
  return { moved, seen: seen!, results };
}

describe('p3/m5: deadlock-free transfers', () => {
  test('opposite transfers from two threads finish and conserve the total (test_transfer_no_deadlock)', async () => {
    const counter1 = funded(100);
    const counter2 = funded(50);
    const gate = new Barrier(2);
    const h1 = spawn(transferMany, counter1.clone(), counter2.clone(), 1, 100, false, gate);
    const h2 = spawn(transferMany, counter2.clone(), counter1.clone(), 1, 100, false, gate);
    await joinAll([h1, h2]);
    expect(counter1.get() + counter2.get()).toBe(150);
  });

  test('opposite transfers racing for 300 ms: no deadlock, and an auditor never sees money half-moved', async () => {
    const a = funded(100);
    const b = funded(100);
    const { moved, seen } = await raceTransfers(a, b, [3, -2, 7, -5], false, 300);
    expect(seen.bad).toBeUndefined();
    expect(seen.looks).toBeGreaterThan(0);
    expect(a.get() + b.get()).toBe(200);
    expect(a.get()).toBe(100 - moved);
    expect(Math.min(a.get(), b.get())).toBeGreaterThanOrEqual(0);
  });

  test('withdrawals racing on a nearly empty counter never overdraw it', async () => {
    // Three threads take 1 from a counter that holds 0 or 1 most of the time: the balance check and the move
    // must be one step, under the locks, or two of them pass the check on the same unit.
    const a = funded(1);
    const b = funded(0);
    // No auditor here: every mover looks at its source's balance after each transfer.
    const { moved, results } = await raceTransfers(a, b, [1, 1, 1, 1, -1], false, 400, false);
    for (const { lowest } of results) expect(lowest).toBeGreaterThanOrEqual(0);
    expect(Math.min(a.get(), b.get())).toBeGreaterThanOrEqual(0);
    expect(a.get()).toBe(1 - moved);
  });

  test('four threads in opposite directions under load: no deadlock, total conserved, no negative balance', async () => {
    const a = funded(500);
    const b = funded(500);
    const gate = new Barrier(4);
    const handles = [
      spawn(transferMany, a.clone(), b.clone(), 3, 5000, false, gate),
      spawn(transferMany, b.clone(), a.clone(), 2, 5000, false, gate),
      spawn(transferMany, a.clone(), b.clone(), 7, 5000, false, gate),
      spawn(transferMany, b.clone(), a.clone(), 5, 5000, false, gate),
    ];
    const results = await joinAll(handles);
    expect(a.get() + b.get()).toBe(1000);
    expect(a.get()).toBeGreaterThanOrEqual(0);
    expect(b.get()).toBeGreaterThanOrEqual(0);
    for (const { done, refused } of results) expect(done + refused).toBe(5000);
    const moved = [3, -2, 7, -5].reduce((sum, amount, i) => sum + amount * results[i]!.done, 0);
    expect(a.get()).toBe(500 - moved);
  });

  test('try-lock transfers in opposite directions also finish and conserve the total', async () => {
    // Funded so that no transfer can be refused, whatever the interleaving: every one must go through.
    const a = funded(3000);
    const b = funded(3000);
    const gate = new Barrier(2);
    const handles = [
      spawn(transferMany, a.clone(), b.clone(), 1, 3000, true, gate),
      spawn(transferMany, b.clone(), a.clone(), 1, 3000, true, gate),
    ];
    for (const result of await joinAll(handles)) expect(result.done).toBe(3000);
    expect(a.get()).toBe(3000);
    expect(b.get()).toBe(3000);
  });

  test('try-lock transfers racing for 300 ms: the auditor never sees money half-moved', async () => {
    const a = funded(100);
    const b = funded(100);
    const { moved, seen } = await raceTransfers(a, b, [3, -2, 7, -5], true, 300);
    expect(seen.bad).toBeUndefined();
    expect(a.get()).toBe(100 - moved);
    expect(a.get() + b.get()).toBe(200);
  });

  test('an overdraft is refused with an error and changes nothing', () => {
    const a = funded(10);
    const b = funded(0);
    const result = transfer(a, b, 11);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/insufficient/);
    expect(tryTransferWithTimeout(a, b, 11, 100).ok).toBe(false);
    expect([a.get(), b.get()]).toEqual([10, 0]);
    expect(transfer(a, b, 10).ok).toBe(true);
    expect([a.get(), b.get()]).toEqual([0, 10]);
  });

  test('a transfer that cannot get both locks in time fails, never hangs, and changes nothing', async () => {
    for (const holderLocks of ['to', 'from'] as const) {
      const a = funded(100);
      const b = funded(100);
      const [lockedTx, lockedRx] = channel<null>();
      const [releaseTx, releaseRx] = channel<null>();
      const holder = spawn(holdLock, (holderLocks === 'to' ? b : a).clone(), lockedTx, releaseRx);
      await lockedRx.recvAsync();
      // The lock stays held until the transfer has given up: one that waits for it never returns.
      const attempt = spawn(tryTransferOnce, a.clone(), b.clone(), 10, 80);
      const outcome = await attempt.joinTimeoutAsync(5000);
      releaseTx.send(null);
      expect(await holder.joinAsync()).toBe(100);
      if (!outcome.ok) {
        await attempt.terminate();
        throw new Error(
          `the transfer was still waiting 5 s after its 80 ms timeout (the ${holderLocks} lock was held)`,
        );
      }
      expect(outcome.value.ok).toBe(false);
      expect(outcome.value.error).toMatch(/timed out/);
      expect(outcome.value.elapsed).toBeGreaterThanOrEqual(75);
      expect([a.get(), b.get()]).toEqual([100, 100]);
    }
  });

  test('a counter cannot pay itself, and negative amounts are refused', () => {
    const a = funded(5);
    expect(transfer(a, a.clone(), 1).ok).toBe(false);
    expect(tryTransferWithTimeout(a, a, 1, 10).ok).toBe(false);
    expect(transfer(a, funded(0), -1).ok).toBe(false);
    expect(a.get()).toBe(5);
  });
});
