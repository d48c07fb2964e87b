/**
 * Thread bodies used by this milestone's checkpoint tests.
 *
 * Every body first waits at a start gate (a Barrier shared with the test), so that all threads begin working
 * at the same moment: a thread takes tens of milliseconds to start, far longer than a thousand increments, and
 * without the gate the threads of a test could run one after another and never meet inside the lock.
 */
import { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
import { defineThread } from '#kit/thread.ts';
import { Counter } from './counter.ts';

export const incrementTimes = defineThread(import.meta.url, 'incrementTimes', (counter: Counter, times: number, gate: Barrier) => {
  gate.wait();
  for (let i = 0; i < times; i++) counter.increment();
});

export const decrementTimes = defineThread(import.meta.url, 'decrementTimes', (counter: Counter, times: number, gate: Barrier) => {
  gate.wait();
  for (let i = 0; i < times; i++) counter.decrement();
});

export const addTimes = defineThread(
  import.meta.url,
  'addTimes',
  (counter: Counter, amount: number, times: number, gate: Barrier) => {
    gate.wait();
    for (let i = 0; i < times; i++) counter.add(amount);
  },
);

/**
 * After the gate, apply `operation` (+1 increment, -1 decrement, other: add that amount) over and over until
 * `stop` is set, and at least `atLeast` times; return how many times. Running for a while, rather than a fixed
 * number of times, keeps the threads overlapping however slowly each one is scheduled.
 */
export const raceUntilStopped = defineThread(
  import.meta.url,
  'raceUntilStopped',
  (counter: Counter, operation: number, atLeast: number, gate: Barrier, stop: AtomicBool) => {
    gate.wait();
    let done = 0;
    while (done < atLeast || !stop.load()) {
      if (operation === 1) counter.increment();
      else if (operation === -1) counter.decrement();
      else counter.add(operation);
      done++;
    }
    return done;
  },
);

/** After the gate, read the counter once. */
export const readOnce = defineThread(import.meta.url, 'readOnce', (counter: Counter, gate: Barrier) => {
  gate.wait();
  return counter.get();
});
