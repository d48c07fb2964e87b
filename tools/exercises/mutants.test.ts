import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { buildExercises } from './generate.ts';
import { applyMutant, checkMutants, loadMutants, parseMutants, typecheckMutants } from './mutants.ts';
import { listMilestones, projectRoot } from '../../course/layout.ts';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mutants-test-'));
  temps.push(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

const fence = '```';
const catalog = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('mutant catalogues', () => {
  test('a mutant has a name, a mistake, a catching test and edits (file, text to find, replacement)', () => {
    const { mutants, problems } = parseMutants(
      catalog(
        '# Wrong solutions',
        '',
        'prose is ignored',
        '',
        '## unlocked-add',
        '- mistake: no lock',
        '- caught by: test_add',
        '',
        '`a.ts`',
        `${fence}ts`,
        '  lock();',
        '  x += 1;',
        fence,
        'becomes',
        `${fence}ts`,
        '  x += 1;',
        fence,
        '`b.ts`',
        `${fence}ts`,
        'one',
        fence,
        `${fence}ts`,
        'two',
        fence,
      ),
      'p/m/mutants.md',
      'p1/m1',
      'p1-x/m1-y',
    );
    expect(problems).toEqual([]);
    expect(mutants).toHaveLength(1);
    expect(mutants[0]).toMatchObject({
      name: 'unlocked-add',
      mistake: 'no lock',
      caughtBy: 'test_add',
      milestone: 'p1/m1',
      where: 'p/m/mutants.md:5',
    });
    expect(mutants[0]!.edits).toEqual([
      { file: 'a.ts', find: '  lock();\n  x += 1;', replace: '  x += 1;', line: 9 },
      { file: 'b.ts', find: 'one', replace: 'two', line: 18 },
    ]);
  });

  test('missing parts are reported with their line', () => {
    const { mutants, problems } = parseMutants(
      catalog(
        '## Bad Name',
        '- mistake: m',
        '',
        '## no-edits',
        '- mistake: m',
        '- caught by: t',
        '',
        '## half',
        '- caught by: t',
        '`a.ts`',
        `${fence}ts`,
        'x',
        fence,
      ),
      'c.md',
      'p1/m1',
      'p1-x/m1-y',
    );
    expect(mutants).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(/^c\.md:1: a mutant name is lowercase/),
      expect.stringMatching(/^c\.md:1: mutant 'Bad Name' has no '- caught by:' line/),
      expect.stringMatching(/^c\.md:1: mutant 'Bad Name' changes nothing/),
      expect.stringMatching(/^c\.md:4: mutant 'no-edits' changes nothing/),
      expect.stringMatching(/^c\.md:8: mutant 'half' has a text to find without its replacement/),
      expect.stringMatching(/^c\.md:8: mutant 'half' has no '- mistake:' line/),
      expect.stringMatching(/^c\.md:8: mutant 'half' changes nothing/),
    ]);
  });

  test('the text to find must occur exactly once, and the mutated file must type-check', () => {
    const root = tempTree({
      'package.json': '{ "type": "module" }\n',
      'p1-x/m1-y/a.ts': 'export function f(): number {\n  return 1;\n}\nexport const g = (): number => 1;\n',
      'p1-x/m1-y/mutants.md': catalog(
        '## twice',
        '- mistake: m',
        '- caught by: t',
        '`a.ts`',
        `${fence}ts`,
        ' 1;',
        fence,
        `${fence}ts`,
        ' 2;',
        fence,
        '## fine',
        '- mistake: m',
        '- caught by: t',
        '`a.ts`',
        `${fence}ts`,
        '  return 1;',
        fence,
        `${fence}ts`,
        '  return 2;',
        fence,
        '## wrong-type',
        '- mistake: m',
        '- caught by: t',
        '`a.ts`',
        `${fence}ts`,
        '  return 1;',
        fence,
        `${fence}ts`,
        "  return 'two';",
        fence,
      ),
    });
    const [m] = listMilestones(root);
    const { mutants, problems } = loadMutants(root, [m!]);
    expect(problems).toEqual([]);
    expect(() => applyMutant(root, mutants[0]!)).toThrow(/occurs 2 times in a\.ts/);
    expect(applyMutant(root, mutants[1]!).get('a.ts')).toContain('return 2;');
    const compile = typecheckMutants(root, mutants);
    expect(compile).toHaveLength(2);
    expect(compile[0]).toMatch(/'twice'.*exactly once/);
    expect(compile[1]).toMatch(
      /'wrong-type' does not type-check \(a\.ts:2: Type 'string' is not assignable to type 'number'/,
    );
  });

  test('catalogues never reach exercises/ (nor the release, made by the same generator)', () => {
    const built = buildExercises(path.join(projectRoot, 'solutions'));
    expect([...built.keys()].filter((f) => f.endsWith('mutants.md'))).toEqual([]);
    const { mutants, problems } = loadMutants(path.join(projectRoot, 'solutions'));
    expect(problems).toEqual([]);
    expect(mutants.length).toBeGreaterThanOrEqual(60);
    for (const m of listMilestones(path.join(projectRoot, 'solutions'))) {
      expect(mutants.filter((x) => x.milestone === m.id).length, m.id).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('the wrong-solutions check', () => {
  /** One catalogue entry editing calc.ts, in the mutants.md format. */
  const mutant = (name: string, caughtBy: string, find: string, replace: string): string[] => [
    `## ${name}`,
    `- mistake: ${name}`,
    `- caught by: ${caughtBy}`,
    '`calc.ts`',
    `${fence}ts`,
    find,
    fence,
    `${fence}ts`,
    replace,
    fence,
  ];

  test('the named test alone catches what it can; the rest meet every test; a survivor is a problem', async () => {
    const root = tempTree({
      'package.json': '{ "type": "module" }\n',
      'p1-x/m1-y/calc.ts': [
        'export const add = (a: number, b: number): number => a + b;',
        'export const twice = (a: number): number => 2 * a;',
        'export const unused = (): number => 0;',
        '',
      ].join('\n'),
      'p1-x/m1-y/calc.test.ts': [
        "import { expect, test } from 'vitest';",
        "import { add, twice } from './calc.ts';",
        "test('adds (test_add)', () => expect(add(2, 3)).toBe(5));",
        "test('doubles (test_twice)', () => expect(twice(4)).toBe(8));",
        '',
      ].join('\n'),
      'p1-x/m1-y/mutants.md': catalog(
        ...mutant('add-subtracts', 'test_add', '=> a + b;', '=> a - b;'),
        // Named wrongly: test_add passes on it, test_twice catches it in the second pass.
        ...mutant('twice-adds-two', 'test_add', '=> 2 * a;', '=> a + 2;'),
        ...mutant('unused-changed', 'test_add', '=> 0;', '=> 1;'),
      ),
    });
    const lines: string[] = [];
    const report = await checkMutants({ solutions: root, progress: (line) => lines.push(line) });
    const verdicts = report.results.map((r) => [r.mutant.name, r.caughtBy, r.expectedCatcher]);
    expect(verdicts).toEqual([
      ['add-subtracts', ['adds (test_add)'], true],
      ['twice-adds-two', ['doubles (test_twice)'], false],
      ['unused-changed', [], false],
    ]);
    expect(lines).toContain('running every checkpoint test against the 2 mutants the named tests did not catch');
    expect(lines.some((l) => l.includes('3 mutants and 1 controls on the solutions'))).toBe(true);
    expect(report.problems).toEqual([
      expect.stringMatching(/^p1\/m1: mutant 'unused-changed' passes every checkpoint test/),
    ]);
    expect(report.notes).toEqual([
      `p1/m1: mutant 'twice-adds-two' was caught, but not by "test_add" as its catalogue says`,
    ]);
  }, 60_000);

  test('a named test that fails alone on the solution proves nothing: its milestone gets the second pass', async () => {
    const root = tempTree({
      'package.json': '{ "type": "module" }\n',
      'p1-x/m1-y/calc.ts': [
        'export const add = (a: number, b: number): number => a + b;',
        'export const unused = (): number => 0;',
        '',
      ].join('\n'),
      // The second test needs the first to have run.
      'p1-x/m1-y/calc.test.ts': [
        "import { expect, test } from 'vitest';",
        "import { add } from './calc.ts';",
        'let ready = false;',
        "test('adds (test_add)', () => {",
        '  ready = true;',
        '  expect(add(2, 3)).toBe(5);',
        '});',
        "test('runs after (test_after)', () => expect(ready).toBe(true));",
        '',
      ].join('\n'),
      'p1-x/m1-y/mutants.md': catalog(
        ...mutant('add-subtracts', 'test_add', '=> a + b;', '=> a - b;'),
        ...mutant('add-one-more', 'test_add', '=> a + b;', '=> a + b + 1;'),
        ...mutant('unused-changed', 'test_after', '=> 0;', '=> 1;'),
      ),
    });
    const report = await checkMutants({ solutions: root });
    expect(report.results.map((r) => [r.mutant.name, r.caughtBy])).toEqual([
      ['add-subtracts', ['adds (test_add)']],
      ['add-one-more', ['adds (test_add)']],
      ['unused-changed', []],
    ]);
    expect(report.problems).toEqual([
      expect.stringMatching(/^p1\/m1: mutant 'unused-changed' passes every checkpoint test/),
    ]);
    expect(report.notes).toEqual([
      'p1/m1: run alone against the solution, "runs after (test_after)" fails; the mutants naming it were judged by every test of the milestone instead',
    ]);
  }, 60_000);
});
