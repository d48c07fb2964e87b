// generated from solutions/p2-image-pool/m1-thread-pool/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Tasks used by this milestone's checkpoint tests (tasks are module exports, like thread bodies). */
import type { Mutex } from '#kit/mutex.ts';
import type { SharedI32Array } from '#kit/shared-data.ts';
import { sleep } from '#kit/thread.ts';
import { defineTask } from './task.ts';

export interface CounterContext {
  readonly counter: Mutex<SharedI32Array>;
}

/** counter[0] += 1 under the lock, counter[1] += value (a checksum). */
export const increment = defineTask(import.meta.url, 'increment', (ctx: CounterContext, value: number = 0) => {
  ctx.counter.withLock((c) => {
    c.array[0]! += 1;
    c.array[1]! += value;
  });
});

export const sleepThenIncrement = defineTask(import.meta.url, 'sleepThenIncrement', (ctx: CounterContext, ms: number) => {
  sleep(ms);
  ctx.counter.withLock((c) => {
    c.array[0]! += 1;
  });
});

export const sleepOnly = defineTask(import.meta.url, 'sleepOnly', (_ctx: unknown, ms: number) => {
  sleep(ms);
});

export const failWith = defineTask(import.meta.url, 'failWith', (_ctx: unknown, message: string) => {
  throw new Error(message);
});

export const failLater = defineTask(import.meta.url, 'failLater', async (_ctx: unknown, message: string) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  throw new RangeError(message);
});

/** Kills the worker that runs it, as a crashing native library or a stray process.exit would. */
export const exitWorker = defineTask(import.meta.url, 'exitWorker', (_ctx: unknown, code: number) => {
  process.exit(code);
});
