import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { checkExercises } from './check.ts';
import { interpretEvents, makeWorkspace, removeWorkspace, runCheckpoints } from '../checkpoints/checkpoints.ts';
import { explainFailure } from '../learner/explain.ts';
import { repoRoot, rootRel } from '../../lib/paths.ts';
import {
  buildExercises,
  diffExercises,
  GenerateError,
  generatedHeader,
  generateExercises,
  MarkerError,
  stubSource,
} from './generate.ts';
import { listMilestones, milestoneIdOf } from '../../course/layout.ts';

// Fixtures are written as arrays of lines, so the markers never appear in this file as real comments.
const R = '// #region solution';
const E = '// #endregion solution';
const lines = (...l: string[]): string => `${l.join('\n')}\n`;

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exercises-test-'));
  temps.push(dir);
  return dir;
}
function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
}

function markerError(fn: () => unknown): MarkerError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MarkerError) return error;
    throw error;
  }
  throw new Error('expected a MarkerError');
}

describe('milestone ids', () => {
  test('derived from the project and milestone folder names', () => {
    expect(milestoneIdOf('p1-pipeline/m1-mpsc/log-entry.ts')).toBe('p1/m1');
    expect(milestoneIdOf('p3-counters/m4-atomic')).toBe('p3/m4');
    expect(milestoneIdOf('p12/m10-deep/sub/dir/file.ts')).toBe('p12/m10');
    expect(milestoneIdOf('p1-pipeline\\m2-filter\\x.ts')).toBe('p1/m2');
  });
  test('undefined outside a milestone folder', () => {
    expect(milestoneIdOf('README.md')).toBeUndefined();
    expect(milestoneIdOf('p1-pipeline/README.md')).toBeUndefined();
    expect(milestoneIdOf('p1-pipeline')).toBeUndefined();
    expect(milestoneIdOf('docs/m1-intro/x.ts')).toBeUndefined();
    expect(milestoneIdOf('pipeline/m1/x.ts')).toBeUndefined();
  });
  test('listMilestones finds folders in numeric order and skips files', () => {
    const root = tempDir();
    writeTree(root, {
      'p2-image-pool/m1-pool/a.ts': '',
      'p1-pipeline/m10-last/a.ts': '',
      'p1-pipeline/m2-filter/a.ts': '',
      'p1-pipeline/m1-mpsc/a.ts': '',
      'p1-pipeline/README.md': '',
      'notes/m1-x/a.ts': '',
    });
    expect(listMilestones(root).map((m) => [m.id, m.folder])).toEqual([
      ['p1/m1', 'p1-pipeline/m1-mpsc'],
      ['p1/m2', 'p1-pipeline/m2-filter'],
      ['p1/m10', 'p1-pipeline/m10-last'],
      ['p2/m1', 'p2-image-pool/m1-pool'],
    ]);
    expect(listMilestones(path.join(root, 'nope'))).toEqual([]);
  });
});

describe('stubSource: regions become todo() naming the function', () => {
  test('function declaration; the import is added after the last import; everything else is kept', () => {
    const source = lines(
      '/** Header. */',
      "import { x } from './x.ts'; // trailing comment stays",
      "import type { Y } from './y.ts';",
      '',
      '/** Docs stay. */',
      'export function parse(line: string): Y | undefined {',
      '  const keep = 1; // kept before the region',
      `  ${R}`,
      '  const space = line.indexOf(" ");',
      '  return x(space + keep);',
      `  ${E}`,
      '}',
      '// tail',
    );
    const out = stubSource(source, 'a.ts', 'p1/m1');
    expect(out.text).toBe(
      lines(
        '/** Header. */',
        "import { x } from './x.ts'; // trailing comment stays",
        "import type { Y } from './y.ts';",
        "import { todo } from '#kit/todo.ts';",
        '',
        '/** Docs stay. */',
        'export function parse(line: string): Y | undefined {',
        '  const keep = 1; // kept before the region',
        "  todo('p1/m1', 'parse');",
        '}',
        '// tail',
      ),
    );
    expect(out.regions).toEqual([{ line: 8, endLine: 11, functionName: 'parse' }]);
  });

  test('class methods, constructors and accessors are named Class.member', () => {
    const source = lines(
      "import { todo } from '#kit/todo.ts';",
      'export class Pool {',
      '  constructor(readonly size: number) {',
      `    ${R}`,
      '    this.started = true;',
      `    ${E}`,
      '  }',
      '  started = false;',
      '  get idle(): number {',
      `    ${R}`,
      '    return 0;',
      `    ${E}`,
      '  }',
      '  async submit(task: () => void): Promise<void> {',
      `    ${R}`,
      '    task();',
      `    ${E}`,
      '  }',
      '}',
    );
    const out = stubSource(source, 'pool.ts', 'p2/m3');
    expect(out.regions.map((r) => r.functionName)).toEqual(['Pool.constructor', 'Pool.idle', 'Pool.submit']);
    expect(out.text).toContain("    todo('p2/m3', 'Pool.constructor');\n  }\n  started = false;");
    // todo was already imported: not imported twice.
    expect(out.text.match(/import \{ todo \}/g)).toHaveLength(1);
  });

  test('object-literal methods, arrow consts, defineThread bodies and anonymous callbacks', () => {
    const source = lines(
      "import { defineThread } from '#kit/thread.ts';",
      'export const LogEntry = {',
      '  new(level: string): object {',
      `    ${R}`,
      '    return { level };',
      `    ${E}`,
      '  },',
      '};',
      'export const double = (n: number): number => {',
      `  ${R}`,
      '  return n * 2;',
      `  ${E}`,
      '};',
      'export const producer = defineThread(import.meta.url, "producer", (n: number): void => {',
      `  ${R}`,
      '  console.log(n);',
      `  ${E}`,
      '});',
      'export function sumAll(xs: number[][]): number[] {',
      '  return xs.map((row) => {',
      `    ${R}`,
      '    return row.reduce((a, b) => a + b, 0);',
      `    ${E}`,
      '  });',
      '}',
      'export const handler = (async function named(): Promise<void> {',
      `  ${R}`,
      '  await Promise.resolve();',
      `  ${E}`,
      '}) satisfies () => Promise<void>;',
    );
    const out = stubSource(source, 'm.ts', 'p1/m1');
    expect(out.regions.map((r) => r.functionName)).toEqual(['LogEntry.new', 'double', 'producer', 'sumAll', 'handler']);
    expect(out.text).toContain("(n: number): void => {\n  todo('p1/m1', 'producer');\n});");
    expect(out.text).toContain("  return xs.map((row) => {\n    todo('p1/m1', 'sumAll');\n  });");
  });

  test('a region in a nested block is allowed and named after its function', () => {
    const source = lines(
      'export function f(x: number): number {',
      '  if (x > 0) {',
      `    ${R}`,
      '    return x;',
      `    ${E}`,
      '  }',
      '  return 0;',
      '}',
    );
    const out = stubSource(source, 'f.ts', 'p1/m1');
    expect(out.text).toBe(
      lines(
        "import { todo } from '#kit/todo.ts';",
        'export function f(x: number): number {',
        '  if (x > 0) {',
        "    todo('p1/m1', 'f');",
        '  }',
        '  return 0;',
        '}',
      ),
    );
  });

  test('without imports, the import goes after a detached header comment', () => {
    const source = lines(
      '/**',
      ' * Module header.',
      ' */',
      '',
      '/** f docs */',
      'export function f(): void {',
      `  ${R}`,
      `  ${E}`,
      '}',
    );
    expect(stubSource(source, 'f.ts', 'p1/m1').text).toBe(
      lines(
        '/**',
        ' * Module header.',
        ' */',
        "import { todo } from '#kit/todo.ts';",
        '',
        '/** f docs */',
        'export function f(): void {',
        "  todo('p1/m1', 'f');",
        '}',
      ),
    );
    const bare = lines('export function f(): void {', `  ${R}`, `  ${E}`, '}');
    expect(
      stubSource(bare, 'f.ts', 'p1/m1').text.startsWith("import { todo } from '#kit/todo.ts';\nexport function f"),
    ).toBe(true);
  });

  test('markers inside string and template literals are not markers', () => {
    const source = lines(
      'export function f(): string {',
      `  const s = \`before`,
      `  ${R}`,
      `  ${E}`,
      '  after`;',
      `  return s + "${R}";`,
      '}',
    );
    expect(stubSource(source, 'f.ts', 'p1/m1')).toEqual({ text: source, regions: [] });
  });

  test('CRLF files keep their line endings', () => {
    const source = [
      "import { a } from './a.ts';",
      'export function f(): void {',
      `  ${R}`,
      '  a();',
      `  ${E}`,
      '}',
      '',
    ].join('\r\n');
    expect(stubSource(source, 'f.ts', 'p1/m1').text).toBe(
      [
        "import { a } from './a.ts';",
        "import { todo } from '#kit/todo.ts';",
        'export function f(): void {',
        "  todo('p1/m1', 'f');",
        '}',
        '',
      ].join('\r\n'),
    );
  });
});

describe('stubSource: misplaced markers are errors with file:line', () => {
  test('a region at the top level', () => {
    const e = markerError(() => stubSource(lines('const a = 1;', R, 'const b = 2;', E), 'x/top.ts', 'p1/m1'));
    expect(e.message).toBe('x/top.ts:2: solution region (lines 2-4) not inside a function body');
  });
  test('a region in a class body, outside any method', () => {
    const e = markerError(() => stubSource(lines('class A {', `  ${R}`, '  x = 1;', `  ${E}`, '}'), 'a.ts', 'p1/m1'));
    expect(e.message).toMatch(/^a\.ts:2: .*not inside a function body/);
  });
  test('a region that does not enclose whole statements', () => {
    const split = lines('function f(x: number): void {', `  ${R}`, '  if (x) {', `  ${E}`, '  }', '}');
    expect(markerError(() => stubSource(split, 'f.ts', 'p1/m1')).message).toMatch(
      /^f\.ts:2: .*does not enclose whole statements/,
    );
    const inCall = lines('function f(): void {', '  g(', `    ${R}`, '    1,', `    ${E}`, '  );', '}');
    expect(markerError(() => stubSource(inCall, 'f.ts', 'p1/m1')).message).toMatch(
      /^f\.ts:3: .*does not enclose whole statements/,
    );
  });
  test('unbalanced, unclosed and nested markers', () => {
    const fn = (...body: string[]): string => lines('function f(): void {', ...body.map((b) => `  ${b}`), '}');
    expect(markerError(() => stubSource(fn('g();', E), 'f.ts', 'p1/m1')).message).toBe(
      "f.ts:3: '#endregion solution' without a matching '#region solution'",
    );
    expect(markerError(() => stubSource(fn(R, 'g();'), 'f.ts', 'p1/m1')).message).toBe(
      "f.ts:2: '#region solution' is never closed with '// #endregion solution'",
    );
    expect(markerError(() => stubSource(fn(R, R, E, E), 'f.ts', 'p1/m1')).message).toMatch(
      /^f\.ts:3: nested '#region solution'/,
    );
    expect(markerError(() => stubSource(fn(R, '// #endregion', E), 'f.ts', 'p1/m1')).message).toMatch(
      /^f\.ts:3: a bare '\/\/ #endregion'/,
    );
  });
  test('a marker sharing its line with code', () => {
    const source = lines('function f(): void {', `  g(); ${R}`, `  ${E}`, '}');
    expect(markerError(() => stubSource(source, 'f.ts', 'p1/m1')).message).toBe(
      'f.ts:2: a region marker must be alone on its line',
    );
  });
  test('a region outside a milestone folder', () => {
    const source = lines('function f(): void {', `  ${R}`, `  ${E}`, '}');
    expect(markerError(() => stubSource(source, 'README.ts', undefined)).message).toMatch(
      /^README\.ts:2: solution regions are only allowed/,
    );
  });
  test('an anonymous function that cannot be named', () => {
    const source = lines('[1].forEach(() => {', `  ${R}`, `  ${E}`, '});');
    expect(markerError(() => stubSource(source, 'f.ts', 'p1/m1')).message).toMatch(
      /^f\.ts:2: cannot name the function/,
    );
  });
  test('a function that returns a value from its region without a declared return type', () => {
    const thread = lines(
      "import { defineThread } from '#kit/thread.ts';",
      "export const t = defineThread(import.meta.url, 't', (n: number) => {",
      `  ${R}`,
      '  if (n > 0) {',
      '    return n;',
      '  }',
      '  return 0;',
      `  ${E}`,
      '});',
    );
    expect(markerError(() => stubSource(thread, 't.ts', 'p1/m1')).message).toBe(
      't.ts:3: t returns a value from its solution region but declares no return type; declare it, or the stub changes the type TypeScript infers',
    );
    const method = lines('class C {', '  private m() {', `    ${R}`, '    return 1;', `    ${E}`, '  }', '}');
    expect(markerError(() => stubSource(method, 'c.ts', 'p1/m1')).message).toMatch(/^c\.ts:3: C\.m returns a value/);
    // Fine: nothing returned, a return inside a nested function, or a declared type.
    const fine = lines(
      'class C {',
      '  run() {',
      `    ${R}`,
      '    [1].forEach((x) => { return x; });',
      '    return;',
      `    ${E}`,
      '  }',
      '  get n(): number {',
      `    ${R}`,
      '    return 1;',
      `    ${E}`,
      '  }',
      '}',
    );
    expect(stubSource(fine, 'c.ts', 'p1/m1').regions.map((r) => r.functionName)).toEqual(['C.run', 'C.n']);
  });
  test('todo imported from somewhere else', () => {
    const source = lines("import { todo } from './mine.ts';", 'function f(): void {', `  ${R}`, `  ${E}`, '}');
    expect(markerError(() => stubSource(source, 'f.ts', 'p1/m1')).message).toMatch(
      /^f\.ts:1: the name 'todo' is already imported from '\.\/mine\.ts'/,
    );
  });
});

describe('generateExercises on a tree', () => {
  const solutionTree = {
    'p1-demo/m1-first/README.md': '# Brief\n',
    'p1-demo/m1-first/hints.md': '- hint\n',
    'p1-demo/m1-first/add.ts': lines(
      'export function add(a: number, b: number): number {',
      `  ${R}`,
      '  return a + b;',
      `  ${E}`,
      '}',
    ),
    'p1-demo/m1-first/threads.ts': lines(
      "import { add } from './add.ts';",
      'export const three = (): number => add(1, 2);',
    ),
    'p1-demo/m1-first/add.test.ts': lines(
      "import { expect, test } from 'vitest';",
      "import { add } from './add.ts';",
      "test('adds', () => expect(add(1, 2)).toBe(3));",
    ),
    'p1-demo/m2-second/twice.ts': lines(
      "import { add } from '../m1-first/add.ts';",
      'export function twice(a: number): number {',
      `  ${R}`,
      '  return add(a, a);',
      `  ${E}`,
      '}',
    ),
    'p1-demo/README.md': 'project notes\n',
  };

  test('stubs regions, copies everything else byte for byte under a provenance line, reports regions per file', () => {
    const root = tempDir();
    const from = path.join(root, 'solutions');
    const to = path.join(root, 'exercises');
    writeTree(from, solutionTree);
    const result = generateExercises(from, to);
    expect(result.files.map((f) => [f.path, f.regions.map((r) => r.functionName)])).toEqual([
      ['p1-demo/README.md', []],
      ['p1-demo/m1-first/README.md', []],
      ['p1-demo/m1-first/add.test.ts', []],
      ['p1-demo/m1-first/add.ts', ['add']],
      ['p1-demo/m1-first/hints.md', []],
      ['p1-demo/m1-first/threads.ts', []],
      ['p1-demo/m2-second/twice.ts', ['twice']],
    ]);
    for (const rel of [
      'p1-demo/m1-first/README.md',
      'p1-demo/m1-first/threads.ts',
      'p1-demo/m1-first/add.test.ts',
      'p1-demo/README.md',
    ]) {
      expect(readFileSync(path.join(to, rel), 'utf8')).toBe(
        `${generatedHeader(rel)}${solutionTree[rel as keyof typeof solutionTree]}`,
      );
    }
    expect(generatedHeader('p1-demo/m1-first/add.ts')).toMatch(
      /^\/\/ generated from solutions\/p1-demo\/m1-first\/add\.ts /,
    );
    expect(generatedHeader('p1-demo/m1-first/README.md')).toMatch(/^<!-- generated from solutions\/.* -->\n$/);
    expect(readFileSync(path.join(to, 'p1-demo/m2-second/twice.ts'), 'utf8')).toBe(
      generatedHeader('p1-demo/m2-second/twice.ts') +
        lines(
          "import { add } from '../m1-first/add.ts';",
          "import { todo } from '#kit/todo.ts';",
          'export function twice(a: number): number {',
          "  todo('p1/m2', 'twice');",
          '}',
        ),
    );
    expect(diffExercises(from, to)).toEqual({ missing: [], extra: [], different: [] });
  });

  test('deletes stale files, rewrites only what changed, and detects drift', () => {
    const root = tempDir();
    const from = path.join(root, 'solutions');
    const to = path.join(root, 'exercises');
    writeTree(from, solutionTree);
    generateExercises(from, to);
    writeTree(to, { 'p1-demo/m9-gone/old.ts': 'old\n', 'p1-demo/m1-first/extra.md': 'x\n' });
    writeFileSync(path.join(to, 'p1-demo/m1-first/add.ts'), 'edited by hand\n');
    rmSync(path.join(to, 'p1-demo/m1-first/hints.md'));
    expect(diffExercises(from, to)).toEqual({
      missing: ['p1-demo/m1-first/hints.md'],
      extra: ['p1-demo/m1-first/extra.md', 'p1-demo/m9-gone/old.ts'],
      different: ['p1-demo/m1-first/add.ts'],
    });
    const readmeMtime = statSync(path.join(to, 'p1-demo/m1-first/README.md')).mtimeMs;
    const result = generateExercises(from, to);
    expect(result.written).toEqual(['p1-demo/m1-first/add.ts', 'p1-demo/m1-first/hints.md']);
    expect(result.deleted).toEqual(['p1-demo/m1-first/extra.md', 'p1-demo/m9-gone/old.ts']);
    expect(existsSync(path.join(to, 'p1-demo/m9-gone'))).toBe(false);
    expect(statSync(path.join(to, 'p1-demo/m1-first/README.md')).mtimeMs).toBe(readmeMtime);
    expect(diffExercises(from, to)).toEqual({ missing: [], extra: [], different: [] });
  });

  test('reports every bad file at once and writes nothing', () => {
    const root = tempDir();
    const from = path.join(root, 'solutions');
    const to = path.join(root, 'exercises');
    writeTree(from, {
      ...solutionTree,
      'p1-demo/m1-first/bad.ts': lines(R, 'export const x = 1;', E),
      'p1-demo/m1-first/bad.test.ts': lines('export function f(): void {', `  ${R}`, `  ${E}`, '}'),
    });
    let error: unknown;
    try {
      generateExercises(from, to);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GenerateError);
    expect((error as GenerateError).problems.map((p) => p.message)).toEqual([
      'p1-demo/m1-first/bad.test.ts:2: checkpoint tests are the same file in both trees; move the solution region out of the test',
      'p1-demo/m1-first/bad.ts:1: solution region (lines 1-3) not inside a function body',
    ]);
    expect(existsSync(to)).toBe(false);
    expect(() => buildExercises(from)).toThrow(GenerateError);
  });
});

// One end-to-end run through vitest child processes (a few seconds): the grader's path and the check's.
describe('checkpoint runs (end to end)', () => {
  test('runCheckpoints grades a copy with canonical tests; checkExercises flags a test the stub passes', async () => {
    const fixture = makeWorkspace('selftest');
    try {
      const solutions = path.join(fixture, 'solutions');
      const exercises = path.join(fixture, 'exercises');
      writeTree(solutions, {
        'p9-demo/m1-add/add.ts': lines(
          'export function add(a: number, b: number): number {',
          `  ${R}`,
          '  return a + b;',
          `  ${E}`,
          '}',
        ),
        'p9-demo/m1-add/given.ts': lines('export const given = 41;'),
        'p9-demo/m1-add/add.test.ts': lines(
          "import { expect, test } from 'vitest';",
          "import { add } from './add.ts';",
          "import { given } from './given.ts';",
          "test('adds', () => expect(add(given, 1)).toBe(42));",
          "test('asserts nothing', () => expect(typeof add).toBe('function'));",
        ),
        // m2 builds on m1. Its first test file calls a stub while loading; its second only exercises m1's code,
        // which is solved when m2's tests run against m2's stubs, so it must be flagged.
        'p9-demo/m2-twice/twice.ts': lines(
          "import { add } from '../m1-add/add.ts';",
          'export function twice(a: number): number {',
          `  ${R}`,
          '  return add(a, a);',
          `  ${E}`,
          '}',
        ),
        'p9-demo/m2-twice/twice.test.ts': lines(
          "import { expect, test } from 'vitest';",
          "import { twice } from './twice.ts';",
          'const four = twice(2);',
          "test('twice', () => expect(four).toBe(4));",
        ),
        'p9-demo/m2-twice/uses.test.ts': lines(
          "import { expect, test } from 'vitest';",
          "import { add } from '../m1-add/add.ts';",
          "test('only m1', () => expect(add(1, 1)).toBe(2));",
        ),
      });
      generateExercises(solutions, exercises);

      // A student's copy: add() written, the helper and a test tampered with, an own test added.
      const student = tempDir();
      // Their m1 folder has another name; it is matched by milestone id.
      writeTree(student, {
        'p9-demo/m1-sum/add.ts': lines('export function add(a: number, b: number): number {', '  return a + b;', '}'),
        'p9-demo/m1-sum/given.ts': lines('export const given = 0;'),
        'p9-demo/m1-sum/add.test.ts': lines("import { test } from 'vitest';", "test('adds', () => {});"),
        'p9-demo/m1-sum/mine.test.ts': lines("import { test } from 'vitest';", "test('mine', () => {});"),
      });
      const graded = await runCheckpoints({ target: student, canonical: solutions, timeoutMs: 5000 });
      expect(graded.ok).toBe(false);
      expect(graded.tests.map((t) => [t.milestone, t.name, t.status])).toEqual([
        ['p9/m1', 'adds', 'passed'],
        ['p9/m1', 'asserts nothing', 'passed'],
        ['p9/m2', 'twice', 'failed'],
        ['p9/m2', 'only m1', 'passed'],
      ]);
      expect(graded.missingFolders).toEqual(['p9/m2']);
      // The student has no m2 yet: its test file cannot load, and the result says so.
      expect(graded.tests[2]?.failure).toBe(
        "its test file failed: Error: Cannot find module './twice.ts' imported from p9-demo/m2-twice/twice.test.ts",
      );
      expect(graded.milestones).toEqual([
        { milestone: 'p9/m1', passed: 2, failed: 0, skipped: 0 },
        { milestone: 'p9/m2', passed: 1, failed: 1, skipped: 0 },
      ]);

      const stubs = await runCheckpoints({
        target: exercises,
        canonical: solutions,
        milestones: ['p9/m1'],
        timeoutMs: 5000,
      });
      expect(stubs.ok).toBe(false);
      expect(stubs.milestones).toEqual([{ milestone: 'p9/m1', passed: 1, failed: 1, skipped: 0 }]);
      expect(stubs.tests.find((t) => t.name === 'adds')?.failure).toMatch(
        /not implemented yet: add \(milestone p9\/m1\)/,
      );

      const checked = await checkExercises({ solutions, exercises, timeoutMs: 5000 });
      expect(checked.problems).toEqual([
        'p9/m1: "asserts nothing" passes against the stubs: it asserts nothing the stub cannot satisfy',
        'p9/m2: "only m1" passes against the stubs: it asserts nothing the stub cannot satisfy',
        expect.stringMatching(
          /^p9\/m2: "twice" runs against solutions\/ but did not run against the stubs; p9-demo\/m2-twice\/twice\.test\.ts failed against the stubs as a whole: .*not implemented yet: twice/,
        ),
      ]);
      expect(checked.milestones).toEqual([
        {
          milestone: 'p9/m1',
          stubbedFunctions: 1,
          tests: 2,
          failingOnStubs: 1,
          passingOnStubs: ['asserts nothing'],
          missing: [],
          fileErrors: [],
          skipped: [],
          timedOut: [],
          extra: [],
        },
        {
          milestone: 'p9/m2',
          stubbedFunctions: 1,
          tests: 2,
          failingOnStubs: 0,
          passingOnStubs: ['only m1'],
          missing: ['twice'],
          fileErrors: [
            { file: 'p9-demo/m2-twice/twice.test.ts', message: expect.stringMatching(/not implemented yet: twice/) },
          ],
          skipped: [],
          timedOut: [],
          extra: [],
        },
      ]);
    } finally {
      removeWorkspace(fixture);
    }
  }, 60_000);
});

// A stub hit inside a thread: the kit records it (kit/internal/stub-log.ts), the run names it as the failure.
describe('a stub hit inside a thread (end to end)', () => {
  test('the failure names the stubbed function and the thread, whatever the test saw next', async () => {
    const fixture = makeWorkspace('selftest');
    try {
      const solutions = path.join(fixture, 'solutions');
      const exercises = path.join(fixture, 'exercises');
      writeTree(solutions, {
        'p9-demo/m1-greet/greet.ts': lines(
          'export function greeting(i: number): string {',
          `  ${R}`,
          '  return `hi ${i}`;',
          `  ${E}`,
          '}',
        ),
        'p9-demo/m1-greet/bodies.ts': lines(
          "import type { Sender } from '#kit/channel.ts';",
          "import { defineThread } from '#kit/thread.ts';",
          "import { greeting } from './greet.ts';",
          "export const greeter = defineThread(import.meta.url, 'greeter', (tx: Sender<string>, i: number) => {",
          '  tx.send(greeting(i));',
          '});',
        ),
        'p9-demo/m1-greet/greet.test.ts': lines(
          "import { expect, test } from 'vitest';",
          "import { channel } from '#kit/channel.ts';",
          "import { Builder } from '#kit/thread.ts';",
          "import { greeter } from './bodies.ts';",
          "import { greeting } from './greet.ts';",
          // Never joined; the test sees an empty result (an assertion fails on what did not arrive).
          "test('collects from producers', async () => {",
          '  const [tx, rx] = channel<string>();',
          '  for (let i = 0; i < 2; i++) new Builder({ name: `producer-${i}` }).spawn(greeter, tx.clone(), i);',
          '  tx.close();',
          '  const got: string[] = [];',
          '  for await (const m of rx) got.push(m);',
          "  expect(got.sort()).toEqual(['hi 0', 'hi 1']);",
          '});',
          // Never joined; the test fails on a disconnected channel.
          "test('receives one', () => {",
          '  const [tx, rx] = channel<string>();',
          "  new Builder({ name: 'lonely' }).spawn(greeter, tx, 5);",
          "  expect(rx.recv()).toBe('hi 5');",
          '});',
          // The test's own thread hits the stub first: that is the cause it reports.
          "test('main thread first', () => {",
          '  const [tx] = channel<string>();',
          "  new Builder({ name: 'late' }).spawn(greeter, tx, 1);",
          "  expect(greeting(1)).toBe('hi 1');",
          '});',
        ),
      });
      generateExercises(solutions, exercises);
      const stubs = await runCheckpoints({ target: exercises, canonical: solutions, timeoutMs: 10_000 });
      const failure = (name: string): string | undefined => stubs.tests.find((t) => t.name === name)?.failure;
      expect(stubs.tests.map((t) => t.status)).toEqual(['failed', 'failed', 'failed']);
      expect(failure('collects from producers')).toMatch(
        /^not implemented yet: greeting \(milestone p9\/m1\) \(thrown in thread 'producer-[01]'\); .*\n1 more thread of this test hit a stub too\nthe test then failed with: AssertionError: expected \[\] to deeply equal/,
      );
      expect(failure('receives one')).toMatch(
        /^not implemented yet: greeting \(milestone p9\/m1\) \(thrown in thread 'lonely'\); [^\n]*\nthe test then failed with: RecvError/,
      );
      expect(failure('main thread first')).toMatch(
        /^NotImplementedError: not implemented yet: greeting \(milestone p9\/m1\);/,
      );
      // The learner's words (check, learn) for the same results.
      const learner = stubs.tests.map((t) => explainFailure(t, 'p9/m1'));
      expect(learner).toEqual([
        expect.stringMatching(/^still a stub: greeting \(thrown in thread 'producer-[01]'\)$/),
        "still a stub: greeting (thrown in thread 'lonely')",
        'still a stub: greeting (NotImplementedError)',
      ]);

      // On the solution every test passes, and nothing is said about stubs.
      const solved = await runCheckpoints({ target: solutions, canonical: solutions, timeoutMs: 10_000 });
      expect(solved.tests.map((t) => [t.status, t.failure])).toEqual([
        ['passed', undefined],
        ['passed', undefined],
        ['passed', undefined],
      ]);
    } finally {
      removeWorkspace(fixture);
    }
  }, 60_000);

  test('the hint comes from the test process: it changes the words of a failure, never a verdict', () => {
    const file = path.join(repoRoot, '.checkpoints', 'hint', 'p9-demo/m1-greet/greet.test.ts');
    const hint = { milestone: 'p9/m1', functionName: 'greeting', thread: 'producer-0' };
    const { tests } = interpretEvents(
      [
        { e: 'result', file, name: 'passes', state: 'passed', durationMs: 1, threadStub: hint },
        { e: 'result', file, name: 'fails', state: 'failed', durationMs: 1, error: 'Error: boom', threadStub: hint },
        {
          e: 'result',
          file,
          name: 'own stub',
          state: 'failed',
          durationMs: 1,
          error: 'not implemented yet: other (milestone p9/m1); read',
          threadStub: hint,
        },
      ],
      { include: [rootRel(file)], relativeTo: path.join(repoRoot, '.checkpoints', 'hint') },
    );
    expect(tests.map((t) => [t.name, t.status, t.failure?.split('\n')[0]])).toEqual([
      ['passes', 'passed', undefined],
      [
        'fails',
        'failed',
        expect.stringMatching(/^not implemented yet: greeting \(milestone p9\/m1\) \(thrown in thread 'producer-0'\)/),
      ],
      ['own stub', 'failed', 'not implemented yet: other (milestone p9/m1); read'],
    ]);
  });
});
