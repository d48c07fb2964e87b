/**
 * The pipeline core on awkward input, on standard input, with a dead-letter file, and when it is stopped
 * early or a thread fails. Every test also checks the line accounting and the threaded/baseline equality.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_LINE_LENGTH } from './formats.ts';
import { PipelineError, PipelineThreads, runBaseline, runPipeline, type PipelineOptions } from './pipeline.ts';
import { OVERSIZED_LINE_BYTES, textSize, utf16Of } from './reader.ts';
import type { PipelineReport } from './report.ts';
import { fixtureLines, fixturePath, writeRepeatedLog } from './synthetic.ts';
import { comparable, expectAccounted, TempDir } from './test-support.ts';

const tmp = new TempDir();
afterAll(() => tmp.remove());

/** Run threaded (2 threads, small chunks) and baseline; check they agree and every line is accounted. */
async function both(paths: string[], options: PipelineOptions = {}): Promise<PipelineReport> {
  const baseline = await runBaseline(paths, options);
  const threaded = await runPipeline(paths, { workers: 2, chunkBytes: 1024, batchBytes: 2048, ...options });
  expect(comparable(threaded)).toEqual(comparable(baseline));
  expect(expectAccounted(threaded)).toBe(true);
  return threaded;
}

describe('awkward input', () => {
  it('CRLF, no final newline, blank lines: every line counted once', async () => {
    const file = tmp.file('crlf.log', 'INFO one\r\n\r\nWARN two\r\n   \r\nERROR three');
    const report = await both([file]);
    expect(report.total).toBe(5);
    expect(report.blank).toBe(2);
    expect(report.byLevel).toEqual({ Debug: 0, Info: 1, Warn: 1, Error: 1, Unknown: 0 });
    expect(report.files[0]).toMatchObject({ format: 'simple', lines: 5 });
  });

  it('a final newline ends the last line; it does not add an empty one', async () => {
    const report = await both([tmp.file('final.log', 'INFO a\nINFO b\n')]);
    expect(report.total).toBe(2);
    expect(report.blank).toBe(0);
  });

  it('read buffers are reused: batches larger than a read, lines across reads, detection pending, all intact', async () => {
    // Many small reads per batch: chunks must be handed on before the reader reads into their memory again.
    const file = tmp.path('reuse.log');
    await writeRepeatedLog(file, 'Zookeeper', { lines: 30_000, malformedEvery: 53 });
    const dlq = tmp.path('reuse.dlq');
    const baselineDlq = tmp.path('reuse-baseline.dlq');
    const small = { readBytes: 4099, chunkBytes: 1000 };
    const baseline = await runBaseline([file, fixturePath('Android')], { ...small, dlqPath: baselineDlq });
    expect(comparable(await runBaseline([file, fixturePath('Android')]))).toEqual({
      ...comparable(baseline),
      deadLetterFile: null,
    });
    for (const workers of [1, 2]) {
      const threaded = await runPipeline([file, fixturePath('Android')], {
        ...small,
        workers,
        batchBytes: 256 * 1024,
        dlqPath: dlq,
      });
      expect(comparable(threaded)).toEqual({ ...comparable(baseline), deadLetterFile: threaded.deadLetterFile });
      const letters = (f: string) => readFileSync(f, 'utf8').trimEnd().split('\n').sort();
      expect(letters(dlq)).toEqual(letters(baselineDlq));
    }
  });

  it('an empty file: zero lines, no crash', async () => {
    const report = await both([tmp.file('empty.log', '')]);
    expect(report.total).toBe(0);
    expect(report.files[0]).toMatchObject({ lines: 0, bytes: 0 });
  });

  it('a 1 MB line is parsed; a line over the length cap is dead-lettered, whole or cut by the reader', async () => {
    const mb = 'x'.repeat(1_000_000);
    const tooLong = 'y'.repeat(MAX_LINE_LENGTH + 10);
    const huge = 'z'.repeat(OVERSIZED_LINE_BYTES + 100_000);
    const file = tmp.file('long.log', `INFO ${mb}\nERROR short\nINFO ${tooLong}\nINFO ${huge}\nWARN after\n`);
    const dlq = tmp.path('long.dlq');
    const report = await both([file], { dlqPath: dlq, chunkBytes: 64 * 1024 });
    expect(report.total).toBe(5);
    expect(report.byLevel).toEqual({ Debug: 0, Info: 1, Warn: 1, Error: 1, Unknown: 0 });
    expect(report.deadLettered).toEqual({
      count: 2,
      byReason: { [`line longer than ${MAX_LINE_LENGTH} characters`]: 2 },
    });
    const letters = readFileSync(dlq, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(letters.map((l) => l['line']).sort()).toEqual([3, 4]);
    for (const letter of letters) {
      expect(letter['truncated']).toMatch(/^showing the first 4096 characters of \d+ (bytes|characters)$/);
      expect((letter['text'] as string).length).toBe(4096);
    }
  });

  it('invalid UTF-8 and binary garbage: decoded with U+FFFD, dead-lettered, never fatal', async () => {
    const bytes: number[] = [];
    const push = (s: string) => bytes.push(...Buffer.from(s, 'latin1'));
    push('INFO caf');
    bytes.push(0xc3, 0x28, 0xff, 0xfe);
    push(' ok\n');
    let seed = 7;
    for (let i = 0; i < 5000; i++) bytes.push((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    push('\nERROR end\n');
    const file = tmp.file('binary.log', Uint8Array.from(bytes));
    const dlq = tmp.path('binary.dlq');
    const report = await both([file], { dlqPath: dlq, chunkBytes: 512 });
    expect(report.byLevel.Info).toBe(1);
    expect(report.byLevel.Error).toBe(1);
    expect(report.deadLettered.count).toBeGreaterThan(0);
    const lines = readFileSync(dlq, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(report.deadLettered.count);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.join('')).toContain('\uFFFD');
  });

  it('files in different formats are detected one by one; --format forces one for all', async () => {
    const simple = tmp.file('a.log', 'INFO x\nWARN y\n');
    const jsonl = tmp.file('b.log', '{"level":"error","msg":"boom"}\n{"level":"info","msg":"ok"}\n');
    const auto = await both([simple, jsonl]);
    expect(auto.files.map((f) => f.format)).toEqual(['simple', 'jsonl']);
    expect(auto.kept).toBe(4);
    const forced = await both([simple, jsonl], { format: 'simple' });
    expect(forced.kept).toBe(2);
    expect(forced.deadLettered.count).toBe(2);
  });

  it('--min-level filters, and filtered lines are counted', async () => {
    const report = await both([tmp.file('levels.log', 'DEBUG a\nINFO b\nWARN c\nERROR d\n')], { minLevel: 'Warn' });
    expect(report).toMatchObject({ total: 4, kept: 2, filtered: 2, byLevel: { Debug: 0, Info: 0, Warn: 1, Error: 1 } });
  });
});

describe('lines without a level, and files that mix layouts', () => {
  it('a syslog file is counted under Unknown (kept by default, filtered with keepUnknown: false); never as Info', async () => {
    const file = tmp.file(
      'messages.log',
      'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: auth failure\nJun 14 15:16:02 combo su: ok\n',
    );
    const kept = await both([file]);
    expect(kept).toMatchObject({
      total: 2,
      kept: 2,
      filtered: 0,
      byLevel: { Debug: 0, Info: 0, Warn: 0, Error: 0, Unknown: 2 },
    });
    expect(kept.bySource).toEqual({ 'sshd(pam_unix)': 1, su: 1 });
    const dropped = await both([file], { keepUnknown: false });
    expect(dropped).toMatchObject({ total: 2, kept: 0, filtered: 2, byLevel: { Unknown: 0 } });
  });

  it('stack traces under a record are counted as continuation lines, not dead letters; a stray unindented line is', async () => {
    const text = [
      '2024-01-01 12:00:00,001 ERROR [main] com.x.Y - failed',
      'java.lang.IllegalStateException: boom',
      '\tat com.x.Y.run(Y.java:12)',
      '\t... 3 more',
      'Caused by: java.io.IOException: disk',
      '    at com.x.Z.read(Z.java:7)',
      '2024-01-01 12:00:01,001 INFO [main] com.x.Y - recovered',
      '2024-01-01 12:00:02,001 ERROR [main] app - request failed',
      'Traceback (most recent call last):',
      '  File "app.py", line 3, in <module>',
      'ValueError: bad value',
      'KeyboardInterrupt',
      'and then a stray line of prose',
    ].join('\n');
    const file = tmp.file('trace.log', text);
    const report = await both([file]);
    expect(report).toMatchObject({ total: 13, kept: 3, continued: 9, blank: 0 });
    expect(report.deadLettered.count).toBe(1);
  });

  it('a file that switches layout half-way loses nothing; free text among the lines is still dead-lettered', async () => {
    const lines = [
      ...fixtureLines('Zookeeper').slice(0, 60),
      ...fixtureLines('Android').slice(0, 40),
      '{"level":"warn","msg":"json in the middle"}\r\n',
      'this is just prose\r\n',
      ...fixtureLines('HDFS').slice(0, 30),
    ];
    const file = tmp.file('mixed.log', lines.join(''));
    const report = await both([file]);
    expect(report.files[0]!.format).toBe('log4j');
    expect(report.total).toBe(132);
    expect(report.kept).toBe(131);
    expect(report.deadLettered.count).toBe(1);
    expect(report.byLevel.Unknown).toBe(0);
  });
});

describe('UTF-16 text (Windows tools write it)', () => {
  const windows = readFileSync(fixturePath('Windows'), 'utf8').split('\n').slice(0, 300);
  const text = [...windows.map((line) => `${line.replace(/\r$/, '')}\r\n`), 'x non-ASCII: é ü 日本 🎉\r\n'].join('');
  const utf16be = (t: string) => Buffer.from(t, 'utf16le').swap16();
  const bom = { le: Buffer.from([0xff, 0xfe]), be: Buffer.from([0xfe, 0xff]) };

  it('with or without a byte-order mark, from a file, a gzip file or standard input: the same counts as UTF-8', async () => {
    const expected = await runBaseline([tmp.file('utf8.log', text)]);
    expect(expected.deadLettered.count).toBe(1);
    const inputs: Array<[string, Buffer, 'utf-16le' | 'utf-16be']> = [
      ['le-bom.log', Buffer.concat([bom.le, Buffer.from(text, 'utf16le')]), 'utf-16le'],
      ['be-bom.log', Buffer.concat([bom.be, utf16be(text)]), 'utf-16be'],
      ['le-no-bom.log', Buffer.from(text, 'utf16le'), 'utf-16le'],
      ['be-no-bom.log', utf16be(text), 'utf-16be'],
      ['le-bom.log.gz', gzipSync(Buffer.concat([bom.le, Buffer.from(text, 'utf16le')])), 'utf-16le'],
    ];
    for (const [name, bytes, encoding] of inputs) {
      const file = tmp.path(name);
      writeFileSync(file, bytes);
      const report = await both([file], { readBytes: 4097, chunkBytes: 4097 });
      expect(comparable(report), name).toEqual({ ...comparable(expected), files: comparable(report).files });
      expect(report.files[0], name).toMatchObject({ format: 'cbs', encoding, lines: 301 });
      if (!name.endsWith('.gz')) expect(textSize(file), name).toBe(Math.ceil(bytes.length / 2));
    }
    const fromStdin = await runBaseline(['-'], {
      stdin: Readable.from([Buffer.concat([bom.le, Buffer.from(text, 'utf16le')])]),
    });
    expect(fromStdin.byLevel).toEqual(expected.byLevel);
    expect(fromStdin.files[0]).toMatchObject({ encoding: 'utf-16le' });
  });

  it('is recognised by its mark, or by ASCII code units with zero high bytes; UTF-8 and binary data are not', () => {
    expect(utf16Of(Buffer.from([0xff, 0xfe, 0x41, 0]))).toBe('utf-16le');
    expect(utf16Of(Buffer.from([0xfe, 0xff, 0, 0x41]))).toBe('utf-16be');
    expect(utf16Of(Buffer.from('2016-09-28 04:30:30, Info CBS', 'utf16le'))).toBe('utf-16le');
    expect(utf16Of(Buffer.from('short', 'utf16le'))).toBeUndefined();
    expect(utf16Of(Buffer.from('\ufeff2016-09-28 04:30:30, Info CBS Loaded', 'utf8'))).toBeUndefined();
    expect(utf16Of(Buffer.from('2016-09-28 04:30:30, Info CBS Loaded', 'utf8'))).toBeUndefined();
    expect(utf16Of(Buffer.alloc(64))).toBeUndefined();
    expect(utf16Of(Buffer.from(Array.from({ length: 64 }, (_, i) => (i % 2 ? 0 : 0x90))))).toBeUndefined();
  });
});

describe('the size of an input, for the progress bar and the choice of threads', () => {
  it('a gzip file counts as the text it holds; a plain file as its size', () => {
    const text = Buffer.from('2015-07-29 17:41:44,747 - INFO  [main:QuorumPeer@913] - LOOKING\n'.repeat(5000));
    const plain = tmp.path('size.log');
    const packed = tmp.path('size.log.gz');
    writeFileSync(plain, text);
    writeFileSync(packed, gzipSync(text));
    expect(textSize(plain)).toBe(text.length);
    expect(textSize(packed)).toBe(text.length);
    expect(readFileSync(packed).length).toBeLessThan(text.length / 10);
  });
});

describe('standard input and the dead-letter file', () => {
  it('reads "-" from a stream', async () => {
    const text = fixtureLines('Zookeeper').join('');
    const report = await runPipeline(['-'], { workers: 2, stdin: Readable.from([Buffer.from(text)]) });
    const baseline = await runBaseline(['-'], { stdin: Readable.from([Buffer.from(text)]) });
    expect(comparable(report)).toEqual(comparable(baseline));
    expect(report.total).toBe(2000);
    expect(report.files[0]).toMatchObject({ path: '-', format: 'log4j' });
  });

  it('writes one JSON line {file, line, reason, text} per dead letter, and no blank lines', async () => {
    const file = tmp.file('mixed.log', 'INFO fine\nnot a log line\n\nLOUD what\nERROR bad\n');
    const dlq = tmp.path('mixed.dlq');
    const report = await runPipeline([file], { workers: 2, dlqPath: dlq });
    expect(report.deadLettered).toEqual({ count: 2, byReason: { 'no level found': 1, 'unknown level "LOUD"': 1 } });
    expect(report.blank).toBe(1);
    expect(report.deadLetterFile).toEqual({ path: dlq, written: 2 });
    const letters = readFileSync(dlq, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(letters).toEqual(
      expect.arrayContaining([
        { file, line: 2, reason: 'no level found', text: 'not a log line' },
        { file, line: 4, reason: 'unknown level "LOUD"', text: 'LOUD what' },
      ]),
    );
    expect(letters).toHaveLength(2);
    // The baseline writes the same records.
    const dlq2 = tmp.path('mixed-baseline.dlq');
    await runBaseline([file], { dlqPath: dlq2 });
    expect(readFileSync(dlq2, 'utf8').split('\n').sort()).toEqual(readFileSync(dlq, 'utf8').split('\n').sort());
  });
});

describe('stopping early and failing', () => {
  const big = tmp.path('big.log');
  const ready = writeRepeatedLog(big, 'HDFS', { lines: 200_000, malformedEvery: 101 });

  it('a line limit stops after exactly K lines, and those K are all counted', async () => {
    await ready;
    for (const k of [1, 12_345, 100_003]) {
      const report = await both([big], { maxLines: k, chunkBytes: 8192 });
      expect(report.total).toBe(k);
      expect(report.stoppedEarly).toBe(true);
    }
  });

  it('an abort mid-stream loses nothing accepted: the counts equal the baseline on the same first lines', async () => {
    await ready;
    const abort = new AbortController();
    const report = await runPipeline([big], {
      workers: 2,
      readBytes: 64 * 1024,
      signal: abort.signal,
      onProgress: (_bytes, lines) => {
        if (lines >= 50_000) abort.abort();
      },
    });
    expect(report.stoppedEarly).toBe(true);
    expect(report.total).toBeGreaterThanOrEqual(50_000);
    expect(report.total).toBeLessThan(200_000);
    expect(expectAccounted(report)).toBe(true);
    const same = await runBaseline([big], { maxLines: report.total });
    // Bytes read differ (reading stops at a different place); what was counted may not.
    const counted = (r: PipelineReport) => ({
      ...comparable(r),
      bytes: 0,
      files: r.files.map((f) => ({ ...f, bytes: 0 })),
    });
    expect(counted(report)).toEqual(counted(same));
  });

  it('a parser thread that throws brings the pipeline down with the error, without hanging', async () => {
    await ready;
    const start = performance.now();
    const failing = runPipeline([big], {
      workers: 2,
      chunkBytes: 4096,
      batchBytes: 4096,
      testThrowAfterChunks: 3,
      dlqPath: tmp.path('fail.dlq'),
    });
    await expect(failing).rejects.toThrow(PipelineError);
    await expect(failing).rejects.toThrow(/thread 'parser-\d' failed: injected failure after 3 chunks/);
    expect(performance.now() - start).toBeLessThan(15_000);
  });

  it('batches still queued when the input ends are parsed by the reading thread, and nothing is lost', async () => {
    const file = tmp.path('steal.log');
    await writeRepeatedLog(file, 'Android', { lines: 40_000, malformedEvery: 101 });
    // Room for every batch (~90 of them), so the reading thread never parses for want of room: whatever it parses
    // it took back from the queue at the end of the input (the parser thread is still starting then: reading 5 MB
    // from the page cache takes a few milliseconds, starting a thread tens; load on the machine widens the gap).
    const options = { workers: 1, chunkBytes: 16 * 1024, batchBytes: 64 * 1024, channelCapacity: 128 };
    const dlq = tmp.path('steal.dlq');
    const threads = new PipelineThreads({ ...options, dlqPath: dlq });
    const baselineDlq = tmp.path('steal-baseline.dlq');
    try {
      const report = await threads.run([file], options);
      expect(threads.parsedHere).toBeGreaterThan(0);
      const baseline = await runBaseline([file], { dlqPath: baselineDlq });
      expect(comparable(report)).toEqual({ ...comparable(baseline), deadLetterFile: null });
      expect(expectAccounted(report)).toBe(true);
    } finally {
      expect(await threads.close()).toBeGreaterThan(0);
    }
    const letters = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').sort();
    expect(letters(dlq)).toEqual(letters(baselineDlq));
  });

  it('threads kept for several runs give each run exactly its own counts', async () => {
    await ready;
    const threads = new PipelineThreads({ workers: 2, chunkBytes: 4096, batchBytes: 16 * 1024 });
    try {
      const small = tmp.file('small.log', 'DEBUG a\nINFO b\nnot a line\n\nERROR c\n');
      const runs: Array<[string[], PipelineOptions]> = [
        [[big], { maxLines: 30_000 }],
        [[small], { minLevel: 'Info' }],
        [[big, small], { minLevel: 'Warn', maxLines: 70_000 }],
        [[small], {}],
      ];
      for (const [paths, options] of runs) {
        const report = await threads.run(paths, options);
        expect(comparable(report)).toEqual(comparable(await runBaseline(paths, options)));
      }
    } finally {
      expect(await threads.close()).toBe(0);
    }
  });
});
