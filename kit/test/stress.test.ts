import { describe, expect, test } from 'vitest';
import { syncChannel } from '../channel.ts';
import { f64, i32 } from '../codec.ts';
import { spawn } from '../thread.ts';
import { consumeChecked, consumeItems, type Item, produceItems, produceRange } from './channel-bodies.ts';

const PRODUCERS = 4;
const PER_PRODUCER = 250_000; // 1,000,000 messages in all

describe('stress', () => {
  test('1,000,000 i32 messages, 4 producers → 1 consumer through a bounded channel: nothing lost or duplicated', async () => {
    const [tx, rx] = syncChannel<number>(1024, { codec: i32 });
    const consumer = spawn(consumeChecked, rx, PRODUCERS, PER_PRODUCER, true);
    const producers = Array.from({ length: PRODUCERS }, (_, p) =>
      spawn(produceRange, tx.clone(), p * PER_PRODUCER, PER_PRODUCER),
    );
    tx.close();
    for (const producer of producers) expect(await producer.joinAsync()).toBe(PER_PRODUCER);
    const result = await consumer.joinAsync();
    expect(result.counts).toEqual(Array(PRODUCERS).fill(PER_PRODUCER));
    // a single consumer sees each producer's messages exactly in the order they were sent
    expect(result.contiguous).toBe(true);
    let wrong = 0;
    for (let i = 0; i < result.seen.length; i++) if (result.seen[i] !== 1) wrong++;
    expect(result.seen.length).toBe(PRODUCERS * PER_PRODUCER);
    expect(wrong).toBe(0);
  });

  test('1,000,000 f64 messages, 4 producers → 2 consumers: the union is exact', async () => {
    const [tx, rx] = syncChannel<number>(1024, { codec: f64 });
    const consumers = [rx.clone(), rx].map((r) => spawn(consumeChecked, r, PRODUCERS, PER_PRODUCER, true));
    const producers = Array.from({ length: PRODUCERS }, (_, p) =>
      spawn(produceRange, tx.clone(), p * PER_PRODUCER, PER_PRODUCER),
    );
    tx.close();
    for (const producer of producers) expect(await producer.joinAsync()).toBe(PER_PRODUCER);
    const [a, b] = await Promise.all(consumers.map((c) => c.joinAsync()));
    // each consumer still sees every producer's messages in increasing order
    expect(a!.increasing && b!.increasing).toBe(true);
    const received = [...a!.counts, ...b!.counts].reduce((x, y) => x + y, 0);
    expect(received).toBe(PRODUCERS * PER_PRODUCER);
    for (let p = 0; p < PRODUCERS; p++) expect(a!.counts[p]! + b!.counts[p]!).toBe(PER_PRODUCER);
    let wrong = 0;
    for (let i = 0; i < PRODUCERS * PER_PRODUCER; i++) if (a!.seen[i]! + b!.seen[i]! !== 1) wrong++;
    expect(wrong).toBe(0);
  });

  test('200,000 structured objects, 2 producers → 1 consumer: every object arrives intact', async () => {
    const [tx, rx] = syncChannel<Item>(256);
    const consumer = spawn(consumeItems, rx);
    const per = 100_000;
    const producers = [0, 1].map((p) => spawn(produceItems, tx.clone(), p * per, per));
    tx.close();
    for (const producer of producers) expect(await producer.joinAsync()).toBe(per);
    const { count, idSum, bad } = await consumer.joinAsync();
    expect(count).toBe(2 * per);
    expect(idSum).toBe(((2 * per - 1) * 2 * per) / 2);
    expect(bad).toBe(0);
  });
});
