// generated from solutions/p3-counters/m3-rwlock/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { spawn } from '#kit/thread.ts';
import { incrementRw, readExpecting, readMonotonic } from './checkpoint-threads.ts';
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
    const writer = spawn(incrementRw, counter.clone(), 100);
    await writer.joinAsync();
    for (const reader of readers) {
      const { monotonic, last } = await reader.joinAsync();
      expect(monotonic).toBe(true);
      expect(last).toBeLessThanOrEqual(100);
    }
    expect(counter.get()).toBe(100);
  });

  test('two writers and readers under load: exact total, and readers never see it go down', async () => {
    const counter = RwCounter.new();
    const writers = [spawn(incrementRw, counter.clone(), 20_000), spawn(incrementRw, counter.clone(), 20_000)];
    const readers = [spawn(readMonotonic, counter.clone(), 20_000), spawn(readMonotonic, counter.clone(), 20_000)];
    for (const writer of writers) await writer.joinAsync();
    for (const reader of readers) expect((await reader.joinAsync()).monotonic).toBe(true);
    expect(counter.get()).toBe(40_000);
  });

  test('set replaces the value and a clone shares it', () => {
    const counter = RwCounter.new();
    expect(counter.get()).toBe(0);
    counter.set(7);
    counter.clone().increment();
    expect(counter.get()).toBe(8);
  });
});
