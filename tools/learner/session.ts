/**
 * `npm run learn`: the watch loop. It finds the first milestone whose checkpoint tests do not all pass (checking
 * them in order, one vitest run each, so a student at p1/m1 waits seconds, not the whole suite), shows its
 * brief, re-runs its tests whenever a file of that milestone is saved, and moves on once they pass.
 * Keys (raw-mode stdin): h next hint, l list, n skip to the next milestone, r re-run, q quit.
 * Without a terminal it checks once and exits, pointing at `npm run check`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Milestone } from '../../course/layout.ts';
import { type Out, briefTitle, runMilestones, type RunOptions } from './commands.ts';
import { describeResults, judgeMilestone, type MilestoneVerdict } from './explain.ts';
import { readHints } from './hints.ts';
import type { LearnerLayout } from './layout.ts';
import { type FolderWatcher, watchFolder } from './watch.ts';

export interface LearnOptions extends RunOptions {
  readonly out: Out;
  /** Use polling from the start (fs.watch unreliable here). */
  readonly poll?: boolean;
  /** Keyboard input; interactive only when it is a TTY. */
  readonly input?: NodeJS.ReadStream;
  /** Overrides input.isTTY (tests). */
  readonly interactive?: boolean;
}

const BRIEF_LINES = 24;

/** The opening of the brief, up to the first '## ' section after the goal, capped. */
function briefExcerpt(layout: LearnerLayout, m: Milestone): string[] {
  const file = path.join(layout.exercises, m.folder, 'README.md');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [`(no brief: ${file} is missing)`];
  }
  const lines = text.trimEnd().split('\n');
  const shown = lines.slice(0, BRIEF_LINES);
  const rel = path.relative(process.cwd(), file) || file;
  if (lines.length > BRIEF_LINES) shown.push(`… (the whole brief: ${rel})`);
  return shown;
}

interface Checked {
  readonly milestone: Milestone;
  readonly verdict: MilestoneVerdict;
  readonly lines: string[];
}

async function checkOne(layout: LearnerLayout, m: Milestone, options: RunOptions): Promise<Checked> {
  const report = await runMilestones(layout, [m.id], options);
  const verdict = judgeMilestone(m.id, report.tests);
  const lines = describeResults(m.id, report.tests, { showPassed: false });
  for (const e of report.runErrors) lines.push(`  note: ${e.split('\n')[0]}`);
  return { milestone: m, verdict, lines };
}

/** Check milestones in order from `start`; the first not done, or undefined when all are. */
async function findCurrent(layout: LearnerLayout, start: number, out: Out, options: RunOptions): Promise<{ index: number; checked: Checked } | undefined> {
  for (let i = start; i < layout.milestones.length; i++) {
    const m = layout.milestones[i]!;
    const checked = await checkOne(layout, m, options);
    if (checked.verdict.state !== 'done') return { index: i, checked };
    out(`✓ ${m.id} done (${checked.verdict.total} tests pass)`);
  }
  return undefined;
}

function printResult(out: Out, c: Checked): void {
  for (const line of c.lines) out(line);
  out(`${c.verdict.state === 'done' ? '✓' : '✗'} ${c.verdict.summary}`);
}

export async function learn(layout: LearnerLayout, options: LearnOptions): Promise<number> {
  const { out } = options;
  const input = options.input;
  const interactive = options.interactive ?? (input?.isTTY === true && typeof input.setRawMode === 'function');
  if (!interactive) {
    out('no terminal here (stdin is not a TTY), so no watch mode: checking once.');
    out('In scripts and CI use `npm run check -- <milestone>` (exit code 0 when it passes).');
    const found = await findCurrent(layout, 0, out, options);
    if (found === undefined) {
      out('every milestone passes: well done');
      return 0;
    }
    out(`current milestone: ${found.checked.milestone.id} — ${briefTitle(found.checked.milestone)}`);
    printResult(out, found.checked);
    return 1;
  }

  out('checking where you are…');
  let found = await findCurrent(layout, 0, out, options);
  if (found === undefined) {
    out('every milestone passes: well done');
    return 0;
  }
  let index = found.index;
  let hintShown = 0;
  let running = false;
  let pending = false;
  let watcher: FolderWatcher | undefined;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const current = (): Milestone => layout.milestones[index]!;
  const keysLine = (): void => out(`[${watcher?.mode() === 'polling' ? 'polling' : 'watching'} exercises/${current().folder}/ — save to re-check · h hint · l list · n next · r re-run · q quit]`);

  const show = (c: Checked | undefined): void => {
    const m = current();
    out('');
    out(`━━━ ${m.id} — ${briefTitle(m)} ━━━`);
    for (const line of briefExcerpt(layout, m)) out(line);
    out('');
    if (c) printResult(out, c);
    watcher?.close();
    watcher = watchFolder(path.join(layout.exercises, m.folder), () => void rerun(), {
      ...(options.poll !== undefined ? { poll: options.poll } : {}),
      onFallback: (e) => out(`note: file watching failed (${e.message}); polling for changes instead`),
    });
    keysLine();
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
    show(next.checked);
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
        out(`\nre-checking ${current().id}…`);
        const c = await checkOne(layout, current(), options);
        printResult(out, c);
        if (c.verdict.state === 'done') {
          out(`✓ ${current().id} passes: moving on`);
          await advance(index + 1);
          return;
        }
        keysLine();
      } while (pending);
    } finally {
      running = false;
    }
  };

  const quit = (code: number): void => {
    watcher?.close();
    if (input) {
      input.off('data', onKey);
      if (input.isTTY) input.setRawMode(false);
      input.pause();
    }
    finish(code);
  };

  const onKey = (data: Buffer): void => {
    const key = data.toString('utf8');
    if (key === 'q' || key === '\u0003' || key === '\u0004') {
      out('bye: your work is in exercises/; `npm run learn` picks up where you are');
      quit(0);
    } else if (key === 'h') {
      const hints = readHints(path.join(layout.exercises, current().folder));
      if (hints === undefined || hints.items.length === 0) out('no hints for this milestone');
      else if (hintShown >= hints.items.length) out(`that was the last hint (${hints.items.length}); all of them: npm run hint -- ${current().id} --all`);
      else {
        hintShown++;
        out(`hint ${hintShown} of ${hints.items.length}:`);
        out(hints.items[hintShown - 1]!);
      }
    } else if (key === 'l') {
      layout.milestones.forEach((m, i) => {
        const state = i < index ? 'done or skipped' : i === index ? 'current' : '';
        out(`${i === index ? '→' : ' '} ${m.id.padEnd(6)} ${briefTitle(m)}${state ? `  (${state})` : ''}`);
      });
      out('(`npm run progress` re-checks every milestone)');
    } else if (key === 'n') {
      if (index + 1 >= layout.milestones.length) out('this is the last milestone');
      else if (!running) {
        out(`skipping ${current().id} (come back with npm run check -- ${current().id})`);
        index++;
        hintShown = 0;
        show(undefined);
        void rerun();
      } else out('a check is still running; press n again when it has finished');
    } else if (key === 'r') void rerun();
  };

  show(found.checked);
  found = undefined;
  if (input) {
    input.setRawMode(true);
    input.resume();
    input.on('data', onKey);
  }
  return finished;
}
