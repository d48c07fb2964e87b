// generated from solutions/p1-pipeline/m1-mpsc/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { describe, expect, test } from 'vitest';
import { channel, RecvError, syncChannel } from '#kit/channel.ts';
import { spawn } from '#kit/thread.ts';
import { sendGreeting } from './checkpoint-threads.ts';
import { LOG_LEVELS, LogEntry, logEntryCodec, LogLevel, parseLogLine } from './log-entry.ts';
import { consumerThread, producerThread } from './mpsc.ts';

describe('p1/m1: MPSC channel basics', () => {
  test('a sent entry arrives intact (test_basic_send_receive)', () => {
    const [tx, rx] = channel<LogEntry>();
    const before = Date.now();
    tx.send(LogEntry.new(LogLevel.Info, 'Test message'));
    const received = rx.recv();
    expect(received.level).toBe(LogLevel.Info);
    expect(received.message).toBe('Test message');
    expect(received.source).toBe('unknown');
    expect(received.timestamp).toBeGreaterThanOrEqual(before);
    expect(received.timestamp).toBeLessThanOrEqual(Date.now());
  });

  test('three producer threads, one receiver: every message arrives once (test_multiple_producers)', async () => {
    const [tx, rx] = channel<LogEntry>();
    for (let i = 0; i < 3; i++) spawn(sendGreeting, tx.clone(), i);
    tx.close();
    const messages: string[] = [];
    for await (const entry of rx) messages.push(entry.message);
    expect(messages.sort()).toEqual([0, 1, 2].map((i) => `Message from producer ${i}`));
  });

  test('recv fails once every sender is gone, and the consumer stops (test_channel_closed)', async () => {
    const [tx, rx] = channel<LogEntry>();
    tx.close();
    expect(() => rx.recv()).toThrow(RecvError);
    // The consumer thread must treat that as the end of the stream, not as an error.
    const [closedTx, closedRx] = channel<LogEntry>();
    closedTx.close();
    expect(await spawn(consumerThread, closedRx).joinAsync()).toEqual([]);
  });

  test('queued messages are still delivered after the senders hang up', () => {
    const [tx, rx] = channel<LogEntry>();
    tx.send(LogEntry.new(LogLevel.Warn, 'last words'));
    tx.close();
    expect(rx.recv().message).toBe('last words');
    expect(() => rx.recv()).toThrow(RecvError);
  });

  test('producerThread sends numbered entries whose levels cycle through all four', () => {
    const [tx, rx] = channel<LogEntry>();
    spawn(producerThread, tx, 8).join();
    const received = [...rx.tryIter()];
    expect(received.map((e) => e.message)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `Log ${i}`));
    expect(received.map((e) => e.level)).toEqual([...LOG_LEVELS, ...LOG_LEVELS]);
  });

  test('consumerThread collects everything until the channel closes, in order', async () => {
    const [tx, rx] = syncChannel<LogEntry>(4, { codec: logEntryCodec });
    const consumer = spawn(consumerThread, rx);
    for (let i = 0; i < 50; i++) await tx.sendAsync(LogEntry.new(LogLevel.Debug, `entry ${i}`));
    tx.close();
    const logs = await consumer.joinAsync();
    expect(logs.map((e) => e.message)).toEqual(Array.from({ length: 50 }, (_, i) => `entry ${i}`));
  });

  test('consumerThread keeps waiting through a quiet moment: only the last sender hanging up ends it', async () => {
    // An empty channel is not a closed one: a consumer that stops when nothing is waiting (tryRecv failing,
    // a receive timing out) loses whatever comes later.
    const [tx, rx] = channel<LogEntry>();
    const consumer = spawn(consumerThread, rx);
    const late = tx.clone();
    tx.send(LogEntry.new(LogLevel.Info, 'early'));
    tx.close();
    await new Promise((resolve) => setTimeout(resolve, 400));
    late.send(LogEntry.new(LogLevel.Info, 'late'));
    late.close();
    expect((await consumer.joinAsync()).map((e) => e.message)).toEqual(['early', 'late']);
  });

  test('four producer threads into one consumer thread: exact count, each producer in order', async () => {
    // The four send the same messages 'Log 0', 'Log 1', ...; each producer's own order survives the channel
    // when, at every point of the stream, 'Log i' has been seen at least as often as 'Log i+1'.
    const [tx, rx] = syncChannel<LogEntry>(16, { codec: logEntryCodec });
    const consumer = spawn(consumerThread, rx);
    const producers = [0, 1, 2, 3].map(() => spawn(producerThread, tx.clone(), 500));
    tx.close();
    for (const producer of producers) await producer.joinAsync();
    const logs = await consumer.joinAsync();
    expect(logs).toHaveLength(2000);
    const counts = new Map<string, number>();
    for (const entry of logs) counts.set(entry.message, (counts.get(entry.message) ?? 0) + 1);
    expect(counts.size).toBe(500);
    expect([...counts.values()].every((n) => n === 4)).toBe(true);
    const seen = new Array<number>(500).fill(0);
    const outOfOrder = logs.findIndex((entry) => {
      const i = Number(entry.message.slice('Log '.length));
      seen[i]!++;
      return i > 0 && seen[i]! > seen[i - 1]!;
    });
    expect(outOfOrder).toBe(-1);
  });

  test('parseLogLine reads LEVEL message lines', () => {
    const entry = parseLogLine('ERROR Failed to connect to database');
    expect(entry?.level).toBe(LogLevel.Error);
    expect(entry?.message).toBe('Failed to connect to database');
    expect(entry?.source).toBe('unknown');
    expect(parseLogLine('DEBUG Cache hit for user 123')?.level).toBe(LogLevel.Debug);
    expect(parseLogLine('INFO x')?.level).toBe(LogLevel.Info);
    expect(parseLogLine('WARN  two spaces')?.message).toBe(' two spaces');
  });

  test('parseLogLine rejects what is not LEVEL message', () => {
    expect(parseLogLine('')).toBeUndefined();
    expect(parseLogLine('INFO')).toBeUndefined();
    expect(parseLogLine('info lowercase level')).toBeUndefined();
    expect(parseLogLine('NOTICE unknown level')).toBeUndefined();
    expect(parseLogLine(' INFO leading space')).toBeUndefined();
  });
});
