/**
 * Putting a milestone back to its starting stubs. In the instructors' repository the stubs come from the
 * generator (solutions/ is the source); in a student release, from stubs/, the copy the release was generated
 * with. Only files that differ are rewritten; files the student added are left alone.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildExercises } from '../exercises/generate.ts';
import { listFiles, type Milestone } from '../../course/layout.ts';
import type { LearnerLayout } from './layout.ts';

/** The starting version of every file of one milestone folder, keyed by path relative to the folder. */
export function stubFiles(layout: LearnerLayout, milestone: Milestone): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (path.basename(layout.canonical) === 'solutions') {
    const prefix = `${milestone.folder}/`;
    for (const [rel, { content }] of buildExercises(layout.canonical)) {
      if (rel.startsWith(prefix)) out.set(rel.slice(prefix.length), content);
    }
    return out;
  }
  if (path.resolve(layout.canonical) === path.resolve(layout.exercises)) {
    throw new Error('there is no pristine copy of the exercises here (no solutions/ and no stubs/): cannot reset');
  }
  for (const rel of listFiles(milestone.dir)) out.set(rel, readFileSync(path.join(milestone.dir, rel)));
  return out;
}

/** Files of the student's folder that would change on reset (relative to the exercises tree). */
export function resetPlan(
  layout: LearnerLayout,
  milestone: Milestone,
): { changes: string[]; stubs: Map<string, Buffer> } {
  const stubs = stubFiles(layout, milestone);
  const changes: string[] = [];
  for (const [rel, content] of stubs) {
    const dest = path.join(layout.exercises, milestone.folder, rel);
    if (!existsSync(dest) || !readFileSync(dest).equals(content)) changes.push(`${milestone.folder}/${rel}`);
  }
  return { changes, stubs };
}

export function applyReset(layout: LearnerLayout, milestone: Milestone, stubs: ReadonlyMap<string, Buffer>): void {
  for (const [rel, content] of stubs) {
    const dest = path.join(layout.exercises, milestone.folder, rel);
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, content);
  }
}
