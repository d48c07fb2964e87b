/**
 * `npm run counters [-- --ops N] [--threads N]`: the shared-counter demo on the reference counters. Runs a Mutex
 * counter, an RwLock counter and an atomic counter from several threads, prints their final values (which must
 * be exact), then a Mutex / RwLock / atomic comparison at 50, 70, 90 and 99% reads.
 *
 * One run of each cell, for a quick look; `npm run bench` repeats, interleaves and gives confidence intervals.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { UsageError } from '../../lib/cli.ts';
import { thousands } from '../../lib/progress.ts';
import { runComparison } from './reference.ts';

const USAGE = 'usage: npm run counters [-- --ops N] [--threads N]';

export function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { ops: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const ops = Number(values.ops ?? 1_000_000);
  const threads = Number(values.threads ?? Math.max(2, os.availableParallelism()));
  if (!Number.isInteger(ops) || ops < 1)
    throw new UsageError(`--ops must be a positive whole number, got ${values.ops}`);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new UsageError(`--threads must be from 1 to 64, got ${values.threads}`);
  }

  process.stdout.write(`Shared counter service: ${thousands(ops)} operations on ${threads} threads\n\n`);
  const rows = runComparison(ops, threads, [0.5, 0.7, 0.9, 0.99]);
  const fmt = (ms: number) => `${ms.toFixed(1).padStart(8)} ms`;
  for (const row of rows) {
    process.stdout.write(`${Math.round(row.readRatio * 100)}% reads\n`);
    for (const [name, run, speedup] of [
      ['Mutex ', row.mutex, 1],
      ['RwLock', row.rwlock, row.rwlockSpeedup],
      ['Atomic', row.atomic, row.atomicSpeedup],
    ] as const) {
      const exact = run.finalValue === run.writes ? 'exact' : `LOST ${run.writes - run.finalValue}`;
      process.stdout.write(
        `  ${name} ${fmt(run.elapsedMs)}  ${speedup.toFixed(2)}x vs Mutex  final ${run.finalValue} (${exact})\n`,
      );
    }
  }
  return 0;
}
