import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, test } from 'vitest';
import { fixtures, makeImage, makePngBomb, tempDir } from './reference.ts';
import { parseImagesArgs } from './cli-args.ts';
import { outputNames, runImages } from './run-images.ts';

const work = tempDir('images-cli-');
afterAll(() => {
  chmodTree(work);
  rmSync(work, { recursive: true, force: true });
});
const at = (...parts: string[]) => path.join(work, ...parts);
const cli = path.join(import.meta.dirname, '..', '..', 'scripts', 'images.ts');
// As `npm run images` starts it: plain Node through the launcher, no TypeScript loader.
const launcher = path.join(import.meta.dirname, '..', '..', 'scripts', 'launch.mjs');

function chmodTree(dir: string): void {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) chmodTree(path.join(dir, entry.name));
}

function runCli(...args: string[]) {
  const result = spawnSync(process.execPath, [launcher, cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under dir, relative, '/'-separated. */
function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** A folder this process cannot write into (permissions do not bind root, so fall back to sysfs there). */
function unwritableDir(): string {
  const dir = at('read-only');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o555);
  try {
    writeFileSync(path.join(dir, 'probe'), '');
    rmSync(path.join(dir, 'probe'));
  } catch {
    return dir;
  }
  return '/sys/kernel';
}

describe('npm run images', () => {
  test('good and broken fixtures: every good file processed, every broken one failed with its message (child process, --json)', () => {
    const input = at('fixtures-in');
    cpSync(fixtures.good, path.join(input, 'good'), { recursive: true });
    cpSync(fixtures.broken, path.join(input, 'broken'), { recursive: true });
    writeFileSync(path.join(input, 'notes.txt'), 'not an image');
    const { code, stdout, stderr } = runCli(
      input,
      at('fixtures-out'),
      '--resize',
      '64x64',
      '--blur',
      '0.8',
      '--format',
      'png',
      '--workers',
      '2',
      '--json',
    );
    expect(code, stderr).toBe(1);
    const report = JSON.parse(stdout) as {
      processed: number;
      failed: { file: string; error: string }[];
      skipped: { file: string }[];
      seconds: number;
    };
    const good = readdirSync(fixtures.good);
    const broken = readdirSync(fixtures.broken);
    expect(report.processed).toBe(good.length);
    expect(report.failed.map((f) => f.file).sort()).toEqual(broken.map((f) => `broken/${f}`).sort());
    // libvips keeps one error buffer per process: under concurrency a file may report the tile read that
    // failed ('error in tile …') rather than the codec's own words. Either is the decoder's failure.
    for (const f of report.failed)
      expect(f.error, f.file).toMatch(
        /corrupt|premature|extraneous|read error|unsupported|Unexpected end|failOn|error in tile/i,
      );
    expect(report.skipped.map((s) => s.file)).toEqual(['notes.txt']);
    expect(report.seconds).toBeGreaterThan(0);
    expect(listTree(at('fixtures-out'))).toEqual(good.map((f) => `good/${f.replace(/\.[^.]+$/, '.png')}`).sort());
  });

  test('keeps subfolders and odd names, skips non-images with a note, avoids output collisions', async () => {
    const input = at('odd-in');
    await makeImage(path.join(input, 'sub dir', 'ünï cödé 🖼.png'), 40, 30);
    await makeImage(path.join(input, 'a b', 'c', 'photo (1).jpg'), 40, 30);
    await makeImage(path.join(input, 'same.jpg'), 20, 20);
    await makeImage(path.join(input, 'same.png'), 20, 20);
    writeFileSync(path.join(input, 'a b', 'readme.txt'), 'hello');
    writeFileSync(path.join(input, '.DS_Store'), '');
    const report = await runImages({
      inDir: input,
      outDir: at('odd-out'),
      format: 'webp',
      resize: { width: 10, height: 10 },
      workers: 2,
    });
    expect(report.failed).toEqual([]);
    expect(report.processed).toBe(4);
    expect(report.skipped).toEqual([
      { file: '.DS_Store', reason: 'hidden file' },
      { file: 'a b/readme.txt', reason: 'not an image (by its extension)' },
    ]);
    expect(listTree(at('odd-out'))).toEqual([
      'a b/c/photo (1).webp',
      'same.jpg.webp',
      'same.png.webp',
      'sub dir/ünï cödé 🖼.webp',
    ]);
    expect(outputNames(['x.png'], undefined).get('x.png')).toBe('x.png');
  });

  test('JPEG by its other extensions (.jfif, .jpe) is processed in its own format; HEIC and BMP are skipped as formats sharp cannot read, SVG as a vector image; an empty file fails as such', async () => {
    const input = at('extensions-in');
    mkdirSync(input, { recursive: true });
    await makeImage(path.join(input, 'photo.jpg'), 30, 20);
    cpSync(path.join(input, 'photo.jpg'), path.join(input, 'scan.jfif'));
    cpSync(path.join(input, 'photo.jpg'), path.join(input, 'old.JPE'));
    writeFileSync(path.join(input, 'phone.heic'), 'not decodable here');
    writeFileSync(path.join(input, 'paint.bmp'), 'BM');
    writeFileSync(path.join(input, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    writeFileSync(path.join(input, 'zero.png'), '');
    const report = await runImages({ inDir: input, outDir: at('extensions-out'), resize: { width: 8, height: 8 } });
    expect(report.failed).toEqual([{ file: 'zero.png', error: 'empty file (0 bytes)' }]);
    expect(report.processed).toBe(3);
    expect(report.skipped.map((s) => [s.file, /sharp's bundled libvips cannot read/.test(s.reason)])).toEqual([
      ['logo.svg', false],
      ['paint.bmp', true],
      ['phone.heic', true],
    ]);
    expect(report.skipped[0]!.reason).toBe('a vector image (SVG): this command processes raster images only');
    for (const name of ['scan.jfif', 'old.JPE']) {
      expect((await sharp(path.join(at('extensions-out'), name)).metadata()).format).toBe('jpeg');
    }
  });

  test('refuses an output folder that is, is inside, or contains the input folder (exit 2, one line)', async () => {
    const input = at('refuse-in');
    await makeImage(path.join(input, 'one.png'), 10, 10);
    for (const out of [input, path.join(input, 'out'), work]) {
      const { code, stdout, stderr } = runCli(input, out);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^images: the output folder must not (be|contain) the input folder/);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(listTree(input)).toEqual(['one.png']);
  });

  test('usage errors are one line on stderr with exit code 2', () => {
    for (const args of [
      [],
      ['a'],
      [at('nowhere'), at('x')],
      ['a', 'b', '--resize', '10by10'],
      ['a', 'b', '--bogus'],
      ['a', 'b', '--format', 'bmp'],
      ['a', 'b', '--workers', '0'],
    ]) {
      const { code, stderr } = runCli(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(/^images: \S/);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  test('an unwritable output folder gives one error per file and leaves nothing behind', async () => {
    const input = at('ro-in');
    await makeImage(path.join(input, 'a.png'), 20, 20);
    await makeImage(path.join(input, 'deeper', 'b.png'), 20, 20);
    const out = unwritableDir();
    const before = listTree(out === '/sys/kernel' ? at('nothing') : out);
    const report = await runImages({ inDir: input, outDir: out, workers: 2 });
    expect(report.processed).toBe(0);
    expect(report.failed.map((f) => f.file)).toEqual(['a.png', 'deeper/b.png']);
    for (const f of report.failed) expect(f.error).toMatch(/EACCES|EPERM|EROFS|permission|read-only/i);
    if (out !== '/sys/kernel') expect(listTree(out)).toEqual(before);
  });

  test('a decompression bomb and unreadable files fail one by one; the rest succeeds', async () => {
    const input = at('bomb-in');
    await makePngBomb(path.join(input, 'bomb.png'), 60_000, 60_000);
    await makeImage(path.join(input, 'fine.png'), 30, 30);
    await makeImage(path.join(input, 'big-ish.png'), 300, 300);
    symlinkSync(path.join(input, 'gone.png'), path.join(input, 'dangling.png'));
    const report = await runImages({ inDir: input, outDir: at('bomb-out'), workers: 2, maxPixels: 50_000 });
    expect(report.processed).toBe(1);
    const errors = Object.fromEntries(report.failed.map((f) => [f.file, f.error]));
    expect(Object.keys(errors).sort()).toEqual(['big-ish.png', 'bomb.png', 'dangling.png']);
    expect(errors['bomb.png']).toMatch(/pixel limit/i);
    expect(errors['big-ish.png']).toMatch(/pixel limit/i);
    expect(errors['dangling.png']).toMatch(/cannot read.*ENOENT/);
    expect(listTree(at('bomb-out'))).toEqual(['fine.png']);
  });

  test('exit code 0 when every image succeeds; --fail-on none accepts a file the decoder had to patch up', () => {
    const input = at('ok-in');
    mkdirSync(input, { recursive: true });
    copyFileSync(path.join(fixtures.good, 'concert.jpg'), path.join(input, 'concert.jpg'));
    copyFileSync(path.join(fixtures.broken, 'photoshop-200dpi-broken.jpg'), path.join(input, 'stray-bytes.jpg'));
    const strict = runCli(input, at('ok-out-strict'), '--json');
    expect(strict.code).toBe(1);
    const lenient = runCli(input, at('ok-out'), '--fail-on', 'none', '--brighten', '10', '--json');
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ processed: 2, failed: [], skipped: [] });
    expect(listTree(at('ok-out'))).toEqual(['concert.jpg', 'stray-bytes.jpg']);
  });

  test('argument parsing', () => {
    expect(
      parseImagesArgs(['in', 'out', '--resize', '800x600', '--blur', '1.5', '--brighten=-20', '--workers', '3']),
    ).toEqual({
      inDir: 'in',
      outDir: 'out',
      json: false,
      resize: { width: 800, height: 600 },
      blur: 1.5,
      brighten: -20,
      workers: 3,
    });
    expect(parseImagesArgs(['--help'])).toBe('help');
    expect(() => parseImagesArgs(['in', 'out', '--blur', '0.1'])).toThrow(/--blur/);
  });

  test('--processes: the same results as the thread pool, each failure with its message; --threads and --processes exclude each other', async () => {
    const input = at('proc-in');
    cpSync(fixtures.good, path.join(input, 'good'), { recursive: true });
    cpSync(fixtures.broken, path.join(input, 'broken'), { recursive: true });
    const common = { inDir: input, resize: { width: 48, height: 48 }, format: 'png' as const, workers: 2 };
    const threads = await runImages({ ...common, outDir: at('proc-out-t'), mode: 'threads' });
    const processes = await runImages({ ...common, outDir: at('proc-out-p'), mode: 'processes' });
    expect([threads.mode, processes.mode]).toEqual(['threads', 'processes']);
    expect(processes.processed).toBe(threads.processed);
    expect(processes.processed).toBe(readdirSync(fixtures.good).length);
    expect(processes.failed.map((f) => f.file)).toEqual(threads.failed.map((f) => f.file));
    for (const f of processes.failed) expect(f.error.length, f.file).toBeGreaterThan(0);
    expect(listTree(at('proc-out-p'))).toEqual(listTree(at('proc-out-t')));
    expect(() => parseImagesArgs(['in', 'out', '--threads', '--processes'])).toThrow(/exclude/);
    expect(parseImagesArgs(['in', 'out', '--processes'])).toMatchObject({ mode: 'processes' });
  });
});
