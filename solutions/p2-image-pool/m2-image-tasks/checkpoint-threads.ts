/** Tasks used by this milestone's checkpoint tests. */
import type { AtomicU32 } from '#kit/atomic.ts';
import { sleep } from '#kit/thread.ts';
import { defineTask } from '../m1-thread-pool/task.ts';

/** Stands in for image work: sleep, then count one (the chapter's test_parallel_processing). */
export const simulatedImageWork = defineTask(
  import.meta.url,
  'simulatedImageWork',
  (ctx: { readonly processed: AtomicU32 }, ms: number) => {
    sleep(ms);
    ctx.processed.fetchAdd(1, 'SeqCst');
  },
);
