import path from 'node:path';
import { type CheckpointReport, runCheckpoints, type TestStatus } from '../checkpoints/checkpoints.ts';
import { type Milestone, milestoneIdOf } from '../../course/layout.ts';
import { describeResults, explainFailure, judgeMilestone, type MilestoneVerdict } from './explain.ts';
import { readHints } from './hints.ts';
import { findMilestone, type LearnerLayout } from './layout.ts';
import { applyReset, resetPlan } from './reset.ts';
import { titleOf } from '../../course/milestones.ts';
import { freshEntries, milestoneKeys, recordRun } from './state.ts';
import { makeStyle, type Style } from './style.ts';

export type Out = (line: string) => void;

export interface RunOptions {
  /** Per-test timeout. */
  readonly timeoutMs?: number;
  /** Wall-clock limit of one test run. */
  readonly runTimeoutMs?: number;
  /** Called as each test finishes. */
  readonly onResult?: (test: { readonly file: string; readonly name: string; readonly status: TestStatus }) => void;
  /** Colours and links (plain by default). */
  readonly style?: Style;
}

/** Run the canonical tests of some milestones against the student's tree, and remember the verdicts. */
export async function runMilestones(
  layout: LearnerLayout,
  ids: readonly string[],
  options: RunOptions = {},
): Promise<CheckpointReport> {
  // The keys are taken before the run: a file saved while it runs makes the remembered verdict stale again.
  const keys = milestoneKeys(layout, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
  const report = await runCheckpoints({
    target: layout.exercises,
    canonical: layout.canonical,
    milestones: ids,
    timeoutMs: options.timeoutMs ?? 15_000,
    // A deadlocked test holds the run until this kills it: short for one milestone, so a student waits under a
    // minute to hear that something blocks forever.
    runTimeoutMs: options.runTimeoutMs ?? 30_000 + 15_000 * ids.length,
    ...(options.onResult !== undefined ? { onResult: options.onResult } : {}),
  });
  try {
    recordRun(layout, keys, ids, report);
  } catch {
    // The state is only a cache: a read-only checkout still works, it just re-runs every time.
  }
  return report;
}

const plain = makeStyle({ isTTY: false, env: { NO_COLOR: '1' } });

/** A verdict's mark: ✓ done, … in progress, · not started, ? not checked since its files changed. */
export function verdictMark(verdict: MilestoneVerdict | undefined, style: Style = plain): string {
  if (verdict === undefined) return style.dim('?');
  return verdict.state === 'done'
    ? style.green('✓')
    : verdict.state === 'in progress'
      ? style.yellow('…')
      : style.dim('·');
}

/** What a milestone is about, from the course manifest. */
export const briefTitle = (milestone: Milestone): string => titleOf(milestone.id);

/**
 * `npm run check -- [milestone...] [--json]`: per-test pass/fail; 0 when every test of the chosen milestones
 * passes. With `json`, one JSON document on stdout instead (the format is in LEARN.md).
 */
export async function check(
  layout: LearnerLayout,
  ids: readonly string[],
  out: Out,
  options: RunOptions & { json?: boolean } = {},
): Promise<number> {
  const style = options.style ?? plain;
  const chosen = ids.length === 0 ? [...layout.milestones] : ids.map((id) => findMilestone(layout, id));
  const report = await runMilestones(
    layout,
    chosen.map((m) => m.id),
    options,
  );
  const verdicts = chosen.map((m) => judgeMilestone(m.id, report.tests));
  const allDone = verdicts.every((v) => v.state === 'done');
  if (options.json) {
    out(JSON.stringify(checkJson(chosen, verdicts, report, allDone), null, 2));
    return allDone ? 0 : 1;
  }
  chosen.forEach((m, i) => {
    const verdict = verdicts[i]!;
    out(style.bold(`${m.id} — ${briefTitle(m)}`));
    for (const line of describeResults(m.id, report.tests, { style })) out(line);
    for (const line of strayLines(m.id, report, style)) out(line);
    out(verdict.state === 'done' ? style.green(`✓ ${verdict.summary}`) : style.red(`✗ ${verdict.summary}`));
    if (chosen.length > 1) out('');
  });
  for (const e of report.runErrors) out(`note: ${e.split('\n')[0]}`);
  return allDone ? 0 : 1;
}

/** What a milestone's code printed outside any test, marked as the student's like the output of a test. */
export function strayLines(
  milestone: string,
  report: Pick<CheckpointReport, 'strayOutput'>,
  style: Style = plain,
): string[] {
  const lines: string[] = [];
  for (const o of (report.strayOutput ?? []).filter((x) => x.milestone === milestone)) {
    lines.push(`  ${style.cyan(`your code printed outside any test (loading ${o.file}, or in a hook):`)}`);
    lines.push(...o.output.split('\n').map((l) => `      ${style.cyan('│')} ${l}`));
  }
  return lines;
}

/** The document `check --json` prints. */
function checkJson(
  chosen: readonly Milestone[],
  verdicts: readonly MilestoneVerdict[],
  report: CheckpointReport,
  ok: boolean,
): unknown {
  return {
    ok,
    milestones: chosen.map((m, i) => {
      const v = verdicts[i]!;
      return {
        id: m.id,
        title: briefTitle(m),
        state: v.state,
        passed: v.passed,
        total: v.total,
        summary: v.summary,
        ...(report.strayOutput?.some((o) => o.milestone === m.id)
          ? {
              outputOutsideTests: report.strayOutput
                .filter((o) => o.milestone === m.id)
                .map((o) => o.output)
                .join('\n'),
            }
          : {}),
        tests: report.tests
          .filter((t) => t.milestone === m.id)
          .map((t) => ({
            name: t.name,
            status: t.status,
            ...(t.status === 'failed' ? { message: explainFailure(t, m.id), failure: t.failure ?? 'failed' } : {}),
            ...(t.assertion?.expected !== undefined ? { expected: t.assertion.expected } : {}),
            ...(t.assertion?.actual !== undefined ? { received: t.assertion.actual } : {}),
            ...(t.assertion?.diff !== undefined ? { diff: t.assertion.diff } : {}),
            // What the student's code printed in this test (main thread and threads), capped at 500 characters.
            ...(t.output !== undefined ? { output: t.output } : {}),
          })),
      };
    }),
    notes: report.runErrors,
  };
}

export interface ProgressOptions extends RunOptions {
  readonly ids?: readonly string[];
  /** Ignore what is remembered: run every milestone's tests. */
  readonly recheck?: boolean;
  /** Told which milestones are re-run, before the run starts. */
  readonly onStale?: (ids: readonly string[]) => void;
  /** Told when a milestone runs again on its own, after a hang stopped the shared run. */
  readonly onAlone?: (id: string) => void;
}

/**
 * Every milestone's state: remembered for milestones whose files did not change since they were last checked,
 * re-checked (one vitest process for all the others) otherwise.
 */
export async function progressVerdicts(
  layout: LearnerLayout,
  options: ProgressOptions = {},
): Promise<MilestoneVerdict[]> {
  const ids = options.ids ?? layout.milestones.map((m) => m.id);
  const keys = milestoneKeys(layout, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
  const fresh = options.recheck ? new Map() : freshEntries(layout, keys);
  const stale = ids.filter((id) => !fresh.has(id));
  options.onStale?.(stale);
  const report = stale.length > 0 ? await runMilestones(layout, stale, options) : undefined;
  const verdicts = new Map(ids.map((id) => [id, fresh.get(id)?.verdict ?? judgeMilestone(id, report?.tests ?? [])]));
  // A hang stops the shared run: the milestones it left unfinished may only have been waiting behind it, so each
  // runs again on its own, and the one that hangs is found (and remembered) without blaming the others.
  if (report?.stopped !== undefined && stale.length > 1) {
    const unfinished = new Set(report.stopped.unfinished.map((f) => milestoneIdOf(f)));
    for (const id of stale.filter((s) => unfinished.has(s))) {
      options.onAlone?.(id);
      verdicts.set(id, judgeMilestone(id, (await runMilestones(layout, [id], options)).tests));
    }
  }
  return ids.map((id) => verdicts.get(id)!);
}

export async function progress(
  layout: LearnerLayout,
  out: Out,
  options: ProgressOptions & { live?: (line: string) => void } = {},
): Promise<number> {
  const style = options.style ?? plain;
  let done = 0;
  let failed = 0;
  const verdicts = await progressVerdicts(layout, {
    ...options,
    onStale: (stale) => {
      const unchanged = (options.ids ?? layout.milestones).length - stale.length;
      if (stale.length === 0) out(`nothing changed since the last check: ${unchanged} milestones as remembered`);
      else {
        out(
          `re-checking ${stale.length} milestone${stale.length === 1 ? '' : 's'} whose files changed or were never checked (${stale.join(', ')})${unchanged > 0 ? `; ${unchanged} unchanged, as remembered` : ''}…`,
        );
      }
    },
    onAlone: (id) => {
      options.live?.('');
      out(`the shared run was stopped by a hang: running ${id} on its own…`);
    },
    onResult: (t) => {
      done++;
      if (t.status === 'failed') failed++;
      options.live?.(`  ${done} tests run, ${failed} failed (${t.file.split('/').slice(0, 2).join('/')})`);
    },
  });
  options.live?.('');
  const word = { done: 'done', 'in progress': 'in progress', 'not started': 'not started' } as const;
  for (const v of verdicts) {
    const blocked =
      v.blockedBy !== undefined && v.state !== 'not started'
        ? ` (blocked: ${v.blockedBy.milestone}'s ${v.blockedBy.functionName} is a stub)`
        : '';
    out(
      `${verdictMark(v, style)} ${v.milestone.padEnd(6)} ${word[v.state].padEnd(12)} ${`${v.passed}/${v.total}`.padStart(5)} tests${blocked}`,
    );
  }
  const finished = verdicts.filter((v) => v.state === 'done').length;
  const next = verdicts.find((v) => v.state !== 'done');
  out(
    `${finished} of ${verdicts.length} milestones done${next ? `; next: ${next.milestone} (npm run learn -- ${next.milestone}, or npm run check -- ${next.milestone})` : ': all finished'}`,
  );
  return 0;
}

/** `npm run hint -- <milestone> [n|--all]`: hint n (1 by default), or all of them. */
export function hint(layout: LearnerLayout, id: string, which: number | 'all', out: Out): number {
  const m = findMilestone(layout, id);
  const hints = readHints(path.join(layout.exercises, m.folder)) ?? readHints(m.dir);
  if (hints === undefined || hints.items.length === 0) {
    out(
      `${m.id} has no hints.md; its brief is ${path.relative(process.cwd(), path.join(layout.exercises, m.folder, 'README.md'))}`,
    );
    return 0;
  }
  if (which === 'all') {
    out(hints.heading);
    for (const item of hints.items) out(item);
    return 0;
  }
  const item = hints.items[which - 1];
  if (item === undefined)
    throw new Error(`${m.id} has ${hints.items.length} hints; ask for 1 to ${hints.items.length}, or --all`);
  out(`hint ${which} of ${hints.items.length} for ${m.id}:`);
  out(item);
  if (which < hints.items.length)
    out(`(next: npm run hint -- ${m.id} ${which + 1}; all: npm run hint -- ${m.id} --all)`);
  return 0;
}

/** `npm run reset -- <milestone> [--yes]`: put the milestone's files back to their stubs, after asking. */
export async function reset(
  layout: LearnerLayout,
  id: string,
  confirm: (question: string) => Promise<boolean>,
  out: Out,
): Promise<number> {
  const m = findMilestone(layout, id);
  const { changes, stubs } = resetPlan(layout, m);
  if (changes.length === 0) {
    out(`${m.id} is already at its starting stubs; nothing to do`);
    return 0;
  }
  out(`resetting ${m.id} overwrites your work in:`);
  for (const f of changes) out(`  ${path.join(layout.exercises, f)}`);
  if (!(await confirm('overwrite these files? [y/N] '))) {
    out('nothing changed');
    return 1;
  }
  applyReset(layout, m, stubs);
  out(
    `${m.id} is back to its stubs (${changes.length} file${changes.length === 1 ? '' : 's'} restored; files you added were kept)`,
  );
  return 0;
}
