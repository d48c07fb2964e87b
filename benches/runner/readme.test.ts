/**
 * README.md's measured section comes from the committed sample report: it must be exactly what
 * scripts/readme-numbers.ts writes from reports/sample/report.json, and every number in it must have a source in
 * that report (so a number typed by hand, or left from an older report, fails here).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentSection, README, renderMeasured, SAMPLE_REPORT } from './readme.ts';
import type { RunRecord } from './report.ts';

const record = JSON.parse(readFileSync(SAMPLE_REPORT, 'utf8')) as RunRecord;
const section = currentSection(readFileSync(README, 'utf8'));
const { text, numbers } = renderMeasured(record);

/** Numbers as they appear in prose: 15.2M/s, 0.36 µs, 9.5×, 41. */
const NUMBER = /\d+(?:[.,]\d+)*(?:[kMG]\/s|×)?/g;

describe("README.md's measured section", () => {
  it('has its markers', () => {
    expect(section).toBeDefined();
  });

  it('is what the sample report gives, to the character', () => {
    expect(section).toBe(text);
  });

  it('has a source in the report for every number it prints', () => {
    const sourced = numbers.map((n) => n.text);
    const body = section!
      .split('\n')
      .slice(1, -1)
      .join('\n')
      .replace(/\(reports\/sample\/report\.md\)/g, '');
    const found = body.match(NUMBER) ?? [];
    expect(found.length).toBeGreaterThan(20);
    for (const token of found) {
      // "batches of 256", "~100-byte", "2 workers", "a pool of 2": sizes of the workload, from the cells' parameters.
      if (['256', '100', '2'].includes(token)) continue;
      expect(
        sourced.some((s) => s.includes(token)),
        `"${token}" has no source in report.json`,
      ).toBe(true);
    }
    expect(numbers.every((n) => n.text !== 'n/a')).toBe(true);
  });

  it('has no measured number outside that section (times, rates, ratios come from the harness only)', () => {
    const [before, after] = readFileSync(README, 'utf8').split(section!);
    const measured = /\d+(?:[.,]\d+)*\s?(?:ms|µs|ns|×|[kMG]?\/s)(?![\w])/g;
    expect(`${before}${after}`.match(measured) ?? []).toEqual([]);
    expect('the tsx route costs 70–150 ms per thread'.match(measured)).toEqual(['150 ms']);
  });

  it('catches a number edited by hand', () => {
    const edited = section!.replace(/(\d+(?:\.\d+)?)×/, (_, n: string) => `${Number(n) + 1}×`);
    expect(edited).not.toBe(text);
  });
});
