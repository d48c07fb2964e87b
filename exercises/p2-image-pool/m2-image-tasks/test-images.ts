// generated from solutions/p2-image-pool/m2-image-tasks/test-images.ts (npm run exercises -- generate); students edit this copy
/**
 * Images for tests and benchmarks, made on the spot (sharp can draw them), plus a tiny "decompression bomb":
 * a valid PNG whose header claims far more pixels than the file could ever hold.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/** A fresh empty folder under the system's temp folder. */
export function tempDir(prefix = 'p2-images-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Write a width × height test picture (a diagonal gradient with a few shapes, so that blur and resize have
 * something to do) in the format of `file`'s extension.
 */
export async function makeImage(
  file: string,
  width: number,
  height: number,
  options: { orientation?: number; gray?: number } = {},
): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const channels = 3;
  const pixels = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      if (options.gray !== undefined) {
        pixels.fill(options.gray, i, i + channels);
        continue;
      }
      const stripe = ((x >> 3) + (y >> 3)) & 1;
      pixels[i] = Math.round((255 * x) / Math.max(1, width - 1));
      pixels[i + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      pixels[i + 2] = stripe ? 220 : 30;
    }
  }
  let image = sharp(pixels, { raw: { width, height, channels } });
  if (options.orientation !== undefined) image = image.withMetadata({ orientation: options.orientation });
  await image.toFile(file);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A PNG of a few hundred bytes whose IHDR claims width × height pixels (with a correct CRC, so the header
 * itself is valid). Decoding it for real would need width × height × 3 bytes.
 */
export async function makePngBomb(file: string, width = 100_000, height = 100_000): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const png = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toBuffer(),
  );
  // Signature (8 bytes), then the IHDR chunk: length (4), type (4), width (4), height (4), ...; CRC at 29.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  writeFileSync(file, png);
}

/** The repository's fixtures/images, found by walking up (tests also run from copies of this folder). */
function findFixtures(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'fixtures', 'images');
    if (existsSync(path.join(candidate, 'good'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`fixtures/images not found above ${import.meta.dirname}`);
  }
}

const fixtureRoot = findFixtures();

/** The fixture folders: images that decode, and images damaged on purpose (see fixtures/images/README.md). */
export const fixtures = {
  good: path.join(fixtureRoot, 'good'),
  broken: path.join(fixtureRoot, 'broken'),
};

/** Mean of all channels of an image (a quick way to compare brightness). */
export async function meanValue(file: string): Promise<number> {
  const { channels } = await sharp(readFileSync(file)).stats();
  return channels.slice(0, 3).reduce((sum, c) => sum + c.mean, 0) / Math.min(3, channels.length);
}
