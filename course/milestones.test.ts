/** The course manifest agrees with the tree it describes, so it can be the one source of milestone facts. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { stubSource } from '../tools/exercises/generate.ts';
import { isTestFile, listFiles, listMilestones, projectRoot } from './layout.ts';
import { BENCHMARKED, briefHeading, COURSE, milestoneInfo, titleOf } from './milestones.ts';

const solutions = path.join(projectRoot, 'solutions');
const tree = listMilestones(solutions);

describe('course manifest', () => {
  test('lists exactly the milestone folders of solutions/, in the same order', () => {
    expect(COURSE.map((m) => `${m.id} ${m.folder}`)).toEqual(tree.map((m) => `${m.id} ${m.folder}`));
  });

  test.each(COURSE.map((m) => [m.id, m] as const))(
    '%s: student files are the files with solution regions',
    (_, info) => {
      const dir = path.join(solutions, info.folder);
      const withRegions = listFiles(dir)
        .filter((f) => f.endsWith('.ts') && !isTestFile(f) && !f.includes('/'))
        .filter((f) => stubSource(readFileSync(path.join(dir, f), 'utf8'), f, info.id).regions.length > 0);
      expect([...info.studentFiles].sort()).toEqual(withRegions.sort());
    },
  );

  test.each(COURSE.map((m) => [m.id, m] as const))('%s: the brief opens with the manifest title', (_, info) => {
    const first = readFileSync(path.join(solutions, info.folder, 'README.md'), 'utf8').split('\n')[0];
    expect(first).toBe(`# ${briefHeading(info)}`);
  });

  test('benchmarked milestones name a module that exists', () => {
    expect(BENCHMARKED.length).toBeGreaterThan(0);
    for (const info of BENCHMARKED) expect(listFiles(path.join(solutions, info.folder))).toContain(info.benchModule);
  });

  test('lookups: known ids give the manifest entry, unknown ones nothing', () => {
    expect(milestoneInfo('p3/m5')?.folder).toBe('p3-counters/m5-transfer');
    expect(titleOf('p1/m1')).toBe('one channel, many producers');
    expect(milestoneInfo('p9/m9')).toBeUndefined();
    expect(titleOf('p9/m9')).toBe('p9/m9');
  });
});
