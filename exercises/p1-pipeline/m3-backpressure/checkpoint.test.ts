// generated from solutions/p1-pipeline/m3-backpressure/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { syncChannel } from '#kit/channel.ts';
import { type JoinHandle, sleepAsync, spawn } from '#kit/thread.ts';
import { LogEntry, logEntryCodec, LogLevel } from '../m1-mpsc/log-entry.ts';
import { type BackpressureMetrics, boundedProducer, slowConsumer } from './backpressure.ts';

/**
 * The producer's result; it must finish within 5 s (a producer still running then is waiting for room that
 * nobody will make).
 */
async function finishes(producer: JoinHandle<BackpressureMetrics>): Promise<BackpressureMetrics> {
  const result = await producer.joinTimeoutAsync(5000);
  if (result.ok) return result.value;
  await producer.terminate();
  throw new Error('the producer was still running 5 s later: it waits on a full queue nobody drains');
}

describe('p1/m3: bounded channels and backpressure', () => {
  test('a send into a full channel waits until a receiver makes room (test_backpressure_blocks)', async () => {
    const [tx, rx] = syncChannel<LogEntry>(2, { codec: logEntryCodec });
    const producer = spawn(boundedProducer, tx, 3, 0, 'block');
    // Two sends fit; once the queue is full, the third waits until we take one, 100 ms later.
    while (rx.len() < 2 && !producer.isFinished()) await sleepAsync(1);
    await sleepAsync(100);
    const stillWaiting = !producer.isFinished();
    expect((await rx.recvAsync()).message).toBe('Log 0');
    const metrics = await finishes(producer);
    expect(stillWaiting).toBe(true);
    expect(metrics.messagesSent).toBe(3);
    expect(metrics.totalBlockTimeMs).toBeGreaterThanOrEqual(50);
    expect(rx.len()).toBe(2);
  });

  test('trySend on a full channel fails at once and hands the value back (test_try_send_nonblocking)', async () => {
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
    const metrics = await finishes(spawn(boundedProducer, entryTx, 5, 0, 'drop'));
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
    // Room for all 20: however late the consumer is scheduled on a busy machine, nothing may be dropped.
    const [tx, rx] = syncChannel<LogEntry>(21, { codec: logEntryCodec });
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
    const metrics = await finishes(spawn(boundedProducer, tx, 100, 0, 'block'));
    expect(metrics.messagesSent).toBe(0);
  });
});
