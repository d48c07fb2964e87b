/**
 * Image tasks: decode an image, apply a list of operations in order, write the result, with sharp (libvips).
 *
 * Decisions, so that a batch of thousands of files behaves predictably:
 *   - Orientation: the EXIF orientation tag is applied first (`autoOrient`), so a portrait photo stored
 *     sideways comes out upright and `resize(w, h)` means what the viewer sees.
 *   - Animated and multi-page inputs (GIF, WebP, TIFF...): only the first frame is processed; the result's
 *     `frames` says how many the input had, so a caller can tell that frames were dropped.
 *   - Strict decoding by default (`failOn: 'warning'`, sharp's default): a file the decoder had to patch up
 *     (stray bytes, a truncated scan) is a failure, not a silently damaged output. Pass `failOn: 'error'` or
 *     `'none'` to accept partially decodable files.
 *   - A pixel limit (`limitInputPixels`, sharp's default 0x3FFF × 0x3FFF) refuses decompression bombs before
 *     any pixel memory is allocated: the check uses the dimensions in the header.
 *   - Atomic output: the image is written to a temporary name in the destination folder and renamed over the
 *     final name only when complete, so a crash, a full disk or a failed encode never leaves a half-written
 *     file under the name a user would trust. The temporary file is removed on failure.
 *   - `processImage` never throws: every failure becomes `{ ok: false, error }` with the decoder's message.
 *
 * Concurrency: sharp runs each pipeline on libuv's thread pool and libvips' own threads. `sharp.concurrency(n)`
 * (libvips threads per pipeline) is process-wide: setting it in one worker sets it for every thread. On
 * glibc Linux sharp defaults it to 1; with one pipeline per pool worker and workers ≈ cores, 1 is right: the
 * pool provides the parallelism, and more libvips threads would only oversubscribe the cores.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';

export type Operation =
  | { readonly kind: 'resize'; readonly width: number; readonly height: number }
  | { readonly kind: 'blur'; readonly sigma: number }
  | { readonly kind: 'brighten'; readonly delta: number };

/** Constructors, named like the Rust enum's variants. */
export const Operation = {
  /** Fit inside width × height, keeping the aspect ratio (as the Rust `image` crate's `resize` does). */
  resize: (width: number, height: number): Operation => ({ kind: 'resize', width, height }),
  /** Gaussian blur with this sigma (0 leaves the image as it is). */
  blur: (sigma: number): Operation => ({ kind: 'blur', sigma }),
  /** Add `delta` (on a 0–255 scale, may be negative) to the brightness, leaving colour and alpha alone. */
  brighten: (delta: number): Operation => ({ kind: 'brighten', delta }),
};

export interface ImageTask {
  readonly inputPath: string;
  readonly outputPath: string;
  readonly operations: readonly Operation[];
}

export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'tiff';
export type FailOn = 'none' | 'truncated' | 'error' | 'warning';

export interface ProcessOptions {
  /** Output encoding; by default chosen from the output file's extension. */
  readonly format?: OutputFormat;
  /** How damaged an input may be before it is refused (sharp's `failOn`); 'warning' by default. */
  readonly failOn?: FailOn;
  /** Refuse inputs with more pixels than this (width × height from the header); sharp's default otherwise. */
  readonly limitInputPixels?: number;
}

export type ImageResult =
  | {
      readonly ok: true;
      readonly inputPath: string;
      readonly outputPath: string;
      readonly width: number;
      readonly height: number;
      readonly format: OutputFormat;
      /** Frames (pages) in the input; only the first was processed. */
      readonly frames: number;
      readonly durationMs: number;
    }
  | {
      readonly ok: false;
      readonly inputPath: string;
      readonly outputPath: string;
      readonly error: string;
      readonly durationMs: number;
    };

const EXTENSIONS: Readonly<Record<string, OutputFormat>> = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.jpe': 'jpeg',
  '.jfif': 'jpeg',
  '.png': 'png',
  '.webp': 'webp',
  '.avif': 'avif',
  '.gif': 'gif',
  '.tif': 'tiff',
  '.tiff': 'tiff',
};

/** The format an output path asks for, from its extension (undefined if it names none we write). */
export function formatFromPath(file: string): OutputFormat | undefined {
  return EXTENSIONS[path.extname(file).toLowerCase()];
}

/** Open an image for processing: first frame only, upright, under the options' decoding policy. */
export function loadImage(inputPath: string, options: ProcessOptions = {}): Sharp {
  // #region solution
  return sharp(inputPath, {
    failOn: options.failOn ?? 'warning',
    ...(options.limitInputPixels !== undefined ? { limitInputPixels: options.limitInputPixels } : {}),
    pages: 1,
  }).autoOrient();
  // #endregion solution
}

/** Add one operation to a pipeline. */
export function applyOperation(image: Sharp, op: Operation): Sharp {
  // #region solution
  switch (op.kind) {
    case 'resize':
      if (!(op.width >= 1 && op.height >= 1))
        throw new RangeError(`resize needs a positive width and height, got ${op.width}x${op.height}`);
      return image.resize(Math.round(op.width), Math.round(op.height), { fit: 'inside' });
    case 'blur':
      if (!(op.sigma >= 0)) throw new RangeError(`blur needs a sigma of 0 or more, got ${op.sigma}`);
      // libvips accepts sigmas from 0.3; below that a blur is invisible anyway.
      return op.sigma === 0 ? image : image.blur(Math.max(0.3, op.sigma));
    case 'brighten':
      // Lightness is on a 0–100 scale in sharp's modulate; the Rust crate's delta is on 0–255.
      return op.delta === 0 ? image : image.modulate({ lightness: (op.delta * 100) / 255 });
  }
  // #endregion solution
}

/**
 * Apply the operations in the order given. A sharp pipeline runs its steps in a fixed order of its own (it
 * would blur before or after resizing as it sees fit), so each step but the last is materialized as raw pixels
 * and handed to a fresh pipeline: blur-then-resize and resize-then-blur stay different things.
 */
export async function applyOperations(image: Sharp, operations: readonly Operation[]): Promise<Sharp> {
  // #region solution
  let current = image;
  for (let i = 0; i < operations.length; i++) {
    current = applyOperation(current, operations[i]!);
    if (i < operations.length - 1) {
      const { data, info } = await current.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      current = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    }
  }
  return current;
  // #endregion solution
}

let temporaries = 0;

/**
 * Encode `image` as `format` into `outputPath` atomically: write a temporary file next to it, then rename.
 * Creates the output folder if needed. Returns the written image's size.
 */
export async function saveImage(
  image: Sharp,
  outputPath: string,
  format: OutputFormat,
): Promise<{ width: number; height: number }> {
  // #region solution
  const dir = path.dirname(outputPath);
  await mkdir(dir, { recursive: true });
  // Same folder, so the rename never crosses file systems; a dot name so that listings skip it.
  const temporary = path.join(
    dir,
    `.${path.basename(outputPath)}.${process.pid}-${++temporaries}-${randomBytes(4).toString('hex')}.partial`,
  );
  try {
    const info = await image.toFormat(format).toFile(temporary);
    await rename(temporary, outputPath);
    return { width: info.width, height: info.height };
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
  // #endregion solution
}

/**
 * Load, transform and save one image. Never throws: a failure (unreadable, corrupt, too large, unwritable,
 * an invalid operation) becomes `{ ok: false, error }` carrying the underlying message.
 */
export async function processImage(task: ImageTask, options: ProcessOptions = {}): Promise<ImageResult> {
  const started = performance.now();
  const { inputPath, outputPath } = task;
  // #region solution
  try {
    const format = options.format ?? formatFromPath(outputPath);
    if (format === undefined)
      throw new Error(`cannot tell the output format from '${path.basename(outputPath)}'; give options.format`);
    const image = loadImage(inputPath, options);
    const frames = (await image.metadata()).pages ?? 1;
    const transformed = await applyOperations(image, task.operations);
    const { width, height } = await saveImage(transformed, outputPath, format);
    return { ok: true, inputPath, outputPath, width, height, format, frames, durationMs: performance.now() - started };
  } catch (error) {
    let message = oneLine(error);
    if (message === WARNING_WITHOUT_TEXT) message = await recoverWarningText(inputPath, options);
    return { ok: false, inputPath, outputPath, error: message, durationMs: performance.now() - started };
  }
  // #endregion solution
}

const WARNING_WITHOUT_TEXT = 'Warning treated as error due to failOn setting';

/**
 * sharp keeps libvips warnings in one process-wide queue and each finishing pipeline, on any thread, empties
 * it. With pipelines running at once (a pool, or just several promises), the warning that made this file
 * fail can be taken by another pipeline and only sharp's generic text is left. Decoding the file once more
 * usually gets the message back; if another pipeline takes it again, say so rather than guess.
 */
async function recoverWarningText(inputPath: string, options: ProcessOptions): Promise<string> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await sharp(inputPath, { failOn: options.failOn ?? 'warning', pages: 1 })
        .raw()
        .toBuffer();
    } catch (error) {
      const message = oneLine(error);
      if (message !== WARNING_WITHOUT_TEXT) return message.replace(`${WARNING_WITHOUT_TEXT}; `, '');
    }
  }
  return `${WARNING_WITHOUT_TEXT} (the decoder's own message was taken by a concurrent sharp pipeline)`;
}

/**
 * libvips reports a decoder's complaint once per attempt, one per line ("VipsJpeg: premature end of JPEG
 * image" three times over); keep each distinct line once, on one line, without dangling colons.
 */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = [
    ...new Set(
      text
        .split('\n')
        .map((line) => line.trim().replace(/:$/, ''))
        .filter((line) => line !== ''),
    ),
  ];
  return lines.join('; ') || 'unknown error';
}
