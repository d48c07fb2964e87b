// generated from solutions/p3-counters/m2-contention/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Thread bodies used by this milestone's checkpoint tests. */
import type { Sender } from '#kit/channel.ts';
import { defineThread } from '#kit/thread.ts';
import { MonitoredCounter } from './monitored-counter.ts';

export const incrementMonitored = defineThread(
  import.meta.url,
  'incrementMonitored',
  (counter: MonitoredCounter, times: number) => {
    for (let i = 0; i < times; i++) counter.increment();
  },
);

/** Say it is about to increment, then increment once. */
export const announceThenIncrement = defineThread(
  import.meta.url,
  'announceThenIncrement',
  (counter: MonitoredCounter, about: Sender<null>) => {
    about.send(null);
    counter.increment();
  },
);
