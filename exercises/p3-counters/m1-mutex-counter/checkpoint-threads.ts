// generated from solutions/p3-counters/m1-mutex-counter/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Thread bodies used by this milestone's checkpoint tests. */
import { defineThread } from '#kit/thread.ts';
import { Counter } from './counter.ts';

export const incrementTimes = defineThread(import.meta.url, 'incrementTimes', (counter: Counter, times: number) => {
  for (let i = 0; i < times; i++) counter.increment();
});

export const decrementTimes = defineThread(import.meta.url, 'decrementTimes', (counter: Counter, times: number) => {
  for (let i = 0; i < times; i++) counter.decrement();
});

export const addTimes = defineThread(import.meta.url, 'addTimes', (counter: Counter, amount: number, times: number) => {
  for (let i = 0; i < times; i++) counter.add(amount);
});
