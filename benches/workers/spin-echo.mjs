// Baseline for the ping-pong cell: the bare cost of crossing cores. Word 0 is the main thread's counter, word 16 (a
// cache line away) this worker's echo of it; both sides spin on Atomics.load. Word 32 says "running"; -1 in word 0
// ends the worker.
import { workerData } from 'node:worker_threads';

const words = new Int32Array(workerData);
Atomics.store(words, 32, 1);
for (;;) {
  const value = Atomics.load(words, 0);
  if (value === -1) break;
  if (value !== Atomics.load(words, 16)) Atomics.store(words, 16, value);
}
