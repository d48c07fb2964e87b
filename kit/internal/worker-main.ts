/**
 * The entry point of every kit thread (compiled like any thread body, see compile.ts).
 *
 * Order of events: adopt the parent's thread registry (registry.ts reads workerData at import), load the body's
 * module, rebuild kit handles in the arguments, run the body, release every endpoint the thread still holds,
 * post the outcome on the result port, then publish FINISHED or PANICKED in the state word and wake joiners.
 * If the body calls process.exit() instead, the process `exit` hook marks the thread dead and publishes DIED.
 *
 * Invariants: a body that ended in a `todo()` stub is recorded in the stub log before anything is released
 * (stub-log.ts, S1); a thread publishes its final state (FINISHED/PANICKED, thread.ts) only after its result is posted and
 * its endpoints are closed.
 */
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { Destination, fromWire, toWire } from './handles.ts';
import { markDead, selfId } from './registry.ts';
import { releaseAll } from './thread-scope.ts';
import { recordThreadStub } from './stub-log.ts';
import { parseTodoMessage } from '../todo.ts';
import './kinds.ts';
import { internals, isThreadBody } from '../thread.ts';

interface Start {
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown;
  readonly name: string;
  readonly parentId: number;
  readonly state: SharedArrayBuffer;
  readonly port: MessagePort;
}

process.setSourceMapsEnabled(true);
const start = (workerData as { __threadkit: Start }).__threadkit;
const state = new Int32Array(start.state);
process.once('exit', (code) => {
  markDead(selfId);
  // process.exit() inside the body: no result will be posted, so report the death here. A parent blocked in a
  // synchronous join cannot run its Worker's `exit` listener, and would otherwise wait forever.
  Atomics.store(state, internals.EXIT_CODE, (code ?? 0) + 1);
  if (Atomics.compareExchange(state, 0, internals.RUNNING, internals.DIED) === internals.RUNNING)
    Atomics.notify(state, 0);
});

function serializeError(error: unknown): {
  name: string;
  message: string;
  stack?: string;
  props?: Record<string, unknown>;
} {
  if (error instanceof Error) {
    const props: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(error)) {
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) props[key] = value;
    }
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}), props };
  }
  return { name: 'Error', message: `a non-Error value was thrown: ${String(error)}` };
}

async function run(): Promise<unknown> {
  const module = (await import(start.module)) as Record<string, unknown>;
  const body = module[start.exportName];
  if (!isThreadBody(body)) {
    throw new Error(
      `${start.module} has no thread body exported as '${start.exportName}' (the name given to defineThread must be the export's name)`,
    );
  }
  const args = fromWire(start.args) as unknown[];
  return await body.run(...args);
}

let outcome: { ok: true; value: unknown } | { ok: false; error: ReturnType<typeof serializeError> };
// Kit objects in the return value move to the parent only once the value has actually been posted; if it
// cannot be (or cannot even be encoded), they are released here instead of being charged to the parent.
const destination = new Destination();
try {
  const value = await run();
  outcome = { ok: true, value: toWire(value, destination) };
} catch (error) {
  destination.abandon();
  outcome = { ok: false, error: serializeError(error) };
  // A body that ended in a stub says so where a test runner can read it (stub-log.ts), before its endpoints are
  // released: a peer that sees this thread's channels disconnect can already find the cause (S1).
  const stub = parseTodoMessage(outcome.error.message);
  if (stub !== undefined) recordThreadStub({ ...stub, thread: start.name });
}
releaseAll();
try {
  start.port.postMessage(outcome);
  destination.bind(start.parentId);
} catch (error) {
  destination.abandon();
  outcome = {
    ok: false,
    error: serializeError(new Error(`the thread's return value cannot be sent back: ${(error as Error).message}`)),
  };
  start.port.postMessage(outcome);
}
Atomics.store(state, 0, outcome.ok ? internals.FINISHED : internals.PANICKED);
Atomics.notify(state, 0);
start.port.close();
