/** Thread bodies used by this milestone's checkpoint tests. */
import { defineThread } from '#kit/thread.ts';
import { MonitoredCounter } from './monitored-counter.ts';

export const incrementMonitored = defineThread(
  import.meta.url,
  'incrementMonitored',
  (counter: MonitoredCounter, times: number) => {
    for (let i = 0; i < times; i++) counter.increment();
  },
);
