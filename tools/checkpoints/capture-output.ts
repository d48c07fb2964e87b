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
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach } from 'vitest';
import { THREAD_MARK } from './output.ts';

// A thread's output travels to this thread as a message, separately from the thread's result: a test that ends as
// soon as it has the result would leave that output to whichever test runs next. A few turns of the event loop
// after each test let the messages already sent arrive while the test is still the current one.
afterEach(async () => {
  for (let i = 0; i < 3; i++) await turn();
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
