import { describe, expect, test } from 'vitest';
import { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
import { SharedI32Array } from '#kit/shared-data.ts';
import { spawn } from '#kit/thread.ts';
import { incrementRw, raceRwUntilStopped, readExpecting, readMonotonic, readOnce } from './checkpoint-threads.ts';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
import { RwCounter } from './rw-counter.ts';

describe('p3/m3: a read-mostly counter on an RwLock', () => {
  test('ten reader threads all see the value that was set (test_concurrent_reads)', async () => {
    const counter = RwCounter.new();
    counter.set(42);
    const handles = Array.from({ length: 10 }, () => spawn(readExpecting, counter.clone(), 1000, 42));
    for (const handle of handles) expect(await handle.joinAsync()).toBe(1000);
  });

  test('nine readers and one writer: every increment lands (test_read_write_mix)', async () => {
    const counter = RwCounter.new();
    const readers = Array.from({ length: 9 }, () => spawn(readMonotonic, counter.clone(), 100));
    const writer = spawn(incrementRw, counter.clone(), 100, new Barrier(1));
    await writer.joinAsync();
    for (const reader of readers) {
      const { monotonic, last } = await reader.joinAsync();
      expect(monotonic).toBe(true);
      expect(last).toBeLessThanOrEqual(100);
    }
    expect(counter.get()).toBe(100);
  });

  test('two writers and readers under load: exact total, and readers never see it go down', async () => {
    // Two writers and two readers released together, racing for at least 200 ms and until the writers have been
    // seen running at the same moment often enough (up to 5 s on a very busy machine): an increment that is not
    // one step under the write lock loses some of the other writer's.
    const counter = RwCounter.new();
    const roles = [true, true, false, false];
    const gate = new Barrier(roles.length + 1);
    const stop = new AtomicBool(false);
    // The writers share one beats array (their overlaps are what matters); each reader has one of its own.
    const beats = new SharedI32Array(3);
    const handles = roles.map((write, i) =>
      write
        ? spawn(raceRwUntilStopped, counter.clone(), true, 2000, gate, stop, beats, i)
        : spawn(raceRwUntilStopped, counter.clone(), false, 2000, gate, stop, new SharedI32Array(2), 0),
    );
    await gate.waitAsync();
    const started = performance.now();
    await pause(200);
    while (Atomics.load(beats.array, 2) < 500 && performance.now() - started < 5000) await pause(10);
    stop.store(true);
    const results = [];
    for (const handle of handles) results.push(await handle.joinAsync());
    const written = results.filter((_, i) => roles[i]).reduce((sum, r) => sum + r.done, 0);
    expect(results.filter((_, i) => !roles[i]).map((r) => r.monotonic)).toEqual([true, true]);
    expect(counter.get()).toBe(written);
  });

  test('a reader gets in while another holds a read lock; a writer waits for it', async () => {
    const counter = RwCounter.new();
    counter.set(5);
    const held = await counter.cell.readAsync();
    let gate = new Barrier(2);
    const reader = spawn(readOnce, counter.clone(), gate);
    await gate.waitAsync();
    // Readers share the lock: this one must not wait for ours (5 s is only a limit for a reader that waits).
    const read = await reader.joinTimeoutAsync(5000);
    expect(read.ok ? read.value : 'the reader waited for the other reader').toBe(5);
    // A control thread, released by the same gate, does the same on a counter nobody holds: once it has finished
    // (and 200 ms more), a writer that did not wait would have finished too, however busy the machine is.
    gate = new Barrier(3);
    const writer = spawn(incrementRw, counter.clone(), 1, gate);
    const control = spawn(incrementRw, RwCounter.new(), 1, gate);
    await gate.waitAsync();
    await control.joinAsync();
    await pause(200);
    const wroteWhileRead = writer.isFinished();
    held.unlock();
    await writer.joinAsync();
    expect(wroteWhileRead).toBe(false);
    expect(counter.get()).toBe(6);
  });

  test('a reader waits while a write is in progress, and sees it whole', async () => {
    const counter = RwCounter.new();
    counter.set(1);
    const writing = await counter.cell.writeAsync();
    writing.value.array[0] = -1; // half done
    // The control: a reader released by the same gate, on a counter nobody holds (see the test above).
    const gate = new Barrier(3);
    const reader = spawn(readOnce, counter.clone(), gate);
    const control = spawn(readOnce, RwCounter.new(), gate);
    await gate.waitAsync();
    await control.joinAsync();
    await pause(200);
    const readWhileWriting = reader.isFinished();
    writing.value.array[0] = 2; // done
    writing.unlock();
    expect(await reader.joinAsync()).toBe(2);
    expect(readWhileWriting).toBe(false);
  });

  test('set replaces the value and a clone shares it', () => {
    const counter = RwCounter.new();
    expect(counter.get()).toBe(0);
    counter.set(7);
    counter.clone().increment();
    expect(counter.get()).toBe(8);
  });
});
