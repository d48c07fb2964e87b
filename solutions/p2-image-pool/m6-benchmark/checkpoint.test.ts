import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type ImageTask, Operation } from '../m2-image-tasks/image-task.ts';
import { makeImage, tempDir } from '../m2-image-tasks/test-images.ts';
import { benchmarkSequential, benchmarkThreadPool, calibrateSpin, runComparison, spin } from './benchmark.ts';

const work = tempDir('p2-m6-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('p2/m6: pool against sequential', () => {
  test('sequential and pool runs finish every task, with the same checksum', async () => {
    const iterations = calibrateSpin(1);
    expect(iterations).toBeGreaterThan(0);
    const workload = { kind: 'cpu', iterations, count: 40 } as const;
    const sequential = await benchmarkSequential(workload);
    const pooled = await benchmarkThreadPool(workload, 2);
    expect(sequential.completed).toBe(40);
    expect(pooled.completed).toBe(40);
    // 40 equal values XORed together cancel out: the checksum is 0 either way; compare with an odd count too.
    const odd = await benchmarkThreadPool({ kind: 'cpu', iterations, count: 3 }, 2);
    expect(odd.checksum).toBe(spin(iterations));
    expect(sequential.elapsedMs).toBeGreaterThan(0);
    expect(pooled.elapsedMs).toBeGreaterThan(0);
    const slept = await benchmarkThreadPool({ kind: 'sleep', ms: 5, count: 8 }, 4);
    expect(slept.completed).toBe(8);
    expect(slept.elapsedMs).toBeGreaterThanOrEqual(9); // two rounds of 5 ms sleeps at least
  });

  test('the pool is timed from ready to idle: its start-up is not in its time (measured against this run)', async () => {
    // Starting four workers takes tens of milliseconds at least; eight 5 ms sleeps on them, about 10 ms.
    // Timed after ready() and the warm-up, the run is a small part of the whole call.
    const shares: number[] = [];
    for (let i = 0; i < 3; i++) {
      const began = performance.now();
      const run = await benchmarkThreadPool({ kind: 'sleep', ms: 5, count: 8 }, 4);
      shares.push(run.elapsedMs / (performance.now() - began));
      expect(run.completed).toBe(8);
    }
    expect(Math.min(...shares)).toBeLessThan(0.5);
  });

  test('the comparison covers every kind, task length and worker count (run_comparison)', async () => {
    const images: ImageTask[] = [];
    for (let i = 0; i < 3; i++) {
      const input = path.join(work, `in-${i}.png`);
      await makeImage(input, 200, 150);
      images.push({
        inputPath: input,
        outputPath: path.join(work, 'out', `out-${i}.jpg`),
        operations: [Operation.resize(64, 64), Operation.blur(1)],
      });
    }
    const printed: string[] = [];
    const rows = await runComparison({
      tasks: 6,
      taskMs: [1, 2],
      workers: [1, 2],
      kinds: ['sleep', 'cpu', 'image'],
      images,
      onRow: (row) => printed.push(`${row.kind} ${row.taskMs} ${row.workers}`),
    });
    expect(rows.map((r) => `${r.kind} ${r.workers}`)).toEqual([
      'sleep 1',
      'sleep 2',
      'sleep 1',
      'sleep 2',
      'cpu 1',
      'cpu 2',
      'cpu 1',
      'cpu 2',
      'image 1',
      'image 2',
    ]);
    expect(printed).toHaveLength(rows.length);
    for (const row of rows) {
      expect(row.tasks).toBe(row.kind === 'image' ? 3 : 6);
      expect(row.poolMs).toBeGreaterThan(0);
      expect(row.speedup).toBeCloseTo(row.sequentialMs / row.poolMs, 10);
      expect(row.tasksPerSecond).toBeCloseTo((row.tasks * 1000) / row.poolMs, 6);
    }
    // Sleeping tasks cannot finish faster than their own length, sequentially or not.
    for (const row of rows.filter((r) => r.kind === 'sleep'))
      expect(row.sequentialMs).toBeGreaterThanOrEqual(row.tasks * row.taskMs * 0.9);
  });
});
