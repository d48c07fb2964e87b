/**
 * Where the repository is, and paths written the one way reports, test names and workspaces use (forward
 * slashes, relative to the repository root).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file sits one level below it. */
export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A path with forward slashes, whatever the platform's separator. */
export const posix = (p: string): string => p.split(path.sep).join('/');

/** A path relative to the repository root, with forward slashes. */
export const rootRel = (p: string): string => posix(path.relative(repoRoot, p));
