/**
 * A setup file of checkpoint runs (vitest.checkpoints.config.ts): finds out whether a test that failed started a
 * thread whose body ended in a `todo()` stub, and tells the reporter, so the failure reads "still a stub: F
 * (thrown in thread 'x')" instead of what the test saw next (a channel that disconnected, a message that never
 * came). The kit records such threads in its stub log (kit/internal/stub-log.ts), tagged with the test that
 * started them; this file starts a new tag before each test and reads the records after it.
 *
 * What goes to the reporter is the test's task meta (`threadStub`, `threadStubs` = how many threads), which
 * vitest sends with the test's result. It is written in the test process, where the code under test runs too,
 * so it is a hint about words, never about verdicts: results.ts uses it only for a test that failed.
 *
 * Listed before capture-output.ts in the setup files: after-each hooks run in reverse order, so this one runs
 * once that file has waited for the test's threads to end.
 */
import { afterEach, beforeEach } from 'vitest';
import { beginStubWatch, type ThreadStub, threadStubsOf } from '../../kit/todo.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** The first thread started by this test that ended in a stub. */
    threadStub?: ThreadStub;
    /** How many threads started by this test ended in a stub. */
    threadStubs?: number;
  }
}

let tag = 0;

beforeEach(() => {
  tag = beginStubWatch();
});

afterEach((context) => {
  if (context.task.result?.state !== 'fail') return;
  const stubs = threadStubsOf(tag);
  if (stubs.length === 0) return;
  context.task.meta.threadStub = stubs[0]!;
  context.task.meta.threadStubs = stubs.length;
});
