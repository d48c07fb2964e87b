/**
 * Image tasks on the thread pool of milestone 1.
 *
 * A pool task cannot return a value to its submitter (execute is fire-and-forget, as in Rust), so results
 * travel back on a channel: the pool's context holds a `Sender<ImageResult>`; the pool gives every worker its
 * own clone of it and closes the original at shutdown, so the caller's receiver sees the end of the stream once
 * the pool is shut down.
 *
 * Who writes what: each worker sends one ImageResult per task it ran on `results`; the pool thread reads them
 * only after `shutdown()` has joined every worker, so it never waits on the channel. A job whose worker died
 * produces no result; its failure comes from `pool.failures()` and is turned into a failed ImageResult here.
 */
import { channel, type Sender } from '#kit/channel.ts';
import { ThreadPool } from '../m1-thread-pool/thread-pool.ts';
import { defineTask } from '../m1-thread-pool/task.ts';
import { type ImageResult, type ImageTask, processImage, type ProcessOptions } from './image-task.ts';

export interface ImageContext {
  readonly results: Sender<ImageResult>;
}

/** Process one image and send its result to the context's channel. */
export const processImageTask = defineTask(
  import.meta.url,
  'processImageTask',
  async (ctx: ImageContext, task: ImageTask, options: ProcessOptions = {}): Promise<void> => {
    // #region solution
    ctx.results.send(await processImage(task, options));
    // #endregion solution
  },
);

/** Process `tasks` on a pool of `workers` threads; one result per task, in the order of `tasks`. */
export async function processBatch(
  tasks: readonly ImageTask[],
  workers: number,
  options: ProcessOptions = {},
): Promise<ImageResult[]> {
  // #region solution
  const [results, received] = channel<ImageResult>();
  const pool = new ThreadPool<ImageContext>(workers, { context: { results } });
  const jobs = new Map<number, ImageTask>();
  for (const task of tasks) jobs.set(pool.execute(processImageTask, task, options), task);
  await pool.shutdown();
  const byOutput = new Map<string, ImageResult>();
  for (const result of received.tryIter()) byOutput.set(result.outputPath, result);
  for (const failure of pool.failures()) {
    const task = jobs.get(failure.id);
    if (task) {
      byOutput.set(task.outputPath, {
        ok: false,
        inputPath: task.inputPath,
        outputPath: task.outputPath,
        error: failure.error,
        durationMs: 0,
      });
    }
  }
  received.close();
  return tasks.map(
    (task) =>
      byOutput.get(task.outputPath) ?? {
        ok: false,
        inputPath: task.inputPath,
        outputPath: task.outputPath,
        error: 'no result was reported for this task',
        durationMs: 0,
      },
  );
  // #endregion solution
}
