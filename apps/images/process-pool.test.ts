/**
 * The worker processes of `images --processes`: every task gets exactly one result even when a child dies
 * mid-batch or never starts.
 */
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ProcessPool } from './process-pool.ts';
import { fixtures, tempDir } from './reference.ts';
import { runImages } from './run-images.ts';

const work = tempDir('images-processes-');

function tasks(out: string) {
  const input = path.join(work, 'in');
  cpSync(fixtures.good, input, { recursive: true });
  return readdirSync(input).map((name) => ({
    inputPath: path.join(input, name),
    outputPath: path.join(work, out, `${name}.png`),
  }));
}

describe('ProcessPool', () => {
  test('a child killed mid-batch fails at most the file it held; every task has exactly one result', async () => {
    const list = tasks('killed');
    const pool = new ProcessPool(2);
    let killed = false;
    const results = await pool.run(list, {
      operations: { resize: { width: 32, height: 32 } },
      process: { format: 'png' },
      intervalMs: 0,
      onProgress: () => {
        if (!killed) {
          killed = true;
          pool.children[0]!.kill('SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    expect(results.map((r) => r.taskId)).toEqual(list.map((_, i) => i));
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeLessThanOrEqual(1);
    for (const f of failed) expect(f.error).toMatch(/worker process 1 exited/);
    expect(pool.children.every((c) => c.exitCode !== null || c.signalCode !== null)).toBe(true);
  });

  test('when no child starts, every task fails with a reason instead of waiting', async () => {
    const list = tasks('none');
    const pool = new ProcessPool(2);
    for (const child of pool.children) child.kill('SIGKILL');
    expect(await pool.anyStarted()).toBe(false);
    const results = await pool.run(list, { operations: {}, process: {} });
    expect(results).toHaveLength(list.length);
    for (const r of results) expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/no worker process/) });
  });

  test('inProcess: this process is one of the workers, so one child fewer is forked; every task done once', async () => {
    const list = tasks('in-process');
    const pool = new ProcessPool(2, { inProcess: true });
    expect(pool.children).toHaveLength(1);
    const results = await pool.run(list, { operations: { resize: { width: 32, height: 32 } }, process: {} });
    expect(results.map((r) => r.taskId)).toEqual(list.map((_, i) => i));
    for (const r of results) expect(r, String(r.error)).toMatchObject({ ok: true });
    for (const r of results) expect([0, 1]).toContain(r.worker);
    expect(readdirSync(path.join(work, 'in-process'))).toHaveLength(list.length);
  });

  test('inProcess: when the only child dies before it starts, this process does every task', async () => {
    const list = tasks('parent-alone');
    const pool = new ProcessPool(2, { inProcess: true });
    pool.children[0]!.kill('SIGKILL');
    expect(await pool.anyStarted()).toBe(true);
    const results = await pool.run(list, { operations: { resize: { width: 32, height: 32 } }, process: {} });
    expect(results).toHaveLength(list.length);
    for (const r of results) expect(r, String(r.error)).toMatchObject({ ok: true, worker: 0 });
  });

  test('inProcess: a child that is still starting when the work is done is not waited for, and is killed', async () => {
    // SIGSTOP: the child never gets to say it is ready, as a child still loading on a busy machine.
    const list = tasks('child-stalled');
    const pool = new ProcessPool(2, { inProcess: true });
    pool.children[0]!.kill('SIGSTOP');
    const results = await pool.run(list, { operations: { resize: { width: 32, height: 32 } }, process: {} });
    for (const r of results) expect(r, String(r.error)).toMatchObject({ ok: true, worker: 0 });
    expect(pool.children[0]!.signalCode).toBe('SIGKILL');
  });

  test('children run compiled JavaScript, without the TypeScript loader', async () => {
    const pool = new ProcessPool(1);
    try {
      expect(await pool.anyStarted()).toBe(true);
      const args = pool.children[0]!.spawnargs;
      expect(args.at(-1)).toMatch(/\.mjs$/);
      expect(args.join(' ')).not.toMatch(/tsx/);
    } finally {
      await pool.close();
    }
  });
});

describe('the default mode', () => {
  test('processes with more than one worker, a thread with one; both process every file', async () => {
    const input = path.join(work, 'default-in');
    cpSync(fixtures.good, input, { recursive: true });
    const count = readdirSync(input).length;
    const two = await runImages({ inDir: input, outDir: path.join(work, 'default-2'), workers: 2 });
    const one = await runImages({ inDir: input, outDir: path.join(work, 'default-1'), workers: 1 });
    expect(two).toMatchObject({ mode: 'processes', processed: count, failed: [] });
    expect(one).toMatchObject({ mode: 'threads', processed: count, failed: [] });
    expect(readdirSync(path.join(work, 'default-2')).sort()).toEqual(readdirSync(path.join(work, 'default-1')).sort());
  });
});
