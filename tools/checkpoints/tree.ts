/**
 * Which tree is canonical, which of its files a student writes, and the composed tree a run tests: the target's
 * milestone folders with every canonical file that is not the student's laid on top.
 */
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isMutantCatalogPath, stubSource } from '../exercises/generate.ts';
import {
  isTestFile,
  isTypeScriptModule,
  listFiles,
  listMilestones,
  type Milestone,
  projectRoot,
} from '../../course/layout.ts';

const STUB_IMPORT_RE = /^import \{ todo \} from '#kit\/todo\.ts';$/m;

/**
 * The tree whose tests are canonical when the caller names none: solutions/ in the instructors' repository; in a
 * student release (no solutions/), stubs/, the untouched copy of the exercises that the release ships for reset;
 * failing that, exercises/ itself.
 */
export function defaultCanonicalRoot(root: string = projectRoot): string {
  for (const name of ['solutions', 'stubs']) {
    const dir = path.join(root, name);
    if (existsSync(dir)) return dir;
  }
  return path.join(root, 'exercises');
}

/**
 * Whether a canonical file is written by students (it has solution regions), as opposed to given. A canonical
 * tree of stubs (the student release has no solutions/) marks the same files by importing the stubs' `todo`.
 */
export function isStudentFile(canonicalFile: string): boolean {
  if (!isTypeScriptModule(canonicalFile) || isTestFile(canonicalFile)) return false;
  try {
    const source = readFileSync(canonicalFile, 'utf8');
    if (STUB_IMPORT_RE.test(source)) return true;
    // The generator's own reading of the markers, so both agree on what a student writes.
    return stubSource(source, canonicalFile, 'p0/m0').regions.length > 0;
  } catch {
    return true; // malformed markers: certainly meant to be written by the student
  }
}

/**
 * Lay out, in `dir`, the milestone folders of `projects`: every file of `target`'s milestone folders, then every
 * canonical file that is not a student file on top (tests, helpers, data), and with test files the canonical tree
 * does not have removed (a student's own tests are not checkpoints). A target folder is matched to the canonical
 * one by milestone id and takes the canonical folder's name, because later milestones import earlier ones by
 * relative path (`../m1-mpsc/log-entry.ts`): a copy with `m1-channels/` for p1/m1 still works.
 */
export function composeTree(
  dir: string,
  target: string,
  canonical: readonly Milestone[],
  projects: ReadonlySet<string>,
): void {
  for (const m of listMilestones(target)) {
    const folder = canonical.find((c) => c.id === m.id)?.folder ?? m.folder;
    // Symbolic links are left out: followed on this side they would read or (copying canonical files on top)
    // write whatever they point at, outside the submission.
    if (projects.has(folder.split('/')[0] ?? ''))
      cpSync(m.dir, path.join(dir, folder), { recursive: true, filter: (src) => !lstatSync(src).isSymbolicLink() });
  }
  for (const m of canonical) {
    if (!projects.has(m.project)) continue;
    const canonicalFiles = new Set(listFiles(m.dir));
    for (const rel of canonicalFiles) {
      const from = path.join(m.dir, rel);
      // Wrong solutions are for instructors' checks only; code under test never sees them.
      if (isStudentFile(from) || isMutantCatalogPath(rel)) continue;
      const to = path.join(dir, m.folder, rel);
      mkdirSync(path.dirname(to), { recursive: true });
      cpSync(from, to);
    }
    for (const rel of listFiles(path.join(dir, m.folder))) {
      if (isTestFile(rel) && !canonicalFiles.has(rel)) rmSync(path.join(dir, m.folder, rel));
    }
  }
}
