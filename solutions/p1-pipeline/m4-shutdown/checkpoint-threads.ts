/** Thread bodies used by this milestone's checkpoint tests. */
import type { AtomicBool } from '#kit/atomic.ts';
import type { Receiver } from '#kit/channel.ts';
import { defineThread, sleep } from '#kit/thread.ts';
import { gracefulWorker } from './shutdown.ts';

/** Count messages until shutdown (test_shutdown_signal's thread). */
export const countingWorker = defineThread(
  import.meta.url,
  'countingWorker',
  (dataRx: Receiver<number>, shutdownRx: Receiver<null>) => gracefulWorker(dataRx, shutdownRx, () => {}),
);

/** Sum what it processes, taking `workMs` per item, so the test can tell which items were handled. */
export const summingWorker = defineThread(
  import.meta.url,
  'summingWorker',
  (dataRx: Receiver<number>, shutdownRx: Receiver<null>, workMs: number) => {
    let sum = 0;
    const count = gracefulWorker(dataRx, shutdownRx, (n) => {
      if (workMs > 0) sleep(workMs);
      sum += n;
    });
    return { count, sum };
  },
);

/** Collect what it processes, in order. */
export const collectingWorker = defineThread(
  import.meta.url,
  'collectingWorker',
  (dataRx: Receiver<number>, shutdownRx: Receiver<null>) => {
    const seen: number[] = [];
    gracefulWorker(dataRx, shutdownRx, (n) => seen.push(n));
    return seen;
  },
);

/** Ignores every signal: polls nothing, returns never. */
export const stuckWorker = defineThread(import.meta.url, 'stuckWorker', (_signal: Receiver<null>) => {
  for (;;) sleep(1000);
});

/** Polls the shared flag instead of selecting. */
export const pollingWorker = defineThread(import.meta.url, 'pollingWorker', (flag: AtomicBool) => {
  let rounds = 0;
  while (!flag.load()) {
    sleep(1);
    rounds++;
  }
  return rounds;
});
