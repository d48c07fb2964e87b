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
 * sharp settings: `sharp.concurrency()` (libvips threads per pipeline) is process-wide, so it is set once here,
 * before the pool starts: cores ÷ workers, at least 1. With workers ≈ cores that is 1: the pool already keeps
 * every core busy, and extra libvips threads would only fight over the cores. Each running pipeline also holds
 * one thread of libuv's pool (4 by default, fixed when the process first does asynchronous I/O), so a pool of
 * more than 4 workers needs UV_THREADPOOL_SIZE set in the environment (cli.ts says so).
 */
import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { type FailOn, type ImageTask, Operation, type OutputFormat, type ProcessOptions } from './reference.ts';
import type { ProgressSnapshot } from './reference.ts';
import { processWithProgress } from './reference.ts';
import { ProcessPool } from './process-pool.ts';

/** Extensions read as images; anything else is skipped with a note. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.avif', '.gif', '.tif', '.tiff'] as const;
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

/**
 * `auto` picks processes for batches of at least this many input bytes (and at least two images per worker),
 * threads below. Threads start in a few milliseconds but share libvips' process-wide state; processes scale
 * to ~2× on 2 cores but each costs ~0.3 s to start. (Measured: see apps/images/README.md.)
 */
export const AUTO_PROCESS_BYTES = 8 * 1024 * 1024;

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
      else found.skipped.push({ file: rel, reason: 'not an image (by its extension)' });
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
  // Forced processes start before the walk, so their start-up overlaps it.
  let processes = wanted === 'processes' ? new ProcessPool(workers) : undefined;
  let found: Found;
  try {
    found = await walk(realIn);
  } catch (error) {
    await processes?.close();
    throw error;
  }
  let mode: 'threads' | 'processes' = wanted === 'processes' ? 'processes' : 'threads';
  if (wanted === 'auto' && workers > 1 && found.images.length >= 2 * workers) {
    let bytes = 0;
    for (const rel of found.images)
      bytes += await stat(path.join(realIn, rel)).then(
        (s) => s.size,
        () => 0,
      );
    if (bytes >= AUTO_PROCESS_BYTES) mode = 'processes';
  }
  if (mode === 'processes' && found.images.length === 0) {
    await processes?.close();
    processes = undefined;
  }
  try {
    await mkdir(realOut, { recursive: true });
  } catch (error) {
    await processes?.close();
    throw new InputError(`cannot create the output folder '${options.outDir}': ${(error as Error).message}`);
  }

  const operations: Operation[] = [];
  if (options.resize) operations.push(Operation.resize(options.resize.width, options.resize.height));
  if (options.blur !== undefined) operations.push(Operation.blur(options.blur));
  if (options.brighten !== undefined) operations.push(Operation.brighten(options.brighten));
  const names = outputNames(found.images, options.format);
  const tasks: ImageTask[] = found.images.map((rel) => ({
    inputPath: path.join(realIn, rel),
    outputPath: path.join(realOut, names.get(rel)!),
    operations,
  }));
  const processOptions: ProcessOptions = {
    ...(options.format ? { format: options.format } : {}),
    ...(options.failOn ? { failOn: options.failOn } : {}),
    ...(options.maxPixels !== undefined ? { limitInputPixels: options.maxPixels } : {}),
  };

  const failed: Array<{ file: string; error: string }> = [...found.unreadable];
  let processed = 0;
  if (tasks.length > 0 && mode === 'processes') {
    processes ??= new ProcessPool(Math.min(workers, tasks.length));
    const results = await processes.run(tasks, {
      process: processOptions,
      intervalMs: 100,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    for (const result of results) {
      if (result.ok) processed++;
      else failed.push({ file: found.images[result.taskId]!, error: result.error ?? 'unknown error' });
    }
  } else if (tasks.length > 0) {
    sharp.concurrency(Math.max(1, Math.floor(os.availableParallelism() / workers)));
    const results = await processWithProgress(tasks, {
      workers: Math.min(workers, tasks.length),
      process: processOptions,
      intervalMs: 100,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    for (const result of results) {
      if (result.status === 'Success') processed++;
      else failed.push({ file: found.images[result.taskId]!, error: result.error ?? 'unknown error' });
    }
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
}
