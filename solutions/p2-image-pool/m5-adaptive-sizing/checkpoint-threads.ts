/** Tasks used by this milestone's checkpoint tests. */
import type { SharedI32Array } from '#kit/shared-data.ts';
import { sleep } from '#kit/thread.ts';
import { defineTask } from '../m1-thread-pool/task.ts';
import { waitWhileEqual, wake } from '#kit/futex.ts';

/** Sleep `ms`, then count one run: Atomics on counts[0]. */
export const napTask = defineTask(
  import.meta.url,
  'napTask',
  (ctx: { readonly counts: SharedI32Array }, ms: number) => {
    sleep(ms);
    Atomics.add(ctx.counts.array, 0, 1);
  },
);

/**
 * Arrive (met[0] += 1) and wait up to 5 s for `parties` tasks to have arrived; count in met[1] the ones that
 * saw them all. `parties` such tasks can only all succeed if that many workers really run at once.
 */
export const meetTask = defineTask(
  import.meta.url,
  'meetTask',
  (ctx: { readonly counts: SharedI32Array; readonly met: SharedI32Array }, parties: number) => {
    const met = ctx.met.array;
    Atomics.add(met, 0, 1);
    wake(met, 0);
    const deadline = performance.now() + 5000;
    for (let seen = Atomics.load(met, 0); seen < parties && performance.now() < deadline; seen = Atomics.load(met, 0)) {
      waitWhileEqual(met, 0, seen);
    }
    if (Atomics.load(met, 0) >= parties) Atomics.add(met, 1, 1);
    Atomics.add(ctx.counts.array, 0, 1);
  },
);
