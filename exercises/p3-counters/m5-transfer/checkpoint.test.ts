// generated from solutions/p3-counters/m5-transfer/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { channel } from '#kit/channel.ts';
import { spawn } from '#kit/thread.ts';
import { Counter } from '../m1-mutex-counter/counter.ts';
import { holdLock, transferMany } from './checkpoint-threads.ts';
import { transfer, tryTransferWithTimeout } from './transfer.ts';

function funded(amount: number): Counter {
  const counter = Counter.new();
  counter.add(amount);
  return counter;
}

describe('p3/m5: deadlock-free transfers', () => {
  test('opposite transfers from two threads finish and conserve the total (test_transfer_no_deadlock)', async () => {
    const counter1 = funded(100);
    const counter2 = funded(50);
    const h1 = spawn(transferMany, counter1.clone(), counter2.clone(), 1, 100, false);
    const h2 = spawn(transferMany, counter2.clone(), counter1.clone(), 1, 100, false);
    await h1.joinAsync();
    await h2.joinAsync();
    expect(counter1.get() + counter2.get()).toBe(150);
  });

  test('four threads in opposite directions under load: no deadlock, total conserved, no negative balance', async () => {
    const a = funded(500);
    const b = funded(500);
    const handles = [
      spawn(transferMany, a.clone(), b.clone(), 3, 5000, false),
      spawn(transferMany, b.clone(), a.clone(), 2, 5000, false),
      spawn(transferMany, a.clone(), b.clone(), 7, 5000, false),
      spawn(transferMany, b.clone(), a.clone(), 5, 5000, false),
    ];
    const results: Array<{ done: number; refused: number }> = [];
    for (const handle of handles) results.push(await handle.joinAsync());
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
    const handles = [
      spawn(transferMany, a.clone(), b.clone(), 1, 3000, true),
      spawn(transferMany, b.clone(), a.clone(), 1, 3000, true),
    ];
    for (const handle of handles) expect((await handle.joinAsync()).done).toBe(3000);
    expect(a.get()).toBe(3000);
    expect(b.get()).toBe(3000);
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
    const a = funded(100);
    const b = funded(100);
    const [lockedTx, lockedRx] = channel<null>();
    const holder = spawn(holdLock, b.clone(), 600, lockedTx);
    await lockedRx.recvAsync();
    const start = performance.now();
    const result = tryTransferWithTimeout(a, b, 10, 80);
    const elapsed = performance.now() - start;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/timed out/);
    expect(elapsed).toBeGreaterThanOrEqual(75);
    expect(elapsed).toBeLessThan(500);
    expect(await holder.joinAsync()).toBe(100);
    expect([a.get(), b.get()]).toEqual([100, 100]);
  });

  test('a counter cannot pay itself, and negative amounts are refused', () => {
    const a = funded(5);
    expect(transfer(a, a.clone(), 1).ok).toBe(false);
    expect(tryTransferWithTimeout(a, a, 1, 10).ok).toBe(false);
    expect(transfer(a, funded(0), -1).ok).toBe(false);
    expect(a.get()).toBe(5);
  });
});
