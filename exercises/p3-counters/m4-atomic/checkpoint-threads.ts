/**
 * Thread bodies used by this milestone's checkpoint tests. Each waits at a start gate (a Barrier shared with the
 * test) so that all threads begin together: started one by one, they could finish before the next one starts
 * and never race.
 */
import { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
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
 * `atLeast` times; return how many times.
 */
export const raceUntilStopped = defineThread(
  import.meta.url,
  'raceUntilStopped',
  (counter: AtomicCounter, operation: 'inc' | 'dec' | 'add', amount: bigint, atLeast: number, gate: Barrier, stop: AtomicBool) => {
    gate.wait();
    let done = 0;
    while (done < atLeast || !stop.load()) {
      if (operation === 'inc') counter.increment();
      else if (operation === 'dec') counter.decrement();
      else counter.add(amount);
      done++;
    }
    return done;
  },
);
