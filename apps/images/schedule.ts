/**
 * The order in which a batch's files are handed to the workers: the most expensive first (longest processing
 * time first, LPT). Workers take the next file when they finish one, so whatever order is used every worker
 * stays busy until the queue is empty; what the order decides is the tail, the time one worker still spends on
 * its last file after the others have run out of work. Started last, one slow file can leave the other cores
 * idle for its whole duration; started first, it overlaps the many cheap ones.
 *
 * The cost of a file is guessed without opening it, from its size and its input and output formats (the
 * extensions): pixels ≈ bytes ÷ a typical bytes-per-pixel of the input format; cost ≈ input pixels × the
 * decoder's cost per pixel + output pixels × the encoder's cost per pixel, the output pixels being those of
 * --resize's box when there is one. The per-format figures were measured with sharp 0.35.5 (libvips 8.18) on
 * an 800 × 600 photo (CPU ms per megapixel). They differ by more than two orders of magnitude: AVIF and GIF
 * encoders (GIF quantizes its palette) cost ~2,700 ms per megapixel where JPEG costs 12, so a 6 KB AVIF
 * thumbnail can take longer than a 350 KB JPEG photo, which libjpeg decodes at a fraction of its size
 * (shrink-on-load). File size alone would therefore order such a folder backwards; the format matters more.
 *
 * Only the order depends on the guess: a wrong guess costs a longer tail, never a wrong or missing result.
 */

/** Typical bytes per pixel of an encoded file, to guess its pixels from its size. */
const BYTES_PER_PIXEL: Readonly<Record<string, number>> = {
  jpeg: 0.2,
  png: 2.6,
  webp: 0.17,
  avif: 0.08,
  gif: 0.7,
  tiff: 1,
};
/** Decoding, CPU ms per megapixel. */
const DECODE_MS_PER_MP: Readonly<Record<string, number>> = {
  jpeg: 5,
  png: 12,
  webp: 28,
  avif: 51,
  gif: 10,
  tiff: 7,
};
/** Encoding, CPU ms per megapixel. */
const ENCODE_MS_PER_MP: Readonly<Record<string, number>> = {
  jpeg: 12,
  png: 45,
  webp: 95,
  avif: 2750,
  gif: 2650,
  tiff: 6,
};

const FORMAT_OF_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  jfif: 'jpeg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
  gif: 'gif',
  tif: 'tiff',
  tiff: 'tiff',
};

/** The format a file name's extension names, if it is one of the image formats. */
export function formatOfName(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? undefined : FORMAT_OF_EXTENSION[name.slice(dot + 1).toLowerCase()];
}

export interface CostInput {
  /** The input's size in bytes. */
  readonly bytes: number;
  /** Input and output file names (only their extensions are used). */
  readonly input: string;
  readonly output: string;
  /** The --resize box, if any. */
  readonly resize?: { readonly width: number; readonly height: number };
}

/** A guess of the CPU milliseconds one file takes (see the header); used only to order the files. */
export function estimateCost(file: CostInput): number {
  const inFormat = formatOfName(file.input) ?? 'png';
  const outFormat = formatOfName(file.output) ?? inFormat;
  const inMp = Math.max(0, file.bytes) / (BYTES_PER_PIXEL[inFormat] ?? 1) / 1e6;
  const outMp = file.resize ? (file.resize.width * file.resize.height) / 1e6 : inMp;
  return inMp * (DECODE_MS_PER_MP[inFormat] ?? 10) + outMp * (ENCODE_MS_PER_MP[outFormat] ?? 50);
}

/** Indices of `files` in the order to hand them out: highest estimated cost first, ties in their given order. */
export function largestFirst(files: readonly CostInput[]): number[] {
  const costs = files.map(estimateCost);
  return files.map((_, i) => i).sort((a, b) => costs[b]! - costs[a]! || a - b);
}
