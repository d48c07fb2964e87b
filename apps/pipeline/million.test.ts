/**
 * One million lines (the four loghub samples repeated, with malformed and blank lines injected) through the
 * whole threaded pipeline: nothing lost, and every count equal to the single-threaded baseline's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBaseline, runPipeline } from './pipeline.ts';
import { FIXTURE_NAMES, writeRepeatedLog } from './synthetic.ts';
import { comparable, expectAccounted, TempDir } from './test-support.ts';

const LINES_PER_FILE = 250_000;
const tmp = new TempDir();
const files = FIXTURE_NAMES.map((name) => tmp.path(`${name}.log`));

beforeAll(async () => {
  await Promise.all(
    FIXTURE_NAMES.map((name, i) => writeRepeatedLog(files[i]!, name, { lines: LINES_PER_FILE, malformedEvery: 997 })),
  );
});
afterAll(() => tmp.remove());

describe('1,000,000 lines through the threaded pipeline', () => {
  it('total = kept + filtered + continued + dead-lettered + blank, and every count equals the baseline', async () => {
    const threaded = await runPipeline(files, { workers: 2, minLevel: 'Info' });
    expect(threaded.total).toBe(4 * LINES_PER_FILE);
    expect(expectAccounted(threaded)).toBe(true);
    expect(threaded.filtered).toBeGreaterThan(0);
    expect(threaded.blank).toBeGreaterThan(0);
    // 1000 injected lines: of every five, one blank, one whitespace-only, three malformed.
    expect(threaded.blank + threaded.deadLettered.count).toBe(4 * Math.floor(LINES_PER_FILE / 997));
    expect(threaded.files.map((f) => f.lines)).toEqual([
      LINES_PER_FILE,
      LINES_PER_FILE,
      LINES_PER_FILE,
      LINES_PER_FILE,
    ]);
    const baseline = await runBaseline(files, { minLevel: 'Info' });
    expect(comparable(threaded)).toEqual(comparable(baseline));
  });
});
