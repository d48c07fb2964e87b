/**
 * A setup file of checkpoint runs (vitest.checkpoints.config.ts): makes what the code under test writes to
 * stdout and stderr outside `console` reach vitest's console capture, so the reporter can show it under its test.
 *
 * Why it is needed: vitest captures `console.*` of the test process and says which test was running, but the
 * output of worker threads (every kit thread is a worker_thread) reaches the test process as raw writes to
 * process.stdout/stderr (Node pipes a worker's stdio to its parent's), which vitest passes straight through. Here
 * such writes go through `console` instead, marked with THREAD_MARK when they come from a thread (the write is
 * Node's own pipe: no frame of the stack is user code), so the reporter can label them. Writes by vitest or other
 * packages (a frame in node_modules) are left alone.
 */
import { Readable } from 'node:stream';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach } from 'vitest';
import { THREAD_MARK } from './output.ts';

/**
 * A thread's output travels to this thread as messages, separately from the thread's result, and may arrive after
 * the test that started the thread has its result: it would then be shown under whichever test runs next. Node
 * pipes each worker's stdout and stderr into process.stdout/stderr with `pipe`, and ends those streams only once
 * the worker has exited and everything it wrote has arrived. So the streams of the threads a test starts are
 * noted, and after the test those still open are waited for, up to STREAM_WAIT_MS: a thread the test leaves
 * running keeps its stream open, and its later output goes to the test that is running when it arrives.
 */
const STREAM_WAIT_MS = 300;
/** Streams of the threads started by the current test (threads left running by earlier tests are not waited for). */
let open = new Set<Readable>();
beforeEach(() => {
  open = new Set();
});
const pipe = Readable.prototype.pipe;
Readable.prototype.pipe = function <T extends NodeJS.WritableStream>(
  this: Readable,
  destination: T,
  options?: { end?: boolean },
): T {
  const to: unknown = destination;
  if ((to === process.stdout || to === process.stderr) && !this.readableEnded) {
    const mine = open;
    mine.add(this);
    const done = (): void => void mine.delete(this);
    this.once('end', done);
    this.once('close', done);
  }
  return pipe.call(this, destination, options) as T;
};

afterEach(async () => {
  const deadline = Date.now() + STREAM_WAIT_MS;
  for (let i = 0; i < 3; i++) await turn();
  while (open.size > 0 && Date.now() < deadline) await sleep(5);
});

let inside = false;

/** 'thread' when only Node's internals are on the stack (a worker's piped output), 'main' for user code. */
function origin(): 'thread' | 'main' | 'library' {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  let user = false;
  for (const frame of frames) {
    if (frame.includes('capture-output.ts')) continue;
    if (frame.includes('node_modules')) return 'library';
    if (/\(node:|at node:/.test(frame) || !/[/\\]/.test(frame)) continue;
    user = true;
  }
  return user ? 'main' : 'thread';
}

for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const method = stream === process.stdout ? 'log' : 'error';
  stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (inside) return original(chunk, ...rest);
    const from = origin();
    if (from === 'library') return original(chunk, ...rest);
    inside = true;
    try {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      console[method](`${from === 'thread' ? THREAD_MARK : ''}${text.replace(/\n$/, '')}`);
    } finally {
      inside = false;
    }
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
}
