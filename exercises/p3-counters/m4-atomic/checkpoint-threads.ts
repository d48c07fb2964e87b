// generated from solutions/p3-counters/m4-atomic/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Thread bodies used by this milestone's checkpoint tests. */
import { defineThread } from '#kit/thread.ts';
import { AtomicCounter } from './atomic-counter.ts';

export const incrementAtomic = defineThread(import.meta.url, 'incrementAtomic', (counter: AtomicCounter, times: number) => {
  for (let i = 0; i < times; i++) counter.increment();
});

export const decrementAtomic = defineThread(import.meta.url, 'decrementAtomic', (counter: AtomicCounter, times: number) => {
  for (let i = 0; i < times; i++) counter.decrement();
});

export const addAtomic = defineThread(
  import.meta.url,
  'addAtomic',
  (counter: AtomicCounter, amount: bigint, times: number) => {
    for (let i = 0; i < times; i++) counter.add(amount);
  },
);
