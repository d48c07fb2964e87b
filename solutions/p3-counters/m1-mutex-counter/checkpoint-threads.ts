/**
 * Thread bodies used by this milestone's checkpoint tests.
 *
 * Every body first waits at a start gate (a Barrier shared with the test), so that all threads begin working
 * at the same moment: a thread takes tens of milliseconds to start, far longer than a thousand increments, and
 * without the gate the threads of a test could run one after another and never meet inside the lock.
 */
import { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
import type { SharedI32Array } from '#kit/shared-data.ts';
import { defineThread } from '#kit/thread.ts';
import { Counter } from './counter.ts';

export const incrementTimes = defineThread(
  import.meta.url,
  'incrementTimes',
  (counter: Counter, times: number, gate: Barrier) => {
    gate.wait();
    for (let i = 0; i < times; i++) counter.increment();
  },
);

export const decrementTimes = defineThread(
  import.meta.url,
  'decrementTimes',
  (counter: Counter, times: number, gate: Barrier) => {
    gate.wait();
    for (let i = 0; i < times; i++) counter.decrement();
  },
);

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
 * `stop` is set, and at least `atLeast` times; return how many times.
 *
 * Running until told to stop, rather than a fixed number of times, keeps the threads going however slowly each
 * one is scheduled; and the test stops them only once they have really run at the same time. `beats` has one
 * word per thread (`me` is this one's), bumped every 32 operations, and a last word counting the moments a
 * thread saw another one's word move while it was itself in the middle of 32 operations: both were running
 * at once. On a busy machine that takes longer to add up, so the race lasts longer.
 */
export const raceUntilStopped = defineThread(
  import.meta.url,
  'raceUntilStopped',
  (
    counter: Counter,
    operation: number,
    atLeast: number,
    gate: Barrier,
    stop: AtomicBool,
    beats: SharedI32Array,
    me: number,
  ) => {
    const words = beats.array;
    const overlap = words.length - 1;
    const othersSum = (): number => {
      let sum = 0;
      for (let i = 0; i < overlap; i++) if (i !== me) sum += Atomics.load(words, i);
      return sum;
    };
    gate.wait();
    let done = 0;
    while (done < atLeast || !stop.load()) {
      const before = othersSum();
      for (let i = 0; i < 32; i++) {
        if (operation === 1) counter.increment();
        else if (operation === -1) counter.decrement();
        else counter.add(operation);
      }
      done += 32;
      Atomics.add(words, me, 1);
      if (othersSum() !== before) Atomics.add(words, overlap, 1);
    }
    return done;
  },
);

/** After the gate, read the counter once. */
export const readOnce = defineThread(import.meta.url, 'readOnce', (counter: Counter, gate: Barrier) => {
  gate.wait();
  return counter.get();
});
