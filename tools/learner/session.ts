/**
 * `npm run learn`: the watch loop. It starts at the first milestone whose checkpoint tests do not all pass (or at
 * the one named: `npm run learn -- p2/m1`), using the remembered verdicts of milestones whose files did not
 * change (state.ts) and running the others one at a time, in order, so a student at p1/m1 waits seconds, not the
 * whole suite. It shows the milestone's brief and results on a cleared screen under a progress bar, re-runs its
 * tests whenever one of its files is saved, and moves on once they pass.
 * Keys (raw-mode stdin): h next hint, l list (pick a milestone with ↑/↓ and Enter), n next, r re-run, q quit.
 * Without a terminal it checks once and exits, pointing at `npm run check`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isStudentFile, RunStoppedError, stopRuns, type TestResult } from '../checkpoints/checkpoints.ts';
import { listFiles, type Milestone } from '../../course/layout.ts';
import { type Out, briefTitle, runMilestones, type RunOptions, strayLines, verdictMark } from './commands.ts';
import { describeResults, judgeMilestone, type MilestoneVerdict } from './explain.ts';
import { readHints } from './hints.ts';
import type { LearnerLayout } from './layout.ts';
import { freshEntries, knownVerdicts, milestoneKeys } from './state.ts';
import { CLEAR_SCREEN, makeStyle, progressBar, type Style } from './style.ts';
import { type FolderWatcher, watchFolder } from './watch.ts';

export interface LearnOptions extends RunOptions {
  readonly out: Out;
  /** Use polling from the start (fs.watch unreliable here). */
  readonly poll?: boolean;
  /** Keyboard input; interactive only when it is a TTY. */
  readonly input?: NodeJS.ReadStream;
  /** Overrides input.isTTY (tests). */
  readonly interactive?: boolean;
  /** Clear the screen before each new view (on a terminal). */
  readonly screen?: boolean;
  /** Milestone id to start at, done or not. */
  readonly start?: string;
}

const BRIEF_LINES = 24;
/** Fewer brief lines when there are results to show under it. */
const BRIEF_LINES_WITH_RESULTS = 12;

/** A path as the student would type it: relative to the current folder when inside it, else absolute. */
export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

/** The opening of the brief, capped. */
function briefExcerpt(layout: LearnerLayout, m: Milestone, max: number): string[] {
  const file = path.join(layout.exercises, m.folder, 'README.md');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [`(no brief: ${file} is missing)`];
  }
  // The generator's provenance line is for whoever opens the file, not part of the brief.
  const lines = text
    .trimEnd()
    .split('\n')
    .filter((line) => !/^<!--.*-->$/.test(line.trim()));
  const shown = lines.slice(0, max);
  if (lines.length > max) shown.push(`… (the whole brief: ${displayPath(file)})`);
  return shown;
}

/** The files of a milestone the student writes (those with stubs), as paths in the student's tree. */
function studentFiles(layout: LearnerLayout, m: Milestone): string[] {
  return listFiles(m.dir)
    .filter((rel) => isStudentFile(path.join(m.dir, rel)))
    .map((rel) => path.join(layout.exercises, m.folder, rel));
}

interface Checked {
  readonly milestone: Milestone;
  readonly verdict: MilestoneVerdict;
  readonly tests: readonly TestResult[];
  readonly notes: readonly string[];
  /** Printed outside any test (only known right after a run, not remembered). */
  readonly stray?: readonly string[];
}

async function checkOne(layout: LearnerLayout, m: Milestone, options: RunOptions): Promise<Checked> {
  const report = await runMilestones(layout, [m.id], options);
  const tests = report.tests.filter((t) => t.milestone === m.id);
  const notes = report.runErrors.map((e) => e.split('\n')[0]!);
  return {
    milestone: m,
    verdict: judgeMilestone(m.id, tests),
    tests,
    notes,
    stray: strayLines(m.id, report, options.style),
  };
}

/** The remembered result when the milestone's files did not change since it was checked; else a fresh run. */
async function resultOf(layout: LearnerLayout, m: Milestone, options: RunOptions, out: Out): Promise<Checked> {
  const entry = freshEntries(layout, keysFor(layout, options)).get(m.id);
  if (entry !== undefined) return { milestone: m, verdict: entry.verdict, tests: entry.tests, notes: [] };
  out(`checking ${m.id}…`);
  return checkOne(layout, m, options);
}

const keysFor = (layout: LearnerLayout, options: RunOptions): Map<string, string> =>
  milestoneKeys(layout, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});

/** Milestones in order from `start`; the first not done, or undefined when all are. */
async function findCurrent(
  layout: LearnerLayout,
  start: number,
  out: Out,
  options: RunOptions,
): Promise<{ index: number; checked: Checked } | undefined> {
  for (let i = start; i < layout.milestones.length; i++) {
    const checked = await resultOf(layout, layout.milestones[i]!, options, out);
    if (checked.verdict.state !== 'done') return { index: i, checked };
    out(`✓ ${checked.milestone.id} done (${checked.verdict.total} tests pass)`);
  }
  return undefined;
}

function resultLines(c: Checked, style: Style): string[] {
  const lines = [...describeResults(c.milestone.id, c.tests, { showPassed: false, style }), ...(c.stray ?? [])];
  for (const n of c.notes) lines.push(`  note: ${n}`);
  const done = c.verdict.state === 'done';
  lines.push(done ? style.green(`✓ ${c.verdict.summary}`) : style.red(`✗ ${c.verdict.summary}`));
  return lines;
}

export async function learn(layout: LearnerLayout, options: LearnOptions): Promise<number> {
  const { out } = options;
  const style = options.style ?? makeStyle({ isTTY: false, env: { NO_COLOR: '1' } });
  const input = options.input;
  const interactive = options.interactive ?? (input?.isTTY === true && typeof input.setRawMode === 'function');
  const startIndex = options.start !== undefined ? layout.milestones.findIndex((m) => m.id === options.start) : -1;
  if (options.start !== undefined && startIndex < 0) throw new Error(`unknown milestone '${options.start}'`);

  const locate = async (): Promise<{ index: number; checked: Checked } | undefined> => {
    if (startIndex < 0) return findCurrent(layout, 0, out, options);
    return { index: startIndex, checked: await resultOf(layout, layout.milestones[startIndex]!, options, out) };
  };

  if (!interactive) {
    out('no terminal here (stdin is not a TTY), so no watch mode: checking once.');
    out('In scripts and CI use `npm run check -- <milestone>` (exit code 0 when it passes).');
    const found = await locate();
    if (found === undefined) {
      out('every milestone passes: well done');
      return 0;
    }
    out(`current milestone: ${found.checked.milestone.id} — ${briefTitle(found.checked.milestone)}`);
    for (const line of resultLines(found.checked, style)) out(line);
    return found.checked.verdict.state === 'done' ? 0 : 1;
  }

  out('checking where you are…');
  const found = await locate();
  if (found === undefined) {
    out('every milestone passes: well done');
    return 0;
  }
  let index = found.index;
  let shownResult: Checked | undefined = found.checked;
  let hintShown = 0;
  let running = false;
  let pending = false;
  let listing: number | undefined; // the highlighted row while the milestone list is open
  let watcher: FolderWatcher | undefined;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const current = (): Milestone => layout.milestones[index]!;
  const known = (): Map<string, MilestoneVerdict> => knownVerdicts(layout, keysFor(layout, options));
  const bar = (): string => {
    const verdicts = known();
    const done = layout.milestones.filter((m) => verdicts.get(m.id)?.state === 'done').length;
    return progressBar(done, layout.milestones.length, style);
  };
  const folderShown = (): string => `${displayPath(path.join(layout.exercises, current().folder))}/`;
  const keysLine = (): string => {
    const how = watcher?.mode() === 'polling' ? 'polling' : 'watching';
    const keys = 'save to re-check · h hint · l list · n next · r re-run · q quit';
    return style.dim(`[${how} ${folderShown()} — ${keys}]`);
  };

  /** The watch view: bar, milestone, brief, results, files, hint, keys. */
  const render = (): void => {
    const m = current();
    const lines: string[] = [];
    if (options.screen) lines.push(CLEAR_SCREEN + bar(), '');
    lines.push(style.bold(`━━━ ${m.id} — ${briefTitle(m)} ━━━`));
    lines.push(...briefExcerpt(layout, m, shownResult ? BRIEF_LINES_WITH_RESULTS : BRIEF_LINES), '');
    if (shownResult) lines.push(...resultLines(shownResult, style), '');
    const files = studentFiles(layout, m);
    if (files.length > 0) lines.push(`your files: ${files.map((f) => style.link(displayPath(f), f)).join('  ')}`);
    const hints = hintShown > 0 ? readHints(path.join(layout.exercises, m.folder)) : undefined;
    if (hints !== undefined && hintShown > 0) {
      lines.push('', style.yellow(`hint ${hintShown} of ${hints.items.length}:`), hints.items[hintShown - 1]!);
    }
    lines.push(keysLine());
    for (const l of lines) out(l);
  };

  const renderList = (): void => {
    const verdicts = known();
    const lines: string[] = [];
    if (options.screen) lines.push(CLEAR_SCREEN + bar(), '');
    const legend = '  (✓ done · … in progress · · not started · ? not checked since its files changed)';
    lines.push(style.bold('Milestones') + style.dim(legend));
    layout.milestones.forEach((m, i) => {
      const here = i === index ? style.dim('  (current)') : '';
      const row = `${verdictMark(verdicts.get(m.id), style)} ${m.id.padEnd(6)} ${briefTitle(m)}${here}`;
      lines.push(i === listing ? `${style.cyan('›')} ${style.bold(row)}` : `  ${row}`);
    });
    lines.push(style.dim('[↑/↓ or k/j move · Enter open · Esc or l back]'));
    for (const l of lines) out(l);
  };

  const watchCurrent = (): void => {
    watcher?.close();
    watcher = watchFolder(path.join(layout.exercises, current().folder), () => void rerun(), {
      ...(options.poll !== undefined ? { poll: options.poll } : {}),
      onFallback: (e) => out(`note: file watching failed (${e.message}); polling for changes instead`),
    });
  };

  const open = async (i: number): Promise<void> => {
    index = i;
    hintShown = 0;
    watchCurrent();
    shownResult = await resultOf(layout, current(), options, out);
    render();
  };

  const advance = async (from: number): Promise<void> => {
    const next = await findCurrent(layout, from, out, options);
    if (next === undefined) {
      out('every milestone passes: well done');
      quit(0);
      return;
    }
    index = next.index;
    hintShown = 0;
    shownResult = next.checked;
    watchCurrent();
    render();
  };

  const rerun = async (): Promise<void> => {
    if (running) {
      pending = true;
      return;
    }
    running = true;
    try {
      do {
        pending = false;
        out(style.dim(`re-checking ${current().id}…`));
        const c = await checkOne(layout, current(), options);
        if (c.verdict.state === 'done') {
          out(style.green(`✓ ${current().id} passes: moving on`));
          await advance(index + 1);
          return;
        }
        shownResult = c;
        if (listing === undefined) render();
      } while (pending);
    } catch (error) {
      failed(error);
    } finally {
      running = false;
    }
  };

  /** A run that could not be made (not a failing test: those are results) is said, and the loop goes on. */
  const failed = (error: unknown): void => {
    if (finishedAlready || error instanceof RunStoppedError) return;
    out(style.red(`could not run the tests: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`));
  };

  const busy = (what: () => Promise<void>): void => {
    if (running) {
      out('a check is still running; press the key again when it has finished');
      return;
    }
    running = true;
    void what()
      .catch(failed)
      .finally(() => {
        running = false;
        if (pending) void rerun(); // a save while it ran
      });
  };

  const quit = (code: number): void => {
    watcher?.close();
    // A run under way is killed, not waited for; it reports and remembers nothing.
    if (running) stopRuns();
    if (input) {
      input.off('data', onKey);
      if (input.isTTY) input.setRawMode(false);
      input.pause();
    }
    finishedAlready = true;
    finish(code);
  };

  const onListKey = (key: string): void => {
    const last = layout.milestones.length - 1;
    if (key === '\u001b[A' || key === 'k') listing = Math.max(0, (listing ?? 0) - 1);
    else if (key === '\u001b[B' || key === 'j') listing = Math.min(last, (listing ?? 0) + 1);
    else if (key === '\r' || key === '\n') {
      const chosen = listing ?? index;
      listing = undefined;
      busy(() => open(chosen));
      return;
    } else if (key === '\u001b' || key === 'l' || key === 'q') {
      listing = undefined;
      render();
      return;
    } else return;
    renderList();
  };

  const onKey = (data: Buffer): void => {
    // Keys typed fast (or pasted) arrive in one chunk: take them one at a time.
    for (const key of splitKeys(data.toString('utf8'))) {
      if (finishedAlready) return;
      onOneKey(key);
    }
  };
  let finishedAlready = false;

  const onOneKey = (key: string): void => {
    if (key === '\u0003' || key === '\u0004' || (key === 'q' && listing === undefined)) {
      out(
        `bye: your work is in ${displayPath(layout.exercises)}/; \`npm run learn\` starts again at the first ` +
          `milestone that does not pass, \`npm run learn -- ${current().id}\` here`,
      );
      quit(0);
    } else if (listing !== undefined) onListKey(key);
    else if (key === 'h') {
      const hints = readHints(path.join(layout.exercises, current().folder));
      if (hints === undefined || hints.items.length === 0) out('no hints for this milestone');
      else if (hintShown >= hints.items.length) {
        out(`that was the last hint (${hints.items.length}); all of them: npm run hint -- ${current().id} --all`);
      } else {
        hintShown++;
        if (options.screen) render();
        else {
          out(`hint ${hintShown} of ${hints.items.length}:`);
          out(hints.items[hintShown - 1]!);
        }
      }
    } else if (key === 'l') {
      listing = index;
      renderList();
    } else if (key === 'n') {
      if (index + 1 >= layout.milestones.length) out('this is the last milestone');
      else {
        out(`skipping ${current().id} (come back with npm run learn -- ${current().id})`);
        busy(() => open(index + 1));
      }
    } else if (key === 'r') void rerun();
  };

  watchCurrent();
  render();
  if (input) {
    input.setRawMode(true);
    input.resume();
    input.on('data', onKey);
  }
  return finished;
}

/** Raw terminal input split into keys: escape sequences (arrows: ESC [ A) whole, other characters one by one. */
export function splitKeys(input: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < input.length; ) {
    const seq = /^\u001b(?:\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(input.slice(i));
    const key = seq ? seq[0] : String.fromCodePoint(input.codePointAt(i)!);
    keys.push(key);
    i += key.length;
  }
  return keys;
}
