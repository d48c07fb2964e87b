/**
 * The entry point of every kit thread (compiled like any thread body, see compile.ts).
 *
 * Order of events: adopt the parent's thread registry (registry.ts reads workerData at import), load the body's
 * module, rebuild kit handles in the arguments, run the body, release every endpoint the thread still holds,
 * post the outcome on the result port, then publish FINISHED or PANICKED in the state word and wake joiners.
 */
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { Destination, fromWire, toWire } from './handles.ts';
import { markDead, selfId } from './registry.ts';
import { releaseAll } from './thread-scope.ts';
import './kinds.ts';
import { internals, isThreadBody } from '../thread.ts';

interface Start {
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown;
  readonly parentId: number;
  readonly state: SharedArrayBuffer;
  readonly port: MessagePort;
}

process.setSourceMapsEnabled(true);
const start = (workerData as { __threadkit: Start }).__threadkit;
const state = new Int32Array(start.state);
process.once('exit', () => markDead(selfId));

function serializeError(error: unknown): { name: string; message: string; stack?: string; props?: Record<string, unknown> } {
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
try {
  const value = await run();
  const destination = new Destination();
  const wire = toWire(value, destination);
  destination.bind(start.parentId);
  outcome = { ok: true, value: wire };
} catch (error) {
  outcome = { ok: false, error: serializeError(error) };
}
releaseAll();
try {
  start.port.postMessage(outcome);
} catch (error) {
  start.port.postMessage({ ok: false, error: serializeError(new Error(`the thread's return value cannot be sent back: ${(error as Error).message}`)) });
}
Atomics.store(state, 0, outcome.ok ? internals.FINISHED : internals.PANICKED);
Atomics.notify(state, 0);
start.port.close();
