/**
 * Thread bodies of the `pipeline` command, and the codecs of the channels between them.
 *
 *   main thread ──batches of chunks (bounded)──► parserWorker × N ──counts, one per run──► main thread
 *        │                                            │
 *        └── oversized lines ──► deadLetterWriter ◄───┘ dead letters, one batch per chunk batch (--dlq only)
 *
 * Who sends what:
 * - The main thread is the only sender on `batches`. Every parser holds a clone of its receiver, so each batch
 *   is handled by exactly one parser, whichever is free (the load balances itself). The main thread holds one
 *   more receiver, which it uses only between the end of a run's input and the run's end markers, to parse the
 *   batches still queued itself; so it never takes an end marker.
 * - A run ends with N empty batches, one per parser (N = the number of parsers). A parser that takes one sends
 *   its counts for the run on `results`, starts new counts, and waits at `endOfRun` (a Barrier of N) until
 *   every parser has taken its empty batch. So no parser can take two of them, and each run's counts come back
 *   exactly once per parser, after everything the run sent before them (the queue is FIFO).
 * - Parsers send dead letters on `deadLetters` before the counts of the same run. The main thread also holds
 *   a sender there, for lines the reader dead-letters itself. The writer is the only receiver.
 *
 * What ends each thread:
 * - A parser returns when `batches` is empty and its last sender is gone (the main thread closes it when the
 *   threads are no longer needed). It ends early only by throwing, which closes its endpoints; the main
 *   thread sees the panic when it joins.
 * - The writer returns when every dead-letter sender is gone: the parsers' close as they end, the main
 *   thread closes its own after the parsers are joined.
 */
import type { Barrier } from '#kit/barrier.ts';
import type { Receiver, Sender } from '#kit/channel.ts';
import { arrayOf, record as recordCodec } from '#kit/codec.ts';
import { defineThread } from '#kit/thread.ts';
import { LOG_LEVELS } from './reference.ts';
import { DeadLetterFile } from './dead-letter-file.ts';
import { FORMAT_NAMES } from './formats.ts';
import { type Chunk, type DeadLetter, emptyTally, processChunk, type TallyWire, tallyToWire } from './tally.ts';

/** A chunk crosses as a few fields in the channel's ring: its UTF-8 bytes copied in as one block (the reader
 * never decodes them) behind a small header; the parser thread's receive decodes them straight out of the ring
 * into the chunk's string (a `utf8` field), with no copy of the bytes in between. */
export const chunkCodec = recordCodec({
  file: 'string',
  firstLine: 'f64',
  format: { enum: FORMAT_NAMES },
  prefix: 'f64',
  minLevel: { enum: LOG_LEVELS },
  keepUnknown: 'bool',
  recheck: 'bool',
  text: 'utf8',
});

/** Chunks travel in batches (one message per batch): the main thread is woken once per batch consumed, not
 * once per chunk, and each string stays small enough to decode fast (see reader.ts). */
export const chunkBatchCodec = arrayOf(chunkCodec);

export const deadLetterBatchCodec = arrayOf(
  recordCodec({ file: 'string', line: 'f64', reason: 'string', text: 'string', length: 'f64', lengthInBytes: 'bool' }),
);

/**
 * Parse, filter, enrich and count every chunk it receives; at each end of run (an empty batch) send the counts
 * and wait for the other parsers. Returns how many chunks it handled, once `batches` closes.
 * `throwAfterChunks` is a test hook: throw after handling that many chunks (-1: never).
 */
export const parserWorker = defineThread(
  import.meta.url,
  'parserWorker',
  (
    batches: Receiver<Chunk[]>,
    results: Sender<TallyWire>,
    deadLetters: Sender<DeadLetter[]> | undefined,
    endOfRun: Barrier,
    throwAfterChunks: number,
  ): number => {
    let tally = emptyTally();
    const dead: DeadLetter[] | undefined = deadLetters ? [] : undefined;
    let handled = 0;
    for (const chunks of batches) {
      if (chunks.length === 0) {
        results.send(tallyToWire(tally));
        tally = emptyTally();
        endOfRun.wait();
        continue;
      }
      for (const chunk of chunks) {
        if (handled++ === throwAfterChunks) throw new Error(`injected failure after ${throwAfterChunks} chunks`);
        processChunk(tally, chunk, dead);
      }
      if (dead !== undefined && dead.length > 0) {
        deadLetters!.send(dead.slice());
        dead.length = 0;
      }
    }
    return handled;
  },
);

/** Append every batch to the dead-letter file until all senders are gone; returns how many were written. */
export const deadLetterWriter = defineThread(
  import.meta.url,
  'deadLetterWriter',
  (batches: Receiver<DeadLetter[]>, path: string): number => {
    const file = new DeadLetterFile(path);
    try {
      for (const batch of batches) file.write(batch);
    } finally {
      file.close();
    }
    return file.written;
  },
);
