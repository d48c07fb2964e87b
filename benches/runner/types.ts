/**
 * The data that travels between the runner's parts: what a cell is (planned by a suite in the parent), what a
 * cell's child process prints back, and how the parent files the results of many processes.
 *
 * A *cell* is one point of a sweep (e.g. "channel pipeline vs Mutex<SharedVec> at 4 threads"). Its child
 * process runs every *variant* of the cell (channel, mutex, ...) interleaved, `reps` times, and prints one
 * sample per variant and repetition. The parent runs each cell in `processes` fresh children, so every variant
 * ends up with samples grouped by process (`number[][]`), which is what the grouped bootstrap in
 * benches/lib/stats.ts resamples.
 */

export type SuiteName = 'channels' | 'locks' | 'pool' | 'kit';
export const SUITE_NAMES: readonly SuiteName[] = ['channels', 'locks', 'pool', 'kit'];

export type ProfileName = 'tiny' | 'quick' | 'full';

/** Which implementation a variant measures: the reference in solutions/, or the --target tree. */
export interface Implementation {
  /** 'reference' or 'target'. Target variants are named `target:<variant>`. */
  readonly label: 'reference' | 'target';
  /** Absolute path of the tree (laid out like solutions/). */
  readonly dir: string;
}

export type ParamValue = number | string | boolean | readonly number[];

export interface CellSpec {
  readonly suite: SuiteName;
  /** Unique within the run, e.g. 'p1m6/t4'. Claims refer to cells as `<suite>:<id>`. */
  readonly id: string;
  /** Which cell implementation (a function in benches/runner/cells/<suite>.ts) runs it. */
  readonly kind: string;
  /** Shown in progress and tables, e.g. "channel vs mutex × 4 threads". */
  readonly label: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Repetitions inside one process (variants interleaved in each). */
  readonly reps: number;
  /** The most threads the cell runs at once (for the oversubscription warning). */
  readonly threads: number;
  /** Implementations to measure; absent for cells that measure the kit or Node only. */
  readonly impls?: readonly Implementation[];
  /** Node flags the child must start with (e.g. --harmony-struct). */
  readonly nodeFlags?: readonly string[];
  readonly timeoutMs: number;
  /**
   * Which of the cell's processes this is (0-based; set by the runner for each child). A cell starts its order of
   * variants there (`rotate(items, rep, spec)`), so that across processes each variant runs in each place: with one
   * repetition per process, a fixed order gave every process the same order effects (a variant always run after a
   * flood of another's messages, or always first, on a cold process).
   */
  readonly round?: number;
}

export type Better = 'lower' | 'higher';

export interface VariantInfo {
  /** Unit of the samples, e.g. 'ms', 'µs/op', 'ns/op', 'msgs/s', 'relative change'. */
  readonly unit: string;
  /** Which way is better, for --compare. */
  readonly better: Better;
}

/** What a child prints (the last line of its stdout, as JSON). */
export interface CellOutput {
  /** One sample per repetition, per variant. */
  readonly samples: Record<string, number[]>;
  readonly info: Record<string, VariantInfo>;
  /** Time series (for trend claims): per variant, one [x, y][] per repetition. */
  readonly series?: Record<string, [number, number][][]>;
  /** Variants that could not run here, with the reason (e.g. Atomics.Mutex needs --harmony-struct). */
  readonly unavailable?: Record<string, string>;
  /** Implementations whose code is still stubbed: label → message of the NotImplementedError. */
  readonly notImplemented?: Record<string, string>;
  readonly notes?: string[];
  /** What the whole cell process used (process.resourceUsage() at the end), beside the parent's wall time. */
  readonly resources?: ProcessResources;
}

export interface ProcessResources {
  /** User + system CPU time of the process, all its threads, ms. */
  readonly cpuMs: number;
  /** Peak resident set size, MB. */
  readonly maxRssMb: number;
}

/** The child's whole answer: its output, or why it failed. */
export type CellAnswer =
  | { readonly ok: true; readonly output: CellOutput }
  | { readonly ok: false; readonly error: string };

/** The parent's record of one cell over all processes. */
export interface CellResult {
  readonly spec: CellSpec;
  /** variant → samples, one inner array per process that produced it. */
  readonly samples: Record<string, number[][]>;
  readonly info: Record<string, VariantInfo>;
  /** variant → one series per repetition (all processes concatenated). */
  readonly series: Record<string, [number, number][][]>;
  readonly unavailable: Record<string, string>;
  readonly notImplemented: Record<string, string>;
  /** Processes that failed (crash, timeout), with their error text. */
  readonly failures: string[];
  readonly notes: string[];
  /** Wall time of each child process, ms. */
  readonly processMs: number[];
  /** CPU time and peak memory of each child process that answered (absent in reports made before they were kept). */
  readonly resources?: ProcessResources[];
}

export interface Profile {
  readonly name: ProfileName;
  /** Fresh processes per cell (each runs the whole sweep once). */
  readonly processes: number;
  /** Repetitions of each cell inside one process. */
  readonly reps: number;
  readonly threadCounts: readonly number[];
  readonly p1m6Entries: number;
  readonly transport: { readonly numbers: number; readonly records: number } | undefined;
  /** Stage time unit for the pipelining cells (the chapter's 100 ms scaled down), ms. */
  readonly pipelineStageMs: number;
  readonly pipelineMessages: number;
  /** Sampling window of the backpressure cell, ms. */
  readonly backpressureWindowMs: number;
  readonly lockOps: number;
  readonly readRatios: readonly number[];
  readonly lockThreadCounts: readonly number[];
  readonly poolWorkerCounts: readonly number[];
  readonly poolTaskMs: readonly number[];
  readonly poolTasks: number;
  readonly cpuWorkerCounts: readonly number[];
  /** Durations of the CPU-bound tasks, ms (the first is the one the claims use). */
  readonly cpuTaskMs: readonly number[];
  /** Piscina beside the kit pool in the sleeping-task cells too (it always runs in the CPU and spawn cells). */
  readonly piscinaInSleep: boolean;
  /** Per-cell repetition overrides (cells that last long enough per repetition). */
  readonly repsOverride: Readonly<Record<string, number>>;
  /** Timeout of one child process, ms. */
  readonly cellTimeoutMs: number;
  readonly spawnTasks: number;
  readonly poolTinyTasks: number;
  /** mitata's minimum CPU time per micro benchmark, ns. */
  readonly microMinCpuNs: number;
  /** The kit `threads` cell: ping-pong round trips, start-ups per sample, how long the parked receiver is watched (ms). */
  /** Lines through the pipeline command in the logs cell (0: no logs cell). */
  readonly logLines: number;
  /** Copies of each fixture photo in the images cell's batch (0: no images cell). */
  readonly imageCopies: number;
  /** Also time the `images` command as whole processes (one worker thread against the default). */
  readonly imagesWholeProcess: boolean;
  readonly threadsCell: { readonly roundTrips: number; readonly startups: number; readonly idleMs: number };
}
