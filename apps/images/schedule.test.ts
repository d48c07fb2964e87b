/**
 * The hand-out order of `images`: most expensive first by the per-format cost guess of schedule.ts, and the
 * command really processes files in that order (one worker, so that the order is observable in the outputs'
 * modification times), with results still reported by file.
 */
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixtures, tempDir } from './reference.ts';
import { runImages } from './run-images.ts';
import { estimateCost, formatOfName, largestFirst } from './schedule.ts';

const box = { width: 320, height: 240 };

describe('estimateCost', () => {
  test('the output encoder dominates: an AVIF or GIF result costs more than a JPEG one from a bigger file', () => {
    const jpegPhoto = estimateCost({ bytes: 350_000, input: 'photo.jpg', output: 'photo.jpg', resize: box });
    const avifThumb = estimateCost({ bytes: 6_000, input: 'thumb.avif', output: 'thumb.avif', resize: box });
    const gifThumb = estimateCost({ bytes: 15_000, input: 'a.gif', output: 'a.gif', resize: box });
    expect(avifThumb).toBeGreaterThan(jpegPhoto);
    expect(gifThumb).toBeGreaterThan(jpegPhoto);
    // --format changes the output's encoder, and so the cost.
    expect(estimateCost({ bytes: 350_000, input: 'photo.jpg', output: 'photo.avif', resize: box })).toBeGreaterThan(
      jpegPhoto,
    );
  });

  test('within a format, a bigger file costs more; without --resize the output grows with the input too', () => {
    for (const name of ['a.jpg', 'a.png', 'a.webp', 'a.avif', 'a.gif', 'a.tiff']) {
      const small = estimateCost({ bytes: 10_000, input: name, output: name });
      const big = estimateCost({ bytes: 1_000_000, input: name, output: name });
      expect(big, name).toBeGreaterThan(small);
      expect(estimateCost({ bytes: 1_000_000, input: name, output: name, resize: box }), name).toBeGreaterThan(
        estimateCost({ bytes: 10_000, input: name, output: name, resize: box }),
      );
    }
  });

  test('names without a known extension still get a finite cost', () => {
    expect(formatOfName('README')).toBeUndefined();
    expect(formatOfName('x.JPEG')).toBe('jpeg');
    expect(Number.isFinite(estimateCost({ bytes: 100, input: 'odd', output: 'odd' }))).toBe(true);
  });
});

describe('largestFirst', () => {
  test('a permutation, in decreasing estimated cost, equal costs keeping their given order', () => {
    const files = [
      { bytes: 5_000, input: 'a.jpg', output: 'a.jpg' },
      { bytes: 6_000, input: 'b.avif', output: 'b.avif' },
      { bytes: 5_000, input: 'c.jpg', output: 'c.jpg' },
      { bytes: 900_000, input: 'd.jpg', output: 'd.jpg' },
      { bytes: 5_000, input: 'e.jpg', output: 'e.jpg' },
    ];
    const order = largestFirst(files);
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4]);
    const costs = order.map((i) => estimateCost(files[i]!));
    for (let k = 1; k < costs.length; k++) expect(costs[k]!).toBeLessThanOrEqual(costs[k - 1]!);
    expect(order.filter((i) => [0, 2, 4].includes(i))).toEqual([0, 2, 4]);
    expect(largestFirst([])).toEqual([]);
  });
});

describe('the command hands files out in that order', () => {
  for (const mode of ['threads', 'processes'] as const) {
    test(`one worker (${mode}): outputs are written in largest-first order; the report is by file`, async () => {
      const work = tempDir(`images-order-${mode}-`);
      const input = path.join(work, 'in');
      mkdirSync(input);
      const names = readdirSync(fixtures.good);
      for (const name of names) copyFileSync(path.join(fixtures.good, name), path.join(input, name));
      const out = path.join(work, 'out');
      const report = await runImages({ inDir: input, outDir: out, resize: box, workers: 1, mode });
      expect(report).toMatchObject({ processed: names.length, failed: [], mode });
      const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const expected = largestFirst(
        sorted.map((name) => ({
          bytes: statSync(path.join(input, name)).size,
          input: name,
          output: name,
          resize: box,
        })),
      ).map((i) => sorted[i]!);
      const written = readdirSync(out).sort(
        (a, b) => statSync(path.join(out, a)).mtimeMs - statSync(path.join(out, b)).mtimeMs,
      );
      expect(written).toEqual(expected);
      // Not the walk's (name) order: the order really changed something on this folder.
      expect(expected).not.toEqual(sorted);
    });
  }
});
