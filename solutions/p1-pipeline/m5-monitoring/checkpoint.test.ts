import { describe, expect, test } from 'vitest';
import { channel } from '#kit/channel.ts';
import { err, ok } from '#kit/result.ts';
import { spawn } from '#kit/thread.ts';
import { LogEntry, LogLevel } from '../m1-mpsc/log-entry.ts';
import {
  type DeadLetter,
  deadLetterCollector,
  metricsCollector,
  monitoredParser,
  type PipelineStats,
  processWithRetry,
  renderDashboard,
} from './monitoring.ts';

describe('p1/m5: errors and monitoring', () => {
  test('a transient failure is retried until it succeeds (test_retry_logic)', () => {
    let attempts = 0;
    const result = processWithRetry(() => {
      attempts++;
      return attempts < 3 ? err('Transient error') : ok(42);
    }, 5);
    expect(attempts).toBe(3);
    expect(result).toEqual({ ok: true, value: 42 });
  });

  test('retrying gives up after maxAttempts with the last error, backing off exponentially', () => {
    // Each wait is at least the one it asks for: 20, 40, 80, 160 ms between the five attempts. A busy machine only
    // makes waits longer, so every gap is checked on its own (a constant backoff would have to oversleep by 130 ms
    // in one wait, 55 in another and 15 in a third to pass).
    const at: number[] = [];
    const result = processWithRetry(() => err(`failure ${at.push(performance.now())}`), 5, 20);
    expect(at).toHaveLength(5);
    expect(result).toEqual({ ok: false, error: 'failure 5' });
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    for (const [i, gap] of gaps.entries()) {
      expect(gap, `wait ${i + 1} should be at least ${20 * 2 ** i} ms`).toBeGreaterThanOrEqual(20 * 2 ** i * 0.95);
    }
    expect(() => processWithRetry(() => ok(1), 0)).toThrow(RangeError);
  });

  test('a poison message lands in the dead-letter queue (test_dead_letter_queue)', async () => {
    const [dlqTx, dlqRx] = channel<DeadLetter>();
    const entry = LogEntry.new(LogLevel.Error, 'Bad data');
    dlqTx.send({ stage: 'parser', reason: 'Parse error', payload: JSON.stringify(entry), at: Date.now() });
    dlqTx.close();
    const failures = await spawn(deadLetterCollector, dlqRx).joinAsync();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.reason).toBe('Parse error');
    expect(JSON.parse(failures[0]!.payload).message).toBe('Bad data');
  });

  test('a monitored parser passes good lines on, dead-letters bad ones with a reason, and reports exact stats', async () => {
    const [lineTx, lineRx] = channel<string>();
    const [entryTx, entryRx] = channel<LogEntry>();
    const [statsTx, statsRx] = channel<PipelineStats>();
    const [dlqTx, dlqRx] = channel<DeadLetter>();
    const collector = spawn(metricsCollector, statsRx, false);
    const dead = spawn(deadLetterCollector, dlqRx);
    // Wait until the collector is running (it has taken a first letter), so the parser's letters come later.
    const probe = dlqTx.clone();
    probe.send({ stage: 'probe', reason: 'probe', payload: '', at: Date.now() });
    while (probe.len() > 0 && !dead.isFinished()) await new Promise((resolve) => setTimeout(resolve, 2));
    probe.close();
    const parser = spawn(monitoredParser, lineRx, entryTx, statsTx, dlqTx, 50);
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) lines.push(i % 10 === 0 ? `garbage ${i}` : i % 25 === 1 ? '' : `WARN event ${i}`);
    for (const line of lines) lineTx.send(line);
    lineTx.close();
    const final = await parser.joinAsync();
    const good: LogEntry[] = [];
    for await (const entry of entryRx) good.push(entry);
    const letters = (await dead.joinAsync()).filter((d) => d.stage !== 'probe');
    const latest = await collector.joinAsync();
    const expectedBad = lines.filter((l) => !l.startsWith('WARN ')).length;
    expect(good).toHaveLength(500 - expectedBad);
    expect(letters).toHaveLength(expectedBad);
    expect(letters.every((d) => d.stage === 'parser' && d.reason.length > 0)).toBe(true);
    expect(letters.filter((d) => d.payload === '').every((d) => d.reason === 'blank line')).toBe(true);
    expect(final).toMatchObject({
      stageName: 'parser',
      messagesProcessed: 500 - expectedBad,
      messagesFailed: expectedBad,
      final: true,
    });
    expect(final.avgLatencyUs).toBeGreaterThan(0);
    expect(latest.parser).toEqual(final);
  });

  test('the dashboard shows every stage with its counts and error rate', () => {
    const text = renderDashboard([
      {
        stageName: 'parser',
        messagesProcessed: 90,
        messagesFailed: 10,
        avgLatencyUs: 3.25,
        queueDepth: 4,
        final: false,
      },
      { stageName: 'filter', messagesProcessed: 90, messagesFailed: 0, avgLatencyUs: 1, queueDepth: 0, final: true },
    ]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^parser\s+90\s+10\s+10\.0%\s+3\.3 µs\s+4$/);
    expect(lines[2]).toMatch(/^filter \(done\)\s+90\s+0\s+0\.0%/);
  });
});
