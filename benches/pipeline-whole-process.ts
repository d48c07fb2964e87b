/**
 * Whole-process timing of the `pipeline` command as a user runs it: `node scripts/launch.mjs scripts/pipeline.ts`
 * (what `npm run pipeline` runs, without npm's own start-up; `--tsx`: `node --import tsx scripts/pipeline.ts`),
 * threaded against `--single-threaded`, runs alternating (A B A B …) so that a change in the machine's load
 * hits both alike, medians over the repetitions, peak memory from /usr/bin/time -v when it is there, and the
 * 1-minute load average read before every run. Writes the input files itself (one loghub sample's lines
 * repeated: HDFS, or --layout Apache|Zookeeper|Android).
 *
 *   npx tsx benches/pipeline-whole-process.ts [--lines 1000000,4000000] [--reps 5] [--dir /tmp] [--tsx]
 *                                            [--layout HDFS|Apache|Zookeeper|Android]
 *
 * Not a test (it asserts nothing and depends on the machine); the numbers in README.md come from it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FIXTURE_NAMES, type FixtureName, writeRepeatedLog } from '../apps/pipeline/synthetic.ts';
import { median } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    lines: { type: 'string' },
    reps: { type: 'string' },
    dir: { type: 'string' },
    tsx: { type: 'boolean' },
    layout: { type: 'string' },
  },
});
const sizes = (values.lines ?? '1000000,4000000').split(',').map(Number);
const reps = Number(values.reps ?? 5);
const dir = values.dir ?? '/tmp';
const layout = values.layout ?? 'HDFS';
if (!(FIXTURE_NAMES as readonly string[]).includes(layout))
  throw new Error(`--layout must be one of ${FIXTURE_NAMES.join(', ')}, got '${layout}'`);
const cli = path.join(import.meta.dirname, '..', 'scripts', 'pipeline.ts');
// As `npm run pipeline` starts it (scripts/launch.mjs: plain Node on the compiled mirror), or with --tsx through
// the tsx loader, as it was started before.
const launcher = values.tsx ? ['--import', 'tsx'] : [path.join(import.meta.dirname, '..', 'scripts', 'launch.mjs')];
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

function once(file: string, extra: string[]): { seconds: number; rssMb: number; cpu: number } {
  const args = [...launcher, cli, file, '--json', ...extra];
  const t0 = performance.now();
  const how = { encoding: 'utf8', maxBuffer: 1 << 26 } as const;
  const run = timeBin
    ? spawnSync(timeBin, ['-v', process.execPath, ...args], how)
    : spawnSync(process.execPath, args, how);
  const seconds = (performance.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`pipeline failed: ${run.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr ?? '');
  const user = /User time \(seconds\): ([\d.]+)/.exec(run.stderr ?? '');
  const sys = /System time \(seconds\): ([\d.]+)/.exec(run.stderr ?? '');
  return {
    seconds,
    rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
    cpu: user && sys ? Number(user[1]) + Number(sys[1]) : Number.NaN,
  };
}

for (const lines of sizes) {
  const file = path.join(dir, `pipeline-bench-${layout.toLowerCase()}-${lines}.log`);
  if (!existsSync(file)) await writeRepeatedLog(file, layout as FixtureName, { lines });
  const threaded: number[] = [];
  const single: number[] = [];
  const rss = { threaded: 0, single: 0 };
  const cpu = { threaded: [] as number[], single: [] as number[] };
  const loads: number[] = [];
  once(file, []); // warm the file cache and the compile caches
  for (let r = 0; r < reps; r++) {
    loads.push(load());
    const a = once(file, []);
    threaded.push(a.seconds);
    rss.threaded = Math.max(rss.threaded, a.rssMb);
    cpu.threaded.push(a.cpu);
    loads.push(load());
    const b = once(file, ['--single-threaded']);
    single.push(b.seconds);
    rss.single = Math.max(rss.single, b.rssMb);
    cpu.single.push(b.cpu);
  }
  const mt = median(threaded);
  const ms = median(single);
  console.log(
    `${layout}, ${lines.toLocaleString('en-US')} lines (${(statSync(file).size / 1e6).toFixed(0)} MB), ${reps} alternating runs each, ` +
      `load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}:\n` +
      `  threaded ${mt.toFixed(2)} s (${(lines / mt / 1e6).toFixed(2)} M lines/s, peak ${rss.threaded.toFixed(0)} MB)  ` +
      `single ${ms.toFixed(2)} s (${(lines / ms / 1e6).toFixed(2)} M lines/s, peak ${rss.single.toFixed(0)} MB)  ` +
      `ratio ${(ms / mt).toFixed(2)}×\n` +
      `  CPU (user+sys, median) threaded ${median(cpu.threaded).toFixed(2)} s, single ${median(cpu.single).toFixed(2)} s\n` +
      `  threaded runs ${threaded.map((x) => x.toFixed(2)).join(' ')}; single ${single.map((x) => x.toFixed(2)).join(' ')}`,
  );
}
