/**
 * Run profiles: how much of the chapter's matrix a run covers and how often it repeats it.
 *
 *   quick (default)  every claim this machine can judge, in under three minutes on 2 cores: thread counts up to
 *                    4 (above the core count only to show the curve), scaled-down sizes, 5 processes × 2 reps (five
 *                    process groups: the fewest on which a bootstrap interval over processes is worth reading).
 *                    The kit-vs-postMessage cell keeps full size (its ratio depends on the volume: postMessage's
 *                    queue is unbounded) and runs once per process instead.
 *   full             the chapter's whole matrix: 1, 2, 4, 8, 16 threads, 100k log entries, 1M lock operations,
 *                    task durations 1/10/100 ms; 5 processes × 3 reps (long: tens of minutes)
 *   tiny             (hidden, for the end-to-end test) one process, one repetition, the smallest sizes
 *
 * Sizes are chosen so that every cell's timed part lasts long enough (≥ ~10 ms) for the timer and short enough
 * that repeating it in fresh processes stays affordable.
 */
import type { Profile, ProfileName } from './types.ts';

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  tiny: {
    name: 'tiny',
    processes: 1,
    reps: 1,
    threadCounts: [1],
    p1m6Entries: 2_000,
    transport: undefined,
    pipelineStageMs: 2,
    pipelineMessages: 6,
    backpressureWindowMs: 200,
    lockOps: 10_000,
    readRatios: [0.9],
    lockThreadCounts: [1],
    poolWorkerCounts: [2],
    poolTaskMs: [10],
    poolTasks: 4,
    cpuWorkerCounts: [1],
    cpuTaskMs: [5],
    piscinaInSleep: false,
    repsOverride: {},
    cellTimeoutMs: 60_000,
    spawnTasks: 4,
    poolTinyTasks: 200,
    microMinCpuNs: 5e6,
    logLines: 0,
    imageCopies: 0,
    imagesWholeProcess: false,
    threadsCell: { roundTrips: 2_000, startups: 2, idleMs: 100 },
  },
  quick: {
    name: 'quick',
    processes: 5,
    reps: 2,
    threadCounts: [1, 2, 4],
    p1m6Entries: 20_000,
    transport: { numbers: 1_000_000, records: 200_000 }, // the harness's own volume, twice per process (see reps)
    pipelineStageMs: 3,
    pipelineMessages: 12,
    backpressureWindowMs: 600,
    lockOps: 100_000,
    readRatios: [0.5, 0.9, 0.99],
    lockThreadCounts: [1, 2],
    poolWorkerCounts: [1, 2, 4, 8],
    poolTaskMs: [10],
    poolTasks: 16,
    cpuWorkerCounts: [1, 2],
    cpuTaskMs: [5],
    piscinaInSleep: false,
    // transport keeps the default 2: its kit rounds spread 2x within one process (threads parking onto one core), so a
    // median of 5 samples moved its ratios by a third between runs; the second round costs ~1.2 s per process.
    repsOverride: { backpressure: 1, images: 1, logs: 1 },
    cellTimeoutMs: 120_000,
    spawnTasks: 12,
    poolTinyTasks: 10_000,
    microMinCpuNs: 40e6,
    logLines: 0,
    imageCopies: 1,
    imagesWholeProcess: false,
    threadsCell: { roundTrips: 20_000, startups: 5, idleMs: 300 },
  },
  full: {
    name: 'full',
    processes: 5,
    reps: 3,
    threadCounts: [1, 2, 4, 8, 16],
    p1m6Entries: 100_000,
    transport: { numbers: 1_000_000, records: 200_000 },
    pipelineStageMs: 10,
    pipelineMessages: 40,
    backpressureWindowMs: 1_000,
    lockOps: 1_000_000,
    readRatios: [0.5, 0.7, 0.9, 0.99],
    lockThreadCounts: [1, 2, 4, 8, 16],
    poolWorkerCounts: [1, 2, 4, 8, 16],
    poolTaskMs: [1, 10, 100],
    poolTasks: 32,
    cpuWorkerCounts: [1, 2, 4, 8, 16],
    cpuTaskMs: [5, 50],
    piscinaInSleep: true,
    repsOverride: {},
    cellTimeoutMs: 900_000,
    spawnTasks: 100,
    poolTinyTasks: 10_000,
    microMinCpuNs: 150e6,
    logLines: 1_000_000,
    imageCopies: 4,
    imagesWholeProcess: true,
    threadsCell: { roundTrips: 200_000, startups: 10, idleMs: 1_000 },
  },
};

export function profileNamed(name: string): Profile {
  const p = (PROFILES as Record<string, Profile | undefined>)[name];
  if (!p) throw new RangeError(`unknown profile '${name}' (quick, full)`);
  return p;
}
