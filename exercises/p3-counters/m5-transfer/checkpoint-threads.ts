// generated from solutions/p3-counters/m5-transfer/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Thread bodies used by this milestone's checkpoint tests. */
import type { Sender } from '#kit/channel.ts';
import { defineThread, sleep } from '#kit/thread.ts';
import { Counter } from '../m1-mutex-counter/counter.ts';
import { transfer, tryTransferWithTimeout } from './transfer.ts';

/** Transfer `amount` `times` times; count how many went through and how many were refused. */
export const transferMany = defineThread(
  import.meta.url,
  'transferMany',
  (from: Counter, to: Counter, amount: number, times: number, useTimeout: boolean) => {
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

/** Hold a counter's lock for `ms`, telling `locked` once it is held. */
export const holdLock = defineThread(import.meta.url, 'holdLock', (counter: Counter, ms: number, locked: Sender<null>) => {
  using guard = counter.cell.lock();
  locked.send(null);
  sleep(ms);
  return guard.value.get(0);
});
