/**
 * `--target`: which tree of milestone code the run benchmarks next to the reference, and whether each milestone
 * the suites use is implemented there.
 *
 *   solutions        the reference itself (no separate target variants)
 *   exercises        the generated student tree
 *   <dir>            any folder laid out like solutions/ (p1-pipeline/m6-benchmark/..., p3-counters/...)
 *
 * A milestone is "stubbed" when one of its code files (not its tests) still calls `todo('pN/mN', 'fn')`: the
 * generator puts exactly that call where the student's code goes (kit/todo.ts). Stubbed and missing milestones
 * are reported as "not implemented yet", and their cells skip the target variants. The static scan is a fast
 * first answer; a NotImplementedError thrown at run time (a stub reached through an earlier milestone's import)
 * is recognized by `isNotImplementedError` and reported the same way, never as a crash.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export { repoRoot } from '../../lib/paths.ts';
import { BENCHMARKED } from '../../course/milestones.ts';
import { todoCallsIn } from '../../kit/todo.ts';
import { repoRoot } from '../../lib/paths.ts';
export const solutionsDir: string = path.join(repoRoot, 'solutions');

export interface ResolvedTarget {
  /** As given on the command line. */
  readonly name: string;
  readonly dir: string;
  /** True when the target is the reference tree itself. */
  readonly isReference: boolean;
}

/** Resolves `--target` (default 'solutions'). Throws when the folder does not exist. */
export function resolveTarget(arg: string | undefined, root: string = repoRoot): ResolvedTarget {
  const name = arg ?? 'solutions';
  const dir = name === 'solutions' || name === 'exercises' ? path.join(root, name) : path.resolve(root, name);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--target: no such folder: ${dir}`);
  return { name, dir, isReference: path.resolve(dir) === path.resolve(root, 'solutions') };
}

export type MilestoneState =
  | { readonly status: 'ready'; readonly folder: string }
  | { readonly status: 'missing'; readonly folder: string }
  | { readonly status: 'stubbed'; readonly folder: string; readonly stubs: string[] };

/** Stub calls left in a source text: "p1/m6 shareOf", one per call. */
export function stubsIn(source: string): string[] {
  return todoCallsIn(source).map((stub) => `${stub.milestone} ${stub.functionName}`);
}

/**
 * The state of milestone folder `folder` (e.g. 'p1-pipeline/m6-benchmark') in `treeDir`: missing, stubbed
 * (with the stubbed functions) or ready. `mainFile` must exist for the milestone to count as present.
 */
export function milestoneState(treeDir: string, folder: string, mainFile: string): MilestoneState {
  const dir = path.join(treeDir, folder);
  if (!existsSync(path.join(dir, mainFile))) return { status: 'missing', folder };
  const stubs: string[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    stubs.push(...stubsIn(readFileSync(path.join(dir, file), 'utf8')));
  }
  return stubs.length > 0 ? { status: 'stubbed', folder, stubs } : { status: 'ready', folder };
}

/** True when `error` is, wraps (cause chain) or reports (a thread's panic text) a NotImplementedError. */
export function isNotImplementedError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (typeof e !== 'object') return /NotImplementedError|not implemented yet/.test(String(e));
    const err = e as { name?: unknown; message?: unknown; stack?: unknown; cause?: unknown };
    if (err.name === 'NotImplementedError') return true;
    if (typeof err.message === 'string' && /NotImplementedError|not implemented yet:/.test(err.message)) return true;
    if (typeof err.stack === 'string' && /NotImplementedError/.test(err.stack)) return true;
    e = err.cause;
  }
  return false;
}

/** The milestones the suites benchmark (the course manifest's `benchModule`): which folder and file cells import. */
const benchmarked = (id: string): { id: string; folder: string; file: string } => {
  const info = BENCHMARKED.find((m) => m.id === id);
  if (info?.benchModule === undefined) throw new Error(`course/milestones.ts: ${id} has no benchModule`);
  return { id, folder: info.folder, file: info.benchModule };
};
export const BENCHMARKED_MILESTONES = {
  p1m6: benchmarked('p1/m6'),
  p2m6: benchmarked('p2/m6'),
  p3m6: benchmarked('p3/m6'),
} as const;
