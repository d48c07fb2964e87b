/**
 * The student release: a clean repository students clone and work in. It holds the exercises (at exercises/,
 * where every command expects them), stubs/ (the same stubs again, untouched: the canonical tests for
 * check/learn and the source `npm run reset` restores from), the kit, the fixtures, the student commands and
 * what they import, package.json with only the student scripts, package-lock.json, tsconfig, the vitest configs
 * and a README. Never solutions, hidden tests or the grader: the exercises and stubs are generated from
 * solutions/ here, by the same generator that skips hidden tests.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateExercises } from '../exercises/generate.ts';
import { listFiles, projectRoot } from '../../course/layout.ts';
import { loadPoints } from '../grader/points.ts';
import { classroomWorkflow } from './classroom.ts';
import { LOADED_BY_PATH } from '../checkpoints/loaded-by-path.ts';

/** The commands students run, relative to the repository root; the release carries them and all they import. */
const STUDENT_ENTRIES: readonly string[] = ['scripts/learn.ts'];

/** Files students get that no import names: the learner's guide, and what a checkpoint run loads by path. */
const STUDENT_EXTRAS: readonly string[] = ['tools/learner/LEARN.md', ...LOADED_BY_PATH];

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/**
 * The student commands, every module they reach through relative imports, and the extras, as paths relative to
 * `root`: computed from the sources, so a module added to the learner is in the release without a list to update.
 */
export function releaseFiles(root: string = projectRoot): string[] {
  const seen = new Set<string>();
  const queue = [...STUDENT_ENTRIES, ...LOADED_BY_PATH.filter((f) => f.endsWith('.ts'))];
  while (queue.length > 0) {
    const rel = queue.pop()!;
    if (seen.has(rel)) continue;
    seen.add(rel);
    const source = readFileSync(path.join(root, rel), 'utf8');
    for (const m of source.matchAll(RELATIVE_IMPORT)) {
      queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1]!)));
    }
  }
  for (const extra of STUDENT_EXTRAS) seen.add(extra);
  return [...seen].sort();
}

export const STUDENT_SCRIPTS: Readonly<Record<string, string>> = {
  learn: 'tsx scripts/learn.ts',
  check: 'tsx scripts/learn.ts check',
  hint: 'tsx scripts/learn.ts hint',
  progress: 'tsx scripts/learn.ts progress',
  reset: 'tsx scripts/learn.ts reset',
  typecheck: 'tsc --noEmit -p tsconfig.json',
};

const STUDENT_README = `# Threading patterns: the exercises

Three projects of six milestones each — a log pipeline over channels, an image processor on a thread pool, a
shared counter service — in TypeScript on real threads (\`worker_threads\`). Each milestone folder under
\`exercises/\` has a brief (README.md), code with \`todo()\` stubs for you to replace, checkpoint tests and hints.
\`kit/\` is the threading library you build with; its [README](kit/README.md) is the API at a glance.

\`\`\`sh
npm ci
npm run learn                 # watch mode: the current milestone, re-checked every time you save
\`\`\`

| command | what it does |
|---|---|
| \`npm run learn\` | shows the first milestone that does not pass yet (\`npm run learn -- p2/m1\` starts there), re-runs its tests on every save, moves on when they pass (keys: h hint, l list, n next, q quit) |
| \`npm run check -- p1/m1\` | runs a milestone's checkpoint tests once and prints each test; exit code 0 when all pass (for scripts and CI) |
| \`npm run hint -- p1/m1\` | the first hint; \`npm run hint -- p1/m1 2\` the second, \`--all\` every one |
| \`npm run progress\` | every milestone: done, in progress or not started (only milestones whose files changed are re-run) |
| \`npm run reset -- p1/m1\` | puts a milestone back to its starting stubs (asks first; \`--yes\` skips the question) |

Work in \`exercises/\`. The tests that decide whether a milestone passes are the untouched copies in \`stubs/\`:
editing a test under \`exercises/\` does not change what \`check\` runs (your instructor grades with their own
copy too). Milestones build on the earlier ones of their project, so do them in order; tools/learner/LEARN.md says
more.

On GitHub Classroom, \`.github/workflows/classroom.yml\` runs \`npm run check\` for every milestone on each push and
shows the points: a progress signal for you, not your grade (your instructor grades with their own copy of the
tests).
`;

export interface ReleaseResult {
  readonly dest: string;
  readonly files: readonly string[];
}

export function buildRelease(dest: string, root: string = projectRoot): ReleaseResult {
  const out = path.resolve(dest);
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`refusing to write into ${out}: it is not empty`);
  const solutions = path.join(root, 'solutions');
  if (!existsSync(solutions))
    throw new Error(`no solutions/ in ${root}: a release is made from the instructors' repository`);
  const resolvedRoot = path.resolve(root);
  if (out === resolvedRoot || out.startsWith(`${resolvedRoot}${path.sep}`)) {
    // Inside the repository, vitest and tsc would see two copies of everything; the grader's workspaces too.
    throw new Error(`write the release outside the repository (got ${out})`);
  }
  mkdirSync(out, { recursive: true });
  generateExercises(solutions, path.join(out, 'exercises'));
  generateExercises(solutions, path.join(out, 'stubs'));
  for (const dir of ['kit', 'fixtures'])
    cpSync(path.join(root, dir), path.join(out, dir), {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}node_modules`),
    });
  for (const rel of releaseFiles(root)) {
    const to = path.join(out, rel);
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(path.join(root, rel), to);
  }
  for (const file of ['package-lock.json', 'vitest.checkpoints.config.ts'])
    cpSync(path.join(root, file), path.join(out, file));

  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  // Dependencies stay exactly as the lock file records them, or `npm ci` refuses to install.
  const trimmed = {
    name: pkg['name'],
    version: pkg['version'],
    private: true,
    description: 'Threading patterns in TypeScript: the student exercises.',
    type: pkg['type'],
    engines: pkg['engines'],
    imports: pkg['imports'],
    scripts: STUDENT_SCRIPTS,
    devDependencies: pkg['devDependencies'],
    ...(pkg['allowScripts'] !== undefined ? { allowScripts: pkg['allowScripts'] } : {}),
    dependencies: pkg['dependencies'],
  };
  writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(trimmed, null, 2)}\n`);
  const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')) as {
    include?: string[];
  } & Record<string, unknown>;
  writeFileSync(
    path.join(out, 'tsconfig.json'),
    `${JSON.stringify({ ...tsconfig, include: ['kit', 'exercises', 'scripts', 'lib', 'course', 'tools', '*.ts'] }, null, 2)}\n`,
  );
  writeFileSync(
    path.join(out, 'vitest.config.ts'),
    [
      "import { defineConfig } from 'vitest/config';",
      '',
      "// For editors and `npx vitest`: the exercises' checkpoint tests as they are in exercises/ (npm run check runs the untouched ones in stubs/).",
      'export default defineConfig({',
      "  test: { include: ['exercises/**/*.test.ts'], pool: 'forks', testTimeout: 30_000, hookTimeout: 30_000 },",
      '});',
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(out, '.github', 'workflows'), { recursive: true });
  writeFileSync(
    path.join(out, '.github', 'workflows', 'classroom.yml'),
    classroomWorkflow(solutions, loadPoints(path.join(root, 'grading', 'points.json'))),
  );
  writeFileSync(path.join(out, 'README.md'), STUDENT_README);
  writeFileSync(path.join(out, '.gitignore'), 'node_modules/\n.checkpoints/\n');
  return { dest: out, files: listFiles(out) };
}
