/**
 * Thread bodies used by this milestone's checkpoint tests. The racing ones wait at a start gate (a Barrier
 * shared with the test) and then work until told to stop, so the threads overlap for a known time however
 * slowly each one starts.
 */
import { AtomicBool } from '#kit/atomic.ts';
import { Barrier } from '#kit/barrier.ts';
import type { Receiver, Sender } from '#kit/channel.ts';
import type { SharedI32Array } from '#kit/shared-data.ts';
import { defineThread } from '#kit/thread.ts';
import { Counter } from '../m1-mutex-counter/counter.ts';
import { transfer, tryTransferWithTimeout } from './transfer.ts';

/** Transfer `amount` `times` times after the gate; count how many went through and how many were refused. */
export const transferMany = defineThread(
  import.meta.url,
  'transferMany',
  (from: Counter, to: Counter, amount: number, times: number, useTimeout: boolean, gate: Barrier) => {
    gate.wait();
    let done = 0;
    let refused = 0;
    for (let i = 0; i < times; i++) {
      const result = useTimeout ? tryTransferWithTimeout(from, to, amount, 10_000) : transfer(from, to, amount);
      if (result.ok) done++;
      else refused++;
    }
    return { done, refused };
  },
);

/**
 * After the gate, transfer `amount` over and over until `stop` is set; count what went through and what not,
 * and return the lowest balance of `from` seen after a transfer.
 *
 * `beats` has one word per mover (`me` is this one's), bumped after every transfer, and a last word counting
 * the transfers during which another mover's word moved: both were running at once. The test keeps the race
 * going until that has happened often enough, which takes longer on a busy machine.
 */
export const transferUntilStopped = defineThread(
  import.meta.url,
  'transferUntilStopped',
  (
    from: Counter,
    to: Counter,
    amount: number,
    useTimeout: boolean,
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
    let refused = 0;
    let lowest = Infinity;
    while (!stop.load()) {
      const before = othersSum();
      const result = useTimeout ? tryTransferWithTimeout(from, to, amount, 10_000) : transfer(from, to, amount);
      if (result.ok) done++;
      else refused++;
      lowest = Math.min(lowest, from.get());
      Atomics.add(words, me, 1);
      if (othersSum() !== before) Atomics.add(words, overlap, 1);
    }
    return { done, refused, lowest };
  },
);

/**
 * An auditor: after the gate, until `stop`, take both counters' locks (in id order, as a correct transfer
 * does) and look at the balances. Returns how many looks it took and the first inconsistent state seen: a total
 * other than `total` (money in flight, seen half-moved) or a negative balance. It keeps the locks for about
 * 0.1 ms per look, so that transfers pile up behind it and then rush in together, as under real load.
 */
export const audit = defineThread(
  import.meta.url,
  'audit',
  (a: Counter, b: Counter, total: number, gate: Barrier, stop: AtomicBool) => {
    gate.wait();
    const [first, second] = a.id < b.id ? [a, b] : [b, a];
    let looks = 0;
    let bad: string | undefined;
    while (!stop.load()) {
      using g1 = first.cell.lock();
      using g2 = second.cell.lock();
      const x = g1.value.array[0]!;
      const y = g2.value.array[0]!;
      looks++;
      for (const until = performance.now() + 0.1; performance.now() < until; );
      if (bad === undefined && (x + y !== total || x < 0 || y < 0))
        bad = `saw balances ${x} and ${y} (total ${x + y}, expected ${total})`;
    }
    return { looks, bad };
  },
);

/** Hold a counter's lock until told to let go, telling `locked` once it is held. */
export const holdLock = defineThread(
  import.meta.url,
  'holdLock',
  (counter: Counter, locked: Sender<null>, release: Receiver<null>) => {
    using guard = counter.cell.lock();
    locked.send(null);
    release.recv();
    return guard.value.get(0);
  },
);

/** One try-lock transfer; returns its result and how long it took (ms). */
export const tryTransferOnce = defineThread(
  import.meta.url,
  'tryTransferOnce',
  (from: Counter, to: Counter, amount: number, timeoutMs: number) => {
    const start = performance.now();
    const result = tryTransferWithTimeout(from, to, amount, timeoutMs);
    return { ok: result.ok, error: result.ok ? undefined : result.error, elapsed: performance.now() - start };
  },
);
