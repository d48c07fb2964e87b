/**
 * README.md's "Measured" section, written from a committed report (reports/sample/report.json) and never by hand:
 * `npx tsx scripts/readme-numbers.ts` rewrites the text between the markers below; `--check` only says whether
 * it is up to date. readme.test.ts fails when the section differs from what the report gives, or when any number
 * in it has no source in the report.
 *
 * Every number is a point estimate (a median, or a ratio of medians) read through the registry's constants, and
 * `renderMeasured` returns, beside the text, each number with the cell and variant it came from.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../lib/cli.ts';
import { formatSi } from '../lib/table.ts';
import { cellKey, medianOf, ratioOf, type Results } from './analysis.ts';
import { CELL, V } from './registry.ts';
import { countVerdicts, type RunRecord } from './report.ts';
import { repoRoot } from './target.ts';
import type { CellResult } from './types.ts';

export const MARK_START =
  '<!-- measured:start (written by scripts/readme-numbers.ts from reports/sample/report.json) -->';
export const MARK_END = '<!-- measured:end -->';
export const SAMPLE_REPORT = path.join(repoRoot, 'reports', 'sample', 'report.json');
export const README = path.join(repoRoot, 'README.md');

export interface Sourced {
  /** The number as printed. */
  readonly text: string;
  /** Where it comes from: `<cell> <variant>`, a ratio `a ÷ b`, or a field of the report. */
  readonly source: string;
}

const sig = (x: number, digits = 3): string => Number(x.toPrecision(digits)).toString();

export function renderMeasured(record: RunRecord): { text: string; numbers: Sourced[] } {
  const results: Results = new Map<string, CellResult>(record.cells.map((c) => [cellKey(c.spec.suite, c.spec.id), c]));
  const numbers: Sourced[] = [];
  const put = (text: string, source: string): string => {
    numbers.push({ text, source });
    return text;
  };
  const median = (cell: string, variant: string) => medianOf(results, cell, variant)?.estimate;
  const ratio = (cell: string, a: string, b: string) => ratioOf(results, cell, a, b)?.estimate;
  const x = (cell: string, a: string, b: string): string => {
    const r = ratio(cell, a, b);
    return r === undefined ? 'n/a' : put(`${sig(r, 2)}×`, `${cell} ${a} ÷ ${b}`);
  };
  /** Per second from a median time `ms` for `count` items. */
  const rate = (cell: string, variant: string, count: number): string => {
    const m = median(cell, variant);
    return m === undefined ? 'n/a' : put(`${formatSi((count / m) * 1000)}/s`, `${cell} ${variant} (${count} per run)`);
  };
  const val = (cell: string, variant: string, unit: string, digits = 2): string => {
    const m = median(cell, variant);
    return m === undefined ? 'n/a' : put(`${sig(m, digits)} ${unit}`, `${cell} ${variant}`);
  };
  const param = (cell: string, key: string): number => Number(results.get(cell)?.spec.params[key] ?? NaN);
  const m = record.machine;
  const T = V.transport;
  const n = param(CELL.transport, 'numbers');
  const recs = param(CELL.transport, 'records');
  const v8ops = 2 * param(CELL.v8mutex, 'ops');
  const spawnRate = (variant: string) => {
    const perTask = median(CELL.spawn, variant);
    return perTask === undefined
      ? 'n/a'
      : put(`${formatSi(1000 / perTask)}/s`, `${CELL.spawn} ${variant} (1 ÷ ms per task)`);
  };
  const chapter = record.claims.filter((c) => c.origin === 'chapter');
  const counts = countVerdicts(chapter);
  const count = (k: string) => put(String(counts[k] ?? 0), `claims: ${k}`);
  const busy = m.warnings.some((w) => w.startsWith('load average'));
  const load = (v: number | null) => (v === null ? 'n/a' : put(v.toFixed(2), 'machine load average'));
  const lines = [
    MARK_START,
    `From [reports/sample/report.md](reports/sample/report.md) (${put(m.cpuModel, 'machine CPU')}, ${put(String(m.availableParallelism), 'machine cores')} cores, ` +
      `Node ${put(m.nodeVersion, 'machine Node')}, ${record.settings.profile.name} profile, load average ${load(m.loadAverage1mBefore)} before and ` +
      `${load(m.loadAverage1mAfter)} after the run${busy ? ': other work kept the machine busy, so read absolute numbers as pessimistic and ratios as rough' : ''}); ` +
      'rerun `npm run bench` on yours, the machine is part of the result.',
    '',
    `- A kit channel moves ${rate(CELL.transport, T.kitF64, n)} numbers one per message (${x(CELL.transport, T.postNumbers, T.kitF64)} \`postMessage\`), ` +
      `${rate(CELL.transport, T.kitF64Batches, n)} in batches of 256; ~100-byte log records ${rate(CELL.transport, T.kitRecord, recs)} with the record codec ` +
      `(${x(CELL.transport, T.postRecords, T.kitRecord)}); cloneable objects through the default codec ${x(CELL.transport, T.postRecords, T.kitStructured)}.`,
    `- Ping-pong between two busy threads: ${val(CELL.threads, V.threads.pingPong, 'µs')} per round trip (crossing cores alone, two threads ` +
      `spinning on one word: ${val(CELL.threads, V.threads.corePingPong, 'µs')}); a parked receiver costs ` +
      `${val(CELL.threads, V.threads.idleCpu, '%')} of a core; a TypeScript thread body starts in ${val(CELL.threads, V.threads.kitStartup, 'ms')} ` +
      `(a plain ES module worker: ${val(CELL.threads, V.threads.plainStartup, 'ms')}).`,
    `- Uncontended \`Mutex\` lock + unlock ${val(CELL.micro, V.micro.mutex, 'ns', 3)} (${x(CELL.micro, V.micro.mutex, V.micro.atomicsAdd)} one \`Atomics.add\`); ` +
      `two threads contending: ${rate(CELL.v8mutex, V.v8mutex.kit, v8ops)} kit Mutex locks against ${rate(CELL.v8mutex, V.v8mutex.v8, v8ops)} for V8's experimental \`Atomics.Mutex\`.`,
    `- The reference thread pool runs ${spawnRate(V.spawn.referencePool)} tiny tasks (piscina: ${spawnRate(V.spawn.piscina)}); a thread costs ` +
      `${val(CELL.spawn, V.spawn.spawnJoin, 'ms')} to spawn and join; speedup over one thread of CPU-bound tasks on 2 workers: ` +
      `${x(CELL.cpu(5, 2), V.sweep.sequential, V.sweep.pool)}, of real photos with sharp on a pool of 2: ${x(CELL.images, V.images.sequential, V.images.pool)}.`,
    `- The chapter's ${put(String(chapter.length), 'claims: count')} numeric claims on this machine: ${count('reproduced')} reproduced, ${count('not reproduced')} not reproduced, ` +
      `${count('inconclusive')} inconclusive, ${count('holds by construction')} holding by construction, ${count('not testable here')} not testable here ` +
      `(most need more cores): [reports/sample/report.md](reports/sample/report.md) says which and why.`,
    MARK_END,
  ];
  return { text: lines.join('\n'), numbers };
}

/** The section as it stands in a README text (markers included), or undefined when the markers are missing. */
export function currentSection(readme: string): string | undefined {
  const a = readme.indexOf(MARK_START);
  const b = readme.indexOf(MARK_END);
  return a < 0 || b < a ? undefined : readme.slice(a, b + MARK_END.length);
}

/** `scripts/readme-numbers.ts [--check]`. */
export function main(argv: string[]): number {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length)
    throw new UsageError(`unknown argument '${unknown[0]}'\nusage: npx tsx scripts/readme-numbers.ts [--check]`);
  const record = JSON.parse(readFileSync(SAMPLE_REPORT, 'utf8')) as RunRecord;
  const readme = readFileSync(README, 'utf8');
  const now = currentSection(readme);
  if (now === undefined) throw new UsageError(`README.md has no "${MARK_START}" … "${MARK_END}" markers`);
  const { text } = renderMeasured(record);
  if (check) {
    process.stdout.write(
      now === text
        ? 'README.md numbers match reports/sample/report.json\n'
        : 'README.md numbers are stale: run npx tsx scripts/readme-numbers.ts\n',
    );
    return now === text ? 0 : 1;
  }
  writeFileSync(README, readme.replace(now, text));
  process.stdout.write('README.md: measured section rewritten from reports/sample/report.json\n');
  return 0;
}
