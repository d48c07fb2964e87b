/**
 * Merging real reports made on this machine (never invented numbers): fixtures/merge/ holds the anonymised
 * share.json of `npm run bench -- --profile tiny --share` run under `taskset -c 0` (1 core) and `taskset -c 0,1`
 * (2 cores), and the committed quick sample report is the third. Checks: the same merge whatever the order,
 * every group's verdicts shown as the reports give them (both, when two groups disagree), empty core groups said
 * to be empty, foreign method versions refused in one line, and no path, user or host name in a shared report.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { anonymise, coreGroup, identifyingStrings, type LoadedReport, mergeReports, readReports, renderMergedMarkdown } from './merge.ts';
import type { RunRecord } from './report.ts';
import { repoRoot } from './target.ts';

const FIXTURES = path.join(repoRoot, 'benches', 'runner', 'fixtures', 'merge');
const SAMPLE = path.join(repoRoot, 'reports', 'sample', 'report.json');
const reports = readReports([FIXTURES, SAMPLE]);

describe('--merge', () => {
  it('reads three real reports from 1 and 2 cores', () => {
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(new Set(reports.map((r) => r.record.machine.availableParallelism))).toEqual(new Set([1, 2]));
  });

  it('is deterministic and does not depend on the order of the files', () => {
    const a = renderMergedMarkdown(mergeReports(reports)).markdown;
    const b = renderMergedMarkdown(mergeReports([...reports].reverse())).markdown;
    const c = renderMergedMarkdown(mergeReports([reports[1]!, reports[2]!, reports[0]!])).markdown;
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(renderMergedMarkdown(mergeReports(reports)).markdown).toBe(a);
  });

  it("shows each core group's own verdicts, both when two groups disagree", () => {
    const merged = mergeReports(reports);
    const md = renderMergedMarkdown(merged).markdown;
    let both = 0;
    for (const row of merged.rows) {
      const expected = (g: '1' | '2') =>
        reports
          .filter((r) => coreGroup(r.record.machine.availableParallelism) === g)
          .map((r) => r.record.claims.find((c) => c.id === row.id)!.verdict.status)
          .filter((s) => s !== 'not testable here');
      const one = new Set(expected('1'));
      const two = new Set(expected('2'));
      const judged = [...one, ...two].length;
      expect(row.judged).toBe(expected('1').length + expected('2').length);
      const line = md.split('\n').find((l) => l.startsWith(`| ${row.text}`))!;
      for (const v of [...one, ...two]) expect(line, row.id).toContain(v);
      if (judged > 0 && one.size > 0 && two.size > 0) both++;
    }
    expect(both).toBeGreaterThan(3);
  });

  it('says which core groups have no report yet and leaves them empty', () => {
    const md = renderMergedMarkdown(mergeReports(reports)).markdown;
    expect(md).toContain('No report yet from machines with 4, 8, 16+ cores');
  });

  it('refuses a report of another method version with a one-line reason', () => {
    const other: LoadedReport = { file: 'old.json', record: { ...reports[0]!.record, method: { version: 99, description: '' } } };
    expect(() => mergeReports([...reports, other])).toThrow(/^old\.json: method version 99, this runner measures with version \d+$/);
  });

  it('leaves out loaded reports on request', () => {
    const loaded = reports.filter((r) => r.record.machine.warnings.length > 0).length;
    expect(mergeReports(reports, { excludeLoaded: true }).machines).toHaveLength(reports.length - loaded);
  });
});

describe('--share', () => {
  it('writes no path, user or host name', () => {
    const record = JSON.parse(readFileSync(SAMPLE, 'utf8')) as RunRecord;
    // Put identifying strings where a real run can leave them: a failure's stack, a note, the command line.
    const host = os.hostname();
    const dirty: RunRecord = {
      ...record,
      settings: { ...record.settings, argv: ['--out', path.join(os.homedir(), 'x')] },
      cells: record.cells.map((c, i) =>
        i === 0 ? { ...c, failures: [`Error at ${path.join(repoRoot, 'kit', 'x.ts')}:3 on ${host}`], notes: [`/tmp/bench-logs-abc/Apache.log by ${os.userInfo().username}`] } : c,
      ),
    };
    const text = JSON.stringify(anonymise(dirty));
    for (const s of identifyingStrings()) {
      if (s.includes('/')) expect(text.includes(s), s).toBe(false);
      else expect(new RegExp(`\\b${s}\\b`).test(text), s).toBe(false);
    }
    expect(text).not.toMatch(/\/(home|Users|root|tmp|work)\//);
    // What the merge needs is still there.
    const shared = JSON.parse(text) as RunRecord;
    expect(shared.machine.availableParallelism).toBe(record.machine.availableParallelism);
    expect(shared.claims.map((c) => c.verdict.status)).toEqual(record.claims.map((c) => c.verdict.status));
  });

  it('the committed fixtures are shared reports: anonymous too', () => {
    for (const r of readReports([FIXTURES])) {
      const text = JSON.stringify(r.record);
      expect(text).not.toContain(repoRoot);
      expect(r.record.settings.argv).toEqual([]);
    }
  });
});
