/**
 * Thread bodies used by this milestone's checkpoint tests. Each waits at a start gate (a Barrier shared with the
 * test) so that all threads begin together: started one by one, they could finish before the next one starts
 * and never race.
 */
import { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
import type { SharedI32Array } from '#kit/shared-data.ts';
import { defineThread } from '#kit/thread.ts';
import { AtomicCounter } from './atomic-counter.ts';

export const incrementAtomic = defineThread(
  import.meta.url,
  'incrementAtomic',
  (counter: AtomicCounter, times: number, gate: Barrier) => {
    gate.wait();
    for (let i = 0; i < times; i++) counter.increment();
  },
);

export const decrementAtomic = defineThread(
  import.meta.url,
  'decrementAtomic',
  (counter: AtomicCounter, times: number, gate: Barrier) => {
    gate.wait();
    for (let i = 0; i < times; i++) counter.decrement();
  },
);

export const addAtomic = defineThread(
  import.meta.url,
  'addAtomic',
  (counter: AtomicCounter, amount: bigint, times: number, gate: Barrier) => {
    gate.wait();
    for (let i = 0; i < times; i++) counter.add(amount);
  },
);

/**
 * After the gate, apply one operation ('inc', 'dec' or add `amount`) until `stop` is set and at least
 * `atLeast` times; return how many times. `beats` has one word per thread (`me` is this one's), bumped every
 * 32 operations, and a last word counting the moments a thread saw another one's word move while it was itself
 * in the middle of 32 operations (both running at once): the test races until that has added up.
 */
export const raceUntilStopped = defineThread(
  import.meta.url,
  'raceUntilStopped',
  (
    counter: AtomicCounter,
    operation: 'inc' | 'dec' | 'add',
    amount: bigint,
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
        if (operation === 'inc') counter.increment();
        else if (operation === 'dec') counter.decrement();
        else counter.add(amount);
      }
      done += 32;
      Atomics.add(words, me, 1);
      if (othersSum() !== before) Atomics.add(words, overlap, 1);
    }
    return done;
  },
);
