import { describe, expect, test } from 'vitest';
import { channel, EndpointClosedError, RecvError, SendError } from '../channel.ts';
import { TryRecvError } from '../channel-errors.ts';
import { THREAD_CODE_RANGE_MB } from '../internal/code-range.ts';
import { Builder, currentThread, JoinTimeoutError, sleep, sleepAsync, spawn, ThreadPanicError } from '../thread.ts';
import {
  add,
  addLater,
  fail,
  failDeep,
  makeChannel,
  makeFilledReceiver,
  misnamed,
  nap,
  ownLimits,
  sleepThenReturn,
  spawnHelper,
  spin,
  returnUnsendable,
  takesExtra,
  throwString,
  throwWithCode,
  twoSenders,
  whoAmI,
} from './bodies.ts';

async function panicOf(promise: Promise<unknown>): Promise<ThreadPanicError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ThreadPanicError);
    return error as ThreadPanicError;
  }
  throw new Error('expected the join to fail');
}

describe('spawn and join', () => {
  test('joinAsync returns the body’s value', async () => {
    expect(await spawn(add, 20, 22).joinAsync()).toBe(42);
  });

  test('blocking join returns the body’s value', () => {
    expect(spawn(add, -1, 1).join()).toBe(0);
  });

  test('arguments are type-checked against the body', () => {
    // These lines are never run; `tsc` fails if spawn accepted them.
    const wrongTypes = (): unknown =>
      // @ts-expect-error a string where the body takes a number
      spawn(add, 'one', 2);
    const missing = (): unknown =>
      // @ts-expect-error the body takes two arguments
      spawn(add, 1);
    const extra = (): unknown =>
      // @ts-expect-error the body takes two arguments
      new Builder().spawn(add, 1, 2, 3);
    expect([wrongTypes, missing, extra].every((f) => typeof f === 'function')).toBe(true);
    // and the right ones run, with the return type inferred as number
    const sum: number = spawn(add, 1, 2).join();
    expect(sum).toBe(3);
  });

  test('an async body is awaited before the thread reports', async () => {
    const handle = spawn(addLater, 1, 2, 50);
    const value: number = await handle.joinAsync();
    expect(value).toBe(3);
    expect(handle.isFinished()).toBe(true);
  });

  test('a thread can spawn and join its own helper threads', () => {
    const { helperResult, me, helperName } = spawn(spawnHelper, 5, 6).join();
    expect(helperResult).toBe(11);
    expect(me.name).toBe('spawnHelper');
    expect(helperName.name).toBe('whoAmI');
    expect(helperName.id).not.toBe(me.id);
  });

  test('joining twice gives the same value', async () => {
    const handle = spawn(add, 2, 2);
    expect(await handle.joinAsync()).toBe(4);
    expect(handle.join()).toBe(4);
  });
});

describe('panics', () => {
  test('a thrown error is rethrown by join as ThreadPanicError with the thread’s name and message', async () => {
    const panic = await panicOf(spawn(fail, 'out of range').joinAsync());
    expect(panic.message).toMatch(/thread 'fail' \(id \d+\) panicked: out of range/);
    expect(panic.thread.name).toBe('fail');
    expect(panic.cause).toBeInstanceOf(Error);
    expect(panic.cause?.name).toBe('RangeError');
    expect(panic.cause?.message).toBe('out of range');
  });

  test('the panic carries the thread’s own stack, mapped back to the .ts source', async () => {
    const panic = await panicOf(spawn(failDeep, 'deep failure').joinAsync());
    const threadStack = panic.cause?.stack ?? '';
    expect(threadStack).toContain('innerStage');
    expect(threadStack).toMatch(/kit\/test\/bodies\.ts:\d+/);
    expect(threadStack).not.toMatch(/bodies\.mjs/);
    expect(panic.stack).toContain("the thread's own stack");
    expect(panic.stack).toMatch(/bodies\.ts/);
  });

  test('a blocking join throws the panic too', () => {
    expect(() => spawn(fail, 'sync boom').join()).toThrow(ThreadPanicError);
  });

  test('a thrown non-Error value is reported with its text', async () => {
    const panic = await panicOf(spawn(throwString, 'just a string').joinAsync());
    expect(panic.message).toMatch(/panicked: .*just a string/);
  });

  test('simple own properties of the error survive (e.g. code)', async () => {
    const panic = await panicOf(spawn(throwWithCode, 'E_CUSTOM').joinAsync());
    expect((panic.cause as Error & { code?: string }).code).toBe('E_CUSTOM');
  });

  test('a defineThread name that does not match the export fails with a clear error', async () => {
    const panic = await panicOf(spawn(misnamed).joinAsync());
    expect(panic.message).toMatch(/no thread body exported as 'notTheExportName'/);
    expect(panic.message).toMatch(/must be the export's name/);
  });

  test('spawn rejects something that is not a thread body', () => {
    const notABody = { moduleUrl: import.meta.url, exportName: 'add', run: () => 1 };
    expect(() => spawn(notABody as unknown as typeof add, 1, 2)).toThrow(/defineThread/);
  });
});

describe('names and identity', () => {
  test('the default name is the export name', async () => {
    const handle = spawn(whoAmI);
    expect(handle.thread.name).toBe('whoAmI');
    expect((await handle.joinAsync()).name).toBe('whoAmI');
  });

  test('Builder().name() names the thread, in the thread and in panics', async () => {
    const info = await new Builder().name('worker-7').spawn(whoAmI).joinAsync();
    expect(info.name).toBe('worker-7');
    const panic = await panicOf(new Builder().name('named-failure').spawn(fail, 'x').joinAsync());
    expect(panic.message).toMatch(/thread 'named-failure'/);
  });

  test('a thread reserves THREAD_CODE_RANGE_MB of code space unless its resourceLimits say otherwise', async () => {
    expect((await spawn(ownLimits).joinAsync()).codeRangeSizeMb).toBe(THREAD_CODE_RANGE_MB);
    const heapOnly = await new Builder().resourceLimits({ maxOldGenerationSizeMb: 64 }).spawn(ownLimits).joinAsync();
    expect(heapOnly).toMatchObject({ codeRangeSizeMb: THREAD_CODE_RANGE_MB, maxOldGenerationSizeMb: 64 });
    const own = await new Builder().resourceLimits({ codeRangeSizeMb: 32 }).spawn(ownLimits).joinAsync();
    expect(own.codeRangeSizeMb).toBe(32);
  });

  test('every thread has a distinct id, different from the main thread’s', async () => {
    const infos = await Promise.all([0, 1, 2, 3].map(() => spawn(whoAmI).joinAsync()));
    const ids = new Set(infos.map((info) => info.id));
    expect(ids.size).toBe(4);
    expect(ids.has(currentThread().id)).toBe(false);
    expect(currentThread().name).toBe('main');
    const handle = spawn(whoAmI);
    expect((await handle.joinAsync()).id).toBe(handle.thread.id);
  });
});

describe('sleeping and waiting', () => {
  test('sleep blocks for at least the given time', () => {
    const started = performance.now();
    sleep(60);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  test('sleepAsync waits without blocking the event loop', async () => {
    let ticked = false;
    setTimeout(() => (ticked = true), 10);
    const started = performance.now();
    await sleepAsync(60);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(ticked).toBe(true);
  });

  test('sleep inside a thread', async () => {
    const started = performance.now();
    expect(await spawn(nap, 80).joinAsync()).toBe(80);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  test('joinTimeout times out while the thread runs, then succeeds', () => {
    const handle = spawn(sleepThenReturn, 400, 'late');
    const started = performance.now();
    const first = handle.joinTimeout(100);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.error).toBeInstanceOf(JoinTimeoutError);
    expect(handle.isFinished()).toBe(false);
    const second = handle.joinTimeout(10_000);
    expect(second).toEqual({ ok: true, value: 'late' });
    expect(handle.isFinished()).toBe(true);
  });

  test('joinTimeoutAsync times out, then succeeds', async () => {
    const handle = spawn(sleepThenReturn, 300, 'later');
    const started = performance.now();
    const first = await handle.joinTimeoutAsync(100);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(first.ok).toBe(false);
    const second = await handle.joinTimeoutAsync(10_000);
    expect(second).toEqual({ ok: true, value: 'later' });
  });

  test('isFinished turns true once the body returns', async () => {
    const handle = spawn(sleepThenReturn, 150, 'done');
    expect(handle.isFinished()).toBe(false);
    await handle.joinAsync();
    expect(handle.isFinished()).toBe(true);
  });
});

describe('terminate', () => {
  test('a terminated thread is reported as died by join', async () => {
    const handle = spawn(spin);
    await sleepAsync(50);
    expect(handle.isFinished()).toBe(false);
    await handle.terminate();
    expect(handle.isFinished()).toBe(true);
    const panic = await panicOf(handle.joinAsync());
    expect(panic.message).toMatch(/thread 'spin' .*died before finishing: it was terminated/);
    expect(() => handle.join()).toThrow(/died before finishing/);
  });
});

describe('arguments and return values', () => {
  test('an unsendable argument fails at spawn with a clear TypeError and releases moved endpoints', () => {
    const [tx, rx] = channel<number>();
    const kept = tx.clone();
    expect(() => spawn(takesExtra, tx, () => 'a function')).toThrow(TypeError);
    expect(() => spawn(takesExtra, kept.clone(), () => 'a function')).toThrow(/cannot be sent to a thread/);
    // The failed spawns took their senders with them; only `kept` is still counted.
    expect(rx.isDisconnected).toBe(false);
    kept.send(7);
    kept.close();
    expect(rx.recv()).toBe(7);
    expect(rx.tryRecv()).toEqual({ ok: false, error: TryRecvError.Disconnected });
    expect(() => tx.send(1)).toThrow(EndpointClosedError);
  });

  test('an endpoint passed twice fails at spawn and releases what was already moved', () => {
    const [tx, rx] = channel<number>();
    expect(() => spawn(twoSenders, tx, tx)).toThrow(EndpointClosedError);
    // tx was moved into a spawn that never happened: it must not keep the channel connected
    expect(rx.tryRecv()).toEqual({ ok: false, error: TryRecvError.Disconnected });
  });

  test('a return value that cannot be sent back fails the join and releases the endpoints in it', async () => {
    const [tx, rx] = channel<number>();
    const panic = await panicOf(spawn(returnUnsendable, rx).joinAsync());
    expect(panic.message).toMatch(/cannot be sent back/);
    // the receiver went nowhere: nobody holds it any more
    expect(tx.isDisconnected).toBe(true);
    expect(() => tx.send(1)).toThrow(SendError);
  });

  test('a thread can return channel endpoints', async () => {
    const { tx, rx } = await spawn(makeChannel, [1, 2, 3]).joinAsync();
    expect([rx.recv(), rx.recv(), rx.recv()]).toEqual([1, 2, 3]);
    tx.send(4);
    expect(rx.recv()).toBe(4);
    tx.close();
    expect(() => rx.recv()).toThrow(RecvError);
  });

  test('a returned receiver drains, then reports that its sender died with the thread', async () => {
    const rx = await spawn(makeFilledReceiver, [10, 20]).joinAsync();
    const got: number[] = [];
    for await (const value of rx) got.push(value);
    expect(got).toEqual([10, 20]);
  });

  test('a returned sender fails once its receiver is gone', async () => {
    const { tx, rx } = await spawn(makeChannel, []).joinAsync();
    rx.close();
    expect(() => tx.send(5)).toThrow(SendError);
  });
});

describe('kit objects hidden in class instances', () => {
  test('are refused at spawn with a pointer to kit/share.ts, instead of arriving as lifeless copies', () => {
    class Holder {
      constructor(readonly inner: unknown) {}
    }
    const [tx] = channel<number>();
    // @ts-expect-error whoAmI takes no arguments; the point is what spawn does with this one
    expect(() => spawn(whoAmI, new Holder({ tx }))).toThrow(/cannot cross threads.*share\.ts/);
    tx.send(1); // still usable: nothing was moved
  });
});
