/** Thread bodies used by this milestone's checkpoint tests. */
import type { Sender } from '#kit/channel.ts';
import { Barrier } from '#kit/barrier.ts';
import { defineThread } from '#kit/thread.ts';
import { MonitoredCounter } from './monitored-counter.ts';

export const incrementMonitored = defineThread(
  import.meta.url,
  'incrementMonitored',
  (counter: MonitoredCounter, times: number, gate: Barrier) => {
    gate.wait(); // all threads start together, so they do meet at the lock
    for (let i = 0; i < times; i++) counter.increment();
  },
);

/**
 * Say it is about to increment, then increment once; return when the increment was called and when it
 * returned (milliseconds since the epoch, comparable between threads).
 */
export const announceThenIncrement = defineThread(
  import.meta.url,
  'announceThenIncrement',
  (counter: MonitoredCounter, about: Sender<null>) => {
    about.send(null);
    const calledAt = performance.timeOrigin + performance.now();
    counter.increment();
    return { calledAt, returnedAt: performance.timeOrigin + performance.now() };
  },
);
