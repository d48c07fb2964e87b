import { describe, expect, test } from 'vitest';
import { type JoinHandle, spawn } from '#kit/thread.ts';
import { shareOf } from './benchmark.ts';
import { channelPipelineIn, comparisonIn, sharedStateIn } from './checkpoint-threads.ts';

/** A benchmark's result; it must come within 10 s (one that never returns waits on a loop that never ends). */
async function finished<R>(run: JoinHandle<R>): Promise<R> {
  const result = await run.joinTimeoutAsync(10_000);
  if (result.ok) return result.value;
  await run.terminate();
  throw new Error('the benchmark had not returned after 10 s: a receive loop that never ends (a sender left open?)');
}

const checksumOf = (n: number) => (n * (n - 1)) / 2;

describe('p1/m6: channels against shared state', () => {
  test('shares split the work exactly, with no gaps or overlaps', () => {
    for (const [numLogs, workers] of [
      [100, 3],
      [10, 4],
      [7, 7],
      [3, 5],
      [100_000, 16],
    ] as const) {
      let next = 0;
      for (let i = 0; i < workers; i++) {
        const [first, end] = shareOf(numLogs, workers, i);
        expect(first).toBe(next);
        expect(end - first).toBeGreaterThanOrEqual(Math.floor(numLogs / workers));
        expect(end - first).toBeLessThanOrEqual(Math.ceil(numLogs / workers));
        next = end;
      }
      expect(next).toBe(numLogs);
    }
  });

  test('the channel version collects every entry exactly once, at several thread counts', async () => {
    for (const workers of [1, 2, 4]) {
      const run = await finished(spawn(channelPipelineIn, 20_000, workers));
      expect(run.entries).toBe(20_000);
      expect(run.checksum).toBe(checksumOf(20_000));
      expect(run.elapsedMs).toBeGreaterThan(0);
    }
  });

  test('the shared-state version pushes every entry exactly once, at several thread counts', async () => {
    for (const workers of [1, 2, 4]) {
      const run = await finished(spawn(sharedStateIn, 20_000, workers));
      expect(run.entries).toBe(20_000);
      expect(run.checksum).toBe(checksumOf(20_000));
      expect(run.elapsedMs).toBeGreaterThan(0);
    }
  });

  test('the comparison reports both versions per thread count with consistent rates', async () => {
    const rows = await finished(spawn(comparisonIn, 5_000, [1, 2]));
    expect(rows.map((r) => r.threads)).toEqual([1, 2]);
    for (const row of rows) {
      expect(row.channel.entries).toBe(5_000);
      expect(row.mutex.entries).toBe(5_000);
      expect(row.channelPerSecond).toBeCloseTo((5_000 / row.channel.elapsedMs) * 1000, 6);
      expect(row.mutexPerSecond).toBeCloseTo((5_000 / row.mutex.elapsedMs) * 1000, 6);
      expect(row.speedup).toBeCloseTo(row.channelPerSecond / row.mutexPerSecond, 6);
    }
  });
});
