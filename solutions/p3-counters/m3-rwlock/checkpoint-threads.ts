/** Thread bodies used by this milestone's checkpoint tests. */
import { Barrier } from '#kit/barrier.ts';
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
