/**
 * Running the canonical checkpoint tests against any tree laid out like exercises/.
 *
 * The tests and the code they depend on but students don't write (thread bodies for the tests, data files) come
 * from solutions/; only the files a student writes (those with solution regions in solutions/) come from the
 * target. So a submission cannot pass by editing a test, and a stale or missing helper cannot fail it.
 *
 * The run happens in a temporary workspace inside the project, `.checkpoints/<random>/` (gitignored), because
 * the milestone code imports the kit as `#kit/...` through package.json "imports" and packages from
 * node_modules: both resolve only from inside the project. Vitest runs as a child process with its own config
 * (vitest.checkpoints.config.ts) and the JSON reporter; a process of its own keeps this script's loader (tsx)
 * out of vitest's workers, and lets a run that hangs (a test blocking the main thread cannot be timed out from
 * inside) be killed as a whole.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { allPass } from './verdict.ts';
import { isTestFile, listFiles, listMilestones, milestoneIdOf, selectMilestones } from '../../course/layout.ts';
import { rootRel } from '../../lib/paths.ts';
import type { CheckpointReport, RunCheckpointsOptions } from './types.ts';
import { listTests, runVitest } from './vitest-run.ts';
import { makeWorkspace, removeWorkspace } from './workspace.ts';
import { composeTree, defaultCanonicalRoot } from './tree.ts';
import { mergeResults, summarize } from './results.ts';

export * from './child.ts';
export * from './events.ts';
export * from './results.ts';
export * from './tree.ts';
export * from './types.ts';
export * from './vitest-run.ts';
export * from './workspace.ts';

/**
 * Run the canonical checkpoint tests of the chosen milestones against `target`. Resolves with a result for every
 * canonical test; never throws for failing tests, only for unusable input (unknown milestone, no such folder).
 */
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
    const canonicalTests = chosen.flatMap((m) =>
      listFiles(m.dir)
        .filter(isTestFile)
        .map((rel) => `${m.folder}/${rel}`),
    );
    const [expectedRaw, run] = await Promise.all([
      listTests(
        canonicalTests.map((f) => rootRel(path.join(canonicalRoot, f))),
        canonicalRoot,
        path.join(workspace, '.list.json'),
      ),
      runVitest({
        include: canonicalTests.map((f) => rootRel(path.join(workspace, f))),
        relativeTo: workspace,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.runTimeoutMs !== undefined ? { runTimeoutMs: options.runTimeoutMs } : {}),
        ...(options.onResult !== undefined ? { onResult: options.onResult } : {}),
      }),
    ]);
    const tests = mergeResults(expectedRaw, run, (f) => f);
    const milestones = summarize(
      chosen.map((m) => m.id),
      tests,
    );
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
