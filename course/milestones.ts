/**
 * The course manifest: the one place that says which milestones exist, in what order, what each is called, which
 * files the student writes, what it is worth, and which module the benchmark runner loads from it. Everything
 * else derives from this list: the learner's order and titles, the grader's titles and default points, the
 * release's contents check, the benchmark runner's milestone list. A test (course/milestones.test.ts) holds it
 * to the tree: every folder exists in solutions/, the student files are exactly the files with solution regions,
 * and each brief's first heading names the same title.
 *
 * Hints stay in each milestone's hints.md, beside the brief they belong to.
 */

export interface MilestoneInfo {
  /** Short id used on the command line, in test titles and in stub messages: 'p1/m1'. */
  readonly id: string;
  /** Folder under solutions/ and exercises/: 'p1-pipeline/m1-mpsc'. */
  readonly folder: string;
  /** What the milestone is about, as its brief's heading says after "Project N · Milestone M — ". */
  readonly title: string;
  /** The files (in the milestone folder) that hold solution regions, i.e. that the student writes. */
  readonly studentFiles: readonly string[];
  /** Default points when grading; a points file (grading/points.json) may set others per test. */
  readonly points: number;
  /** The module of this milestone that the benchmark runner imports, when it benchmarks the milestone. */
  readonly benchModule?: string;
}

const m = (
  id: string,
  folder: string,
  title: string,
  studentFiles: readonly string[],
  extra: { points?: number; benchModule?: string } = {},
): MilestoneInfo => ({ id, folder, title, studentFiles, points: extra.points ?? 10, ...extra });

export const COURSE: readonly MilestoneInfo[] = [
  m('p1/m1', 'p1-pipeline/m1-mpsc', 'one channel, many producers', ['log-entry.ts', 'mpsc.ts']),
  m('p1/m2', 'p1-pipeline/m2-stages', 'a pipeline of stages', ['stages.ts']),
  m('p1/m3', 'p1-pipeline/m3-backpressure', 'bounded channels and backpressure', ['backpressure.ts']),
  m('p1/m4', 'p1-pipeline/m4-shutdown', 'graceful shutdown', ['shutdown.ts']),
  m('p1/m5', 'p1-pipeline/m5-monitoring', 'errors and monitoring', ['monitoring.ts']),
  m('p1/m6', 'p1-pipeline/m6-benchmark', 'channels against shared state', ['benchmark.ts'], {
    points: 5,
    benchModule: 'benchmark.ts',
  }),
  m('p2/m1', 'p2-image-pool/m1-thread-pool', 'a fixed-size thread pool', ['thread-pool.ts']),
  m('p2/m2', 'p2-image-pool/m2-image-tasks', 'real work: image tasks with sharp', ['image-pool.ts', 'image-task.ts']),
  m('p2/m3', 'p2-image-pool/m3-progress', 'progress and results', ['progress.ts', 'tracked-batch.ts']),
  m('p2/m4', 'p2-image-pool/m4-dynamic-submission', 'submitting from anywhere, with a bounded queue', [
    'dynamic-pool.ts',
  ]),
  m('p2/m5', 'p2-image-pool/m5-adaptive-sizing', 'a pool that grows and shrinks', ['adaptive-pool.ts']),
  m('p2/m6', 'p2-image-pool/m6-benchmark', 'the pool against sequential code', ['benchmark.ts'], {
    points: 5,
    benchModule: 'benchmark.ts',
  }),
  m('p3/m1', 'p3-counters/m1-mutex-counter', 'a counter behind a Mutex', ['counter.ts']),
  m('p3/m2', 'p3-counters/m2-contention', 'measuring contention', ['monitored-counter.ts']),
  m('p3/m3', 'p3-counters/m3-rwlock', 'read-mostly data on an RwLock', ['rw-counter.ts']),
  m('p3/m4', 'p3-counters/m4-atomic', 'no lock at all: atomics', ['atomic-counter.ts']),
  m('p3/m5', 'p3-counters/m5-transfer', 'transfers without deadlock', ['transfer.ts']),
  m('p3/m6', 'p3-counters/m6-benchmark', 'Mutex, RwLock or atomics?', ['benchmark.ts'], {
    points: 5,
    benchModule: 'benchmark.ts',
  }),
];

/** The heading a milestone's brief (README.md) starts with. */
export function briefHeading(info: MilestoneInfo): string {
  const [p, n] = info.id.slice(1).split('/m');
  return `Project ${p} · Milestone ${n} — ${info.title}`;
}

/** The manifest entry of an id, or undefined for an id the course does not have. */
export function milestoneInfo(id: string): MilestoneInfo | undefined {
  return COURSE.find((info) => info.id === id);
}

/** The title of a milestone for display: the manifest's, or the id itself for a milestone it does not list. */
export function titleOf(id: string): string {
  return milestoneInfo(id)?.title ?? id;
}

/** The milestones the benchmark runner loads, keyed by id. */
export const BENCHMARKED: readonly MilestoneInfo[] = COURSE.filter((info) => info.benchModule !== undefined);
