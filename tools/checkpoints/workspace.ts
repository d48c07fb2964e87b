/**
 * Temporary workspaces under `<project>/.checkpoints/`, where `#kit/*` and node_modules resolve; removed with the
 * kit's compiled copies of their modules, and on exit if the process is interrupted.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../course/layout.ts';
import { cacheDir } from '../../kit/internal/compile.ts';

const liveWorkspaces = new Set<string>();
let exitHookInstalled = false;

/**
 * A fresh folder under `<project>/.checkpoints/`, where `#kit/*` and node_modules resolve. It is removed by
 * removeWorkspace, or when the process exits before that (an interrupted run).
 */
export function makeWorkspace(prefix: string): string {
  const base = path.join(projectRoot, '.checkpoints');
  let dir: string | undefined;
  for (let attempt = 0; dir === undefined; attempt++) {
    mkdirSync(base, { recursive: true });
    try {
      dir = mkdtempSync(path.join(base, `${prefix}-`));
    } catch (error) {
      // Another process removed the (then empty) base folder in between: make it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw error;
    }
  }
  liveWorkspaces.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const d of liveWorkspaces) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/**
 * Remove a workspace, and the compiled copies the kit cached for its modules when tests spawned threads
 * (node_modules/.cache/threadkit holds one mirror per source path; a random workspace path would otherwise
 * leave new mirrors behind on every run).
 */
export function removeWorkspace(dir: string): void {
  liveWorkspaces.delete(dir);
  rmSync(dir, { recursive: true, force: true });
  const base = path.dirname(dir);
  try {
    if (readdirSync(base).length === 0) rmdirSync(base);
  } catch {
    // Another run is using .checkpoints/ too; leave it.
  }
  if (!existsSync(cacheDir)) return;
  for (const name of readdirSync(cacheDir)) {
    if (!name.endsWith('.mjs')) continue;
    const file = path.join(cacheDir, name);
    try {
      if (readFileSync(file, 'utf8').includes(dir)) {
        rmSync(file, { force: true });
        rmSync(`${file}.json`, { force: true });
      }
    } catch {
      // Replaced or removed concurrently: nothing to clean.
    }
  }
}
