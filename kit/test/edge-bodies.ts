/** Thread bodies for the kit's edge-case tests (edge.test.ts): fatal errors, select racing a rendezvous trySend. */
import type { Receiver } from '../channel.ts';
import { select } from '../select.ts';
import { Builder, defineThread } from '../thread.ts';

/** Allocate until the thread's heap limit kills it (a fatal error: no result, no exit hook). */
export const exhaustMemory = defineThread(import.meta.url, 'exhaustMemory', () => {
  const keep: unknown[] = [];
  for (;;) keep.push(Array.from({ length: 100_000 }, (_, i) => ({ i })));
});

/** Spawn a child that dies of a fatal error, then join it with a blocking join (this thread's event loop stops). */
export const joinFatalChild = defineThread(import.meta.url, 'joinFatalChild', () => {
  const child = new Builder()
    .resourceLimits({ maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 })
    .spawn(exhaustMemory);
  const started = performance.now();
  try {
    child.join();
    return { joined: 'returned', message: '', ms: performance.now() - started };
  } catch (error) {
    return { joined: (error as Error).name, message: (error as Error).message, ms: performance.now() - started };
  }
});

/** One select over two receivers: the index it took (-1 for anything but a message). */
export const selectIndex = defineThread(import.meta.url, 'selectIndex', (a: Receiver<number>, b: Receiver<number>) => {
  const got = select([a, b]);
  return got.kind === 'message' ? got.index : -1;
});
