// generated from solutions/p3-counters/m3-rwlock/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Thread bodies used by this milestone's checkpoint tests. */
import type { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
import type { SharedI32Array } from '#kit/shared-data.ts';
import { defineThread } from '#kit/thread.ts';
import { RwCounter } from './rw-counter.ts';

/** Read `times` times; return how many reads saw `expected` (all of them, if nothing writes). */
export const readExpecting = defineThread(
  import.meta.url,
  'readExpecting',
  (counter: RwCounter, times: number, expected: number) => {
    let matching = 0;
    for (let i = 0; i < times; i++) if (counter.get() === expected) matching++;
    return matching;
  },
);

/** Read `times` times; return whether the values never went down, and the last one seen. */
export const readMonotonic = defineThread(import.meta.url, 'readMonotonic', (counter: RwCounter, times: number) => {
  let last = -Infinity;
  let monotonic = true;
  for (let i = 0; i < times; i++) {
    const value = counter.get();
    if (value < last) monotonic = false;
    last = value;
  }
  return { monotonic, last };
});

/** After the start gate (so that writers and readers overlap), increment `times` times. */
export const incrementRw = defineThread(
  import.meta.url,
  'incrementRw',
  (counter: RwCounter, times: number, gate: Barrier) => {
    gate.wait();
    for (let i = 0; i < times; i++) counter.increment();
  },
);

/** After the start gate, read once. */
export const readOnce = defineThread(import.meta.url, 'readOnce', (counter: RwCounter, gate: Barrier) => {
  gate.wait();
  return counter.get();
});

/**
 * After the gate, increment (`write` true) or read over and over until `stop` is set, and at least `atLeast`
 * times; return how many times, and for a reader whether the values it saw never went down.
 *
 * Running until told to stop, rather than a fixed number of times, keeps the threads going however slowly each
 * one is scheduled, and the test stops them only once they have really run at the same time: `beats` has one word
 * per thread (`me` is this one's), bumped every 32 operations, and a last word counting the moments a thread saw
 * another one's word move while it was itself in the middle of 32 operations. On a busy machine that takes longer
 * to add up, so the race lasts longer.
 */
export const raceRwUntilStopped = defineThread(
  import.meta.url,
  'raceRwUntilStopped',
  (
    counter: RwCounter,
    write: boolean,
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
    let last = -Infinity;
    let monotonic = true;
    while (done < atLeast || !stop.load()) {
      const before = othersSum();
      for (let i = 0; i < 32; i++) {
        if (write) counter.increment();
        else {
          const value = counter.get();
          if (value < last) monotonic = false;
          last = value;
        }
      }
      done += 32;
      Atomics.add(words, me, 1);
      if (othersSum() !== before) Atomics.add(words, overlap, 1);
    }
    return { done, monotonic };
  },
);
