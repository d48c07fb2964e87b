// generated from solutions/p2-image-pool/m1-thread-pool/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Tasks used by this milestone's checkpoint tests (tasks are module exports, like thread bodies). */
import type { Mutex } from '#kit/mutex.ts';
import type { SharedF64Array, SharedI32Array } from '#kit/shared-data.ts';
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

export const sleepThenIncrement = defineTask(
  import.meta.url,
  'sleepThenIncrement',
  (ctx: CounterContext, ms: number) => {
    sleep(ms);
    ctx.counter.withLock((c) => {
      c.array[0]! += 1;
    });
  },
);

export interface SpanContext {
  /** [start, end] of task i at 2i, 2i + 1, in ms since the epoch (comparable between threads). */
  readonly spans: SharedF64Array;
}

/** Sleep `ms`, recording when this task started and ended in slot `i`. */
export const recordSpan = defineTask(import.meta.url, 'recordSpan', (ctx: SpanContext, i: number, ms: number) => {
  ctx.spans.array[2 * i] = performance.timeOrigin + performance.now();
  sleep(ms);
  ctx.spans.array[2 * i + 1] = performance.timeOrigin + performance.now();
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
