/**
 * The milestone layout shared by solutions/, exercises/ and any copy a student or grader hands us:
 *
 *     <tree>/<project>/<milestone>/...      e.g. p1-pipeline/m1-mpsc/   →  milestone id 'p1/m1'
 *
 * The id is the short form used in test titles, stub messages and on the command line; the folder names carry
 * a readable suffix that may change without changing the id.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The repository root (lib/paths.ts), under the name the tools use. */
export { repoRoot as projectRoot } from '../lib/paths.ts';

export interface Milestone {
  /** Short id, e.g. 'p1/m1'. */
  readonly id: string;
  /** Project folder name, e.g. 'p1-pipeline'. */
  readonly project: string;
  /** Folder relative to the tree, with forward slashes, e.g. 'p1-pipeline/m1-mpsc'. */
  readonly folder: string;
  /** Absolute path of the milestone folder. */
  readonly dir: string;
}

const PROJECT_RE = /^(p\d+)(?:-[A-Za-z0-9][\w-]*)?$/;
const MILESTONE_RE = /^(m\d+)(?:-[A-Za-z0-9][\w-]*)?$/;

/**
 * The milestone id of a path relative to a tree ('p1-pipeline/m1-mpsc/log-entry.ts' → 'p1/m1'), or undefined
 * when the path is not inside a milestone folder (a project README, a stray file at the top).
 */
export function milestoneIdOf(relativePath: string): string | undefined {
  const parts = relativePath.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  const project = parts[0] === undefined ? undefined : PROJECT_RE.exec(parts[0]);
  const milestone = parts[1] === undefined ? undefined : MILESTONE_RE.exec(parts[1]);
  if (!project || !milestone || parts.length < 2) return undefined;
  return `${project[1]}/${milestone[1]}`;
}

/** Numeric sort key of an id, so that p1/m10 comes after p1/m9. */
function idOrder(id: string): [number, number] {
  const m = /^p(\d+)\/m(\d+)$/.exec(id);
  return m ? [Number(m[1]), Number(m[2])] : [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
}

export function compareMilestoneIds(a: string, b: string): number {
  const [pa, ma] = idOrder(a);
  const [pb, mb] = idOrder(b);
  return pa - pb || ma - mb || a.localeCompare(b);
}

/** Every milestone folder of a tree, in project then milestone order. A missing tree has none. */
export function listMilestones(tree: string): Milestone[] {
  const found: Milestone[] = [];
  if (!existsSync(tree)) return found;
  for (const project of readdirSync(tree).sort()) {
    const projectDir = path.join(tree, project);
    if (!PROJECT_RE.test(project) || !statSync(projectDir).isDirectory()) continue;
    for (const folder of readdirSync(projectDir).sort()) {
      const dir = path.join(projectDir, folder);
      const id = milestoneIdOf(`${project}/${folder}`);
      if (id === undefined || !statSync(dir).isDirectory()) continue;
      found.push({ id, project, folder: `${project}/${folder}`, dir });
    }
  }
  return found.sort((a, b) => compareMilestoneIds(a.id, b.id));
}

/**
 * Check that every requested id exists among `milestones`, and return those milestones; the error lists the
 * known ids, since a typo on the command line is the usual cause.
 */
export function selectMilestones(milestones: readonly Milestone[], ids: readonly string[] | undefined): Milestone[] {
  if (ids === undefined || ids.length === 0) return [...milestones];
  const unknown = ids.filter((id) => !milestones.some((m) => m.id === id));
  if (unknown.length > 0) {
    const known = milestones.map((m) => m.id).join(', ') || '(none)';
    throw new Error(`unknown milestone ${unknown.join(', ')}; known milestones: ${known}`);
  }
  return milestones.filter((m) => ids.includes(m.id));
}

/** Names the tree walk never descends into or copies. */
const IGNORED = new Set(['node_modules', '.DS_Store', '.git']);

/** Every file under `dir`, as sorted forward-slash paths relative to it. A missing folder has none. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs)) {
      if (IGNORED.has(name)) continue;
      const childAbs = path.join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const stat = statSync(childAbs);
      if (stat.isDirectory()) walk(childAbs, childRel);
      else if (stat.isFile()) out.push(childRel);
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out.sort();
}

export const isTestFile = (file: string): boolean => /\.test\.[cm]?tsx?$/.test(file);
export const isTypeScriptModule = (file: string): boolean => /\.[cm]?ts$/.test(file) && !file.endsWith('.d.ts');
