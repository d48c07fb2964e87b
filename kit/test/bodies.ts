/** Thread bodies used by the kit's own tests. */
import type { Receiver, Sender } from '../channel.ts';
import { currentThread, defineThread, sleep } from '../thread.ts';

export const add = defineThread(import.meta.url, 'add', (a: number, b: number) => a + b);

export const whoAmI = defineThread(import.meta.url, 'whoAmI', () => currentThread());

export const fail = defineThread(import.meta.url, 'fail', (message: string) => {
  throw new RangeError(message);
});

export const produce = defineThread(import.meta.url, 'produce', (tx: Sender<number>, from: number, count: number) => {
  for (let i = 0; i < count; i++) tx.send(from + i);
  return count;
});

export const sum = defineThread(import.meta.url, 'sum', (rx: Receiver<number>) => {
  let total = 0;
  let count = 0;
  for (const value of rx) {
    total += value;
    count++;
  }
  return { total, count };
});

export const echo = defineThread(import.meta.url, 'echo', (rx: Receiver<number>, tx: Sender<number>) => {
  for (const value of rx) tx.send(value);
});

export const nap = defineThread(import.meta.url, 'nap', (ms: number) => {
  sleep(ms);
  return ms;
});
