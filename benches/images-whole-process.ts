/**
 * Whole-process timing of the `images` command as a user runs it: one worker (`--workers 1 --threads`) against
 * the default, `--threads` and `--processes` (each with the default number of workers), one run of each in turn,
 * the order rotating with the repetition (A B C D, B C D A, …), so that a change in the machine's load hits every
 * variant alike, medians over the
 * repetitions, CPU time (user + sys of the whole process tree) and peak memory (the largest single process)
 * from /usr/bin/time -v when it is there, and the 1-minute load average read before every run.
 *
 * The input folder is built from fixtures/images/good copied `--copies` times (names prefixed c1_, c2_ …), or
 * given with `--in` (any folder of yours; it is only read). Outputs go to a fresh folder under `--dir`.
 *
 *   npx tsx benches/images-whole-process.ts [--copies 6] [--in <folder>] [--reps 5] [--dir /tmp]
 *       [--ops '--resize 320x240 --blur 1.5'] [--launch node|tsx|npx]
 *
 * `--launch` says how the command is started: `node scripts/launch.mjs scripts/images.ts` (node, the default:
 * what `npm run images` runs, without npm's own start-up), `node --import tsx scripts/images.ts` (tsx), or
 * `npx tsx scripts/images.ts` (npx).
 *
 * Not a test (it asserts nothing and depends on the machine); the numbers in apps/images/README.md come from it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    copies: { type: 'string' },
    in: { type: 'string' },
    reps: { type: 'string' },
    dir: { type: 'string' },
    ops: { type: 'string' },
    launch: { type: 'string' },
  },
});
const root = path.join(import.meta.dirname, '..');
const reps = Number(values.reps ?? 5);
const dir = values.dir ?? '/tmp';
const ops = (values.ops ?? '--resize 320x240 --blur 1.5').split(/\s+/).filter(Boolean);
const launch = values.launch ?? 'node';
const cli = path.join(root, 'scripts', 'images.ts');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const command: string[] =
  launch === 'npx'
    ? ['npx', 'tsx', cli]
    : launch === 'tsx'
      ? [process.execPath, '--import', 'tsx', cli]
      : [process.execPath, path.join(root, 'scripts', 'launch.mjs'), cli];

const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

function inputFolder(): string {
  if (values.in) return path.resolve(values.in);
  const copies = Number(values.copies ?? 6);
  const folder = path.join(dir, `images-bench-good-x${copies}`);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const good = path.join(root, 'fixtures', 'images', 'good');
  for (let c = 1; c <= copies; c++) {
    for (const name of readdirSync(good)) cpSync(path.join(good, name), path.join(folder, `c${c}_${name}`));
  }
  return folder;
}

function folderSize(folder: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

interface Run {
  readonly seconds: number;
  readonly inCommand: number;
  readonly cpu: number;
  readonly rssMb: number;
  readonly mode: string;
}

function once(input: string, extra: readonly string[]): Run {
  const out = path.join(dir, 'images-bench-out');
  rmSync(out, { recursive: true, force: true });
  const args = [...command, input, out, '--json', ...ops, ...extra];
  const how = { encoding: 'utf8', maxBuffer: 1 << 26, cwd: root } as const;
  const t0 = performance.now();
  const run = timeBin ? spawnSync(timeBin, ['-v', ...args], how) : spawnSync(args[0]!, args.slice(1), how);
  const seconds = (performance.now() - t0) / 1000;
  if (run.status !== 0 && run.status !== 1) throw new Error(`images failed (${run.status}): ${run.stderr}`);
  const report = JSON.parse(run.stdout.trim().split('\n').pop()!) as { seconds: number; mode: string };
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr ?? '');
  const user = /User time \(seconds\): ([\d.]+)/.exec(run.stderr ?? '');
  const sys = /System time \(seconds\): ([\d.]+)/.exec(run.stderr ?? '');
  return {
    seconds,
    inCommand: report.seconds,
    cpu: user && sys ? Number(user[1]) + Number(sys[1]) : Number.NaN,
    rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
    mode: report.mode,
  };
}

const variants: ReadonlyArray<{ readonly name: string; readonly args: readonly string[] }> = [
  { name: 'one worker (--workers 1 --threads)', args: ['--workers', '1', '--threads'] },
  { name: 'default', args: [] },
  { name: '--threads', args: ['--threads'] },
  { name: '--processes', args: ['--processes'] },
];

const input = inputFolder();
const size = folderSize(input);
const runs: Run[][] = variants.map(() => []);
const loads: number[] = [];
for (const variant of variants) once(input, variant.args); // warm the file cache and the compile caches
for (let r = 0; r < reps; r++) {
  // The order rotates with the repetition (A B C D, B C D A, …): no variant always runs right after the same one
  // (a fixed order had put the default after the one-worker run every time, and showed a gap that was not there).
  for (let k = 0; k < variants.length; k++) {
    const v = (r + k) % variants.length;
    loads.push(load());
    runs[v]!.push(once(input, variants[v]!.args));
  }
}

const base = median(runs[0]!.map((x) => x.seconds));
const baseIn = median(runs[0]!.map((x) => x.inCommand));
console.log(
  `images on ${input} (${size.files} files, ${(size.bytes / 1e6).toFixed(1)} MB), ops: ${ops.join(' ')}, ` +
    `launched as: ${launch}; ${reps} runs of each variant in turn, load ${Math.min(...loads).toFixed(1)}–` +
    `${Math.max(...loads).toFixed(1)} (1-minute average before each run)`,
);
for (const [v, variant] of variants.entries()) {
  const xs = runs[v]!;
  const wall = median(xs.map((x) => x.seconds));
  const inCommand = median(xs.map((x) => x.inCommand));
  const modes = [...new Set(xs.map((x) => x.mode))].join('/');
  console.log(
    `  ${variant.name.padEnd(36)} whole ${wall.toFixed(2)} s (${(base / wall).toFixed(2)}×)  ` +
      `in-command ${inCommand.toFixed(2)} s (${(baseIn / inCommand).toFixed(2)}×)  ` +
      `CPU ${median(xs.map((x) => x.cpu)).toFixed(2)} s  peak ${Math.max(...xs.map((x) => x.rssMb)).toFixed(0)} MB  ` +
      `ran: ${modes}\n    runs ${xs.map((x) => x.seconds.toFixed(2)).join(' ')}`,
  );
}
