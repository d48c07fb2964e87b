/** Thread bodies used by the kit's own tests. */
import { channel, type Receiver, type Sender } from '../channel.ts';
import { Builder, currentThread, defineThread, sleep, spawn } from '../thread.ts';
import { todo } from '../todo.ts';
import { resourceLimits } from 'node:worker_threads';

export const add = defineThread(import.meta.url, 'add', (a: number, b: number) => a + b);

export const whoAmI = defineThread(import.meta.url, 'whoAmI', () => currentThread());

/** The thread's resource limits as Node reports them inside it. */
export const ownLimits = defineThread(import.meta.url, 'ownLimits', () => ({ ...resourceLimits }));

export const fail = defineThread(import.meta.url, 'fail', (message: string) => {
  throw new RangeError(message);
});

export const produce = defineThread(import.meta.url, 'produce', (tx: Sender<number>, from: number, count: number) => {
  for (let i = 0; i < count; i++) tx.send(from + i);
  return count;
});

export const sum = defineThread(import.meta.url, 'sum', (rx: Receiver<number>) => {
  let total = 0;
  let count = 0;
  for (const value of rx) {
    total += value;
    count++;
  }
  return { total, count };
});

export const echo = defineThread(import.meta.url, 'echo', (rx: Receiver<number>, tx: Sender<number>) => {
  for (const value of rx) tx.send(value);
});

export const nap = defineThread(import.meta.url, 'nap', (ms: number) => {
  sleep(ms);
  return ms;
});

// ── thread.test.ts ────────────────────────────────────────────────────────────────────────────────────────

export const addLater = defineThread(import.meta.url, 'addLater', async (a: number, b: number, ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return a + b;
});

/** Throws from a named function, so that the panic's stack can be checked for this file. */
export const failDeep = defineThread(import.meta.url, 'failDeep', (message: string) => {
  function innerStage(): never {
    throw new TypeError(message);
  }
  innerStage();
});

export const throwString = defineThread(import.meta.url, 'throwString', (text: string) => {
  throw text;
});

export const throwWithCode = defineThread(import.meta.url, 'throwWithCode', (code: string) => {
  throw Object.assign(new Error(`failed with ${code}`), { code });
});

/** A thread that spawns a helper thread and joins it (blocking join inside a worker). */
export const spawnHelper = defineThread(import.meta.url, 'spawnHelper', (a: number, b: number) => {
  const helper = spawn(add, a, b);
  const me = currentThread();
  const helperResult = helper.join();
  const helperName = spawn(whoAmI).join();
  return { helperResult, me, helperName };
});

/** Declared under a name that is not its export's name. */
export const misnamed = defineThread(import.meta.url, 'notTheExportName', () => 1);

/** Runs until terminated. */
export const spin = defineThread(import.meta.url, 'spin', () => {
  for (;;) sleep(1000);
});

export const sleepThenReturn = defineThread(import.meta.url, 'sleepThenReturn', (ms: number, value: string) => {
  sleep(ms);
  return value;
});

/** Creates a channel inside the thread and returns its endpoints (they are moved to the joiner). */
export const makeChannel = defineThread(import.meta.url, 'makeChannel', (values: number[]) => {
  const [tx, rx] = channel<number>();
  for (const value of values) tx.send(value);
  return { tx, rx };
});

/** Returns only a receiver; its sender is dropped when the thread ends. */
export const makeFilledReceiver = defineThread(import.meta.url, 'makeFilledReceiver', (values: number[]) => {
  const [tx, rx] = channel<number>();
  for (const value of values) tx.send(value);
  return rx;
});

export const takesExtra = defineThread(import.meta.url, 'takesExtra', (tx: Sender<number>, _extra: unknown) => {
  tx.send(1);
  return 'ran';
});

/** Calls process.exit in the middle of its body. */
export const exitNow = defineThread(import.meta.url, 'exitNow', (code: number) => {
  process.exit(code);
});

/** Spawns a child that calls process.exit and joins it with the blocking join. */
export const joinExitingChild = defineThread(import.meta.url, 'joinExitingChild', (code: number) => {
  const child = spawn(exitNow, code);
  const started = performance.now();
  try {
    child.join();
    return { joined: 'value', message: '', ms: performance.now() - started };
  } catch (error) {
    return { joined: (error as Error).name, message: (error as Error).message, ms: performance.now() - started };
  }
});

export const twoSenders = defineThread(import.meta.url, 'twoSenders', (a: Sender<number>, b: Sender<number>) => {
  a.send(1);
  b.send(2);
});

/** Returns a receiver next to something that cannot be sent back. */
export const returnUnsendable = defineThread(import.meta.url, 'returnUnsendable', (rx: Receiver<number>) => ({
  rx,
  callback: () => 1,
}));

/** A producer whose helper is still a stub: it sends nothing and ends in todo(). */
function makeGreeting(i: number): string {
  void i;
  return todo('p9/m1', 'makeGreeting');
}
export const greetStub = defineThread(import.meta.url, 'greetStub', (tx: Sender<string>, i: number) => {
  tx.send(makeGreeting(i));
});

/** Starts a stubbed producer of its own (named), then waits for it: the stub is two threads down. */
export const greetStubNested = defineThread(import.meta.url, 'greetStubNested', (tx: Sender<string>) => {
  new Builder({ name: 'inner-producer' }).spawn(greetStub, tx, 7).join();
});
