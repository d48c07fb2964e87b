// generated from solutions/p1-pipeline/m3-backpressure/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { syncChannel } from '#kit/channel.ts';
import { sleepAsync, spawn } from '#kit/thread.ts';
import { LogEntry, logEntryCodec, LogLevel } from '../m1-mpsc/log-entry.ts';
import { type BackpressureMetrics, boundedProducer, slowConsumer } from './backpressure.ts';
import { takeOneLater } from './checkpoint-threads.ts';

describe('p1/m3: bounded channels and backpressure', () => {
  test('a send into a full channel waits until a receiver makes room (test_backpressure_blocks)', () => {
    const [tx, rx] = syncChannel<LogEntry>(2, { codec: logEntryCodec });
    const start = performance.now();
    const taker = spawn(takeOneLater, rx, 100);
    // The producer body runs right here, on this thread: two sends fit, the third waits for the taker.
    const metrics = boundedProducer.run(tx, 3, 0, 'block') as BackpressureMetrics;
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(metrics.messagesSent).toBe(3);
    expect(metrics.totalBlockTimeMs).toBeGreaterThanOrEqual(80);
    expect(taker.join().message).toBe('Log 0');
  });

  test('trySend on a full channel fails at once and hands the value back (test_try_send_nonblocking)', () => {
    const [tx, rx] = syncChannel<number>(1);
    tx.send(1);
    const attempt = tx.trySend(2);
    expect(attempt.ok).toBe(false);
    if (!attempt.ok) {
      expect(attempt.error.isFull).toBe(true);
      expect(attempt.error.value).toBe(2);
    }
    expect(rx.len()).toBe(1);
    // A 'drop' producer facing a queue nobody drains never waits: one message fits, the rest are dropped.
    const [entryTx, entryRx] = syncChannel<LogEntry>(1, { codec: logEntryCodec });
    const metrics = boundedProducer.run(entryTx, 5, 0, 'drop') as BackpressureMetrics;
    expect(metrics).toMatchObject({ messagesSent: 1, messagesDropped: 4, totalBlockTimeMs: 0 });
    expect(entryRx.len()).toBe(1);
  });

  test("under 'block' nothing is lost: every message reaches the slow consumer and waiting is measured", async () => {
    const [tx, rx] = syncChannel<LogEntry>(4, { codec: logEntryCodec });
    const consumer = spawn(slowConsumer, rx, 2);
    const metrics = await spawn(boundedProducer, tx, 60, 0, 'block').joinAsync();
    expect(metrics.messagesSent).toBe(60);
    expect(metrics.messagesDropped).toBe(0);
    expect(metrics.totalBlockTimeMs).toBeGreaterThan(0);
    expect(metrics.maxQueueDepth).toBeGreaterThan(0);
    expect(metrics.maxQueueDepth).toBeLessThanOrEqual(4);
    expect(await consumer.joinAsync()).toBe(60);
  });

  test("under 'drop' the producer never waits; sent + dropped = produced, and the consumer gets exactly the sent ones", async () => {
    const [tx, rx] = syncChannel<LogEntry>(4, { codec: logEntryCodec });
    const consumer = spawn(slowConsumer, rx, 5);
    const metrics = await spawn(boundedProducer, tx, 200, 0, 'drop').joinAsync();
    expect(metrics.messagesSent + metrics.messagesDropped).toBe(200);
    expect(metrics.messagesDropped).toBeGreaterThan(0);
    expect(metrics.totalBlockTimeMs).toBe(0);
    expect(await consumer.joinAsync()).toBe(metrics.messagesSent);
  });

  test('a rate-limited producer feeding a consumer that keeps up drops nothing', async () => {
    const [tx, rx] = syncChannel<LogEntry>(8, { codec: logEntryCodec });
    const consumer = spawn(slowConsumer, rx, 0);
    // Wait until the consumer thread is running (it has taken a probe message) before measuring.
    tx.send(LogEntry.new(LogLevel.Info, 'probe'));
    while (tx.len() > 0 && !consumer.isFinished()) await sleepAsync(1);
    const start = performance.now();
    const metrics = await spawn(boundedProducer, tx, 20, 5, 'drop').joinAsync();
    expect(performance.now() - start).toBeGreaterThanOrEqual(20 * 5 * 0.9);
    expect(metrics.messagesDropped).toBe(0);
    expect(metrics.messagesSent).toBe(20);
    expect(await consumer.joinAsync()).toBe(21);
  });

  test('the producer stops quietly when the consumer hangs up', async () => {
    const [tx, rx] = syncChannel<LogEntry>(2);
    rx.close();
    const metrics = await spawn(boundedProducer, tx, 100, 0, 'block').joinAsync();
    expect(metrics.messagesSent).toBe(0);
  });
});
