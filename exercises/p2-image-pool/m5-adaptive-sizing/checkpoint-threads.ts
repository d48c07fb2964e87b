// generated from solutions/p2-image-pool/m5-adaptive-sizing/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Tasks used by this milestone's checkpoint tests. */
import type { SharedI32Array } from '#kit/shared-data.ts';
import { sleep } from '#kit/thread.ts';
import { defineTask } from '../m1-thread-pool/task.ts';

/** Sleep `ms`, then count one run: Atomics on counts[0]. */
export const napTask = defineTask(import.meta.url, 'napTask', (ctx: { readonly counts: SharedI32Array }, ms: number) => {
  sleep(ms);
  Atomics.add(ctx.counts.array, 0, 1);
});
