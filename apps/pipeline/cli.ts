/**
 * `npm run pipeline -- <file...|-> [options]`: run log files through the threaded pipeline and report.
 *
 * Guarantees:
 * - Exit 0 when the input was processed (dead-lettered lines are results, not errors); exit 2 with one line
 *   `pipeline: <message>` on stderr for a usage or input problem (unknown flag, bad value, missing file,
 *   directory, unwritable --dlq file); exit 1 with one such line when the pipeline itself fails (a thread
 *   threw, a read failed mid-way). Never a stack trace.
 * - stdout carries only the report (text, or one JSON object with --json), whose first line sums the run up.
 *   stderr carries a progress bar (lines, lines/s, ETA from the bytes read of the files' total size) only when
 *   it is a terminal (colour unless NO_COLOR), and otherwise nothing but errors.
 * - Ctrl-C stops reading; what was already read is counted and reported (stoppedEarly: true).
 * - Threads only where they pay: starting the parser threads costs a whole run ~0.07 s (a Node worker's start,
 *   then its own JIT warm-up of the parsers), which the threads earn back only on tens of megabytes. Without
 *   --workers, input files that together hold less than SMALL_INPUT_BYTES run on the reading thread alone, and
 *   the report says so (`singleThreadedBecause`); --workers N starts the threads whatever the size, standard
 *   input (size unknown) always gets them. Results are the same either way (runBaseline counts through the
 *   same code).
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../../lib/cli.ts';
import { ProgressLine } from '../../lib/progress.ts';
import { LOG_LEVELS, type LogLevel } from './reference.ts';
import { FORMAT_OPTIONS, type FormatOption, isFormatOption, mapLevelWord } from './formats.ts';
import { defaultWorkers, InputError, runBaseline, runPipeline, type PipelineOptions } from './pipeline.ts';
import { textSize } from './reader.ts';
import { formatReport } from './report.ts';

const USAGE = `usage: npm run pipeline -- <file...|-> [options]

Reads log files (or standard input, given as -), parses every line in its detected format, and reports
counts per level and per source, the top sources, the dead-lettered lines and why, and lines per second.

options:
  --min-level LEVEL   keep entries at this level or above: debug, info, warn, error (default debug)
  --unknown keep|drop lines that name no level (syslog files, access logs) are counted as level Unknown;
                      keep them (default) or drop them (counted as filtered)
  --format FORMAT     auto (default: detected per file from its first 50 lines, re-checked for every line
                      that does not fit) or one of:
                      ${FORMAT_OPTIONS.slice(1, 8).join(', ')},
                      ${FORMAT_OPTIONS.slice(8).join(', ')}
  --workers N         parser threads (default: CPUs - 1, at least 1, here ${'{cpus}'}); the reading thread
                      also parses whenever they are all busy
  --dlq FILE          write dead-lettered lines to FILE as JSON lines {file, line, reason, text}
  --limit N           stop after N lines
  --json              print one JSON object instead of text
  --single-threaded   run the single-threaded baseline instead (same results, for comparison)
  -h, --help          show this help

Every line read is counted once: total = kept + filtered + continued + deadLettered + blank
(continued: lines that continue the record before them, such as indented stack frames).
Exit codes: 0 done, 1 the pipeline failed, 2 bad usage or input.`;

function positiveInt(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}, got '${value}'`);
  }
  return Number(value);
}

function parseLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  const level = mapLevelWord(value);
  if (level === undefined)
    throw new UsageError(
      `--min-level must be one of ${LOG_LEVELS.map((l) => l.toLowerCase()).join(', ')}, got '${value}'`,
    );
  return level;
}

function parseFormat(value: string | undefined): FormatOption | undefined {
  if (value === undefined) return undefined;
  if (!isFormatOption(value))
    throw new UsageError(`--format must be one of ${FORMAT_OPTIONS.join(', ')}, got '${value}'`);
  return value;
}

interface Command {
  readonly help: boolean;
  readonly json: boolean;
  readonly singleThreaded: boolean;
  readonly paths: string[];
  readonly options: PipelineOptions;
}

export function parseCommandLine(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'min-level': { type: 'string' },
        format: { type: 'string' },
        unknown: { type: 'string' },
        workers: { type: 'string' },
        dlq: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        'single-threaded': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        // Test hook, not in the usage text: every parser thread throws after this many chunks.
        'test-throw-after-chunks': { type: 'string' },
      },
    });
  } catch (error) {
    const e = error as Error & { code?: string };
    const option = /'([^']+)'/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError(`unknown option '${option ?? '?'}' (see --help)`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(`option '${(option ?? '?').replace(/ <value>$/, '')}' needs a value`);
    }
    throw new UsageError(e.message.split('\n')[0]!);
  }
  const v = parsed.values;
  const minLevel = parseLevel(v['min-level']);
  const format = parseFormat(v.format);
  if (v.unknown !== undefined && v.unknown !== 'keep' && v.unknown !== 'drop') {
    throw new UsageError(`--unknown must be keep or drop, got '${v.unknown}'`);
  }
  const workers = positiveInt('workers', v.workers, 256);
  const maxLines = positiveInt('limit', v.limit, Number.MAX_SAFE_INTEGER);
  const throwAfter = v['test-throw-after-chunks'];
  const options: PipelineOptions = {
    ...(minLevel ? { minLevel } : {}),
    ...(format ? { format } : {}),
    ...(v.unknown === 'drop' ? { keepUnknown: false } : {}),
    ...(workers ? { workers } : {}),
    ...(maxLines ? { maxLines } : {}),
    ...(v.dlq !== undefined ? { dlqPath: v.dlq } : {}),
    ...(throwAfter !== undefined ? { testThrowAfterChunks: Number(throwAfter) } : {}),
  };
  return {
    help: v.help === true,
    json: v.json === true,
    singleThreaded: v['single-threaded'] === true,
    paths: parsed.positionals,
    options,
  };
}

/**
 * Below this many bytes of input the command runs on one thread (see the header). Measured on a 2-core machine
 * (HDFS lines, whole processes, 5 alternating runs, --workers 1 against --single-threaded; apps/pipeline/README.md):
 * threads lost ~50 ms at 14 MB and ~40 ms at 35 MB, about tied at 57 and 100 MB, won at 144 MB. With more cores
 * they win sooner, so the limit sits below the 2-core crossover rather than at it.
 */
export const SMALL_INPUT_BYTES = 32 * 1024 * 1024;

async function totalSize(paths: readonly string[]): Promise<number | undefined> {
  let total = 0;
  for (const p of paths) {
    if (p === '-') return undefined;
    total += textSize(p);
  }
  return total;
}

export async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`pipeline: ${(error as Error).message}\n`);
    return 2;
  }
  if (command.help) {
    process.stdout.write(`${USAGE.replace('{cpus}', String(defaultWorkers()))}\n`);
    return 0;
  }
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let progress: ProgressLine | undefined;
  try {
    const options: PipelineOptions = { ...command.options, signal: abort.signal };
    const size = command.paths.length > 0 ? await totalSize(command.paths).catch(() => undefined) : undefined;
    const small =
      !command.singleThreaded &&
      command.options.workers === undefined &&
      size !== undefined &&
      size < SMALL_INPUT_BYTES;
    if (process.stderr.isTTY && command.paths.length > 0) {
      const line = new ProgressLine(process.stderr, { unit: 'lines' });
      progress = line;
      Object.assign(options, {
        onProgress: (bytes: number, lines: number) => line.update(lines, undefined, size ? bytes / size : undefined),
      });
    }
    const report =
      command.singleThreaded || small
        ? await runBaseline(command.paths, options)
        : await runPipeline(command.paths, options);
    progress?.finish();
    const because = small
      ? `the input is under ${SMALL_INPUT_BYTES / 1024 / 1024} MB: too little for parser threads to earn back ` +
        'their start; --workers N starts them anyway'
      : undefined;
    if (command.json) {
      process.stdout.write(
        `${JSON.stringify(because ? { ...report, singleThreadedBecause: because } : report, null, 2)}\n`,
      );
    } else {
      // The reason goes right under the summary line, which says single-threaded.
      const text = formatReport(report);
      const cut = text.indexOf('\n');
      process.stdout.write(because ? `${text.slice(0, cut)}\n(${because})${text.slice(cut)}\n` : `${text}\n`);
    }
    return 0;
  } catch (error) {
    progress?.finish();
    const message = (error as Error).message ?? String(error);
    process.stderr.write(`pipeline: ${message.split('\n')[0]}\n`);
    // Anything that is not an input problem (a PipelineError, or a bug) is a failure of the run.
    return error instanceof InputError ? 2 : 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
