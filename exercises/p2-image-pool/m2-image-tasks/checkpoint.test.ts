// generated from solutions/p2-image-pool/m2-image-tasks/checkpoint.test.ts (npm run exercises -- generate); students edit this copy
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, test } from 'vitest';
import { channel } from '#kit/channel.ts';
import { ThreadPool } from '../m1-thread-pool/thread-pool.ts';
import { type ImageContext, processBatch, processImageTask } from './image-pool.ts';
import { type ImageResult, type ImageTask, Operation, processImage } from './image-task.ts';
import { fixtures, makeImage, makePngBomb, meanValue, tempDir } from './test-images.ts';

const work = tempDir('p2-m2-');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const at = (...parts: string[]) => path.join(work, ...parts);

describe('p2/m2: image tasks', () => {
  test('resizes an image to fit 100x100, keeping its aspect ratio (test_image_resize)', async () => {
    await makeImage(at('test.png'), 300, 200);
    const result = await processImage({
      inputPath: at('test.png'),
      outputPath: at('out.png'),
      operations: [Operation.resize(100, 100)],
    });
    expect(result).toMatchObject({ ok: true, width: 100, height: 67, format: 'png', frames: 1 });
    const written = await sharp(at('out.png')).metadata();
    expect([written.format, written.width, written.height]).toEqual(['png', 100, 67]);
  });

  test('ten image tasks on four workers all run (test_parallel_processing)', async () => {
    // The chapter simulates the work with a 50 ms sleep; here each task processes a real (small) image.
    const [results, received] = channel<ImageResult>();
    const pool = new ThreadPool<ImageContext>(4, { context: { results } });
    // All inputs first, then all tasks at once: the workers save into one folder at the same time.
    for (let i = 0; i < 10; i++) await makeImage(at('parallel', `in-${i}.png`), 64 + i, 48);
    await pool.ready();
    for (let i = 0; i < 10; i++) {
      pool.execute(processImageTask, {
        inputPath: at('parallel', `in-${i}.png`),
        outputPath: at('parallel', `out-${i}.jpg`),
        operations: [Operation.blur(1)],
      });
    }
    await pool.shutdown();
    const all = [...received.tryIter()];
    expect(all).toHaveLength(10);
    expect(all.every((r) => r.ok)).toBe(true);
    expect(all.map((r) => (r.ok ? r.width : 0)).sort((a, b) => a - b)).toEqual([
      64, 65, 66, 67, 68, 69, 70, 71, 72, 73,
    ]);
    expect(received.isDisconnected).toBe(true); // the pool closed its copy of the sender at shutdown
    // Each output holds its own image.
    for (let i = 0; i < 10; i++) expect((await sharp(at('parallel', `out-${i}.jpg`)).metadata()).width).toBe(64 + i);
  });

  test('four workers saving large images into one folder at once: each output is its own, nothing left over', async () => {
    // A large PNG takes long to encode, and its file is open for most of that time: the four workers' saves overlap
    // however busy the machine is (a slow machine only makes them longer), so two workers that pick the same
    // temporary name, or share anything else while saving, write over each other.
    const [results, received] = channel<ImageResult>();
    const pool = new ThreadPool<ImageContext>(4, { context: { results } });
    const inputs = Array.from({ length: 8 }, (_, i) => at('large', `in-${i}.jpg`));
    const outputs = Array.from({ length: 8 }, (_, i) => at('large', `out-${i}.png`));
    for (const [i, input] of inputs.entries()) {
      if (i === 0) await makeImage(input, 8, 8); // makes the folder
      const noise = { type: 'gaussian' as const, mean: 128, sigma: 40 };
      await sharp({ create: { width: 600 + i, height: 400, channels: 3, background: '#808080', noise } })
        .jpeg()
        .toFile(input);
    }
    await pool.ready();
    for (const [i, input] of inputs.entries()) {
      pool.execute(processImageTask, { inputPath: input, outputPath: outputs[i]!, operations: [] });
    }
    await pool.shutdown();
    const all = [...received.tryIter()];
    expect(all.map((r) => (r.ok ? r.width : r.error)).sort()).toEqual(inputs.map((_, i) => 600 + i));
    for (const [i, output] of outputs.entries()) expect((await sharp(output).metadata()).width).toBe(600 + i);
    expect(readdirSync(at('large')).sort()).toEqual([...inputs, ...outputs].map((file) => path.basename(file)).sort());
  });

  test('blur and brighten change the pixels, and operations run in the order given', async () => {
    await makeImage(at('gray.png'), 64, 64, { gray: 100 });
    const brighter = await processImage({
      inputPath: at('gray.png'),
      outputPath: at('brighter.png'),
      operations: [Operation.brighten(40)],
    });
    expect(brighter.ok).toBe(true);
    expect(await meanValue(at('brighter.png'))).toBeGreaterThan(120);
    const darker = await processImage({
      inputPath: at('gray.png'),
      outputPath: at('darker.png'),
      operations: [Operation.brighten(-40)],
    });
    expect(darker.ok).toBe(true);
    expect(await meanValue(at('darker.png'))).toBeLessThan(80);

    await makeImage(at('stripes.png'), 256, 256);
    const ops = {
      blurFirst: [Operation.blur(3), Operation.resize(32, 32)],
      resizeFirst: [Operation.resize(32, 32), Operation.blur(3)],
    };
    for (const [name, operations] of Object.entries(ops)) {
      const r = await processImage({ inputPath: at('stripes.png'), outputPath: at(`${name}.png`), operations });
      expect(r).toMatchObject({ ok: true, width: 32, height: 32 });
    }
    const a = await sharp(at('blurFirst.png')).raw().toBuffer();
    const b = await sharp(at('resizeFirst.png')).raw().toBuffer();
    expect(a.equals(b)).toBe(false);
  });

  test('the EXIF orientation is applied before resizing', async () => {
    // Stored 80 wide and 40 high, with orientation 6: a viewer shows it 40 wide and 80 high.
    await makeImage(at('sideways.jpg'), 80, 40, { orientation: 6 });
    const result = await processImage({
      inputPath: at('sideways.jpg'),
      outputPath: at('upright.png'),
      operations: [Operation.resize(20, 20)],
    });
    expect(result).toMatchObject({ ok: true, width: 10, height: 20 });
  });

  test('an animated GIF gives its first frame, and says how many it had', async () => {
    const result = await processImage({
      inputPath: path.join(fixtures.good, 'rotating-squares.gif'),
      outputPath: at('first-frame.png'),
      operations: [],
    });
    expect(result).toMatchObject({ ok: true, width: 80, height: 80, frames: 30 });
  });

  test('on the pool: every good fixture succeeds, every broken one fails with the decoder message', async () => {
    const tasks: ImageTask[] = [];
    for (const kind of ['good', 'broken'] as const) {
      for (const file of readdirSync(fixtures[kind])) {
        tasks.push({
          inputPath: path.join(fixtures[kind], file),
          outputPath: at('batch', kind, `${file}.webp`),
          operations: [Operation.resize(48, 48), Operation.blur(0.8)],
        });
      }
    }
    const results = await processBatch(tasks, 2);
    expect(results).toHaveLength(tasks.length);
    const good = results.filter((r) => r.inputPath.startsWith(fixtures.good));
    const broken = results.filter((r) => r.inputPath.startsWith(fixtures.broken));
    expect(good.filter((r) => !r.ok)).toEqual([]);
    expect(good.length).toBe(readdirSync(fixtures.good).length);
    expect(broken.length).toBe(readdirSync(fixtures.broken).length);
    for (const r of broken) {
      expect(r.ok, r.inputPath).toBe(false);
      // libvips keeps one error buffer per process: under concurrency a file may report the tile read that
      // failed ('error in tile …') rather than the codec's own words. Either is the decoder's failure.
      if (!r.ok)
        expect(r.error).toMatch(
          /corrupt|premature|extraneous|read error|unsupported|Unexpected end|failOn|error in tile/i,
        );
    }
    expect(readdirSync(at('batch', 'good')).sort()).toEqual(
      readdirSync(fixtures.good)
        .map((f) => `${f}.webp`)
        .sort(),
    );
    expect(existsSync(at('batch', 'broken')) ? readdirSync(at('batch', 'broken')) : []).toEqual([]);
  });

  test('a decompression bomb is refused by the pixel limit, before decoding', async () => {
    await makePngBomb(at('bomb.png'), 100_000, 100_000);
    // Refused from the header: decoding 10 gigapixels would take minutes of CPU. CPU time, not wall time, so that a
    // busy machine cannot fail a correct solution.
    const cpu = process.cpuUsage();
    const bomb = await processImage({
      inputPath: at('bomb.png'),
      outputPath: at('bomb-out.png'),
      operations: [Operation.resize(10, 10)],
    });
    expect(bomb.ok).toBe(false);
    if (!bomb.ok) expect(bomb.error).toMatch(/pixel limit/i);
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(5_000);
    await makeImage(at('small.png'), 100, 100);
    const limited = await processImage(
      { inputPath: at('small.png'), outputPath: at('limited.png'), operations: [] },
      { limitInputPixels: 5_000 },
    );
    expect(limited.ok).toBe(false);
    expect(existsSync(at('bomb-out.png')) || existsSync(at('limited.png'))).toBe(false);
  });

  test('a failure never leaves a half-written file, nor replaces an existing output', async () => {
    writeFileSync(at('keep.png'), 'the previous output');
    const broken = await processImage({
      inputPath: path.join(fixtures.broken, 'truncated_image.png'),
      outputPath: at('keep.png'),
      operations: [],
    });
    expect(broken.ok).toBe(false);
    expect(readFileSync(at('keep.png'), 'utf8')).toBe('the previous output');
    const missing = await processImage({
      inputPath: at('no-such-file.png'),
      outputPath: at('never.png'),
      operations: [],
    });
    expect(missing).toMatchObject({ ok: false, error: expect.stringMatching(/missing|no such file/i) });
    // An input of its own: the test must not depend on one an earlier test made.
    await makeImage(at('good-input.png'), 100, 100);
    writeFileSync(at('a-file'), '');
    const unwritable = await processImage({
      inputPath: at('good-input.png'),
      outputPath: at('a-file', 'out.png'),
      operations: [],
    });
    expect(unwritable.ok).toBe(false);
    const invalid = await processImage({
      inputPath: at('good-input.png'),
      outputPath: at('invalid.png'),
      operations: [Operation.resize(0, 10)],
    });
    expect(invalid).toMatchObject({ ok: false, error: expect.stringMatching(/positive width/) });
    expect(readdirSync(work).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(existsSync(at('never.png')) || existsSync(at('invalid.png'))).toBe(false);
  });
});
