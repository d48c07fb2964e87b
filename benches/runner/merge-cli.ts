/**
 * The command-line side of merge.ts, kept out of benches/cli.ts: `--merge <report.json|dir>...` and `--share`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { anonymise, mergeReports, readReports, writeMerged } from './merge.ts';
import type { RunRecord } from './report.ts';
import { repoRoot } from './target.ts';

/** `--merge`: reads, refuses or merges, writes merged.md / merged.html / charts into `out` (default reports/merged). */
export function runMerge(inputs: readonly string[], out: string | undefined, excludeLoaded: boolean, fail: (message: string) => never): number {
  if (inputs.length === 0) fail('--merge needs report files or a folder of them');
  let merged;
  try {
    merged = mergeReports(readReports(inputs.map((p) => path.resolve(p))), { excludeLoaded });
  } catch (error) {
    fail(`--merge: ${(error as Error).message}`);
  }
  if (merged.machines.length === 0) fail('--merge: no report left (all excluded as loaded?)');
  const dir = path.resolve(out ?? path.join(repoRoot, 'reports', 'merged'));
  const files = writeMerged(dir, merged);
  process.stdout.write(`merged ${merged.machines.length} reports: ${files.map((f) => path.join(dir, f)).slice(0, 2).join(', ')}\n`);
  return 0;
}

/** `--share`: share.json (anonymised) beside report.json, in the run's folder and in latest/. */
export function writeShared(reportDir: string, latestDir: string, record: RunRecord): void {
  const text = `${JSON.stringify(anonymise(record), null, 1)}\n`;
  for (const dir of [reportDir, latestDir]) writeFileSync(path.join(dir, 'share.json'), text);
  process.stdout.write(`share: ${path.join(reportDir, 'share.json')} (no paths, user or host names; hand this file in)\n`);
}
