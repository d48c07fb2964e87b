import { describe, expect, test } from 'vitest';
import { channel, syncChannel } from '#kit/channel.ts';
import { spawn } from '#kit/thread.ts';
import { LogEntry, logEntryCodec, LogLevel } from '../m1-mpsc/log-entry.ts';
import type { Receiver } from '#kit/channel.ts';
import {
  aggregatorStage,
  emptyStats,
  enrich,
  enrichStage,
  filterStage,
  isAtLeast,
  parserStage,
  record,
} from './stages.ts';

/** Everything a receiver gets until its senders are gone, without blocking the test's event loop. */
async function collect<T>(rx: Receiver<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of rx) out.push(value);
  return out;
}

describe('p1/m2: a multi-stage pipeline', () => {
  test('100 lines through parser, filter and aggregator all get counted (test_pipeline_throughput)', async () => {
    const [parserTx, parserRx] = channel<string>();
    const [filterTx, filterRx] = channel<LogEntry>();
    const [aggrTx, aggrRx] = channel<LogEntry>();
    const parser = spawn(parserStage, parserRx, filterTx);
    const filter = spawn(filterStage, filterRx, aggrTx, LogLevel.Info);
    const aggregator = spawn(aggregatorStage, aggrRx);
    for (let i = 0; i < 100; i++) parserTx.send(`INFO Log message ${i}`);
    parserTx.close();
    await parser.joinAsync();
    await filter.joinAsync();
    const stats = await aggregator.joinAsync();
    expect(stats.totalCount).toBe(100);
    expect(stats.countByLevel.get(LogLevel.Info)).toBe(100);
  });

  test('the filter drops entries below its level (test_filter_drops_debug)', async () => {
    const [txIn, rxIn] = channel<LogEntry>();
    const [txOut, rxOut] = channel<LogEntry>();
    spawn(filterStage, rxIn, txOut, LogLevel.Info);
    txIn.send(LogEntry.new(LogLevel.Debug, 'Debug msg'));
    txIn.send(LogEntry.new(LogLevel.Info, 'Info msg'));
    txIn.close();
    const results = await collect(rxOut);
    expect(results).toHaveLength(1);
    expect(results[0]!.level).toBe(LogLevel.Info);
    expect(results[0]!.message).toBe('Info msg');
  });

  test('the complete pipeline counts only what passes the filter (test_complete_pipeline)', async () => {
    const [rawTx, rawRx] = channel<string>();
    const [parsedTx, parsedRx] = channel<LogEntry>();
    const [filteredTx, filteredRx] = channel<LogEntry>();
    spawn(parserStage, rawRx, parsedTx);
    spawn(filterStage, parsedRx, filteredTx, LogLevel.Info);
    const aggregator = spawn(aggregatorStage, filteredRx);
    rawTx.send('INFO Test 1');
    rawTx.send('DEBUG Test 2'); // filtered out
    rawTx.send('ERROR Test 3');
    rawTx.close();
    const stats = await aggregator.joinAsync();
    expect(stats.totalCount).toBe(2);
    expect(Object.fromEntries(stats.countByLevel)).toEqual({ Info: 1, Error: 1 });
  });

  test('levels order Debug < Info < Warn < Error', () => {
    expect(isAtLeast(LogLevel.Error, LogLevel.Warn)).toBe(true);
    expect(isAtLeast(LogLevel.Warn, LogLevel.Warn)).toBe(true);
    expect(isAtLeast(LogLevel.Info, LogLevel.Warn)).toBe(false);
    expect(isAtLeast(LogLevel.Debug, LogLevel.Debug)).toBe(true);
    expect(isAtLeast(LogLevel.Debug, LogLevel.Info)).toBe(false);
  });

  test('record counts totals, levels and sources', () => {
    const stats = emptyStats();
    record(stats, { ...LogEntry.new(LogLevel.Warn, 'a'), source: 'db' });
    record(stats, { ...LogEntry.new(LogLevel.Warn, 'b'), source: 'web' });
    record(stats, { ...LogEntry.new(LogLevel.Error, 'c'), source: 'db' });
    expect(stats.totalCount).toBe(3);
    expect(Object.fromEntries(stats.countByLevel)).toEqual({ Warn: 2, Error: 1 });
    expect(Object.fromEntries(stats.countBySource)).toEqual({ db: 2, web: 1 });
  });

  test('enrich takes a component prefix as the source', () => {
    const entry = enrich(LogEntry.new(LogLevel.Error, 'db: connection refused'));
    expect(entry.source).toBe('db');
    expect(entry.message).toBe('connection refused');
    const plain = enrich(LogEntry.new(LogLevel.Info, 'no prefix here'));
    expect(plain.source).toBe('unknown');
    expect(plain.message).toBe('no prefix here');
    const known = enrich({ ...LogEntry.new(LogLevel.Info, 'web: x'), source: 'api' });
    expect(known.source).toBe('api');
    expect(known.message).toBe('web: x');
  });

  test('the parser skips lines that do not parse and keeps the rest in order', async () => {
    const [tx, rx] = channel<string>();
    const [out, results] = channel<LogEntry>();
    spawn(parserStage, rx, out);
    for (const line of ['INFO one', 'garbage', '', 'WARN two', 'info three', 'ERROR four']) tx.send(line);
    tx.close();
    expect((await collect(results)).map((e) => e.message)).toEqual(['one', 'two', 'four']);
  });

  test('every stage waits through a quiet moment: only its input closing ends it', async () => {
    // An empty input is not a closed one. A stage that stops when nothing is waiting (tryRecv failing, a
    // receive timing out) loses what comes later, and the stages after it stop too.
    const [rawTx, rawRx] = channel<string>();
    const [parsedTx, parsedRx] = channel<LogEntry>();
    const [filteredTx, filteredRx] = channel<LogEntry>();
    const [enrichedTx, enrichedRx] = channel<LogEntry>();
    spawn(parserStage, rawRx, parsedTx);
    spawn(filterStage, parsedRx, filteredTx, LogLevel.Info);
    spawn(enrichStage, filteredRx, enrichedTx);
    const aggregator = spawn(aggregatorStage, enrichedRx);
    const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 600));
    rawTx.send('INFO db: before the pauses');
    rawTx.send('WARN a message naming no source');
    await pause();
    rawTx.send('ERROR web: between the pauses');
    await pause();
    rawTx.send('ERROR web: after the pauses');
    rawTx.close();
    const stats = await aggregator.joinAsync();
    expect(stats.totalCount).toBe(4);
    expect(Object.fromEntries(stats.countBySource)).toEqual({ db: 1, unknown: 1, web: 2 });
  });

  test('four stages on bounded channels: 10,000 mixed lines give exact per-level and per-source counts', async () => {
    const options = { codec: logEntryCodec };
    const [rawTx, rawRx] = syncChannel<string>(64);
    const [parsedTx, parsedRx] = syncChannel<LogEntry>(64, options);
    const [filteredTx, filteredRx] = syncChannel<LogEntry>(64, options);
    const [enrichedTx, enrichedRx] = syncChannel<LogEntry>(64, options);
    const handles = [
      spawn(parserStage, rawRx, parsedTx),
      spawn(filterStage, parsedRx, filteredTx, LogLevel.Warn),
      spawn(enrichStage, filteredRx, enrichedTx),
    ];
    const aggregator = spawn(aggregatorStage, enrichedRx);
    const levels = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
    const sources = ['db', 'web', 'cache'];
    for (let i = 0; i < 10_000; i++) await rawTx.sendAsync(`${levels[i % 4]} ${sources[i % 3]}: event ${i}`);
    rawTx.close();
    const stats = await aggregator.joinAsync();
    for (const handle of handles) await handle.joinAsync();
    expect(stats.totalCount).toBe(5000);
    expect(Object.fromEntries(stats.countByLevel)).toEqual({ Warn: 2500, Error: 2500 });
    let expectedDb = 0;
    for (let i = 0; i < 10_000; i++) if (i % 4 >= 2 && i % 3 === 0) expectedDb++;
    expect(stats.countBySource.get('db')).toBe(expectedDb);
    expect([...stats.countBySource.values()].reduce((a, b) => a + b, 0)).toBe(5000);
  });
});
