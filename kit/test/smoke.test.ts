import { describe, expect, test } from 'vitest';
import { channel, syncChannel } from '../channel.ts';
import { spawn } from '../thread.ts';
import { add, echo, fail, produce, sum, whoAmI } from './bodies.ts';

describe('smoke', () => {
  test('spawn and join', async () => {
    const h = spawn(add, 2, 3);
    expect(await h.joinAsync()).toBe(5);
  });
  test('blocking join', () => {
    expect(spawn(add, 4, 5).join()).toBe(9);
  });
  test('name', () => {
    expect(spawn(whoAmI).join().name).toBe('whoAmI');
  });
  test('panic', () => {
    expect(() => spawn(fail, 'boom').join()).toThrow(/thread 'fail'.*panicked: boom/);
  });
  test('channel across threads', () => {
    const [tx, rx] = syncChannel<number>(16);
    const producers = [0, 1, 2, 3].map((i) => spawn(produce, tx.clone(), i * 1000, 1000));
    tx.close();
    const consumer = spawn(sum, rx);
    const { total, count } = consumer.join();
    expect(count).toBe(4000);
    expect(total).toBe((3999 * 4000) / 2);
    for (const p of producers) expect(p.join()).toBe(1000);
  });
  test('echo ping-pong', () => {
    const [tx, rx] = channel<number>();
    const [tx2, rx2] = channel<number>();
    const h = spawn(echo, rx, tx2);
    for (let i = 0; i < 100; i++) {
      tx.send(i);
      expect(rx2.recv()).toBe(i);
    }
    tx.close();
    h.join();
    expect(rx2.tryRecv().ok).toBe(false);
  });
});
