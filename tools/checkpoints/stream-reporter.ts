/**
 * A vitest reporter for checkpoint runs (loaded by path from checkpoints.ts): one JSON line per event, appended
 * to the file named by CHECKPOINTS_EVENTS as it happens.
 *
 * Why not the built-in JSON reporter: it writes only when the run ends. A test that blocks the main thread (a
 * synchronous wait on a channel whose peer is a stub that threw) cannot be timed out by vitest, so the runner
 * has to kill the run, and then everything the JSON reporter knew would be lost. Streaming keeps the results of
 * every file that finished, and the files that did not are the culprits. (Not single tests: a worker stuck in a
 * synchronous wait cannot send anything, not even the results vitest batched before the wait.)
 */
import { appendFileSync } from 'node:fs';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** The lines this reporter writes; checkpoints.ts reads them back. */
export type CheckpointEvent =
  | {
      readonly e: 'result';
      readonly file: string;
      readonly name: string;
      readonly state: 'passed' | 'failed' | 'skipped' | 'pending';
      readonly durationMs: number;
      readonly error?: string;
    }
  | { readonly e: 'module'; readonly file: string; readonly errors: readonly string[] }
  | { readonly e: 'unhandled'; readonly message: string }
  | { readonly e: 'end' };

/** Suite titles and the test title joined by ' > ', the form `vitest list --json` prints. */
export function testName(test: TestCase): string {
  const names = [test.name];
  for (let p = test.parent; p.type === 'suite'; p = p.parent) names.unshift(p.name);
  return names.join(' > ');
}

function errorText(error: { message: string; name?: string } | undefined): string | undefined {
  if (error === undefined) return undefined;
  return error.name && !error.message.startsWith(error.name) ? `${error.name}: ${error.message}` : error.message;
}

export default class CheckpointStreamReporter implements Reporter {
  private readonly file = process.env['CHECKPOINTS_EVENTS'];

  private write(event: CheckpointEvent): void {
    if (this.file !== undefined) appendFileSync(this.file, `${JSON.stringify(event)}\n`);
  }

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    const error = errorText(result.errors?.[0]);
    this.write({
      e: 'result',
      file: test.module.moduleId,
      name: testName(test),
      state: result.state,
      durationMs: Math.round((test.diagnostic()?.duration ?? 0) * 10) / 10,
      ...(error !== undefined ? { error } : {}),
    });
  }

  onTestModuleEnd(module: TestModule): void {
    const errors = module.errors().map((e) => errorText(e) ?? 'unknown error');
    this.write({ e: 'module', file: module.moduleId, errors });
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message: string; name?: string }>): void {
    for (const error of unhandledErrors) this.write({ e: 'unhandled', message: errorText(error) ?? 'unknown error' });
    this.write({ e: 'end' });
  }
}
