/**
 * `npm run images -- <in-dir> <out-dir> [options]`: process every image of a folder on the thread pool.
 *
 * Exit codes: 0 every image was processed (skipped non-images do not count against it); 1 some files failed,
 * each listed with its file and reason; 2 a usage problem (bad option, missing input folder, an output folder
 * that is or contains or sits inside the input folder), reported as one line `images: <message>` on stderr,
 * never a stack trace.
 *
 * stdout carries the summary (text, or one JSON object with --json), whose first line sums the run up and says
 * whether threads or processes ran; stderr carries the progress bar (files, files/s, ETA; colour unless
 * NO_COLOR), only when it is a terminal, and usage errors.
 */
import os from 'node:os';
import type { ProgressSnapshot } from './reference.ts';
import { ProgressLine } from '../../lib/progress.ts';
import { formatSummary, parseImagesArgs, USAGE } from './cli-args.ts';
import { type ImagesReport, InputError, runImages } from './run-images.ts';
import { printTimeline } from './timeline.ts';

export async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseImagesArgs(argv);
  } catch (error) {
    process.stderr.write(`images: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Each running sharp pipeline holds a thread of libuv's pool, which is process-wide and 4 threads unless
  // UV_THREADPOOL_SIZE says otherwise. It cannot be raised from here: libuv creates the pool at the first
  // asynchronous file read, and loading this very module already did that. So say it instead. (Only threads
  // share one process's pool; worker processes have one each, and the default runs processes.)
  const workers = options.workers ?? os.availableParallelism();
  const uvThreads = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4);
  if (options.mode === 'threads' && workers > uvThreads) {
    process.stderr.write(
      `images: note: ${workers} workers share ${uvThreads} libuv threads; set UV_THREADPOOL_SIZE=${workers} to run them all at once\n`,
    );
  }
  const progress = new ProgressLine(process.stderr, { unit: 'files', intervalMs: 100 });
  let report: ImagesReport;
  try {
    report = await runImages({
      ...options,
      ...(progress.active ? { onProgress: (p: ProgressSnapshot) => progress.update(p.completed, p.total) } : {}),
    });
  } catch (error) {
    progress.finish();
    if (error instanceof InputError) {
      process.stderr.write(`images: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`images: ${(error as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  progress.finish();
  printTimeline();
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${formatSummary(report)}\n`);
  return report.failed.length > 0 ? 1 : 0;
}
