import { describe, expect, test } from 'vitest';
import {
  channel,
  RecvError,
  RecvTimeoutError,
  type Receiver,
  type Sender,
  syncChannel,
  TryRecvError,
} from '../channel.ts';
import { i32 } from '../codec.ts';
import { type JoinHandle, sleepAsync, spawn, ThreadPanicError } from '../thread.ts';
import { exitNow, joinExitingChild } from './bodies.ts';
import {
  type CheckedCount,
  consumeChecked,
  consumerThrows,
  exitMidStream,
  holdReceiver,
  holdSender,
  produceRange,
  recvOnce,
  selectOnce,
  sendUntilFails,
  throwMidStream,
} from './channel-bodies.ts';

const FOREVER = 600_000;
const asUnknownTx = <T>(tx: Sender<T>): Sender<unknown> => tx as Sender<unknown>;
const asUnknownRx = <T>(rx: Receiver<T>): Receiver<unknown> => rx as Receiver<unknown>;

async function untilBlocked(check: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('the thread never reached the expected state');
    await sleepAsync(5);
  }
  await sleepAsync(100); // let it park
}

async function joinError(handle: JoinHandle<unknown>): Promise<Error> {
  try {
    await handle.joinAsync();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the join to fail');
}

describe('a peer thread dies', () => {
  test('a receiver blocked in recv gets RecvError promptly when its only producer is terminated', async () => {
    const [tx, rx] = channel<number>();
    const producer = spawn(holdSender, asUnknownTx(tx), FOREVER);
    const receiver = spawn(recvOnce, asUnknownRx(rx));
    await sleepAsync(200); // both running, the receiver parked in recv
    expect(receiver.isFinished()).toBe(false);
    const killedAt = performance.now();
    await producer.terminate();
    const outcome = await receiver.joinAsync();
    expect(outcome.outcome).toBe('RecvError');
    expect(performance.now() - killedAt).toBeLessThan(3000);
    expect((await joinError(producer)).message).toMatch(/died before finishing/);
  });

  test('a thread that gets the receiver only after the producer died still sees disconnection', async () => {
    const [tx, rx] = channel<number>();
    const producer = spawn(holdSender, asUnknownTx(tx), FOREVER);
    await sleepAsync(100);
    await producer.terminate();
    const receiver = spawn(recvOnce, asUnknownRx(rx));
    const outcome = await receiver.joinTimeoutAsync(5000);
    if (!outcome.ok) await receiver.terminate();
    expect(outcome.ok && outcome.value.outcome).toBe('RecvError');
  });

  test('a main-thread recvAsync notices the death of its only producer', async () => {
    const [tx, rx] = channel<number>();
    const producer = spawn(holdSender, asUnknownTx(tx), FOREVER);
    const pending = rx.recvAsync();
    await sleepAsync(100);
    const killedAt = performance.now();
    await producer.terminate();
    await expect(pending).rejects.toBeInstanceOf(RecvError);
    expect(performance.now() - killedAt).toBeLessThan(3000);
  });

  test('a polling tryRecv loop notices the death of its only producer', async () => {
    const [tx, rx] = channel<number>();
    const producer = spawn(holdSender, asUnknownTx(tx), FOREVER);
    await sleepAsync(100);
    await producer.terminate();
    const started = performance.now();
    let result = rx.tryRecv();
    while (!result.ok && result.error.isEmpty && performance.now() - started < 3000) {
      await sleepAsync(10);
      result = rx.tryRecv();
    }
    expect(result).toEqual({ ok: false, error: TryRecvError.Disconnected });
  });

  test('isDisconnected reflects a peer thread that was terminated', async () => {
    const [tx, rx] = channel<number>();
    const [tx2, rx2] = channel<number>();
    const consumer = spawn(holdReceiver, asUnknownRx(rx), FOREVER);
    const producer = spawn(holdSender, asUnknownTx(tx2), FOREVER);
    await sleepAsync(100);
    expect(tx.isDisconnected).toBe(false);
    expect(rx2.isDisconnected).toBe(false);
    await Promise.all([consumer.terminate(), producer.terminate()]);
    expect(tx.isDisconnected).toBe(true);
    expect(rx2.isDisconnected).toBe(true);
  });

  test('a producer blocked in send on a full channel gets SendError when the consumer is terminated', async () => {
    const [tx, rx] = syncChannel<number>(4);
    const consumer = spawn(holdReceiver, asUnknownRx(rx), FOREVER);
    const producer = spawn(sendUntilFails, tx);
    await untilBlocked(() => tx.len() === 4);
    expect(producer.isFinished()).toBe(false);
    const killedAt = performance.now();
    await consumer.terminate();
    const outcome = await producer.joinAsync();
    expect(performance.now() - killedAt).toBeLessThan(3000);
    expect(outcome).toEqual({ name: 'SendError', valueBack: 4, sent: 4 });
  });

  test('a receiver killed while parked is no longer counted as waiting (rendezvous trySend is Full)', async () => {
    const [tx, rx] = syncChannel<number>(0);
    const parked = spawn(recvOnce, asUnknownRx(rx.clone()));
    const selecting = spawn(selectOnce, rx.clone(), rx.clone());
    await sleepAsync(300); // both are parked (one in recv, one in select)
    await Promise.all([parked.terminate(), selecting.terminate()]);
    const result = tx.trySend(1);
    expect(!result.ok && result.error.isFull).toBe(true);
    expect(rx.isEmpty()).toBe(true);
  });

  test('a producer that throws mid-stream releases its sender: the consumer drains, then sees disconnection', async () => {
    const [tx, rx] = channel<number>();
    const producer = spawn(throwMidStream, tx, 10);
    const got: number[] = [];
    for await (const value of rx) got.push(value);
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const panic = await joinError(producer);
    expect(panic).toBeInstanceOf(ThreadPanicError);
    expect(panic.message).toMatch(/producer failed mid-stream/);
  });

  test('a consumer that throws mid-stream releases its receiver: the producer gets SendError', async () => {
    const [tx, rx] = syncChannel<number>(2);
    const consumer = spawn(consumerThrows, rx, 5);
    const producer = spawn(sendUntilFails, tx);
    const outcome = await producer.joinAsync();
    expect(outcome.name).toBe('SendError');
    expect(outcome.sent).toBeGreaterThanOrEqual(5);
    expect(outcome.valueBack).toBe(outcome.sent);
    expect((await joinError(consumer)).message).toMatch(/consumer failed mid-stream/);
  });

  test('a thread that calls process.exit() releases its endpoints and is reported as died', async () => {
    const [tx, rx] = channel<number>();
    const producer = spawn(exitMidStream, tx, 5, 3);
    const got: number[] = [];
    // The disconnection must end the wait, not the timeout (which would fail below as Timeout); no wall-clock bound
    // beyond that, so a loaded machine cannot fail it.
    for (;;) {
      const result = await rx.recvTimeoutAsync(30_000);
      if (!result.ok) {
        expect(result.error).toBe(RecvTimeoutError.Disconnected);
        break;
      }
      got.push(result.value);
    }
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect((await joinError(producer)).message).toMatch(/died before finishing: it exited with code 3/);
  });

  test('a blocking join inside a worker notices a child that called process.exit()', async () => {
    const outer = spawn(joinExitingChild, 4);
    const result = await outer.joinTimeoutAsync(10_000);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.joined).toBe('ThreadPanicError');
      expect(result.value.message).toMatch(/died before finishing/);
      expect(result.value.ms).toBeLessThan(3000);
    } else {
      await outer.terminate();
    }
  });

  test('process.exit() in a thread does not end the process', async () => {
    const error = await joinError(spawn(exitNow, 0));
    expect(error.message).toMatch(/exited with code 0/);
    expect(process.exitCode ?? 0).toBe(0);
  });
});

describe('terminate() during heavy traffic', () => {
  test('survivors never hang and their counts stay exact while other producers are killed mid-send', async () => {
    const per = 10_000_000; // encoding space per producer; survivors send `survivorCount` each
    const survivorCount = 50_000;
    for (let round = 0; round < 3; round++) {
      const [tx, rx] = syncChannel<number>(64, { codec: i32 });
      const consumer = spawn(consumeChecked, rx, 4, per, false);
      const survivors = [0, 1].map((p) => spawn(produceRange, tx.clone(), p * per, survivorCount));
      const victims = [2, 3].map((p) => spawn(produceRange, tx.clone(), p * per, per - 1));
      tx.close();
      await sleepAsync(60 + round * 40);
      const started = performance.now();
      await Promise.all(victims.map((victim) => victim.terminate()));
      for (const survivor of survivors) {
        const done = await survivor.joinTimeoutAsync(20_000);
        expect(done).toEqual({ ok: true, value: survivorCount });
      }
      const finished = await consumer.joinTimeoutAsync(20_000);
      expect(finished.ok).toBe(true);
      expect(performance.now() - started).toBeLessThan(20_000);
      const result = (finished as { ok: true; value: CheckedCount }).value;
      expect(result.counts[0]).toBe(survivorCount);
      expect(result.counts[1]).toBe(survivorCount);
      // the victims' messages arrive as exact prefixes: no gap, no duplicate
      expect(result.contiguous).toBe(true);
      for (const victim of victims) expect(victim.isFinished()).toBe(true);
    }
  });

  test('a consumer killed mid-receive leaves the survivors consistent: no hang, no duplicate', async () => {
    const total = 200_000;
    for (let round = 0; round < 2; round++) {
      const [tx, rx] = syncChannel<number>(32, { codec: i32 });
      const survivor = spawn(consumeChecked, rx.clone(), 1, total, true);
      const victim = spawn(consumeChecked, rx.clone(), 1, total, true);
      const greedy = spawn(consumeChecked, rx, 1, total, true);
      const producer = spawn(produceRange, tx, 0, total);
      await sleepAsync(80 + round * 60);
      await victim.terminate();
      expect(await producer.joinTimeoutAsync(20_000)).toEqual({ ok: true, value: total });
      const a = (await survivor.joinTimeoutAsync(20_000)) as { ok: true; value: CheckedCount };
      const b = (await greedy.joinTimeoutAsync(20_000)) as { ok: true; value: CheckedCount };
      expect(a.ok && b.ok).toBe(true);
      expect(a.value.increasing && b.value.increasing).toBe(true);
      const received = a.value.counts[0]! + b.value.counts[0]!;
      expect(received).toBeLessThanOrEqual(total);
      // the survivors got everything sent after the victim died, so most of the stream
      expect(received).toBeGreaterThan(total / 3);
      for (let i = 0; i < total; i++) {
        const times = a.value.seen[i]! + b.value.seen[i]!;
        if (times > 1) throw new Error(`message ${i} was delivered ${times} times`);
      }
    }
  });
});
