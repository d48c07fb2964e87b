/**
 * Whole-process timing of the `pipeline` command as a user runs it: `node --import tsx scripts/pipeline.ts`,
 * threaded against `--single-threaded`, runs alternating (A B A B …) so that a change in the machine's load
 * hits both alike, medians over the repetitions, peak memory from /usr/bin/time -v when it is there, and the
 * 1-minute load average read before every run. Writes the input files itself (HDFS lines repeated).
 *
 *   npx tsx benches/pipeline-whole-process.ts [--lines 1000000,4000000] [--reps 5] [--dir /tmp]
 *
 * Not a test (it asserts nothing and depends on the machine); the numbers in README.md come from it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeRepeatedLog } from '../apps/pipeline/synthetic.ts';
import { median } from './lib/stats.ts';

const { values } = parseArgs({
  options: { lines: { type: 'string' }, reps: { type: 'string' }, dir: { type: 'string' } },
});
const sizes = (values.lines ?? '1000000,4000000').split(',').map(Number);
const reps = Number(values.reps ?? 5);
const dir = values.dir ?? '/tmp';
const cli = path.join(import.meta.dirname, '..', 'scripts', 'pipeline.ts');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

function once(file: string, extra: string[]): { seconds: number; rssMb: number; cpu: number } {
  const args = ['--import', 'tsx', cli, file, '--json', ...extra];
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
  const file = path.join(dir, `pipeline-bench-hdfs-${lines}.log`);
  if (!existsSync(file)) await writeRepeatedLog(file, 'HDFS', { lines });
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
    `${lines.toLocaleString('en-US')} lines (${(statSync(file).size / 1e6).toFixed(0)} MB), ${reps} alternating runs each, ` +
      `load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}:\n` +
      `  threaded ${mt.toFixed(2)} s (${(lines / mt / 1e6).toFixed(2)} M lines/s, peak ${rss.threaded.toFixed(0)} MB)  ` +
      `single ${ms.toFixed(2)} s (${(lines / ms / 1e6).toFixed(2)} M lines/s, peak ${rss.single.toFixed(0)} MB)  ` +
      `ratio ${(ms / mt).toFixed(2)}×\n` +
      `  CPU (user+sys, median) threaded ${median(cpu.threaded).toFixed(2)} s, single ${median(cpu.single).toFixed(2)} s\n` +
      `  threaded runs ${threaded.map((x) => x.toFixed(2)).join(' ')}; single ${single.map((x) => x.toFixed(2)).join(' ')}`,
  );
}
