/**
 * End-to-end ground truth: the loghub samples run through the pipeline (1 and 2 parser threads, the
 * single-threaded baseline, and the real CLI) give the per-level counts of loghub's own structured CSV.
 */
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from './csv.ts';
import { type EntryLevel, mapLevel } from './formats.ts';
import { runBaseline, runPipeline } from './pipeline.ts';
import type { PipelineReport } from './report.ts';
import { LOGHUB_NAMES as FIXTURE_NAMES, fixturePath, type LoghubName } from './synthetic.ts';
import { comparable, runCli } from './test-support.ts';

const EXPECTED_FORMAT = {
  Apache: 'apache',
  HDFS: 'hdfs',
  Zookeeper: 'log4j',
  Android: 'logcat',
  BGL: 'bgl',
  Spark: 'log4j',
  Windows: 'cbs',
  Linux: 'syslog',
  Mac: 'syslog',
  OpenSSH: 'syslog',
} as const;

/** Samples whose lines name no level. loghub's Linux CSV puts the host name in its Level column (its mistake,
 * documented in formats.test.ts): these lines count as Unknown. */
const NO_LEVEL = new Set(['Linux', 'Mac', 'OpenSSH']);

function levelsFromCsv(name: string): Record<EntryLevel, number> {
  const counts: Record<EntryLevel, number> = { Debug: 0, Info: 0, Warn: 0, Error: 0, Unknown: 0 };
  for (const row of readCsvRecords(`${fixturePath(name as LoghubName)}_structured.csv`)) {
    if (NO_LEVEL.has(name)) {
      counts.Unknown++;
      continue;
    }
    const level = mapLevel(row['Level']!);
    if (level === undefined) throw new Error(`CSV level ${row['Level']} is not in the level table`);
    counts[level]++;
  }
  return counts;
}

describe('pipeline ground truth (loghub *_2k.log against *_structured.csv)', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}_2k.log: per-level counts match the CSV with 1 and 2 threads, and equal the baseline exactly`, async () => {
      const expected = levelsFromCsv(name);
      const file = fixturePath(name);
      const baseline = await runBaseline([file]);
      expect(baseline.byLevel).toEqual(expected);
      expect(baseline.total).toBe(2000);
      expect(baseline.kept).toBe(2000);
      expect(baseline.files).toEqual([
        { path: file, format: EXPECTED_FORMAT[name], lines: 2000, bytes: expect.any(Number) },
      ]);
      for (const workers of [1, 2]) {
        const threaded = await runPipeline([file], { workers, batchBytes: 16 * 1024 });
        expect(threaded.workers).toBe(workers);
        expect(threaded.byLevel).toEqual(expected);
        expect(comparable(threaded)).toEqual(comparable(baseline));
      }
    });
  }

  it('all the samples at once, with small chunks so that both threads get work: same as the baseline', async () => {
    const files = FIXTURE_NAMES.map(fixturePath);
    const baseline = await runBaseline(files, { chunkBytes: 4096 });
    const threaded = await runPipeline(files, { workers: 2, chunkBytes: 4096, batchBytes: 8192, channelCapacity: 3 });
    expect(comparable(threaded)).toEqual(comparable(baseline));
    expect(threaded.total).toBe(2000 * FIXTURE_NAMES.length);
    // Neither the chunk size nor the read size may matter (odd sizes put lines across read boundaries).
    expect(comparable(await runBaseline(files))).toEqual(comparable(baseline));
    expect(comparable(await runBaseline(files, { readBytes: 997, chunkBytes: 313 }))).toEqual(comparable(baseline));
    expect(
      comparable(await runPipeline(files, { workers: 2, readBytes: 4099, chunkBytes: 1000, batchBytes: 3000 })),
    ).toEqual(comparable(baseline));
  });

  it('the real CLI (child process, --json) reports the CSV counts for every file', () => {
    const files = FIXTURE_NAMES.map(fixturePath);
    const run = runCli([...files, '--json', '--workers', '2']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as PipelineReport;
    const total: Record<EntryLevel, number> = { Debug: 0, Info: 0, Warn: 0, Error: 0, Unknown: 0 };
    for (const name of FIXTURE_NAMES) {
      const levels = levelsFromCsv(name);
      for (const level of Object.keys(total) as EntryLevel[]) total[level] += levels[level];
    }
    expect(report.byLevel).toEqual(total);
    expect(report.total).toBe(2000 * FIXTURE_NAMES.length);
    expect(report.deadLettered).toEqual({ count: 0, byReason: {} });
    expect(report.files.map((f) => f.format)).toEqual(FIXTURE_NAMES.map((n) => EXPECTED_FORMAT[n]));
    expect(report.linesPerSecond).toBeGreaterThan(0);
    // A single file through the CLI with one thread.
    const one = runCli([fixturePath('HDFS'), '--json', '--workers', '1']);
    expect(one.status).toBe(0);
    expect((JSON.parse(one.stdout) as PipelineReport).byLevel).toEqual(levelsFromCsv('HDFS'));
  });
});
