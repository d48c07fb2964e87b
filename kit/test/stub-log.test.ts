/**
 * The stub log (internal/stub-log.ts): a thread whose body ends in todo() records the stub and its own name, where
 * the main thread can read it by the tag of the test that started the thread, even if nobody joins the thread.
 */
import { describe, expect, test } from 'vitest';
import { channel, RecvError } from '../channel.ts';
import { Builder, spawn } from '../thread.ts';
import { beginStubWatch, parseTodoMessage, threadStubsOf, todoMessage } from '../todo.ts';
import { add, greetStub, greetStubNested } from './bodies.ts';

describe('stub log', () => {
  test('a stubbed thread body is recorded with the function and the thread, before its channels disconnect', () => {
    const tag = beginStubWatch();
    const [tx, rx] = channel<string>();
    for (let i = 0; i < 3; i++) new Builder({ name: `producer-${i}` }).spawn(greetStub, tx.clone(), i);
    tx.close();
    // Never joined: the receiver only sees every sender gone. By then every producer has recorded its stub (S1).
    expect(() => rx.recv()).toThrow(RecvError);
    const stubs = threadStubsOf(tag);
    expect(stubs.map((s) => s.thread).sort()).toEqual(['producer-0', 'producer-1', 'producer-2']);
    for (const s of stubs) expect(s).toMatchObject({ milestone: 'p9/m1', functionName: 'makeGreeting' });
    // The runner's words for it name both, and read back.
    const message = todoMessage('p9/m1', 'makeGreeting', 'producer-0');
    expect(message).toMatch(
      /^not implemented yet: makeGreeting \(milestone p9\/m1\) \(thrown in thread 'producer-0'\)/,
    );
    expect(parseTodoMessage(message)).toEqual({
      milestone: 'p9/m1',
      functionName: 'makeGreeting',
      thread: 'producer-0',
    });
    expect(parseTodoMessage(todoMessage('p9/m1', 'f', "it's"))?.thread).toBe("it's");
  });

  test('a thread started by a thread carries the tag of the test; the innermost stub comes first', async () => {
    const tag = beginStubWatch();
    const [tx, rx] = channel<string>();
    const outer = spawn(greetStubNested, tx);
    await expect(outer.joinAsync()).rejects.toThrow(/inner-producer.*not implemented yet: makeGreeting/);
    expect([...rx.tryIter()]).toEqual([]);
    expect(threadStubsOf(tag).map((s) => s.thread)).toEqual(['inner-producer', 'greetStubNested']);
  });

  test('records belong to the tag they were made under; threads that end normally record nothing', async () => {
    const first = beginStubWatch();
    const [tx, rx] = channel<string>();
    spawn(greetStub, tx, 1);
    expect(() => rx.recv()).toThrow(RecvError);
    const second = beginStubWatch();
    expect(await spawn(add, 1, 2).joinAsync()).toBe(3);
    expect(threadStubsOf(second)).toEqual([]);
    expect(threadStubsOf(first)).toHaveLength(1);
  });
});
