
import { existsSync, } from 'node:fs';
import path from 'node:path';
import { allPass, } from './verdict.ts';
import { isTestFile, listFiles, listMilestones, milestoneIdOf, selectMilestones } from '../../course/layout.ts';
import { rootRel } from '../../lib/paths.ts';
import type { CheckpointReport, RunCheckpointsOptions, } from './types.ts';
import { listTests, runVitest } from './vitest-run.ts';
import { makeWorkspace, removeWorkspace } from './workspace.ts';
import { composeTree, defaultCanonicalRoot, } from './tree.ts';
import { mergeResults, summarize } from './results.ts';

export * from './child.ts';
export * from './events.ts';
export * from './results.ts';
export * from './tree.ts';
export * from './types.ts';
export * from './vitest-run.ts';
export * from './workspace.ts';

export async function runCheckpoints(options: RunCheckpointsOptions): Promise<CheckpointReport> {
  const started = Date.now();
  const target = path.resolve(options.target);
  if (!existsSync(target)) throw new Error(`no such folder: ${target}`);
  const canonicalRoot = options.canonical ?? defaultCanonicalRoot();
  const all = listMilestones(canonicalRoot);
  const chosen = selectMilestones(all, options.milestones);
  const projects = new Set(chosen.map((m) => m.project));
  const targetIds = new Set(listMilestones(target).map((m) => m.id));
  const missingFolders = chosen.filter((m) => !targetIds.has(m.id)).map((m) => m.id);

  const workspace = makeWorkspace('run');
  try {
    composeTree(workspace, target, all, projects);
    const canonicalTests = chosen.flatMap((m) => listFiles(m.dir).filter(isTestFile).map((rel) => `${m.folder}/${rel}`));
    const [expectedRaw, run] = await Promise.all([
      listTests(canonicalTests.map((f) => rootRel(path.join(canonicalRoot, f))), canonicalRoot, path.join(workspace, '.list.json')),
      runVitest({
        include: canonicalTests.map((f) => rootRel(path.join(workspace, f))),
        relativeTo: workspace,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.runTimeoutMs !== undefined ? { runTimeoutMs: options.runTimeoutMs } : {}),
        ...(options.onResult !== undefined ? { onResult: options.onResult } : {}),
      }),
    ]);
    const tests = mergeResults(expectedRaw, run, (f) => f);
    const milestones = summarize(chosen.map((m) => m.id), tests);
    return {
      target,
      tests,
      milestones,
      durationMs: Date.now() - started,
      missingFolders,
      runErrors: [...run.tampering, ...run.unhandled, ...(run.runError !== undefined ? [run.runError] : [])],
      ok: run.tampering.length === 0 && allPass(tests),
      ...(run.stopped !== undefined ? { stopped: run.stopped } : {}),
      ...(run.strayOutput !== undefined
        ? { strayOutput: run.strayOutput.map((o) => ({ ...o, milestone: milestoneIdOf(o.file) ?? '?' })) }
        : {}),
    };
  } finally {
    removeWorkspace(workspace);
  }
}

