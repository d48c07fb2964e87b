/**
 * One worker process of `images --processes` (process-pool.ts starts it with `fork`, as plain JavaScript
 * compiled ahead of time, so that it starts without the TypeScript loader). It processes one task at a time,
 * as the parent hands them over the IPC channel, with the reference image task of project 2, and answers each
 * with its outcome. It ends when the parent disconnects.
 *
 * Messages in: `{ id, task: { inputPath, outputPath }, operations, options }`. Messages out: `{ ready: true }`
 * once loaded, then `{ id, ok, error?, durationMs }` per task. A task never throws here: processImage reports
 * failures as values.
 */
import { type OperationSpec, operationsOf } from './operations.ts';
import type { ProcessOptions } from './reference.ts';
import { processImage } from './reference.ts';

interface TaskMessage {
  readonly id: number;
  readonly task: { readonly inputPath: string; readonly outputPath: string };
  readonly operations: OperationSpec;
  readonly options: ProcessOptions;
}

process.on('message', (message: TaskMessage) => {
  void Promise.resolve()
    .then(() => processImage({ ...message.task, operations: operationsOf(message.operations) }, message.options))
    .then(
      (result) =>
        process.send?.({
          id: message.id,
          ok: result.ok,
          ...(result.ok ? {} : { error: result.error }),
          durationMs: result.durationMs,
        }),
      (error: unknown) =>
        process.send?.({ id: message.id, ok: false, error: (error as Error).message ?? String(error), durationMs: 0 }),
    );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
