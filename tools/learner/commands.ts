/**
 * The student commands, as functions of a layout and an output sink (so tests can drive them): check, progress,
 * hint, reset. Each returns the process exit code. "Done" is always re-checked by running the tests; nothing is
 * remembered between runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CheckpointReport, runCheckpoints } from '../checkpoints/checkpoints.ts';
import type { Milestone } from '../../course/layout.ts';
import { describeResults, judgeMilestone, type MilestoneVerdict } from './explain.ts';
import { readHints } from './hints.ts';
import { findMilestone, type LearnerLayout } from './layout.ts';
import { applyReset, resetPlan } from './reset.ts';
import { titleOf } from '../../course/milestones.ts';

export type Out = (line: string) => void;

export interface RunOptions {
  /** Per-test timeout. */
  readonly timeoutMs?: number;
  /** Wall-clock limit of one test run. */
  readonly runTimeoutMs?: number;
}

/** Run the canonical tests of some milestones against the student's tree. */
export function runMilestones(layout: LearnerLayout, ids: readonly string[], options: RunOptions = {}): Promise<CheckpointReport> {
  return runCheckpoints({
    target: layout.exercises,
    canonical: layout.canonical,
    milestones: ids,
    timeoutMs: options.timeoutMs ?? 15_000,
    // A deadlocked test holds the run until this kills it: short for one milestone, so a student waits under a
    // minute to hear that something blocks forever.
    runTimeoutMs: options.runTimeoutMs ?? 30_000 + 15_000 * ids.length,
  });
}

/** What a milestone is about, from the course manifest. */
export const briefTitle = (milestone: Milestone): string => titleOf(milestone.id);

/** `npm run check -- [milestone...]`: per-test pass/fail; 0 when every test of the chosen milestones passes. */
export async function check(layout: LearnerLayout, ids: readonly string[], out: Out, options: RunOptions = {}): Promise<number> {
  const chosen = ids.length === 0 ? [...layout.milestones] : ids.map((id) => findMilestone(layout, id));
  const report = await runMilestones(layout, chosen.map((m) => m.id), options);
  let allDone = true;
  for (const m of chosen) {
    const verdict = judgeMilestone(m.id, report.tests);
    out(`${m.id} — ${briefTitle(m)}`);
    for (const line of describeResults(m.id, report.tests)) out(line);
    out(`${verdict.state === 'done' ? '✓' : '✗'} ${verdict.summary}`);
    if (chosen.length > 1) out('');
    if (verdict.state !== 'done') allDone = false;
  }
  for (const e of report.runErrors) out(`note: ${e.split('\n')[0]}`);
  return allDone ? 0 : 1;
}

/** Every milestone's state, re-checked by running all the tests (one vitest process). */
export async function progressVerdicts(layout: LearnerLayout, options: RunOptions & { ids?: readonly string[] } = {}): Promise<MilestoneVerdict[]> {
  const ids = options.ids ?? layout.milestones.map((m) => m.id);
  const report = await runMilestones(layout, ids, options);
  return ids.map((id) => judgeMilestone(id, report.tests));
}

export async function progress(layout: LearnerLayout, out: Out, options: RunOptions & { ids?: readonly string[] } = {}): Promise<number> {
  out('checking every milestone (this runs all the checkpoint tests)…');
  const verdicts = await progressVerdicts(layout, options);
  const mark = { done: '✓', 'in progress': '…', 'not started': ' ' } as const;
  for (const v of verdicts) {
    const blocked = v.blockedBy !== undefined && v.state !== 'not started' ? ` (blocked: ${v.blockedBy.milestone}'s ${v.blockedBy.functionName} is a stub)` : '';
    out(`${mark[v.state]} ${v.milestone.padEnd(6)} ${v.state.padEnd(12)} ${`${v.passed}/${v.total}`.padStart(5)} tests${blocked}`);
  }
  const done = verdicts.filter((v) => v.state === 'done').length;
  const next = verdicts.find((v) => v.state !== 'done');
  out(`${done} of ${verdicts.length} milestones done${next ? `; next: ${next.milestone} (npm run learn, or npm run check -- ${next.milestone})` : ': all finished'}`);
  return 0;
}

/** `npm run hint -- <milestone> [n|--all]`: hint n (1 by default), or all of them. */
export function hint(layout: LearnerLayout, id: string, which: number | 'all', out: Out): number {
  const m = findMilestone(layout, id);
  const hints = readHints(path.join(layout.exercises, m.folder)) ?? readHints(m.dir);
  if (hints === undefined || hints.items.length === 0) {
    out(`${m.id} has no hints.md; its brief is ${path.relative(process.cwd(), path.join(layout.exercises, m.folder, 'README.md'))}`);
    return 0;
  }
  if (which === 'all') {
    out(hints.heading);
    for (const item of hints.items) out(item);
    return 0;
  }
  const item = hints.items[which - 1];
  if (item === undefined) throw new Error(`${m.id} has ${hints.items.length} hints; ask for 1 to ${hints.items.length}, or --all`);
  out(`hint ${which} of ${hints.items.length} for ${m.id}:`);
  out(item);
  if (which < hints.items.length) out(`(next: npm run hint -- ${m.id} ${which + 1}; all: npm run hint -- ${m.id} --all)`);
  return 0;
}

/** `npm run reset -- <milestone> [--yes]`: put the milestone's files back to their stubs, after asking. */
export async function reset(layout: LearnerLayout, id: string, confirm: (question: string) => Promise<boolean>, out: Out): Promise<number> {
  const m = findMilestone(layout, id);
  const { changes, stubs } = resetPlan(layout, m);
  if (changes.length === 0) {
    out(`${m.id} is already at its starting stubs; nothing to do`);
    return 0;
  }
  out(`resetting ${m.id} overwrites your work in:`);
  for (const f of changes) out(`  exercises/${f}`);
  if (!(await confirm('overwrite these files? [y/N] '))) {
    out('nothing changed');
    return 1;
  }
  applyReset(layout, m, stubs);
  out(`${m.id} is back to its stubs (${changes.length} file${changes.length === 1 ? '' : 's'} restored; files you added were kept)`);
  return 0;
}
