/**
 * What the learner remembers between runs: each milestone's last verdict and test results, keyed by a hash of
 * everything its checkpoint run depends on, so learn, progress and the `l` list know what passes without running
 * the tests of a milestone nothing changed for. The key covers, for milestone pN/mK of a student tree:
 *
 * - the student's files of pN/m1 … pN/mK (later milestones import earlier ones of their project),
 * - the canonical files of the same milestones (tests, given helpers, data),
 * - the kit, the checkpoint runner and its vitest config, and the per-test timeout.
 *
 * A change to any of them makes the entry stale, and the milestone is run again. The file lives at
 * `<root>/.checkpoints/state.json` (gitignored); a missing, unreadable or older-format file is an empty state.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckpointReport, TestResult } from '../checkpoints/checkpoints.ts';
import { listFiles, milestoneIdOf } from '../../course/layout.ts';
import { judgeMilestone, type MilestoneVerdict } from './explain.ts';
import type { LearnerLayout } from './layout.ts';

const FORMAT = 1;

export interface StateEntry {
  readonly key: string;
  readonly verdict: MilestoneVerdict;
  readonly tests: readonly TestResult[];
  readonly checkedAt: string;
}

interface StateFile {
  readonly format: number;
  /** Per student tree (absolute path), per milestone id. */
  readonly trees: Record<string, Record<string, StateEntry>>;
}

export const stateFile = (layout: LearnerLayout): string => path.join(layout.root, '.checkpoints', 'state.json');

function readState(layout: LearnerLayout): StateFile {
  try {
    const parsed = JSON.parse(readFileSync(stateFile(layout), 'utf8')) as StateFile;
    if (parsed.format === FORMAT && typeof parsed.trees === 'object' && parsed.trees !== null) return parsed;
  } catch {
    // No state yet, or a damaged file: start over.
  }
  return { format: FORMAT, trees: {} };
}

function hashFolder(
  hash: ReturnType<typeof createHash>,
  label: string,
  dir: string,
  skip: (rel: string) => boolean = () => false,
): void {
  for (const rel of listFiles(dir)) {
    if (skip(rel)) continue;
    let content: Buffer;
    try {
      content = readFileSync(path.join(dir, rel));
    } catch {
      continue;
    }
    hash.update(`${label}/${rel}\0${content.length}\0`);
    hash.update(content);
  }
}

/** The key of every milestone of the layout (see the header), in one pass over the files. */
export function milestoneKeys(layout: LearnerLayout, options: { timeoutMs?: number } = {}): Map<string, string> {
  const base = createHash('sha256');
  base.update(`format ${FORMAT}\0timeout ${options.timeoutMs ?? 15_000}\0`);
  hashFolder(base, 'kit', path.join(layout.root, 'kit'));
  hashFolder(base, 'checkpoints', path.join(layout.root, 'tools', 'checkpoints'), (rel) => rel.endsWith('.test.ts'));
  for (const file of ['vitest.checkpoints.config.ts', 'package-lock.json']) {
    try {
      base.update(readFileSync(path.join(layout.root, file)));
    } catch {
      base.update(`no ${file}`);
    }
  }
  const baseDigest = base.digest('hex');
  const keys = new Map<string, string>();
  const chain = new Map<string, string>(); // project → digest of its milestones so far
  for (const m of layout.milestones) {
    const h = createHash('sha256');
    h.update(chain.get(m.project) ?? baseDigest);
    h.update(`\0${m.id}\0`);
    hashFolder(h, 'canonical', m.dir);
    // The student's own test files are never run (the canonical ones are), so they do not count.
    hashFolder(h, 'student', path.join(layout.exercises, m.folder), (rel) => /\.test\.[cm]?tsx?$/.test(rel));
    const digest = h.digest('hex');
    chain.set(m.project, digest);
    keys.set(m.id, digest);
  }
  return keys;
}

/** The remembered entries that are still valid for these keys. */
export function freshEntries(layout: LearnerLayout, keys: ReadonlyMap<string, string>): Map<string, StateEntry> {
  const tree = readState(layout).trees[layout.exercises] ?? {};
  const out = new Map<string, StateEntry>();
  for (const [id, key] of keys) {
    const entry = tree[id];
    if (entry !== undefined && entry.key === key) out.set(id, entry);
  }
  return out;
}

/**
 * Remember the verdicts of a run of `ids`, under the keys computed before it started (a file saved during the
 * run makes the entry stale again). A milestone is not remembered when the run was stopped before its tests
 * could finish and other milestones shared the run (it may only have been waiting for another's hang).
 */
export function recordRun(
  layout: LearnerLayout,
  keys: ReadonlyMap<string, string>,
  ids: readonly string[],
  report: CheckpointReport,
): void {
  const state = readState(layout);
  const tree = { ...(state.trees[layout.exercises] ?? {}) };
  const unfinished = new Set((report.stopped?.unfinished ?? []).map((f) => milestoneIdOf(f)));
  for (const id of ids) {
    const key = keys.get(id);
    if (key === undefined) continue;
    const tests = report.tests.filter((t) => t.milestone === id);
    if (ids.length > 1 && unfinished.has(id)) continue;
    tree[id] = { key, verdict: judgeMilestone(id, tests), tests, checkedAt: new Date().toISOString() };
  }
  const file = stateFile(layout);
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ format: FORMAT, trees: { ...state.trees, [layout.exercises]: tree } })}\n`);
  renameSync(temp, file);
}

/** The known verdict of each milestone (undefined when it has not been checked since its files changed). */
export function knownVerdicts(layout: LearnerLayout, keys: ReadonlyMap<string, string>): Map<string, MilestoneVerdict> {
  return new Map([...freshEntries(layout, keys)].map(([id, e]) => [id, e.verdict]));
}
