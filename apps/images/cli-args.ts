/**
 * Arguments, help text and the text summary of `npm run images` (cli.ts runs them). Kept apart from cli.ts,
 * which starts the command as soon as it is loaded, so that tests can call them directly.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { FailOn } from './reference.ts';
import { type ImagesOptions, type ImagesReport, type Mode, OUTPUT_FORMATS } from './run-images.ts';
import { UsageError } from '../../lib/cli.ts';

const FAIL_ON: readonly FailOn[] = ['none', 'truncated', 'error', 'warning'];

export const USAGE = `usage: npm run images -- <in-dir> <out-dir> [options]

Processes every image under <in-dir> (jpeg, png, webp, avif, gif, tiff; first frame of animations) on a pool
of workers and writes the results under <out-dir>, keeping subfolders and names. Other files are
skipped with a note. Operations run in this order: resize, blur, brighten.

options:
  --resize WxH        fit inside W x H pixels, keeping the aspect ratio
  --blur S            gaussian blur with sigma S (0.3 to 1000; 0 = none)
  --brighten D        add D (-255 to 255) to the brightness (negative: --brighten=-20)
  --format F          write ${OUTPUT_FORMATS.join('|')} (default: the input's own format)
  --workers N         workers (default: the number of CPUs, here ${os.availableParallelism()})
  --threads           workers are threads of this process (the thread pool of project 2)
  --processes         workers are processes (libvips shares state inside one process, so separate
                      processes scale better): this one and N-1 children, each ~0.15 s of CPU to start
                      default: processes with more than one worker, a thread with one; the
                      summary says which ran
  --fail-on LEVEL     refuse inputs with decoder ${FAIL_ON.join('|')} (default warning: a file the
                      decoder had to patch up fails rather than producing a damaged image)
  --max-pixels N      refuse inputs larger than N pixels (default 268402689, sharp's limit)
  --json              print one JSON object: processed, failed [{file, error}], skipped, seconds
  -h, --help          show this help

Exit codes: 0 all images processed, 1 some files failed, 2 usage error.`;

/** A bad command line: exit code 2. */

function number(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
  integer = false,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got '${value}'`,
    );
  }
  return n;
}

export function parseImagesArgs(argv: readonly string[]): (ImagesOptions & { json: boolean }) | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        resize: { type: 'string' },
        blur: { type: 'string' },
        brighten: { type: 'string' },
        format: { type: 'string' },
        workers: { type: 'string' },
        threads: { type: 'boolean', default: false },
        processes: { type: 'boolean', default: false },
        'fail-on': { type: 'string' },
        'max-pixels': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 2) {
    throw new UsageError(
      `expected <in-dir> <out-dir>, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'} (see --help)`,
    );
  }
  let resize: { width: number; height: number } | undefined;
  if (values.resize !== undefined) {
    const m = /^(\d+)x(\d+)$/i.exec(values.resize);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1 || Number(m[1]) > 100_000 || Number(m[2]) > 100_000) {
      throw new UsageError(`--resize must look like 800x600, got '${values.resize}'`);
    }
    resize = { width: Number(m[1]), height: Number(m[2]) };
  }
  const blur = number('blur', values.blur, 0, 1000);
  if (blur !== undefined && blur > 0 && blur < 0.3)
    throw new UsageError(`--blur must be 0 or from 0.3 to 1000, got '${values.blur}'`);
  const brighten = number('brighten', values.brighten, -255, 255);
  const workers = number('workers', values.workers, 1, 64, true);
  if (values.threads && values.processes) throw new UsageError('--threads and --processes exclude each other');
  const mode: Mode = values.threads ? 'threads' : values.processes ? 'processes' : 'auto';
  const maxPixels = number('max-pixels', values['max-pixels'], 1, Number.MAX_SAFE_INTEGER, true);
  const format = values.format;
  if (format !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got '${format}'`);
  }
  const failOn = values['fail-on'];
  if (failOn !== undefined && !(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')}, got '${failOn}'`);
  }
  return {
    inDir: positionals[0]!,
    outDir: positionals[1]!,
    json: values.json ?? false,
    ...(resize ? { resize } : {}),
    ...(blur !== undefined ? { blur } : {}),
    ...(brighten !== undefined ? { brighten } : {}),
    ...(format ? { format: format as (typeof OUTPUT_FORMATS)[number] } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(mode !== 'auto' ? { mode } : {}),
    ...(failOn ? { failOn: failOn as FailOn } : {}),
    ...(maxPixels !== undefined ? { maxPixels } : {}),
  };
}

export function formatSummary(report: ImagesReport): string {
  const lines = [
    `processed ${report.processed}, failed ${report.failed.length}, skipped ${report.skipped.length} ` +
      `in ${report.seconds.toFixed(2)} s on ${report.workers} worker ${report.mode === 'processes' ? 'process' : 'thread'}${report.workers === 1 ? '' : report.mode === 'processes' ? 'es' : 's'} → ${report.outDir}`,
  ];
  if (report.failed.length > 0) {
    lines.push('failed:');
    for (const f of report.failed) lines.push(`  ${f.file}: ${f.error}`);
  }
  if (report.skipped.length > 0) {
    lines.push('skipped:');
    for (const s of report.skipped) lines.push(`  ${s.file}: ${s.reason}`);
  }
  return lines.join('\n');
}
