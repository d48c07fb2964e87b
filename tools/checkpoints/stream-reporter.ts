/**
 * A vitest reporter for checkpoint runs (loaded by path from checkpoints.ts): one line per event, written as it
 * happens to a file descriptor the runner opened for this process (a pipe inherited at the number given by
 * CHECKPOINTS_EVENTS_FD), never to a path: code under test cannot open it by name, and vitest's fork workers
 * get their own descriptors at that number (the IPC channel), so they do not inherit it.
 *
 * Every line is authenticated: the runner writes a fresh key to this process's stdin, which the reporter reads
 * to the end when it is created (before any worker exists), and each line carries a sequence number and an
 * HMAC of it and the event. Bytes pushed into the pipe by anyone else (through /proc/<pid>/fd of this process,
 * say) do not verify, and the runner marks the run as tampered with.
 *
 * Why not the built-in JSON reporter: it writes only when the run ends. A test that blocks the main thread (a
 * synchronous wait on a channel whose peer is a stub that threw) cannot be timed out by vitest, so the runner
 * has to kill the run, and then everything the JSON reporter knew would be lost. Streaming keeps the results of
 * every file that finished, and the files that did not are the culprits. (Not single tests: a worker stuck in a
 * synchronous wait cannot send anything, not even the results vitest batched before the wait.)
 */
import { createHmac } from 'node:crypto';
import { readSync, writeSync } from 'node:fs';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import { OUTPUT_CAP } from './output.ts';

/** The events this reporter writes; checkpoints.ts reads them back. */
export type CheckpointEvent =
  | {
      readonly e: 'result';
      readonly file: string;
      readonly name: string;
      readonly state: 'passed' | 'failed' | 'skipped' | 'pending';
      readonly durationMs: number;
      readonly error?: string;
      /**
       * A thread the test started ended in a stub (thread-stubs.ts): the first such thread, and how many. Written
       * by the test process, so a hint for the words of a failure only (results.ts), never for a verdict.
       */
      readonly threadStub?: { readonly milestone: string; readonly functionName: string; readonly thread: string };
      readonly threadStubs?: number;
    }
  | { readonly e: 'module'; readonly file: string; readonly errors: readonly string[] }
  | { readonly e: 'unhandled'; readonly message: string }
  | { readonly e: 'end' }
  /**
   * What the code printed while a test ran (`name` set) or while its file loaded or after its tests (`name`
   * unset): console output of the test process, and the output of its worker threads (see capture-output.ts),
   * whose lines start with THREAD_MARK. Each test's text is capped; `dropped` counts the characters cut.
   */
  | {
      readonly e: 'log';
      readonly file: string;
      readonly name?: string;
      readonly stream: 'stdout' | 'stderr';
      readonly text: string;
      readonly dropped?: number;
    }
  /** A failed assertion's values, as vitest serialized them (strings), and its diff when it made one. */
  | {
      readonly e: 'detail';
      readonly file: string;
      readonly name: string;
      readonly expected?: string;
      readonly actual?: string;
      readonly diff?: string;
    };

/** The MAC of one line: `<seq>\t<mac>\t<json>` carries mac = HMAC-SHA256(key, `<seq>\t<json>`). */
export function eventMac(key: string, seq: number, json: string): string {
  return createHmac('sha256', key).update(`${seq}\t${json}`).digest('hex');
}

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

function writeAll(fd: number, text: string): void {
  let buffer = Buffer.from(text);
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(fd, buffer));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/** The key, read from stdin to its end (a descriptor left non-blocking is waited on, not given up on). */
function readKey(): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(256);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      continue;
    }
    if (n === 0) return Buffer.concat(chunks).toString('utf8').trim();
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
}

/** The thread-stub hint of a test's meta (thread-stubs.ts), checked for shape and cut to size: it comes from the test process. */
function threadStubOf(meta: Record<string, unknown>): { threadStub?: ThreadStubHint; threadStubs?: number } {
  const s = meta['threadStub'] as Partial<Record<keyof ThreadStubHint, unknown>> | undefined;
  if (typeof s !== 'object' || s === null) return {};
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 200) : undefined);
  const milestone = text(s.milestone);
  const functionName = text(s.functionName);
  const thread = text(s.thread);
  if (milestone === undefined || functionName === undefined || thread === undefined) return {};
  const count = meta['threadStubs'];
  return {
    threadStub: { milestone, functionName, thread },
    ...(typeof count === 'number' && Number.isInteger(count) && count > 1 ? { threadStubs: count } : {}),
  };
}

type ThreadStubHint = { readonly milestone: string; readonly functionName: string; readonly thread: string };

/** Characters of a test's output written to the events (the display caps again, at OUTPUT_CAP). */
const LOG_BUDGET = OUTPUT_CAP * 2;

export default class CheckpointStreamReporter implements Reporter {
  private readonly fd: number | undefined;
  private vitest: Vitest | undefined;
  private readonly logged = new Map<string, number>();
  private readonly key: string = '';
  private seq = 0;

  constructor() {
    const fd = process.env['CHECKPOINTS_EVENTS_FD'];
    this.fd = fd !== undefined && /^\d+$/.test(fd) ? Number(fd) : undefined;
    if (this.fd !== undefined) this.key = readKey();
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onUserConsoleLog(log: { content: string; type: 'stdout' | 'stderr'; taskId?: string }): void {
    const entity = log.taskId !== undefined ? this.vitest?.state.getReportedEntityById(log.taskId) : undefined;
    if (entity === undefined) return; // printed by vitest's own code or outside any test file: not the student's
    const file = entity.type === 'module' ? entity.moduleId : entity.module.moduleId;
    const name = entity.type === 'test' ? testName(entity) : undefined;
    const key = `${file}\0${name ?? ''}`;
    const used = this.logged.get(key) ?? 0;
    const room = Math.max(0, LOG_BUDGET - used);
    this.logged.set(key, used + log.content.length);
    const text = log.content.slice(0, room);
    const dropped = log.content.length - text.length;
    this.write({
      e: 'log',
      file,
      ...(name !== undefined ? { name } : {}),
      stream: log.type,
      text,
      ...(dropped > 0 ? { dropped } : {}),
    });
  }

  private write(event: CheckpointEvent): void {
    if (this.fd === undefined) return;
    const json = JSON.stringify(event);
    const seq = this.seq++;
    writeAll(this.fd, `${seq}\t${eventMac(this.key, seq, json)}\t${json}\n`);
  }

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    const error = errorText(result.errors?.[0]);
    const stub = threadStubOf(test.meta() as Record<string, unknown>);
    this.write({
      e: 'result',
      file: test.module.moduleId,
      name: testName(test),
      state: result.state,
      durationMs: Math.round((test.diagnostic()?.duration ?? 0) * 10) / 10,
      ...(error !== undefined ? { error } : {}),
      ...stub,
    });
    const first = result.errors?.[0] as { expected?: unknown; actual?: unknown; diff?: unknown } | undefined;
    if (first !== undefined && (typeof first.expected === 'string' || typeof first.diff === 'string')) {
      const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 4000) : undefined);
      const detail = { expected: text(first.expected), actual: text(first.actual), diff: text(first.diff) };
      this.write({
        e: 'detail',
        file: test.module.moduleId,
        name: testName(test),
        ...Object.fromEntries(Object.entries(detail).filter(([, v]) => v !== undefined)),
      });
    }
  }

  onTestModuleEnd(module: TestModule): void {
    const errors = module.errors().map((e) => errorText(e) ?? 'unknown error');
    this.write({ e: 'module', file: module.moduleId, errors });
  }

  onTestRunEnd(
    _modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<{ message: string; name?: string }>,
  ): void {
    for (const error of unhandledErrors) this.write({ e: 'unhandled', message: errorText(error) ?? 'unknown error' });
    this.write({ e: 'end' });
  }
}
