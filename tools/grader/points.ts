/**
 * Points: every milestone is worth what the course manifest (course/milestones.ts) says, unless the points file
 * (grading/points.json, or --points FILE) gives it other points; milestones the manifest does not know are worth
 * the file's `defaultMilestonePoints`. A milestone's points are split evenly over the tests that run for it. A test given its own points keeps exactly
 * those; the remaining tests of its milestone share what is left. Hidden tests count like any other test when
 * they run (--hidden), so a milestone is worth the same with or without them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../course/layout.ts';
import { milestoneInfo } from '../../course/milestones.ts';

export type Visibility = 'hidden' | 'after_due_date' | 'after_published' | 'visible';

export interface PointsConfig {
  readonly defaultMilestonePoints: number;
  readonly hiddenVisibility: Visibility;
  readonly milestones: Readonly<
    Record<string, { readonly points?: number; readonly tests?: Readonly<Record<string, number>> }>
  >;
}

export const defaultPointsFile = (): string => path.join(projectRoot, 'grading', 'points.json');

const VISIBILITIES: readonly Visibility[] = ['hidden', 'after_due_date', 'after_published', 'visible'];

/** Read and validate a points file; a missing default file means 10 points a milestone. */
export function loadPoints(file: string = defaultPointsFile()): PointsConfig {
  if (!existsSync(file)) {
    if (file === defaultPointsFile())
      return { defaultMilestonePoints: 10, hiddenVisibility: 'after_published', milestones: {} };
    throw new Error(`no points file at ${file}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const bad = (why: string): never => {
    throw new Error(`${file}: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null) return bad('expected an object');
  const r = raw as Record<string, unknown>;
  const isPoints = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  const def = r['defaultMilestonePoints'] ?? 10;
  if (!isPoints(def)) return bad('defaultMilestonePoints must be a number ≥ 0');
  const vis = r['hiddenVisibility'] ?? 'after_published';
  if (!VISIBILITIES.includes(vis as Visibility))
    return bad(`hiddenVisibility must be one of ${VISIBILITIES.join(', ')}`);
  const milestones: Record<string, { points?: number; tests?: Record<string, number> }> = {};
  const ms = r['milestones'] ?? {};
  if (typeof ms !== 'object' || ms === null) return bad('milestones must be an object keyed by milestone id');
  for (const [id, entry] of Object.entries(ms as Record<string, unknown>)) {
    if (!/^p\d+\/m\d+$/.test(id)) bad(`milestones: '${id}' is not a milestone id like p1/m1`);
    const e = (entry ?? {}) as Record<string, unknown>;
    if (e['points'] !== undefined && !isPoints(e['points'])) bad(`milestones.${id}.points must be a number ≥ 0`);
    const tests = (e['tests'] ?? {}) as Record<string, unknown>;
    for (const [name, p] of Object.entries(tests))
      if (!isPoints(p)) bad(`milestones.${id}.tests['${name}'] must be a number ≥ 0`);
    milestones[id] = {
      ...(e['points'] !== undefined ? { points: e['points'] as number } : {}),
      ...(e['tests'] !== undefined ? { tests: tests as Record<string, number> } : {}),
    };
  }
  return { defaultMilestonePoints: def, hiddenVisibility: vis as Visibility, milestones };
}

export interface Allocation {
  /** Points of each test, by test name (in the order given). */
  readonly perTest: ReadonlyMap<string, number>;
  readonly maxScore: number;
  /** Overrides naming tests that do not exist, and overrides worth more than the milestone. */
  readonly warnings: readonly string[];
}

/** What a milestone is worth: the points file's figure for it, else the course manifest's, else the default. */
export function milestonePoints(config: PointsConfig, id: string): number {
  return config.milestones[id]?.points ?? milestoneInfo(id)?.points ?? config.defaultMilestonePoints;
}

/** Share a milestone's points over the names of the tests that run for it. */
export function allocate(config: PointsConfig, milestone: string, testNames: readonly string[]): Allocation {
  const entry = config.milestones[milestone] ?? {};
  const total = milestonePoints(config, milestone);
  const overrides = entry.tests ?? {};
  const warnings: string[] = [];
  for (const name of Object.keys(overrides)) {
    if (!testNames.includes(name))
      warnings.push(`points: ${milestone} has points for '${name}', which is not one of its tests`);
  }
  const fixed = testNames.filter((n) => overrides[n] !== undefined);
  const fixedSum = fixed.reduce((s, n) => s + overrides[n]!, 0);
  const rest = testNames.filter((n) => overrides[n] === undefined);
  let remaining = total - fixedSum;
  if (remaining < 0) {
    warnings.push(
      `points: ${milestone}'s test overrides (${fixedSum}) exceed its ${total} points; the other tests get 0`,
    );
    remaining = 0;
  }
  // Whole hundredths that add up exactly to what is left (10 points over 3 tests: 3.34, 3.33, 3.33).
  const shares = largestRemainder(
    rest.map(() => 1),
    remaining,
  );
  const shareOf = new Map(rest.map((n, i) => [n, shares[i]!]));
  const perTest = new Map(testNames.map((n) => [n, overrides[n] ?? shareOf.get(n) ?? 0]));
  const maxScore = rest.length > 0 ? Math.max(total, fixedSum) : fixedSum;
  return { perTest, maxScore, warnings };
}

/**
 * Split `total` in proportion to `weights`, in whole hundredths that add up to exactly `total` (rounded to
 * hundredths): every part gets the floor of its share, and the hundredths left go to the largest remainders,
 * ties to the earlier part.
 */
export function largestRemainder(weights: readonly number[], total: number): number[] {
  if (weights.length === 0) return [];
  const cents = Math.round(total * 100);
  const sum = weights.reduce((s, x) => s + x, 0);
  const exact = weights.map((x) => (sum > 0 ? (x / sum) * cents : cents / weights.length));
  const floors = exact.map((x) => Math.floor(x + 1e-9));
  let left = cents - floors.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => ({ i, rem: x - floors[i]! })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return floors.map((c) => c / 100);
}

/** Scores shown and summed with two decimals. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;
