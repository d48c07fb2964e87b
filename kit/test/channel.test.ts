import { describe, expect, test } from 'vitest';
import {
  channel,
  EndpointClosedError,
  RecvError,
  RecvTimeoutError,
  type Receiver,
  SendError,
  type Sender,
  syncChannel,
  TryRecvError,
  TrySendError,
} from '../channel.ts';
import { string } from '../codec.ts';
import { sleepAsync, spawn } from '../thread.ts';
import { sum } from './bodies.ts';
import {
  collect,
  consumeChecked,
  holdReceiver,
  holdSender,
  produceRange,
  recvOnce,
  sendEach,
  timedSend,
  useAfterMove,
} from './channel-bodies.ts';

const asUnknownTx = <T>(tx: Sender<T>): Sender<unknown> => tx as Sender<unknown>;
const asUnknownRx = <T>(rx: Receiver<T>): Receiver<unknown> => rx as Receiver<unknown>;

describe('unbounded channel', () => {
  test('keeps order and never blocks the sender', () => {
    const [tx, rx] = channel<number>();
    for (let i = 0; i < 10_000; i++) tx.send(i);
    expect(rx.len()).toBe(10_000);
    for (let i = 0; i < 10_000; i++) expect(rx.recv()).toBe(i);
    expect(rx.isEmpty()).toBe(true);
  });

  test('len, isEmpty and capacity', () => {
    const [tx, rx] = channel<string>();
    expect(tx.capacity).toBeUndefined();
    expect(rx.isEmpty()).toBe(true);
    tx.send('a');
    tx.send('b');
    expect(tx.len()).toBe(2);
    expect(rx.len()).toBe(2);
    expect(rx.isEmpty()).toBe(false);
    rx.recv();
    expect(rx.len()).toBe(1);
    const [btx] = syncChannel<number>(7);
    expect(btx.capacity).toBe(7);
    const [ztx] = syncChannel<number>(0);
    expect(ztx.capacity).toBe(0);
  });

  test('send fails with SendError carrying the value once every receiver is gone', () => {
    const [tx, rx] = channel<{ id: number }>();
    const rx2 = rx.clone();
    rx.close();
    tx.send({ id: 1 }); // one receiver is left
    rx2.close();
    expect(tx.isDisconnected).toBe(true);
    let caught: unknown;
    try {
      tx.send({ id: 2 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SendError);
    expect((caught as SendError<{ id: number }>).value).toEqual({ id: 2 });
  });

  test('recv drains queued messages after disconnection, then fails with RecvError', () => {
    const [tx, rx] = channel<number>();
    tx.send(1);
    tx.send(2);
    tx.close();
    expect(rx.isDisconnected).toBe(true);
    expect(rx.recv()).toBe(1);
    expect(rx.recv()).toBe(2);
    expect(() => rx.recv()).toThrow(RecvError);
    expect(rx.tryRecv()).toEqual({ ok: false, error: TryRecvError.Disconnected });
  });

  test('tryRecv reports Empty, then a value, then Disconnected', () => {
    const [tx, rx] = channel<number>();
    const empty = rx.tryRecv();
    expect(empty.ok).toBe(false);
    if (!empty.ok) {
      expect(empty.error.isEmpty).toBe(true);
      expect(empty.error).toBe(TryRecvError.Empty);
    }
    tx.send(3);
    expect(rx.tryRecv()).toEqual({ ok: true, value: 3 });
    tx.close();
    const gone = rx.tryRecv();
    expect(!gone.ok && gone.error.isDisconnected).toBe(true);
  });

  test('tryIter yields only what is queued now', () => {
    const [tx, rx] = channel<number>();
    tx.send(1);
    tx.send(2);
    expect([...rx.tryIter()]).toEqual([1, 2]);
    expect([...rx.tryIter()]).toEqual([]);
  });
});

describe('bounded channel', () => {
  test('trySend reports Full and hands the value back', () => {
    const [tx, rx] = syncChannel<string>(2);
    expect(tx.trySend('a').ok).toBe(true);
    expect(tx.trySend('b').ok).toBe(true);
    const full = tx.trySend('c');
    expect(full.ok).toBe(false);
    if (!full.ok) {
      expect(full.error).toBeInstanceOf(TrySendError);
      expect(full.error.isFull).toBe(true);
      expect(full.error.value).toBe('c');
    }
    expect(rx.recv()).toBe('a');
    expect(tx.trySend('c').ok).toBe(true);
    expect([...rx.tryIter()]).toEqual(['b', 'c']);
  });

  test('trySend reports Disconnected and hands the value back', () => {
    const [tx, rx] = syncChannel<number>(2);
    rx.close();
    const result = tx.trySend(9);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.isDisconnected).toBe(true);
      expect(result.error.value).toBe(9);
    }
  });

  test('sendTimeout times out on a full channel, then succeeds once there is room', () => {
    const [tx, rx] = syncChannel<number>(1);
    tx.send(1);
    const started = performance.now();
    const timedOut = tx.sendTimeout(2, 100);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(timedOut.ok).toBe(false);
    if (!timedOut.ok) {
      expect(timedOut.error.isTimeout).toBe(true);
      expect(timedOut.error.value).toBe(2);
    }
    expect(rx.recv()).toBe(1);
    expect(tx.sendTimeout(2, 100).ok).toBe(true);
    expect(rx.recv()).toBe(2);
    rx.close();
    const gone = tx.sendTimeout(3, 100);
    expect(!gone.ok && gone.error.isDisconnected && gone.error.value === 3).toBe(true);
  });

  test('recvTimeout times out on an empty channel, then succeeds, then reports disconnection', () => {
    const [tx, rx] = syncChannel<number>(4);
    const started = performance.now();
    const timedOut = rx.recvTimeout(100);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(timedOut).toEqual({ ok: false, error: RecvTimeoutError.Timeout });
    tx.send(5);
    expect(rx.recvTimeout(100)).toEqual({ ok: true, value: 5 });
    tx.close();
    expect(rx.recvTimeout(100)).toEqual({ ok: false, error: RecvTimeoutError.Disconnected });
  });

  test('a producer thread blocks on a full channel until the consumer makes room', async () => {
    const [tx, rx] = syncChannel<number>(4);
    const producer = spawn(produceRange, tx, 0, 100);
    const deadline = performance.now() + 5000;
    while (rx.len() < 4 && performance.now() < deadline) await sleepAsync(5);
    await sleepAsync(100);
    expect(rx.len()).toBe(4); // still 4 after a while: the producer is blocked with the channel full
    expect(producer.isFinished()).toBe(false);
    const got: number[] = [];
    for await (const value of rx) got.push(value);
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(await producer.joinAsync()).toBe(100);
  });

  test('rejects a bad capacity', () => {
    expect(() => syncChannel(-1)).toThrow(RangeError);
    expect(() => syncChannel(1.5)).toThrow(RangeError);
  });
});

describe('rendezvous channel (capacity 0)', () => {
  test('send blocks until a receiver picks the message up', async () => {
    const [tx, rx] = syncChannel<number>(0);
    const sender = spawn(timedSend, tx, 42);
    while (rx.len() === 0) await sleepAsync(2); // the message is in flight: the sender is inside send()
    await sleepAsync(200);
    expect(sender.isFinished()).toBe(false);
    expect(await rx.recvAsync()).toBe(42);
    const blockedMs = await sender.joinAsync();
    expect(blockedMs).toBeGreaterThanOrEqual(190);
  });

  test('trySend without a waiting receiver is Full; with none left it is Disconnected', () => {
    const [tx, rx] = syncChannel<number>(0);
    const full = tx.trySend(1);
    expect(!full.ok && full.error.isFull && full.error.value === 1).toBe(true);
    rx.close();
    const gone = tx.trySend(2);
    expect(!gone.ok && gone.error.isDisconnected && gone.error.value === 2).toBe(true);
  });

  test('trySend succeeds when a receiver is parked in recv', async () => {
    const [tx, rx] = syncChannel<number>(0);
    const receiver = spawn(recvOnce, asUnknownRx(rx));
    const deadline = performance.now() + 5000;
    let sent = tx.trySend(31);
    while (!sent.ok && performance.now() < deadline) {
      expect(sent.error.isFull).toBe(true);
      await sleepAsync(5);
      sent = tx.trySend(31);
    }
    expect(sent.ok).toBe(true);
    expect((await receiver.joinAsync()).value).toBe(31);
  });

  test('sendTimeout with nobody receiving times out and takes the message back', () => {
    const [tx, rx] = syncChannel<number>(0);
    const started = performance.now();
    const result = tx.sendTimeout(7, 100);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(!result.ok && result.error.isTimeout && result.error.value === 7).toBe(true);
    expect(rx.tryRecv()).toEqual({ ok: false, error: TryRecvError.Empty });
  });

  test('a rendezvous send whose receiver goes away fails with SendError (value handed back)', async () => {
    const [tx, rx] = syncChannel<number>(0);
    const holder = spawn(holdReceiver, asUnknownRx(rx), 200);
    const started = performance.now();
    const result = await tx.sendTimeoutAsync(11, 5000);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.isDisconnected).toBe(true);
      expect(result.error.value).toBe(11);
    }
    await holder.joinAsync();
    await expect(tx.sendAsync(12)).rejects.toBeInstanceOf(SendError);
  });

  test('many rendezvous hand-offs across threads arrive in order', () => {
    const [tx, rx] = syncChannel<number>(0);
    const consumer = spawn(sum, rx);
    for (let i = 1; i <= 200; i++) tx.send(i);
    tx.close();
    expect(consumer.join()).toEqual({ total: (200 * 201) / 2, count: 200 });
  });
});

describe('async forms on the main thread', () => {
  test('recvAsync waits for a message from another thread without blocking the event loop', async () => {
    const [tx, rx] = channel<string>();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const producer = spawn(sendEach, asUnknownTx(tx), ['x', 'y']);
    expect(await rx.recvAsync()).toBe('x');
    expect(await rx.recvAsync()).toBe('y');
    await producer.joinAsync();
    await expect(rx.recvAsync()).rejects.toBeInstanceOf(RecvError);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  test('recvTimeoutAsync times out, then succeeds', async () => {
    const [tx, rx] = channel<number>();
    const started = performance.now();
    const result = await rx.recvTimeoutAsync(100);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(result).toEqual({ ok: false, error: RecvTimeoutError.Timeout });
    setTimeout(() => tx.send(8), 20);
    expect(await rx.recvTimeoutAsync(2000)).toEqual({ ok: true, value: 8 });
  });

  test('sendAsync waits for room; sendTimeoutAsync times out then succeeds', async () => {
    const [tx, rx] = syncChannel<number>(1);
    await tx.sendAsync(1);
    const started = performance.now();
    const timedOut = await tx.sendTimeoutAsync(2, 100);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(!timedOut.ok && timedOut.error.isTimeout && timedOut.error.value === 2).toBe(true);
    const consumer = spawn(collect, asUnknownRx(rx));
    await tx.sendAsync(2);
    expect((await tx.sendTimeoutAsync(3, 5000)).ok).toBe(true);
    tx.close();
    expect(await consumer.joinAsync()).toEqual([1, 2, 3]);
  });
});

describe('an endpoint closed while its async operation waits (E3)', () => {
  test('a pending receive ends with EndpointClosedError and leaves the message to the receiver still open', async () => {
    const [tx, rx] = channel<number>();
    const other = rx.clone();
    const pending = rx.recvAsync();
    await sleepAsync(5); // it has looked, found nothing and parked
    rx.close();
    tx.send(1);
    await expect(pending).rejects.toBeInstanceOf(EndpointClosedError);
    expect(other.tryRecv()).toEqual({ ok: true, value: 1 });
  });

  test('a pending async iteration ends with EndpointClosedError once its receiver is closed', async () => {
    const [tx, rx] = channel<number>();
    const other = rx.clone();
    const iterating = (async () => {
      for await (const _ of rx);
    })();
    await sleepAsync(5);
    rx.close();
    tx.send(2);
    await expect(iterating).rejects.toBeInstanceOf(EndpointClosedError);
    expect(other.tryRecv()).toEqual({ ok: true, value: 2 });
  });

  test('a rendezvous send waiting for pickup ends with EndpointClosedError and takes its message back', async () => {
    const [tx, rx] = syncChannel<number>(0);
    const keep = tx.clone();
    const pending = tx.sendAsync(3);
    await sleepAsync(5); // enqueued, waiting for a receiver
    tx.close();
    await expect(pending).rejects.toBeInstanceOf(EndpointClosedError);
    expect(rx.tryRecv()).toEqual({ ok: false, error: TryRecvError.Empty });
    keep.close();
  });

  test('a send waiting for room ends with EndpointClosedError and sends nothing', async () => {
    const [tx, rx] = syncChannel<number>(1);
    tx.send(1);
    const pending = tx.clone().sendAsync(2);
    const again = tx.sendAsync(3);
    await sleepAsync(5);
    tx.close();
    expect(rx.recv()).toBe(1); // room: both wake; the closed one must not use it
    await expect(again).rejects.toBeInstanceOf(EndpointClosedError);
    await pending;
    expect(rx.recv()).toBe(2);
    expect(rx.tryRecv()).toEqual({ ok: false, error: TryRecvError.Empty });
  });
});

describe('iteration', () => {
  test('sync iteration in a worker ends at disconnection', async () => {
    const [tx, rx] = channel<number>();
    const consumer = spawn(collect, asUnknownRx(rx));
    for (let i = 0; i < 50; i++) tx.send(i);
    tx.close();
    expect(await consumer.joinAsync()).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test('async iteration on the main thread ends at disconnection', async () => {
    const [tx, rx] = channel<number>();
    const producer = spawn(produceRange, tx, 100, 50);
    const got: number[] = [];
    for await (const value of rx) got.push(value);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    expect(await producer.joinAsync()).toBe(50);
  });
});

describe('clones: several producers and several consumers', () => {
  test('multi-producer: every message of every clone arrives, per-producer order kept', async () => {
    const [tx, rx] = syncChannel<number>(8);
    const per = 2000;
    const producers = [0, 1, 2].map((p) => spawn(produceRange, tx.clone(), p * per, per));
    tx.close();
    const result = await spawn(consumeChecked, rx, 3, per, true).joinAsync();
    expect(result.counts).toEqual([per, per, per]);
    expect(result.contiguous).toBe(true);
    expect(result.seen.every((n) => n === 1)).toBe(true);
    for (const producer of producers) expect(await producer.joinAsync()).toBe(per);
  });

  test('multi-consumer: each message is delivered exactly once across the consumers', async () => {
    const [tx, rx] = channel<number>();
    const total = 6000;
    const consumers = [rx.clone(), rx.clone(), rx.clone()].map((r) => spawn(consumeChecked, r, 1, total, true));
    rx.close();
    for (let i = 0; i < total; i++) tx.send(i);
    tx.close();
    const results = await Promise.all(consumers.map((c) => c.joinAsync()));
    const union = new Uint8Array(total);
    let received = 0;
    for (const r of results) {
      expect(r.increasing).toBe(true);
      received += r.counts[0]!;
      r.seen.forEach((n, i) => (union[i] = union[i]! + n));
    }
    expect(received).toBe(total);
    expect(union.every((n) => n === 1)).toBe(true);
  });

  test('the channel disconnects only when the last clone closes', () => {
    const [tx, rx] = channel<number>();
    const tx2 = tx.clone();
    tx.close();
    expect(rx.isDisconnected).toBe(false);
    tx2.send(1);
    tx2.close();
    expect(rx.isDisconnected).toBe(true);
    expect(rx.recv()).toBe(1);
    expect(() => rx.recv()).toThrow(RecvError);
  });
});

describe('endpoint lifetime', () => {
  test('close is idempotent and a closed endpoint throws EndpointClosedError', () => {
    const [tx, rx] = channel<number>();
    const tx2 = tx.clone();
    tx.close();
    tx.close();
    tx.close();
    expect(tx.isClosed).toBe(true);
    // closing twice must not have released tx2's count too
    expect(rx.isDisconnected).toBe(false);
    expect(() => tx.send(1)).toThrow(EndpointClosedError);
    expect(() => tx.clone()).toThrow(EndpointClosedError);
    rx.close();
    rx.close();
    expect(() => rx.recv()).toThrow(EndpointClosedError);
    expect(tx2.isDisconnected).toBe(true);
  });

  test('`using` closes the endpoint at the end of the block', () => {
    const [tx, rx] = channel<number>();
    {
      using scoped = tx;
      scoped.send(1);
    }
    expect(tx.isClosed).toBe(true);
    expect(rx.recv()).toBe(1);
    expect(() => rx.recv()).toThrow(RecvError);
  });

  test('an endpoint passed to spawn is moved: using it afterwards throws EndpointClosedError', async () => {
    const [tx, rx] = channel<number>();
    const holder = spawn(holdSender, asUnknownTx(tx), 10);
    expect(() => tx.send(1)).toThrow(EndpointClosedError);
    expect(() => tx.send(1)).toThrow(/moved into another thread/);
    expect(await holder.joinAsync()).toBe(false);
    // the thread ended and dropped the moved sender: the channel is disconnected
    expect(await rx.recvTimeoutAsync(3000)).toEqual({ ok: false, error: RecvTimeoutError.Disconnected });
  });

  test('inside a worker, a moved endpoint throws EndpointClosedError as well', async () => {
    const [tx] = channel<number>();
    expect(await spawn(useAfterMove, tx).joinAsync()).toBe('EndpointClosedError');
  });

  test('a thread that ends closes the endpoints it still holds', async () => {
    const [tx, rx] = channel<number>();
    const receiver = spawn(recvOnce, asUnknownRx(rx));
    tx.send(5);
    expect((await receiver.joinAsync()).value).toBe(5);
    // the thread's receiver was released when it returned
    expect(() => tx.send(6)).toThrow(SendError);
  });
});

describe('ring buffer', () => {
  test('100k queued messages of varying sizes survive growth from a small ring', () => {
    const [tx, rx] = channel<{ i: number; pad: string }>({ initialBytes: 1024 });
    const n = 100_000;
    for (let i = 0; i < n; i++) tx.send({ i, pad: 'x'.repeat(i % 97) });
    expect(rx.len()).toBe(n);
    for (let i = 0; i < n; i++) {
      const got = rx.recv();
      if (got.i !== i || got.pad.length !== i % 97) throw new Error(`message ${i} came back as ${JSON.stringify(got)}`);
    }
    expect(rx.tryRecv()).toEqual({ ok: false, error: TryRecvError.Empty });
  });

  test('100k queued messages of varying sizes cross to another thread intact', async () => {
    const [tx, rx] = channel<string>({ codec: string, initialBytes: 1024 });
    const values = Array.from({ length: 100_000 }, (_, i) => `${i}:${'é'.repeat(i % 40)}`);
    for (const v of values) tx.send(v);
    tx.close();
    const got = await spawn(collect, asUnknownRx(rx)).joinAsync();
    expect(got.length).toBe(values.length);
    expect(got).toEqual(values);
  });

  test('a message much larger than the ring (5 MB string) grows it', async () => {
    const [tx, rx] = channel<string>({ codec: string, initialBytes: 1024 });
    const big = 'abcdefghij'.repeat(500_000);
    tx.send('small');
    tx.send(big);
    tx.send('after');
    tx.close();
    const got = (await spawn(collect, asUnknownRx(rx)).joinAsync()) as string[];
    expect(got.length).toBe(3);
    expect(got[0]).toBe('small');
    expect(got[1]!.length).toBe(big.length);
    expect(got[1] === big).toBe(true);
    expect(got[2]).toBe('after');
  });

  test('wraparound with skip markers: interleaved sends and receives of variable sizes', () => {
    // A deterministic pseudo-random walk over message sizes, so that records keep wrapping at the ring's end.
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (const growable of [false, true]) {
      const [tx, rx] = channel<string>({ codec: string, initialBytes: 4096, ...(growable ? {} : { maxBytes: 4096 }) });
      const queue: string[] = [];
      let counter = 0;
      for (let step = 0; step < 20_000; step++) {
        const sizeLimit = growable ? 1500 : 300;
        if (random() < 0.55 && (growable || queue.length < 3)) {
          const value = `${counter++}|${'z'.repeat(Math.floor(random() * random() * sizeLimit))}`;
          tx.send(value);
          queue.push(value);
        } else if (queue.length > 0) {
          const want = queue.shift()!;
          const got = rx.recv();
          if (got !== want) throw new Error(`step ${step}: got ${got.slice(0, 20)}… want ${want.slice(0, 20)}…`);
        }
      }
      expect([...rx.tryIter()]).toEqual(queue);
    }
  });

  test('growth stress: random bursts and drains on a structured channel', () => {
    let seed = 99;
    const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let trial = 0; trial < 100; trial++) {
      const [tx, rx] = channel<{ n: number; s: string }>({ initialBytes: 1024 });
      const queue: number[] = [];
      let n = 0;
      for (let step = 0; step < 300; step++) {
        if (random() < 0.6) {
          const len = Math.floor(random() * random() * 2000);
          tx.send({ n, s: 'q'.repeat(len) });
          queue.push(len);
          n++;
        } else if (queue.length > 0) {
          const got = rx.recv();
          const expected = n - queue.length;
          const len = queue.shift()!;
          if (got.n !== expected || got.s.length !== len) throw new Error(`trial ${trial} step ${step}: wrong message`);
        }
      }
      expect(rx.len()).toBe(queue.length);
    }
  });

  test('a message over maxBytes fails with RangeError and the channel stays usable', () => {
    const [tx, rx] = channel<string>({ codec: string, maxBytes: 4096 });
    tx.send('before');
    expect(() => tx.send('y'.repeat(10_000))).toThrow(RangeError);
    expect(() => tx.send('y'.repeat(10_000))).toThrow(/maxBytes/);
    tx.send('after');
    expect(rx.recv()).toBe('before');
    expect(rx.recv()).toBe('after');
    expect(rx.isEmpty()).toBe(true);
  });
});
