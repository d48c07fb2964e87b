/** Thread bodies for the kit benchmarks (benches/kit.ts). */
import type { Receiver, Sender } from '#kit/channel.ts';
import { defineThread } from '#kit/thread.ts';

/**
 * Receive a warm-up round of `warmup` messages, then a timed round of `perRound`, acknowledging each round on `done`
 * (0 after the warm-up, 1 after the timed round; -1 first, once the thread is up).
 */
export const drainRounds = defineThread(
  import.meta.url,
  'drainRounds',
  (rx: Receiver<unknown>, done: Sender<number>, warmup: number, perRound: number) => {
    done.send(-1);
    for (const [round, count] of [warmup, perRound].entries()) {
      for (let i = 0; i < count; i++) rx.recv();
      done.send(round);
    }
  },
);

/** Same as drainRounds, receiving batches (arrays) until each round's count of values has arrived. */
export const drainBatches = defineThread(
  import.meta.url,
  'drainBatches',
  (rx: Receiver<unknown[]>, done: Sender<number>, warmup: number, perRound: number) => {
    done.send(-1);
    for (const [round, count] of [warmup, perRound].entries()) {
      for (let got = 0; got < count; ) got += rx.recv().length;
      done.send(round);
    }
  },
);

/** Echo every number back until the channel closes. */
export const pong = defineThread(import.meta.url, 'pong', (rx: Receiver<number>, tx: Sender<number>) => {
  for (const value of rx) tx.send(value);
});

/** Time `iterations` round trips through a pong thread; returns nanoseconds per round trip. */
export const ping = defineThread(
  import.meta.url,
  'ping',
  (tx: Sender<number>, rx: Receiver<number>, warmup: number, iterations: number) => {
    for (let i = 0; i < warmup; i++) {
      tx.send(i);
      rx.recv();
    }
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      tx.send(i);
      rx.recv();
    }
    return Number(process.hrtime.bigint() - start) / iterations;
  },
);

/** Block in recv until the channel closes (to measure what an idle receiver costs). */
export const idle = defineThread(import.meta.url, 'idle', (rx: Receiver<number>) => {
  for (const _ of rx);
});

/** Say hello as soon as the thread runs. */
export const hello = defineThread(import.meta.url, 'hello', (tx: Sender<number>) => {
  tx.send(1);
});
