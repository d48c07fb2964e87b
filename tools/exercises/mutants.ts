/**
 * Wrong solutions ("mutants"): the typical concurrency mistakes of each milestone, kept beside its solution in
 * `mutants.md`, and the check that the canonical checkpoint tests catch every one of them.
 *
 * A checkpoint test exists to tell a student that their threading code is wrong. The stubs rule (check.ts)
 * proves each test fails on code that does nothing; this proves the tests fail on code that does the wrong
 * thing: a lock missing, a read-modify-write split in two, a fixed lock order, fewer workers than asked. A
 * mutant that passes every test of its milestone fails the check, so a test too weak to catch a known mistake
 * cannot go unnoticed.
 *
 * ── The catalogue format (`<milestone>/mutants.md`, instructor-only, never copied into exercises/) ─────────
 *
 *     ## unlocked-increment
 *     - mistake: the read-modify-write runs without taking the mutex
 *     - caught by: test_concurrent_increments
 *
 *     `counter.ts`
 *     ```ts
 *     <text of the solution, exactly as it is, found once in the file>
 *     ```
 *     ```ts
 *     <what the student wrote instead>
 *     ```
 *
 * A `## name` heading starts a mutant; it has a mistake line, a caught-by line (a part of the name of the test
 * that must catch it) and one or more edits: a line holding only a backquoted file name (relative to the
 * milestone folder), then two fenced blocks, the text to find and its replacement. Any other text is prose
 * for the reader. The text to find must occur exactly once, so a solution that changes under a mutant makes
 * the check say so instead of testing something else.
 *
 * ── How the check runs ──────────────────────────────────────────────────────────────────────────────────
 * Every mutated file must type-check (a student's code compiles); then each mutant gets its own copy of its
 * project in one workspace, mutated, and all copies' tests for the mutated milestone run in one vitest
 * process, like the stubs check. A mutant counts as caught when any of its milestone's tests fails, times
 * out, or never finishes (a run that hangs is killed; the files that did not finish are then run again one by
 * one, so a hang is pinned on the mutant that caused it and not on those queued behind it).
 *
 * The run comes in two passes. The first runs, in each copy, only the tests the catalogue names (the
 * caught-by part): they usually fail, and the passing tests before them in the file would only cost time. The
 * mutants they do not catch then meet every test of their milestone in a second pass, so a catalogue that names
 * the wrong test costs time but never a verdict. The first pass also runs each named test alone against its
 * milestone's unchanged solution (a control): a named test that fails there when run alone would "catch"
 * anything, so the mutants naming it go to the second pass (with a note).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { MUTANTS_FILE } from './generate.ts';
import { makeWorkspace, type RawRun, removeWorkspace, runVitest } from '../checkpoints/checkpoints.ts';
import { isTestFile, listFiles, listMilestones, type Milestone, projectRoot } from '../../course/layout.ts';
import { posix } from '../../lib/paths.ts';

export { MUTANTS_FILE };

export interface MutantEdit {
  /** File relative to the milestone folder. */
  readonly file: string;
  readonly find: string;
  readonly replace: string;
  /** 1-based line of the edit's file name in the catalogue. */
  readonly line: number;
}

export interface Mutant {
  readonly milestone: string;
  /** The milestone's folder relative to the tree, e.g. 'p3-counters/m1-mutex-counter'. */
  readonly folder: string;
  readonly name: string;
  readonly mistake: string;
  /** Part of the name of the test expected to catch it. */
  readonly caughtBy: string;
  readonly edits: readonly MutantEdit[];
  /** Where it is written: 'p3-counters/m1-mutex-counter/mutants.md:12'. */
  readonly where: string;
}

/** Parse one catalogue; every problem is reported as `file:line: message`. */
export function parseMutants(
  text: string,
  catalog: string,
  milestone: string,
  folder: string,
): { mutants: Mutant[]; problems: string[] } {
  const lines = text.split(/\r?\n/);
  const mutants: Mutant[] = [];
  const problems: string[] = [];
  let current: { name: string; line: number; mistake?: string; caughtBy?: string; edits: MutantEdit[] } | undefined;
  let file: { name: string; line: number } | undefined;
  let blocks: string[] = [];
  const finish = (): void => {
    if (current === undefined) return;
    const where = `${catalog}:${current.line}`;
    if (blocks.length % 2 !== 0)
      problems.push(`${where}: mutant '${current.name}' has a text to find without its replacement`);
    if (current.mistake === undefined) problems.push(`${where}: mutant '${current.name}' has no '- mistake:' line`);
    if (current.caughtBy === undefined) problems.push(`${where}: mutant '${current.name}' has no '- caught by:' line`);
    if (current.edits.length === 0)
      problems.push(`${where}: mutant '${current.name}' changes nothing (no file name and code blocks)`);
    if (mutants.some((m) => m.name === current!.name))
      problems.push(`${where}: a second mutant named '${current.name}'`);
    if (current.mistake !== undefined && current.caughtBy !== undefined && current.edits.length > 0) {
      mutants.push({
        milestone,
        folder,
        name: current.name,
        mistake: current.mistake,
        caughtBy: current.caughtBy,
        edits: current.edits,
        where,
      });
    }
    current = undefined;
    file = undefined;
    blocks = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^##\s+(\S.*?)\s*$/.exec(line);
    if (heading) {
      finish();
      const name = heading[1]!;
      if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
        problems.push(`${catalog}:${i + 1}: a mutant name is lowercase words joined by '-', got '${name}'`);
      current = { name, line: i + 1, edits: [] };
      continue;
    }
    if (current === undefined) continue;
    const field = /^-\s+(mistake|caught by):\s*(\S.*?)\s*$/.exec(line);
    if (field) {
      if (field[1] === 'mistake') current.mistake = field[2]!;
      else current.caughtBy = field[2]!;
      continue;
    }
    const fileName = /^`([^`\s]+\.[cm]?ts)`\s*$/.exec(line);
    if (fileName) {
      if (blocks.length % 2 !== 0)
        problems.push(`${catalog}:${i + 1}: a file name between a text to find and its replacement`);
      file = { name: fileName[1]!, line: i + 1 };
      continue;
    }
    const fence = /^(```+)\s*\w*\s*$/.exec(line);
    if (fence) {
      const close = fence[1]!;
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && lines[j]!.trimEnd() !== close) body.push(lines[j++]!);
      if (j >= lines.length) {
        problems.push(`${catalog}:${i + 1}: a code block that is never closed`);
        break;
      }
      i = j;
      if (file === undefined) {
        problems.push(`${catalog}:${i + 1}: a code block before any \`file.ts\` line`);
        continue;
      }
      blocks.push(body.join('\n'));
      if (blocks.length % 2 === 0) {
        const find = blocks[blocks.length - 2]!;
        if (find.trim() === '') problems.push(`${catalog}:${file.line}: an empty text to find`);
        else current.edits.push({ file: file.name, find, replace: blocks[blocks.length - 1]!, line: file.line });
      }
    }
  }
  finish();
  return { mutants, problems };
}

/** Every mutant of a solutions tree, in milestone order, and the problems found reading the catalogues. */
export function loadMutants(
  solutions: string,
  milestones: readonly Milestone[] = listMilestones(solutions),
): { mutants: Mutant[]; problems: string[] } {
  const mutants: Mutant[] = [];
  const problems: string[] = [];
  for (const m of milestones) {
    const catalog = path.join(m.dir, MUTANTS_FILE);
    let text: string;
    try {
      text = readFileSync(catalog, 'utf8');
    } catch {
      continue;
    }
    const parsed = parseMutants(text, `${m.folder}/${MUTANTS_FILE}`, m.id, m.folder);
    mutants.push(...parsed.mutants);
    problems.push(...parsed.problems);
  }
  return { mutants, problems };
}

const countOccurrences = (text: string, part: string): number => {
  let n = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) n++;
  return n;
};

/**
 * The mutated text of every file a mutant touches (paths relative to the milestone folder). Throws with a
 * precise message when a text to find is not in the file exactly once.
 */
export function applyMutant(solutions: string, mutant: Mutant): Map<string, string> {
  const out = new Map<string, string>();
  for (const edit of mutant.edits) {
    let text = out.get(edit.file);
    if (text === undefined) {
      try {
        text = readFileSync(path.join(solutions, mutant.folder, edit.file), 'utf8');
      } catch {
        throw new Error(
          `${mutant.where}: mutant '${mutant.name}' edits ${edit.file}, which the milestone does not have`,
        );
      }
    }
    // Catalogues are written with '\n'; a solution checked out with '\r\n' still matches.
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const find = edit.find.split('\n').join(eol);
    const n = countOccurrences(text, find);
    if (n !== 1) {
      const first =
        edit.find
          .split('\n')
          .find((l) => l.trim() !== '')
          ?.trim() ?? '';
      throw new Error(
        `${mutant.where}: mutant '${mutant.name}': the text to find (starting '${first}') occurs ${n} times in ${edit.file}; ` +
          'it must occur exactly once (did the solution change?)',
      );
    }
    text = text.replace(find, () => edit.replace.split('\n').join(eol));
    out.set(edit.file, text);
  }
  return out;
}

/**
 * Type-check every mutated file as the project's compiler options see it: each one is put, in memory, beside
 * the file it replaces (so its relative and `#kit/` imports resolve the same), and only its own diagnostics
 * count. Returns one message per mutant that does not compile.
 */
export function typecheckMutants(solutions: string, mutants: readonly Mutant[]): string[] {
  const configFile = ts.findConfigFile(projectRoot, ts.sys.fileExists, 'tsconfig.json');
  if (configFile === undefined) return ['no tsconfig.json found to type-check the mutants with'];
  const config = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configFile));
  const virtual = new Map<string, { text: string; mutant: Mutant; file: string }>();
  const problems: string[] = [];
  mutants.forEach((mutant, index) => {
    let files: Map<string, string>;
    try {
      files = applyMutant(solutions, mutant);
    } catch (error) {
      problems.push((error as Error).message);
      return;
    }
    for (const [file, text] of files) {
      const real = path.join(solutions, mutant.folder, file);
      const ext = path.extname(real);
      const fake = path.join(path.dirname(real), `${path.basename(real, ext)}.__mutant${index}__${ext}`);
      virtual.set(path.resolve(fake), { text, mutant, file });
    }
  });
  if (virtual.size === 0) return problems;
  const host = ts.createCompilerHost(parsed.options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const v = virtual.get(path.resolve(fileName));
    if (v !== undefined) return ts.createSourceFile(fileName, v.text, languageVersion, true);
    return getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtual.has(path.resolve(fileName)) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => virtual.get(path.resolve(fileName))?.text ?? readFile(fileName);
  const program = ts.createProgram({
    rootNames: [...virtual.keys()],
    options: { ...parsed.options, noEmit: true },
    host,
  });
  for (const [fake, v] of virtual) {
    const sf = program.getSourceFile(fake);
    const diagnostics =
      sf === undefined ? [] : [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    const first = diagnostics[0];
    if (first === undefined) continue;
    const at =
      first.file && first.start !== undefined ? first.file.getLineAndCharacterOfPosition(first.start).line + 1 : 0;
    const message = ts.flattenDiagnosticMessageText(first.messageText, ' ');
    problems.push(`${v.mutant.where}: mutant '${v.mutant.name}' does not type-check (${v.file}:${at}: ${message})`);
  }
  return problems;
}

export interface MutantResult {
  readonly mutant: Mutant;
  /** The tests that failed on it (empty: it survived). */
  readonly caughtBy: readonly string[];
  /** How the first catching test failed, one line. */
  readonly how?: string;
  /** Whether the catching tests include the one the catalogue names. */
  readonly expectedCatcher: boolean;
}

export interface MutantCheckReport {
  readonly results: readonly MutantResult[];
  /** Every problem, one line each: unreadable catalogues, mutants that do not apply or compile, survivors. */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  readonly durationMs: number;
}

export interface MutantCheckOptions {
  readonly solutions?: string;
  /** Only these milestone ids. */
  readonly milestones?: readonly string[];
  /** Per-test timeout in the mutant runs (a test that times out has caught its mutant). */
  readonly timeoutMs?: number;
  /** Kill the batch run after this long; unfinished files are then run one by one. */
  readonly runTimeoutMs?: number;
  /** Called with a line of progress now and then. */
  readonly progress?: (line: string) => void;
}

/** Run every mutant against its milestone's checkpoint tests; see the header. */
export async function checkMutants(options: MutantCheckOptions = {}): Promise<MutantCheckReport> {
  const started = Date.now();
  const solutions = options.solutions ?? path.join(projectRoot, 'solutions');
  const all = listMilestones(solutions);
  const chosen = options.milestones === undefined ? all : all.filter((m) => options.milestones!.includes(m.id));
  const loaded = loadMutants(solutions, chosen);
  const problems = [...loaded.problems];
  const notes: string[] = [];
  const progress = options.progress ?? ((): void => {});
  for (const m of chosen) {
    const n = loaded.mutants.filter((x) => x.milestone === m.id).length;
    if (n < 3 && listFiles(m.dir).some(isTestFile))
      problems.push(
        `${m.id}: ${n} mutant${n === 1 ? '' : 's'} in ${m.folder}/${MUTANTS_FILE}; every milestone needs at least 3`,
      );
  }
  progress(`type-checking ${loaded.mutants.length} mutants`);
  const compileProblems = typecheckMutants(solutions, loaded.mutants);
  problems.push(...compileProblems);
  const runnable = loaded.mutants.filter((mu) => !compileProblems.some((p) => p.startsWith(`${mu.where}: `)));
  if (runnable.length === 0) return { results: [], problems, notes, durationMs: Date.now() - started };

  const timeoutMs = options.timeoutMs ?? 20_000;
  const workspace = makeWorkspace('mutants');
  const slots = new Map<string, Mutant>();
  const include: string[] = [];
  const results: MutantResult[] = [];
  try {
    runnable.forEach((mutant, index) => {
      const slotName = `${String(index).padStart(3, '0')}-${mutant.milestone.replace('/', '-')}-${mutant.name}`;
      const slot = path.join(workspace, slotName);
      for (const other of all.filter((o) => o.project === mutant.folder.split('/')[0])) {
        cpSync(other.dir, path.join(slot, other.folder), {
          recursive: true,
          filter: (src) => !src.endsWith(`${path.sep}${MUTANTS_FILE}`),
        });
      }
      for (const [file, text] of applyMutant(solutions, mutant))
        writeFileSync(path.join(slot, mutant.folder, file), text);
      slots.set(slotName, mutant);
      for (const f of listFiles(path.join(slot, mutant.folder)).filter(isTestFile)) {
        include.push(posix(path.relative(projectRoot, path.join(slot, mutant.folder, f))));
      }
    });
    // Controls for the first pass: each milestone's solution, unchanged, with only one named test run, once per
    // name, as the mutants run it. A named test that fails there when run alone (it needs an earlier test of its
    // file) would "catch" anything: the mutants naming it are judged by the second pass alone.
    const controls = new Map<string, { milestone: string; name: string }>();
    for (const m of chosen) {
      const names = [...new Set(runnable.filter((mu) => mu.milestone === m.id).map((mu) => mu.caughtBy))];
      names.forEach((name, index) => {
        const slotName = `control-${m.id.replace('/', '-')}-${index}`;
        for (const other of all.filter((o) => o.project === m.project)) {
          cpSync(other.dir, path.join(workspace, slotName, other.folder), {
            recursive: true,
            filter: (src) => !src.endsWith(`${path.sep}${MUTANTS_FILE}`),
          });
        }
        controls.set(slotName, { milestone: m.id, name });
        for (const f of listFiles(path.join(workspace, slotName, m.folder)).filter(isTestFile)) {
          include.push(posix(path.relative(projectRoot, path.join(workspace, slotName, m.folder, f))));
        }
      });
    }
    const slotOf = (file: string): string => file.split('/')[0]!;
    const inSlot = (file: string): string => slotOf(posix(path.relative(workspace, path.join(projectRoot, file))));
    // One vitest process for the given test files; a run that hangs is stopped and its unfinished files are run
    // again one by one. Later runs of a file replace what the batch said about it.
    const runBatch = async (
      files: readonly string[],
      onlyNamed?: Readonly<Record<string, readonly string[]>>,
    ): Promise<{
      byTest: Map<string, { file: string; name: string; status: string; failure?: string }>;
      fileErrors: Map<string, string>;
    }> => {
      const runs: RawRun[] = [];
      const first = await runVitest({
        include: files,
        relativeTo: workspace,
        timeoutMs,
        bailPerFile: true,
        ...(onlyNamed !== undefined ? { onlyNamed } : {}),
        // Most of a checkpoint test's time is spent waiting (thread start-up, a pause while threads race), so
        // three files side by side finish sooner even on two cores; one at a time takes minutes.
        maxWorkers: 3,
        // Every test reports within its timeout unless a main thread is blocked; then stop early and sort out
        // which files hung by running the unfinished ones alone.
        stallMs: timeoutMs + 5_000,
        runTimeoutMs: options.runTimeoutMs ?? Math.max(120_000, files.length * 8_000),
      });
      runs.push(first);
      const killed = new Set<string>();
      if (first.runError !== undefined) {
        // Pin each hang on its own file: run the unfinished ones again, alone, with a watchdog of their own.
        const unfinished = first.fileErrors
          .filter((e) => /^did not finish/.test(e.message))
          .map((e) => posix(path.relative(projectRoot, path.join(workspace, e.file))));
        progress(
          `the batch run stopped early (${first.runError.split('\n')[0]}); running ${unfinished.length} unfinished test files one by one`,
        );
        for (const f of unfinished) {
          const again = await runVitest({
            include: [f],
            relativeTo: workspace,
            timeoutMs,
            bailPerFile: true,
            ...(onlyNamed !== undefined ? { onlyNamed } : {}),
            stallMs: timeoutMs + 5_000,
            runTimeoutMs: 120_000,
          });
          runs.push(again);
          if (again.runError !== undefined) killed.add(posix(path.relative(workspace, path.join(projectRoot, f))));
        }
      }
      const byTest = new Map<string, { file: string; name: string; status: string; failure?: string }>();
      const fileErrors = new Map<string, string>();
      for (const run of runs) {
        for (const t of run.tests) byTest.set(`${t.file}\0${t.name}`, t);
        for (const e of run.fileErrors) {
          if (run === first && first.runError !== undefined && /^did not finish/.test(e.message)) continue;
          fileErrors.set(e.file, e.message);
        }
      }
      for (const file of killed) fileErrors.set(file, 'never finished: stopped by the watchdog (a hang)');
      return { byTest, fileErrors };
    };
    const caughtIn = (batch: Awaited<ReturnType<typeof runBatch>>, slotName: string): boolean =>
      [...batch.byTest.values()].some((t) => slotOf(t.file) === slotName && t.status === 'failed') ||
      [...batch.fileErrors.keys()].some((file) => slotOf(file) === slotName);
    // First the test each catalogue names, alone: usually it fails, and the tests before it in its file need not
    // run. Whatever it does not catch then meets every test of its milestone, as if this pass had not happened.
    progress(
      `running the named checkpoint tests against ${runnable.length} mutants and ${controls.size} controls on the solutions (${include.length} test files, one vitest process)`,
    );
    const named = await runBatch(
      include,
      Object.fromEntries([
        ...[...slots].map(([slotName, mutant]) => [path.join(workspace, slotName), [mutant.caughtBy]]),
        ...[...controls].map(([slotName, control]) => [path.join(workspace, slotName), [control.name]]),
      ]),
    );
    const untrusted = new Set<string>();
    for (const [slotName, control] of controls) {
      if (!caughtIn(named, slotName)) continue;
      untrusted.add(`${control.milestone}\0${control.name}`);
      const failed = [...named.byTest.values()].find((t) => slotOf(t.file) === slotName && t.status === 'failed');
      notes.push(
        `${control.milestone}: run alone against the solution, ${failed !== undefined ? `"${failed.name}"` : `the test named "${control.name}"`} fails; ` +
          'the mutants naming it were judged by every test of the milestone instead',
      );
    }
    const rest = new Set(
      [...slots]
        .filter(
          ([slotName, mutant]) =>
            untrusted.has(`${mutant.milestone}\0${mutant.caughtBy}`) || !caughtIn(named, slotName),
        )
        .map(([slotName]) => slotName),
    );
    let whole = named;
    if (rest.size > 0) {
      progress(
        `running every checkpoint test against the ${rest.size} mutant${rest.size === 1 ? '' : 's'} the named tests did not catch`,
      );
      whole = await runBatch(include.filter((f) => rest.has(inSlot(f))));
    }
    for (const [slotName, mutant] of slots) {
      const { byTest, fileErrors } = rest.has(slotName) ? whole : named;
      const failed = [...byTest.values()].filter((t) => slotOf(t.file) === slotName && t.status === 'failed');
      const broken = [...fileErrors].filter(([file]) => slotOf(file) === slotName);
      const caughtBy = [
        ...failed.map((t) => t.name),
        ...broken.map(([file]) => `(whole file) ${file.split('/').slice(-1)[0]}`),
      ];
      const how = (failed[0]?.failure ?? broken[0]?.[1])?.split('\n')[0];
      // After a file's first failure the rest is skipped, so only a named test that ran and passed is a surprise.
      const namedPassed = [...named.byTest.values(), ...(rest.has(slotName) ? whole.byTest.values() : [])].some(
        (t) => slotOf(t.file) === slotName && t.status === 'passed' && t.name.includes(mutant.caughtBy),
      );
      const expectedCatcher = !namedPassed;
      results.push({ mutant, caughtBy, ...(how !== undefined ? { how } : {}), expectedCatcher });
      if (caughtBy.length === 0) {
        problems.push(
          `${mutant.milestone}: mutant '${mutant.name}' passes every checkpoint test (${mutant.mistake}; ${mutant.where})`,
        );
      } else if (!expectedCatcher) {
        notes.push(
          `${mutant.milestone}: mutant '${mutant.name}' was caught, but not by "${mutant.caughtBy}" as its catalogue says`,
        );
      }
    }
  } finally {
    removeWorkspace(workspace);
  }
  return { results, problems, notes, durationMs: Date.now() - started };
}
