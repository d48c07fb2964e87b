/**
 * The `pipeline` command's core: the threaded pipeline (`runPipeline`) and its single-threaded twin
 * (`runBaseline`), which read through the same reader and count through the same `processChunk`.
 *
 *                                         ┌─► parserWorker 1 ─┐
 *   files/stdin ─► main thread (reader) ──┼─► parserWorker 2 ─┼─► one TallyWire each ─► main merges ─► report
 *                  chunks of whole lines, └─► parserWorker N ─┘
 *                  sent in batches of ~1 MB       │ dead-letter batches (bounded; only with --dlq)
 *                  on one bounded channel         ▼
 *                                          deadLetterWriter ─► --dlq FILE
 *
 * The reading thread parses too: a batch the channel has no room for (caller runs), and, once the input is all
 * read, every batch still queued (it takes them back through a receiver of its own), so that neither core idles.
 *
 * Guarantees:
 * - Backpressure: the batch channel holds at most `channelCapacity` batches (default 2 per worker); the main
 *   thread sends with `sendAsync`, so while it waits for room its event loop keeps running and no more input
 *   is read. Memory stays flat whatever the input size.
 * - Nothing accepted is lost: every line the reader delivered is in a batch that is sent before the channel
 *   is closed, and a worker returns only once the channel is closed *and* drained. So on a normal end, a line
 *   limit or an abort, total = kept + filtered + continued + dead-lettered + blank (`checkAccounting` verifies it).
 * - Failure ends everything: if a worker throws, reading stops at the next batch, the remaining workers and
 *   the writer are joined (or terminated after a grace period), and `runPipeline` rejects with a
 *   `PipelineError` naming the thread and its message. No thread is left running after either function
 *   settles.
 * - Bad inputs (missing file, directory, unwritable --dlq file) are found before any thread starts, and
 *   reported as `InputError`.
 */
import { closeSync, openSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { Barrier } from '#kit/barrier.ts';
import { channel, type Receiver, type Sender, syncChannel } from '#kit/channel.ts';
import { Builder, type JoinHandle } from '#kit/thread.ts';
import type { LogLevel } from './reference.ts';
import { DeadLetterFile } from './dead-letter-file.ts';
import type { FormatOption } from './formats.ts';
import {
  type ChunkSink,
  compressionOf,
  DEFAULT_CHUNK_BYTES,
  type OversizedLine,
  OVERSIZED_REASON,
  readChunks,
  STDIN,
} from './reader.ts';
import { buildReport, checkAccounting, type PipelineReport } from './report.ts';
import { chunkBatchCodec, deadLetterBatchCodec, deadLetterWriter, parserWorker } from './threads.ts';
import {
  type Chunk,
  countDeadLetter,
  processChunk,
  type DeadLetter,
  deadLetterText,
  emptyTally,
  mergeTallies,
  type TallyWire,
  tallyToWire,
} from './tally.ts';

export interface PipelineOptions {
  readonly format?: FormatOption;
  readonly minLevel?: LogLevel;
  /** Keep entries whose line names no level (level Unknown); default true. */
  readonly keepUnknown?: boolean;
  /** Parser threads (default: one less than os.availableParallelism(), at least 1: the reading thread parses
   * too, whenever the parser threads are behind). Ignored by the baseline. */
  readonly workers?: number;
  /** Write dead letters here (JSON lines). */
  readonly dlqPath?: string;
  /** Bytes read per piece; each piece becomes one chunk of whole lines. */
  readonly chunkBytes?: number;
  /** Bytes per read from a file. */
  readonly readBytes?: number;
  /** Bytes of text per message to the workers (chunks are sent in batches of about this much). */
  readonly batchBytes?: number;
  /** Batches the channel to the workers may hold (default 2 per worker). */
  readonly channelCapacity?: number;
  /** Stop after this many lines. */
  readonly maxLines?: number;
  /** Stop reading when aborted; what was read is still counted. */
  readonly signal?: AbortSignal;
  readonly stdin?: Readable;
  readonly onProgress?: (bytesRead: number, lines: number) => void;
  /** Test hook: every parser worker throws after handling this many chunks (and the reading thread parses no
   * chunk itself, so that the parser threads get them all). */
  readonly testThrowAfterChunks?: number;
}

export const DEFAULT_BATCH_BYTES = 1024 * 1024;

/** A problem with the command's inputs (reported as one line, exit code 2). */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** The pipeline itself failed (a thread threw, or reading failed mid-way). */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
}

/** Check every input and the dead-letter path before anything starts. */
export function checkInputs(paths: readonly string[], dlqPath: string | undefined): void {
  if (paths.length === 0) throw new InputError('no input files (give file names, or - for standard input)');
  if (paths.filter((p) => p === STDIN).length > 1) throw new InputError('standard input (-) can be read only once');
  for (const path of paths) {
    if (path === STDIN) continue;
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(
        code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? (error as Error).message})`,
      );
    }
    if (stats.isDirectory()) throw new InputError(`${path}: is a directory`);
    const compression = compressionOf(path);
    if (compression !== undefined && compression !== 'gzip') {
      const tool = { xz: 'xz', zstd: 'zstd', bzip2: 'bzip2' }[compression];
      throw new InputError(
        `${path}: compressed with ${compression}, which this command cannot read; decompress it first ` +
          `(${tool} -dc ${path} | npm run pipeline -- -)`,
      );
    }
    try {
      closeSync(openSync(path, 'r'));
    } catch (error) {
      throw new InputError(
        `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
  if (dlqPath !== undefined) {
    if (paths.includes(dlqPath)) throw new InputError(`--dlq ${dlqPath}: is also an input file`);
    try {
      closeSync(openSync(dlqPath, 'a'));
    } catch (error) {
      throw new InputError(
        `--dlq ${dlqPath}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
}

function oversizedLetter(line: OversizedLine): DeadLetter {
  return {
    file: line.file,
    line: line.line,
    reason: OVERSIZED_REASON,
    text: deadLetterText(line.prefix),
    length: line.bytes,
    lengthInBytes: true,
  };
}

function defaults(options: PipelineOptions) {
  return {
    format: options.format ?? 'auto',
    minLevel: options.minLevel ?? 'Debug',
    keepUnknown: options.keepUnknown ?? true,
    ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
    ...(options.readBytes !== undefined ? { readBytes: options.readBytes } : {}),
    ...(options.maxLines !== undefined ? { maxLines: options.maxLines } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  } as const;
}

/** The single-threaded baseline: the same reader and the same per-line code, in one loop on this thread. */
export async function runBaseline(paths: readonly string[], options: PipelineOptions = {}): Promise<PipelineReport> {
  const start = performance.now();
  checkInputs(paths, options.dlqPath);
  const settings = defaults(options);
  const tally = emptyTally();
  const dlq = options.dlqPath === undefined ? undefined : new DeadLetterFile(options.dlqPath);
  const batch: DeadLetter[] | undefined = dlq ? [] : undefined;
  try {
    const summary = await readChunks(paths, settings, {
      chunk(chunk) {
        processChunk(tally, chunk, batch);
        if (batch && batch.length > 0) {
          dlq!.write(batch);
          batch.length = 0;
        }
      },
      oversized(line) {
        countDeadLetter(tally, OVERSIZED_REASON);
        dlq?.write([oversizedLetter(line)]);
      },
    });
    const report = buildReport({
      tally,
      files: summary.files,
      total: summary.lines,
      bytes: summary.bytes,
      stoppedEarly: summary.stoppedEarly,
      minLevel: settings.minLevel,
      keepUnknown: settings.keepUnknown,
      workers: 0,
      elapsedMs: performance.now() - start,
      deadLetterFile: dlq ? { path: dlq.path, written: dlq.written } : null,
    });
    checkAccounting(report);
    return report;
  } finally {
    dlq?.close();
  }
}

/** Settings fixed when the threads start (the rest of `PipelineOptions` may change from run to run). */
export interface ThreadOptions {
  readonly workers?: number;
  readonly dlqPath?: string;
  readonly chunkBytes?: number;
  readonly batchBytes?: number;
  readonly channelCapacity?: number;
  readonly testThrowAfterChunks?: number;
}

/**
 * Started parser threads (and the dead-letter writer, with `dlqPath`), ready to run inputs through. One run
 * at a time; `close` ends the threads. `runPipeline` starts them, runs once and closes: what the command does.
 * Keeping them for several runs (as the benchmark's warm variant does) spares each run the thread start-up
 * and lets it use code the threads have already compiled.
 */
export class PipelineThreads {
  readonly workers: number;
  private readonly chunkBytes: number;
  private readonly batchBytes: number;
  private readonly chunkTx: Sender<Chunk[]>;
  /** The reading thread's own receiver on the batch channel: at the end of the input it takes back the batches no
   * parser has started yet, instead of waiting idle while the parsers work through them. */
  private readonly chunkRx: Receiver<Chunk[]>;
  private readonly resultsRx: Receiver<TallyWire>;
  private readonly dlqTx: Sender<DeadLetter[]> | undefined;
  private readonly writer: JoinHandle<number> | undefined;
  private readonly parsers: Array<JoinHandle<number>>;
  private readonly failed: Promise<never>;
  private failure: Error | undefined;
  private busy = false;
  /** Whether the reading thread parses too (caller runs, and the batches queued at the end); not under the test
   * hook that makes parser threads fail, which needs them to get every chunk. */
  private readonly readerParses: boolean;
  /** Chunks the reading thread parsed itself (caller runs), over all runs: for tests and curiosity. */
  parsedHere = 0;
  private closed: Promise<number> | undefined;

  constructor(options: ThreadOptions = {}) {
    const workers = options.workers ?? defaultWorkers();
    if (!Number.isInteger(workers) || workers < 1)
      throw new InputError(`workers must be a whole number of at least 1, got ${workers}`);
    this.workers = workers;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
    this.readerParses = options.testThrowAfterChunks === undefined;
    const capacity = options.channelCapacity ?? 2 * workers;
    if (options.dlqPath !== undefined) {
      const [tx, rx] = syncChannel<DeadLetter[]>(4 * workers, {
        codec: deadLetterBatchCodec,
        initialBytes: 4 * this.chunkBytes,
      });
      this.writer = new Builder().name('dead-letter-writer').spawn(deadLetterWriter, rx, options.dlqPath);
      this.dlqTx = tx;
    }
    // Bytes are copied into the ring as they are: a batch needs its size plus small headers.
    const [chunkTx, chunkRx] = syncChannel<Chunk[]>(capacity, {
      codec: chunkBatchCodec,
      initialBytes: (capacity + 1) * (this.batchBytes + this.chunkBytes + 64 * 1024),
    });
    const [resultsTx, resultsRx] = channel<TallyWire>();
    const endOfRun = new Barrier(workers);
    this.chunkRx = chunkRx.clone();
    this.parsers = [];
    for (let i = 0; i < workers; i++) {
      const rx = i === workers - 1 ? chunkRx : chunkRx.clone();
      const tx = i === workers - 1 ? resultsTx : resultsTx.clone();
      this.parsers.push(
        new Builder()
          .name(`parser-${i + 1}`)
          .spawn(parserWorker, rx, tx, this.dlqTx?.clone(), endOfRun, options.testThrowAfterChunks ?? -1),
      );
    }
    this.chunkTx = chunkTx;
    this.resultsRx = resultsRx;
    // Settles (rejects) as soon as any thread fails; until then, never.
    this.failed = new Promise<never>((_, reject) => {
      for (const handle of [...this.parsers, ...(this.writer ? [this.writer] : [])]) {
        handle.joinAsync().catch((error: unknown) => {
          this.failure ??= describeFailure(error);
          reject(this.failure);
        });
      }
    });
    this.failed.catch(() => {});
  }

  /** Read `paths` through the threads; resolves to the run's report (its dead-letter count comes with `close`). */
  async run(
    paths: readonly string[],
    options: PipelineOptions = {},
    clockStart = performance.now(),
  ): Promise<PipelineReport> {
    if (this.busy || this.closed) throw new Error('PipelineThreads: one run at a time, and not after close()');
    checkInputs(paths, undefined);
    this.busy = true;
    try {
      return await this.runOnce(paths, options, clockStart);
    } finally {
      this.busy = false;
    }
  }

  private async runOnce(
    paths: readonly string[],
    options: PipelineOptions,
    clockStart: number,
  ): Promise<PipelineReport> {
    const settings = defaults(options);
    const batchBytes = this.batchBytes;
    const mainTally = emptyTally();
    let batch: Chunk[] = [];
    let pendingBytes = 0;
    const send = async (message: Chunk[]): Promise<void> => {
      if (this.failure) throw this.failure;
      try {
        await Promise.race([this.chunkTx.sendAsync(message), this.failed]);
      } catch (error) {
        throw await this.explain(error);
      }
    };
    const dead: DeadLetter[] | undefined = this.dlqTx ? [] : undefined;
    const parseHere = async (chunks: Chunk[]): Promise<void> => {
      for (const chunk of chunks) processChunk(mainTally, chunk, dead);
      this.parsedHere += chunks.length;
      if (dead !== undefined && dead.length > 0) {
        const letters = dead.splice(0);
        await Promise.race([this.dlqTx!.sendAsync(letters), this.failed]);
      }
    };
    // Caller runs: when every parser thread is busy and the channel is full, the reading thread parses the batch
    // itself instead of waiting for room. It would otherwise sit idle on a core the parsers could not use
    // (notably while they start up), and the work it takes is work they no longer have to do.
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const full = batch;
      batch = [];
      pendingBytes = 0;
      if (this.failure) throw this.failure;
      const sent = this.chunkTx.trySend(full);
      if (sent.ok) return;
      if (sent.error.kind !== 'full') throw await this.explain(sent.error);
      if (this.readerParses) await parseHere(full);
      else await send(full);
    };
    const sink: ChunkSink = {
      async chunk(chunk) {
        batch.push(chunk);
        pendingBytes += chunk.text.length;
        if (pendingBytes >= batchBytes) await flush();
      },
      // The reader reuses its read buffers: hand on what the batch holds before it reads into them again.
      release: flush,
      oversized: async (line) => {
        if (this.failure) throw this.failure;
        countDeadLetter(mainTally, OVERSIZED_REASON);
        if (this.dlqTx) await Promise.race([this.dlqTx.sendAsync([oversizedLetter(line)]), this.failed]);
      },
    };
    const summary = await readChunks(paths, { ...settings, chunkBytes: this.chunkBytes }, sink);
    await flush();
    // The input is all read: take back the batches still queued and parse them here, alongside the parsers, so
    // that the run ends when the batches they hold are done rather than when the whole queue is. (The queue
    // holds no empty batch yet: the previous run's were all taken before its counts came back.)
    while (this.readerParses) {
      if (this.failure) throw this.failure;
      const queued = this.chunkRx.tryRecv();
      if (!queued.ok) break;
      await parseHere(queued.value);
    }
    // End of run: one empty batch per parser; each answers with its counts.
    for (let i = 0; i < this.workers; i++) await send([]);
    const parts: TallyWire[] = [tallyToWire(mainTally)];
    for (let i = 0; i < this.workers; i++) {
      try {
        parts.push(await Promise.race([this.resultsRx.recvAsync(), this.failed]));
      } catch (error) {
        throw await this.explain(error);
      }
    }
    const report = buildReport({
      tally: mergeTallies(parts),
      files: summary.files,
      total: summary.lines,
      bytes: summary.bytes,
      stoppedEarly: summary.stoppedEarly,
      minLevel: settings.minLevel,
      keepUnknown: settings.keepUnknown,
      workers: this.workers,
      elapsedMs: performance.now() - clockStart,
      deadLetterFile: null,
    });
    checkAccounting(report);
    return report;
  }

  /**
   * The reason behind a failed send or receive. A channel whose peers all died reports only "disconnected",
   * possibly before the threads' joins have said why; give them a moment to.
   */
  private async explain(error: unknown): Promise<Error> {
    if (!this.failure)
      await Promise.race([this.failed.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    return this.failure ?? describeFailure(error);
  }

  /**
   * End the threads: close the batch channel (each parser drains it and returns), then the dead-letter
   * channel (the writer finishes the file). After a failure, threads still running are terminated.
   * Resolves to the number of dead letters written (0 without a writer); rejects if a thread failed.
   */
  close(): Promise<number> {
    this.closed ??= (async () => {
      this.chunkTx.close();
      this.chunkRx.close();
      if (this.failure) {
        this.dlqTx?.close();
        await stopAll([...this.parsers, ...(this.writer ? [this.writer] : [])]);
        throw this.failure;
      }
      const settled = await Promise.allSettled(this.parsers.map((p) => p.joinAsync()));
      this.dlqTx?.close();
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) {
        await stopAll(this.writer ? [this.writer] : []);
        throw describeFailure(failed.reason);
      }
      try {
        return this.writer ? await this.writer.joinAsync() : 0;
      } catch (error) {
        throw describeFailure(error);
      }
    })();
    return this.closed;
  }
}

/** Parser threads by default: one per core but one, since the reading thread parses too (see `flush`). */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** The threaded pipeline, as the command runs it: start the threads, run once, close (see the file header). */
export async function runPipeline(paths: readonly string[], options: PipelineOptions = {}): Promise<PipelineReport> {
  const clockStart = performance.now();
  checkInputs(paths, options.dlqPath);
  const threads = new PipelineThreads(options);
  let report: PipelineReport;
  try {
    report = await threads.run(paths, options, clockStart);
  } catch (error) {
    await threads.close().catch(() => {});
    throw error instanceof InputError || error instanceof PipelineError ? error : describeFailure(error);
  }
  const written = await threads.close();
  return {
    ...report,
    elapsedMs: Math.round((performance.now() - clockStart) * 10) / 10,
    linesPerSecond: Math.round((report.total * 1000) / (performance.now() - clockStart)),
    deadLetterFile: options.dlqPath === undefined ? null : { path: options.dlqPath, written },
  };
}

/** Give threads a moment to finish on their own (their inputs are closed), then terminate the rest. */
async function stopAll(handles: ReadonlyArray<JoinHandle<unknown>>): Promise<void> {
  await Promise.all(
    handles.map(async (handle) => {
      const outcome = await handle.joinTimeoutAsync(1000).catch(() => ({ ok: true }));
      if (!outcome.ok) await handle.terminate();
    }),
  );
}

function describeFailure(error: unknown): Error {
  if (error instanceof InputError || error instanceof PipelineError) return error;
  const e = error as Error & { thread?: { name: string }; cause?: Error; code?: string };
  if (e?.name === 'ThreadPanicError') {
    const inner = e.cause?.message ?? e.message;
    return new PipelineError(`thread '${e.thread?.name ?? '?'}' failed: ${inner}`, { cause: error });
  }
  if (typeof e?.code === 'string' && 'path' in e)
    return new PipelineError(`${String((e as { path: unknown }).path)}: ${e.message}`, { cause: error });
  return new PipelineError(e?.message ?? String(error), { cause: error });
}
