/**
 * The work behind `npm run images`: find the images under an input folder, process them on the reference
 * thread pool (solutions/p2-image-pool, milestones 1–3) into an output folder with the same layout, and report.
 *
 * Guarantees:
 * - Never writes into or over the input folder: an output folder equal to the input folder, inside it, or
 *   containing it is refused before anything is written (InputError). Symbolic links are resolved first.
 * - Every file under the input folder is accounted for exactly once: processed, failed (with the decoder's
 *   or the file system's message) or skipped (not an image by its extension, or a hidden file).
 * - Output files appear only complete: each is written under a temporary name and renamed (image-task.ts).
 * - Subfolders and file names (spaces, unicode) are kept; only the extension changes with --format. Two inputs
 *   that would produce the same output name (photo.jpg and photo.png with --format webp) keep their original
 *   extension in the name (photo.jpg.webp, photo.png.webp) instead of overwriting each other.
 *
 * Where the images are processed (`mode`): processes (process-pool.ts) by default whenever there is more than
 * one worker — this process is one of the N workers and N − 1 children are forked — and the reference thread
 * pool with --threads or with one worker. Processes scale better because libvips keeps process-wide state that
 * pipelines in one process contend for (README.md has the measurements); one pipeline at a time per process
 * does not contend. In the default mode the children are started speculatively, before the folder is walked,
 * so that their start-up overlaps the walk and this process's own loading of sharp.
 *
 * Order: the files are handed to the workers most expensive first (schedule.ts), which shortens the tail
 * where one worker finishes a slow file while the others idle. Results are reported by file, whatever the order.
 *
 * sharp settings (thread path only): `sharp.concurrency()` (libvips threads per pipeline) is process-wide, so
 * it is set once, before the pool starts: cores ÷ workers, at least 1. With workers ≈ cores that is 1: the
 * pool already keeps every core busy, and extra libvips threads would only fight over the cores. Each running
 * pipeline also holds one thread of libuv's pool (4 by default, fixed when the process first does
 * asynchronous I/O), so a pool of more than 4 workers needs UV_THREADPOOL_SIZE set in the environment
 * (cli.ts says so).
 */
import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { OperationSpec } from './operations.ts';
import { type FileTask, ProcessPool } from './process-pool.ts';
import type { FailOn, ImageTask, OutputFormat, ProcessOptions, ProgressSnapshot } from './reference.ts';
import { largestFirst } from './schedule.ts';
import { mark } from './timeline.ts';

/** Extensions read as images; anything else is skipped with a note. */
export const IMAGE_EXTENSIONS = [
  '.jpg',
  '.jpeg',
  '.jpe',
  '.jfif',
  '.png',
  '.webp',
  '.avif',
  '.gif',
  '.tif',
  '.tiff',
] as const;

/** Image formats this build of sharp (libvips) cannot decode: skipped with that reason, not as "not an image". */
const UNREADABLE_IMAGES: Readonly<Record<string, string>> = {
  '.heic': 'HEIC',
  '.bmp': 'BMP',
  '.ico': 'ICO',
  '.jxl': 'JPEG XL',
  '.jp2': 'JPEG 2000',
  '.psd': 'Photoshop',
  '.dng': 'camera raw (DNG)',
  '.cr2': 'camera raw (CR2)',
  '.nef': 'camera raw (NEF)',
  '.arw': 'camera raw (ARW)',
};
/** Vector formats: images, but not what this command resizes and filters (it writes raster images). */
const VECTOR_IMAGES: Readonly<Record<string, string>> = {
  '.svg': 'SVG',
  '.svgz': 'SVG',
  '.eps': 'EPS',
  '.pdf': 'PDF',
};
export const OUTPUT_FORMATS = ['jpeg', 'png', 'webp', 'avif'] as const;

const FORMAT_EXTENSION: Readonly<Record<OutputFormat, string>> = {
  jpeg: '.jpg',
  png: '.png',
  webp: '.webp',
  avif: '.avif',
  gif: '.gif',
  tiff: '.tiff',
};

/** A problem with the command itself (arguments, folders): exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Where the images are processed: the reference thread pool, worker processes, or whichever suits the batch. */
export const MODES = ['auto', 'threads', 'processes'] as const;
export type Mode = (typeof MODES)[number];

export interface ImagesOptions {
  readonly inDir: string;
  readonly outDir: string;
  readonly resize?: { readonly width: number; readonly height: number };
  readonly blur?: number;
  readonly brighten?: number;
  readonly format?: (typeof OUTPUT_FORMATS)[number];
  readonly workers?: number;
  /** threads, processes, or auto (default). */
  readonly mode?: Mode;
  readonly failOn?: FailOn;
  readonly maxPixels?: number;
  /** Called with progress while the batch runs (the CLI draws its bar from it). */
  readonly onProgress?: (progress: ProgressSnapshot) => void;
}

export interface ImagesReport {
  /** Files written. */
  readonly processed: number;
  /** Files that could not be processed, paths relative to the input folder. */
  readonly failed: ReadonlyArray<{ readonly file: string; readonly error: string }>;
  /** Files left alone, and why. */
  readonly skipped: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
  readonly seconds: number;
  readonly workers: number;
  /** What the workers were. */
  readonly mode: 'threads' | 'processes';
  readonly outDir: string;
}

interface Found {
  readonly images: string[];
  readonly skipped: Array<{ file: string; reason: string }>;
  readonly unreadable: Array<{ file: string; error: string }>;
}

/** Every file under `root` (relative paths, '/' separated, sorted), following no directory symlinks. */
async function walk(root: string): Promise<Found> {
  const found: Found = { images: [], skipped: [], unreadable: [] };
  const visit = async (relDir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(root, relDir), { withFileTypes: true });
    } catch (error) {
      found.unreadable.push({ file: relDir || '.', error: `cannot list this folder: ${(error as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        await visit(rel);
        continue;
      }
      if (entry.name.startsWith('.')) {
        found.skipped.push({ file: rel, reason: 'hidden file' });
        continue;
      }
      const isImage = (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(entry.name).toLowerCase());
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(path.join(root, rel));
          if (target.isDirectory()) {
            found.skipped.push({ file: rel, reason: 'symbolic link to a folder (not followed)' });
            continue;
          }
        } catch (error) {
          if (isImage) found.unreadable.push({ file: rel, error: `cannot read: ${(error as Error).message}` });
          else found.skipped.push({ file: rel, reason: 'broken symbolic link' });
          continue;
        }
      } else if (!entry.isFile()) {
        found.skipped.push({ file: rel, reason: 'not a regular file' });
        continue;
      }
      if (isImage) found.images.push(rel);
      else {
        const extension = path.extname(entry.name).toLowerCase();
        const format = UNREADABLE_IMAGES[extension];
        const vector = VECTOR_IMAGES[extension];
        found.skipped.push({
          file: rel,
          reason: format
            ? `a ${format} image, a format sharp's bundled libvips cannot read (convert it first)`
            : vector
              ? `a vector image (${vector}): this command processes raster images only`
              : 'not an image (by its extension)',
        });
      }
    }
  };
  await visit('');
  return found;
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended (for a folder to be made). */
async function resolveReal(p: string): Promise<string> {
  const absolute = path.resolve(p);
  const missing: string[] = [];
  for (let dir = absolute; ; dir = path.dirname(dir)) {
    try {
      return path.join(await realpath(dir), ...missing.reverse());
    } catch {
      if (path.dirname(dir) === dir) return absolute;
      missing.push(path.basename(dir));
    }
  }
}

const isInside = (child: string, parent: string): boolean => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** Output paths (relative) for the images, changing the extension for --format and avoiding collisions. */
export function outputNames(images: readonly string[], format: OutputFormat | undefined): Map<string, string> {
  const proposed = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const rel of images) {
    const ext = path.posix.extname(rel);
    const name = format ? `${rel.slice(0, rel.length - ext.length)}${FORMAT_EXTENSION[format]}` : rel;
    proposed.set(rel, name);
    counts.set(name.toLowerCase(), (counts.get(name.toLowerCase()) ?? 0) + 1);
  }
  const names = new Map<string, string>();
  for (const [rel, name] of proposed) {
    names.set(rel, (counts.get(name.toLowerCase()) ?? 0) > 1 && format ? `${rel}${FORMAT_EXTENSION[format]}` : name);
  }
  return names;
}

export async function runImages(options: ImagesOptions): Promise<ImagesReport> {
  const started = performance.now();
  mark('command loaded');
  const inDir = path.resolve(options.inDir);
  let inStat;
  try {
    inStat = await stat(inDir);
  } catch {
    throw new InputError(`input folder '${options.inDir}' does not exist`);
  }
  if (!inStat.isDirectory()) throw new InputError(`'${options.inDir}' is not a folder`);
  const realIn = await realpath(inDir);
  const realOut = await resolveReal(options.outDir);
  if (isInside(realOut, realIn)) {
    throw new InputError(`the output folder must not be the input folder or inside it (${options.outDir})`);
  }
  if (isInside(realIn, realOut)) {
    throw new InputError(`the output folder must not contain the input folder (${options.outDir})`);
  }
  const workers = options.workers ?? Math.max(1, os.availableParallelism());
  const wanted = options.mode ?? 'auto';
  // Processes (forced, or the default's likely pick) start before the walk, so their start-up overlaps it.
  let processes =
    wanted === 'processes' || (wanted === 'auto' && workers > 1)
      ? new ProcessPool(workers, { inProcess: workers > 1 })
      : undefined;
  try {
    const found = await walk(realIn);
    mark('walked');
    let mode: 'threads' | 'processes' = processes ? 'processes' : 'threads';
    if (processes && found.images.length === 0) {
      await processes.close();
      processes = undefined;
      if (wanted === 'auto') mode = 'threads';
    }
    try {
      await mkdir(realOut, { recursive: true });
    } catch (error) {
      throw new InputError(`cannot create the output folder '${options.outDir}': ${(error as Error).message}`);
    }

    const measured = await Promise.all(
      found.images.map((rel) =>
        stat(path.join(realIn, rel)).then(
          (s) => s.size,
          () => -1,
        ),
      ),
    );
    // An empty file fails here with that reason (the decoder would only say "unsupported image format"); a file
    // that could not be measured (-1) still goes to a worker, whose error names the cause.
    const images: string[] = [];
    const sizes: number[] = [];
    found.images.forEach((rel, i) => {
      if (measured[i] === 0) found.unreadable.push({ file: rel, error: 'empty file (0 bytes)' });
      else {
        images.push(rel);
        sizes.push(Math.max(0, measured[i]!));
      }
    });
    const names = outputNames(images, options.format);
    // The order of hand-out: most expensive first. order[k] is the index in images of the k-th file out.
    const order = largestFirst(
      images.map((rel, i) => ({
        bytes: sizes[i]!,
        input: rel,
        output: names.get(rel)!,
        ...(options.resize ? { resize: options.resize } : {}),
      })),
    );
    const tasks: FileTask[] = order.map((i) => ({
      inputPath: path.join(realIn, images[i]!),
      outputPath: path.join(realOut, names.get(images[i]!)!),
    }));
    const spec: OperationSpec = {
      ...(options.resize ? { resize: options.resize } : {}),
      ...(options.blur !== undefined ? { blur: options.blur } : {}),
      ...(options.brighten !== undefined ? { brighten: options.brighten } : {}),
    };
    const processOptions: ProcessOptions = {
      ...(options.format ? { format: options.format } : {}),
      ...(options.failOn ? { failOn: options.failOn } : {}),
      ...(options.maxPixels !== undefined ? { limitInputPixels: options.maxPixels } : {}),
    };
    const progress = {
      intervalMs: 100,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    };

    const failed: Array<{ file: string; error: string }> = [...found.unreadable];
    let processed = 0;
    const outcome = (k: number, ok: boolean, error: string | undefined) => {
      if (ok) processed++;
      else failed.push({ file: images[order[k]!]!, error: error ?? 'unknown error' });
    };
    mark('ordered');
    if (processes && wanted === 'auto' && !(await processes.anyStarted())) {
      // The default mode, and no worker process could start: the thread pool does the work instead.
      await processes.close();
      processes = undefined;
      mode = 'threads';
    }
    if (tasks.length > 0 && processes) {
      const results = await processes.run(tasks, { operations: spec, process: processOptions, ...progress });
      for (const result of results) outcome(result.taskId, result.ok, result.error);
    } else if (tasks.length > 0) {
      const results = await runOnThreads(tasks, spec, processOptions, Math.min(workers, tasks.length), progress);
      for (const result of results) outcome(result.taskId, result.status === 'Success', result.error);
    }
    failed.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    return {
      processed,
      failed,
      skipped: found.skipped,
      seconds: (performance.now() - started) / 1000,
      workers,
      mode,
      outDir: realOut,
    };
  } finally {
    await processes?.close();
  }
}

/** The thread path: the reference thread pool of project 2, loaded only when it runs. */
async function runOnThreads(
  files: readonly FileTask[],
  spec: OperationSpec,
  process: ProcessOptions,
  workers: number,
  progress: { intervalMs: number; onProgress?: (p: ProgressSnapshot) => void },
) {
  const [{ default: sharp }, { processWithProgress }, { operationsOf }] = await Promise.all([
    import('sharp'),
    import('./reference.ts').then((reference) => reference.loadTrackedBatch()),
    import('./operations.ts'),
  ]);
  sharp.concurrency(Math.max(1, Math.floor(os.availableParallelism() / workers)));
  mark('thread path loaded');
  const operations = operationsOf(spec);
  const tasks: ImageTask[] = files.map((file) => ({ ...file, operations }));
  const results = await processWithProgress(tasks, { workers, process, ...progress });
  mark('last result');
  return results;
}
