import { describe, expect, test } from 'vitest';
import { channel, type Receiver, type Sender, syncChannel } from '../channel.ts';
import { select, selectAsync, trySelect } from '../select.ts';
import { sleepAsync, spawn } from '../thread.ts';
import { holdSender, selectAfterReady, selectOnce, selectServer, sendEach } from './channel-bodies.ts';

const asUnknownTx = <T>(tx: Sender<T>): Sender<unknown> => tx as Sender<unknown>;

describe('select', () => {
  test('picks the receiver that has a message', () => {
    const [txA, rxA] = channel<number>();
    const [txB, rxB] = channel<string>();
    txB.send('b1');
    const picked = select([rxA, rxB] as const);
    expect(picked).toEqual({ kind: 'message', index: 1, value: 'b1' });
    txA.send(1);
    expect(select([rxA, rxB] as const)).toEqual({ kind: 'message', index: 0, value: 1 });
    expect(rxA.isEmpty() && rxB.isEmpty()).toBe(true);
  });

  test('reports a disconnected receiver', () => {
    const [txA, rxA] = channel<number>();
    const [txB, rxB] = channel<number>();
    txB.close();
    expect(select([rxA, rxB])).toEqual({ kind: 'disconnected', index: 1 });
    txA.close();
  });

  test('a queued message is taken before disconnection is reported', () => {
    const [tx, rx] = channel<number>();
    tx.send(4);
    tx.close();
    expect(select([rx])).toEqual({ kind: 'message', index: 0, value: 4 });
    expect(select([rx])).toEqual({ kind: 'disconnected', index: 0 });
  });

  test('times out when nothing is ready', () => {
    const [, rxA] = channel<number>();
    const [, rxB] = channel<number>();
    const started = performance.now();
    expect(select([rxA, rxB], { timeout: 100 })).toEqual({ kind: 'timeout' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  test('trySelect takes the default arm when nothing is ready', () => {
    const [txA, rxA] = channel<number>();
    const [, rxB] = channel<number>();
    expect(trySelect([rxA, rxB])).toEqual({ kind: 'empty' });
    txA.send(3);
    expect(trySelect([rxA, rxB])).toEqual({ kind: 'message', index: 0, value: 3 });
    expect(trySelect([rxA, rxB])).toEqual({ kind: 'empty' });
  });

  test('rejects an empty list and closed receivers', () => {
    expect(() => select([])).toThrow(RangeError);
    const [, rx] = channel<number>();
    rx.close();
    expect(() => trySelect([rx])).toThrow(/closed/);
  });

  test('selectAsync waits for a message from another thread without blocking the event loop', async () => {
    const [txA, rxA] = channel<number>();
    const [, rxB] = channel<number>();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const producer = spawn(sendEach, asUnknownTx(txA), [77]);
    const picked = await selectAsync([rxA, rxB], { timeout: 10_000 });
    clearInterval(timer);
    expect(picked).toEqual({ kind: 'message', index: 0, value: 77 });
    expect(ticks).toBeGreaterThan(0);
    await producer.joinAsync();
  });

  test('selectAsync times out, and reports disconnection', async () => {
    const [txA, rxA] = channel<number>();
    const started = performance.now();
    expect(await selectAsync([rxA], { timeout: 100 })).toEqual({ kind: 'timeout' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    setTimeout(() => txA.close(), 20);
    expect(await selectAsync([rxA], { timeout: 5000 })).toEqual({ kind: 'disconnected', index: 0 });
  });

  test('selectAsync notices a producer thread that is terminated', async () => {
    const [tx, rx] = channel<number>();
    const holder = spawn(holdSender, asUnknownTx(tx), 600_000);
    await sleepAsync(100);
    const pending = selectAsync([rx], { timeout: 10_000 });
    await sleepAsync(20);
    const killedAt = performance.now();
    await holder.terminate();
    expect(await pending).toEqual({ kind: 'disconnected', index: 0 });
    expect(performance.now() - killedAt).toBeLessThan(3000);
  });

  test('fairness: with two always-busy channels each is picked 35%–65% of the time', () => {
    const [txA, rxA] = channel<number>();
    const [txB, rxB] = channel<number>();
    const rounds = 2000;
    for (let i = 0; i < rounds; i++) {
      txA.send(i);
      txB.send(i);
    }
    const picks = [0, 0];
    for (let i = 0; i < rounds; i++) {
      const picked = select([rxA, rxB]);
      if (picked.kind !== 'message') throw new Error('both channels are busy');
      picks[picked.index]!++;
      // keep both channels busy
      (picked.index === 0 ? txA : txB).send(i);
    }
    expect(picks[0]! + picks[1]!).toBe(rounds);
    expect(picks[0]! / rounds).toBeGreaterThanOrEqual(0.35);
    expect(picks[0]! / rounds).toBeLessThanOrEqual(0.65);
  });

  test('a blocked select in a worker is woken by a message from another thread', async () => {
    const [txA, rxA] = channel<number>();
    const [txB, rxB] = channel<number>();
    const [readyTx, readyRx] = channel<number>();
    const waiter = spawn(selectAfterReady, rxA, rxB, readyTx);
    expect(await readyRx.recvAsync()).toBe(1);
    await sleepAsync(150); // the worker is parked in select by now
    expect(waiter.isFinished()).toBe(false);
    const sentAt = performance.timeOrigin + performance.now();
    txB.send(5);
    const { picked, startedAt } = await waiter.joinAsync();
    expect(picked).toEqual({ kind: 'message', index: 1, value: 5 });
    expect(startedAt).toBeLessThan(sentAt); // it was already selecting when the message came
    txA.close();
  });

  test('select wakes on the sender’s signal, not only by its polling slice (fast round trips)', async () => {
    // A selecting thread re-checks every 50 ms even without a signal; 60 round trips that each waited for the
    // slice would take ~1.5 s on average. Woken by the sender, they take a few ms each at most.
    const [txA, rxA] = channel<number>();
    const [txB, rxB] = channel<number>();
    const [outTx, outRx] = channel<number>();
    const server = spawn(selectServer, rxA, rxB, outTx);
    await sleepAsync(100);
    const rounds = 60;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) {
      await sleepAsync(1); // let the server park again
      (i % 2 === 0 ? txA : txB).send(i);
      const reply = await outRx.recvAsync();
      expect(reply).toBe((i % 2) * 1e6 + i);
    }
    const elapsed = performance.now() - started;
    txA.close();
    txB.close();
    expect(await server.joinAsync()).toBe(rounds);
    expect(elapsed).toBeLessThan(1200);
  });

  test('several threads selecting on one channel each get distinct messages', async () => {
    const [tx, rx] = syncChannel<number>(4);
    const [, idle] = channel<number>();
    const waiters = [0, 1, 2].map(() => spawn(selectOnce, rx.clone(), idle.clone()));
    await sleepAsync(200);
    for (const v of [10, 20, 30]) tx.send(v);
    const results = await Promise.all(waiters.map((w) => w.joinAsync()));
    const values = results.map((r) => (r.picked.kind === 'message' ? r.picked.value : -1)).sort((a, b) => a - b);
    expect(values).toEqual([10, 20, 30]);
  });
});

// Keep the type-level contract honest: a select over differently typed receivers yields a union.
const typed = (a: Receiver<number>, b: Receiver<string>): number | string | undefined => {
  const picked = trySelect([a, b] as const);
  return picked.kind === 'message' ? picked.value : undefined;
};
void typed;
