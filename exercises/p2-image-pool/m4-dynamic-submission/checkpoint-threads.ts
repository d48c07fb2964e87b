// generated from solutions/p2-image-pool/m4-dynamic-submission/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Tasks and submitter threads used by this milestone's checkpoint tests. */
import type { Mutex } from '#kit/mutex.ts';
import type { SharedI32Array } from '#kit/shared-data.ts';
import { defineThread, sleep } from '#kit/thread.ts';
import { defineTask } from '../m1-thread-pool/task.ts';
import { type PoolHandle, PoolClient } from './dynamic-pool.ts';
import { waitWhileEqual } from '#kit/futex.ts';

export interface TallyContext {
  /** [0] tasks run, [1] sum of their values */
  readonly tally: Mutex<SharedI32Array>;
  /** runs[value] += 1 for every task run: each must end at exactly 1 */
  readonly runs: SharedI32Array;
  /** [0] set to 1 to let `holdTask` finish */
  readonly release?: SharedI32Array;
}

/** Keep a worker busy until the test sets release[0], then count one run of `value`. */
export const holdTask = defineTask(import.meta.url, 'holdTask', (ctx: TallyContext, value: number) => {
  const release = ctx.release!.array;
  while (Atomics.load(release, 0) === 0) waitWhileEqual(release, 0, 0);
  Atomics.add(ctx.runs.array, value, 1);
  ctx.tally.withLock((t) => {
    t.array[0]! += 1;
    t.array[1]! += value;
  });
});

/** Count one run of `value` (and sleep `ms` first, fractions allowed). */
export const tallyTask = defineTask(import.meta.url, 'tallyTask', (ctx: TallyContext, value: number, ms: number) => {
  if (ms > 0) sleep(ms);
  Atomics.add(ctx.runs.array, value, 1);
  ctx.tally.withLock((t) => {
    t.array[0]! += 1;
    t.array[1]! += value;
  });
});

/** Submit values first .. first+count-1 from this thread. */
export const submitRange = defineThread(
  import.meta.url,
  'submitRange',
  (handle: PoolHandle<TallyContext>, first: number, count: number, ms: number): number => {
    const pool = PoolClient.from(handle);
    for (let i = 0; i < count; i++) pool.execute(tallyTask, first + i, ms);
    return count;
  },
);

/** From a worker thread: try to submit with a timeout, report whether it was queued. */
export const submitWithTimeout = defineThread(
  import.meta.url,
  'submitWithTimeout',
  (handle: PoolHandle<TallyContext>, value: number, timeoutMs: number): string => {
    const result = PoolClient.from(handle).executeWithTimeout(timeoutMs, tallyTask, value, 0);
    return result.ok ? 'queued' : result.error.kind;
  },
);
