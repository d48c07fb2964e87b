/**
 * Where the learner's trees are. In the instructors' repository the canonical tests come from solutions/; in a
 * student release (no solutions/) from stubs/, the pristine copy of the exercises the release ships. Either way
 * students write in exercises/, and every command runs the canonical tests against it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultCanonicalRoot } from '../checkpoints/checkpoints.ts';
import { listMilestones, type Milestone, projectRoot } from '../../course/layout.ts';

export interface LearnerLayout {
  /** The repository (or release) root. */
  readonly root: string;
  /** The student's working tree. */
  readonly exercises: string;
  /** Where the canonical tests and given files come from. */
  readonly canonical: string;
  /** Every milestone of the canonical tree, in order. */
  readonly milestones: readonly Milestone[];
}

export function learnerLayout(options: { root?: string; exercises?: string } = {}): LearnerLayout {
  const root = options.root ?? projectRoot;
  const exercises = path.resolve(options.exercises ?? path.join(root, 'exercises'));
  if (!existsSync(exercises)) throw new Error(`no exercises folder at ${exercises}`);
  const canonical = defaultCanonicalRoot(root);
  const milestones = listMilestones(canonical);
  if (milestones.length === 0) throw new Error(`no milestones found in ${canonical}`);
  return { root, exercises, canonical, milestones };
}

/** The milestone with this id, or a one-line error listing the known ids. Accepts 'p1/m3' and 'p1m3'. */
export function findMilestone(layout: LearnerLayout, id: string): Milestone {
  const normalized = id
    .trim()
    .replace(/^(p\d+)[/-]?(m\d+)$/i, (_, p: string, m: string) => `${p.toLowerCase()}/${m.toLowerCase()}`);
  const found = layout.milestones.find((m) => m.id === normalized);
  if (found === undefined) {
    throw new Error(`unknown milestone '${id}'; known milestones: ${layout.milestones.map((m) => m.id).join(', ')}`);
  }
  return found;
}
