/**
 * The `pipeline` command as a user runs it (a child process): usage errors and bad inputs give one line on
 * stderr and exit code 2, a failing thread exit code 1, standard input works, --dlq writes its file.
 */
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PipelineReport } from './report.ts';
import { FIXTURE_NAMES, fixtureLines, fixturePath, LOGHUB_NAMES, writeRepeatedLog } from './synthetic.ts';
import { type CliRun, comparable, LAUNCHER, runCli, runCliAsync, TempDir } from './test-support.ts';

const tmp = new TempDir();
afterAll(() => tmp.remove());

function expectOneLineError(run: CliRun, pattern: RegExp, code = 2): void {
  expect(run.status, run.stderr).toBe(code);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^pipeline: [^\n]+\n$/);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\bat .*:\d+:\d+/);
}

describe('pipeline CLI', () => {
  it('bad usage and bad inputs: one line on stderr, exit code 2', async () => {
    const log = fixturePath('HDFS');
    const dir = tmp.path('a-directory');
    mkdirSync(dir);
    const cases: Array<[string[], RegExp]> = [
      [[tmp.path('missing.log')], /missing\.log: no such file/],
      [[dir], /is a directory/],
      [[log, '--frobnicate'], /unknown option '--frobnicate'/],
      [[log, '--workers', '0'], /--workers must be a whole number/],
      [[log, '--workers', 'two'], /--workers must be a whole number/],
      [[log, '--workers'], /'--workers' needs a value/],
      [[log, '--min-level', 'loud'], /--min-level must be one of debug, info, warn, error/],
      [[log, '--format', 'xml'], /--format must be one of auto, simple/],
      [[], /no input files/],
      [[log, '--dlq', tmp.path('no/such/dir/x.dlq')], /--dlq .*cannot write/],
    ];
    // Four at a time: each run starts its own Node process.
    for (let i = 0; i < cases.length; i += 4) {
      const slice = cases.slice(i, i + 4);
      const runs = await Promise.all(slice.map(([args]) => runCliAsync(args)));
      runs.forEach((run, k) => expectOneLineError(run, slice[k]![1]));
    }
  });

  it('without --workers, an input under SMALL_INPUT_BYTES runs on one thread and says why; --workers N threads it', () => {
    const small = JSON.parse(runCli([fixturePath('HDFS'), '--json']).stdout) as PipelineReport & {
      singleThreadedBecause?: string;
    };
    expect(small.workers).toBe(0);
    expect(small.singleThreadedBecause).toMatch(/under 32 MB/);
    const text = runCli([fixturePath('HDFS')]).stdout.split('\n');
    expect(text[0]).toMatch(/single-threaded$/);
    expect(text[1]).toMatch(/^\(the input is under 32 MB: .*--workers N starts them anyway\)$/);
    const forced = JSON.parse(runCli([fixturePath('HDFS'), '--json', '--workers', '1']).stdout) as PipelineReport & {
      singleThreadedBecause?: string;
    };
    expect(forced.workers).toBe(1);
    expect(forced.singleThreadedBecause).toBeUndefined();
    const { singleThreadedBecause: _because, ...smallReport } = small;
    expect(comparable(forced)).toEqual(comparable(smallReport));
  });

  it('a gzip file (one member or several) is read as its text, threaded or not; a damaged one fails naming the file', () => {
    const hdfs = readFileSync(fixturePath('HDFS'));
    const apache = readFileSync(fixturePath('Apache'));
    const plain = tmp.path('both.log');
    writeFileSync(plain, Buffer.concat([hdfs, apache]));
    // Two members, as `cat a.gz b.gz` makes; the name does not say gzip: the magic bytes do.
    const packed = tmp.path('both.log.1');
    writeFileSync(packed, Buffer.concat([gzipSync(hdfs), gzipSync(apache)]));
    const report = (args: string[]) => {
      const run = runCli([...args, '--json']);
      expect(run.stderr).toBe('');
      const { singleThreadedBecause: _b, ...r } = JSON.parse(run.stdout) as PipelineReport & {
        singleThreadedBecause?: string;
      };
      return { ...comparable(r), files: r.files.map(({ path: _p, ...f }) => f) };
    };
    const expected = report([plain]);
    expect(expected.total).toBe(4000);
    expect(report([packed])).toEqual(expected);
    expect(report([packed, '--workers', '1'])).toEqual(expected);
    const damaged = tmp.path('damaged.gz');
    const whole = gzipSync(Buffer.concat([hdfs, apache]));
    writeFileSync(damaged, whole.subarray(0, whole.length >> 1));
    expectOneLineError(runCli([damaged]), /damaged\.gz: cannot decompress \(gzip\): unexpected end of file/, 1);
  });

  it('xz, zstd and bzip2 files are refused with the command to decompress them; text that merely starts alike is read', () => {
    const magics: Array<[string, number[]]> = [
      ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]],
      ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 1, 2]],
      ['bzip2', [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41]],
    ];
    for (const [name, bytes] of magics) {
      const file = tmp.path(`packed.${name}`);
      writeFileSync(file, Buffer.from(bytes));
      expectOneLineError(runCli([file]), new RegExp(`compressed with ${name}.*${name} -dc `), 2);
    }
    const text = tmp.path('bzh.log');
    writeFileSync(text, 'BZh is how this line starts\n');
    const run = runCli([text, '--json']);
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as PipelineReport).total).toBe(1);
  });

  it('a thread that fails: one line on stderr, exit code 1', () => {
    expectOneLineError(
      runCli([fixturePath('Android'), '--workers', '1', '--test-throw-after-chunks', '0']),
      /thread 'parser-\d+' failed: injected failure/,
      1,
    );
  });

  it('--help prints the usage and exits 0', () => {
    const run = runCli(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run pipeline -- <file\.\.\.\|-> \[options\]/);
    expect(run.stdout).toContain('--dlq FILE');
  });

  it('reads standard input with "-", writes --dlq, prints text by default and JSON with --json', () => {
    const input = `${fixtureLines('Apache').slice(0, 100).join('')}garbage line\r\n\r\n[Sun Dec 04 04:47:44 2005] [loud] x\r\n`;
    const dlq = tmp.path('stdin.dlq');
    const run = runCli(['-', '--json', '--dlq', dlq, '--min-level', 'error'], input);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as PipelineReport;
    expect(report.total).toBe(103);
    expect(report.blank).toBe(1);
    expect(report.deadLettered.count).toBe(2);
    expect(report.kept + report.filtered).toBe(100);
    expect(report.files[0]).toMatchObject({ path: '-', format: 'apache' });
    const letters = readFileSync(dlq, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(letters.map((l) => [l['file'], l['line'], l['text']]).sort()).toEqual([
      ['-', 101, 'garbage line'],
      ['-', 103, '[Sun Dec 04 04:47:44 2005] [loud] x'],
    ]);
    const text = runCli([fixturePath('Zookeeper')]);
    expect(text.status).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^2,000 lines .* lines\/s/);
    expect(text.stdout).toContain('kept by level:');
    expect(text.stdout).toContain('top sources');
  });

  it('started as npm starts it or through tsx, threaded or not: the same report and dead letters, every log', async () => {
    // Every loghub sample, plus a file of all four big-input layouts with malformed lines, invalid UTF-8 and
    // multi-byte characters, long enough to span many chunks (so the parser thread decodes most of it).
    const mixed = tmp.path('mixed.log');
    const parts: Buffer[] = [];
    for (const name of FIXTURE_NAMES) {
      const file = tmp.path(`${name}.part`);
      await writeRepeatedLog(file, name, { lines: 6000, malformedEvery: 97 });
      parts.push(readFileSync(file), Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x0a]), Buffer.from('café ✓ 日本\n'));
    }
    writeFileSync(mixed, Buffer.concat(parts));
    const files = [...LOGHUB_NAMES.map(fixturePath), mixed];
    const run = (extra: string[], via: 'launch' | 'tsx' = 'launch') => {
      const dlq = tmp.path(`dlq-${via}-${extra.join('')}.jsonl`);
      const result = runCli([...files, '--json', '--dlq', dlq, ...extra], undefined, via);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const { singleThreadedBecause: _because, ...report } = JSON.parse(result.stdout) as PipelineReport & {
        singleThreadedBecause?: string;
      };
      const letters = readFileSync(dlq, 'utf8').trimEnd().split('\n').sort();
      return { report: { ...comparable(report), deadLetterFile: null }, letters };
    };
    const single = run(['--single-threaded']);
    expect(single.report.total).toBe(2000 * LOGHUB_NAMES.length + 4 * 6002);
    expect(single.report.deadLettered.count).toBeGreaterThan(100);
    expect(single.letters.length).toBe(single.report.deadLettered.count);
    expect(single.letters.some((l) => l.includes('bad\uFFFD\uFFFD'))).toBe(true);
    for (const [extra, via] of [
      [[], 'launch'],
      [['--workers', '1'], 'launch'],
      [['--workers', '2'], 'launch'],
      [['--workers', '1'], 'tsx'],
    ] as const) {
      expect(run([...extra], via)).toEqual(single);
    }
  });

  it('the launcher runs a TypeScript entry with its arguments and picks up an edited import on the next run', () => {
    const dir = tmp.path('launched');
    mkdirSync(dir);
    const entry = path.join(dir, 'entry.ts');
    writeFileSync(
      entry,
      "import { word } from './word.ts';\nconst n: number = 2;\nconsole.log(word, n, process.argv.slice(2).join('+'));\n",
    );
    const launch = () => spawnSync(process.execPath, [LAUNCHER, entry, 'a', '--b'], { encoding: 'utf8' });
    writeFileSync(path.join(dir, 'word.ts'), "export const word: string = 'first';\n");
    expect(launch()).toMatchObject({ status: 0, stdout: 'first 2 a+--b\n', stderr: '' });
    writeFileSync(path.join(dir, 'word.ts'), "export const word: string = 'second, longer';\n");
    expect(launch()).toMatchObject({ status: 0, stdout: 'second, longer 2 a+--b\n', stderr: '' });
  });
});
