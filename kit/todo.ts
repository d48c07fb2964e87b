/**
 * `todo()`: the stub body of an exercise, Rust's `todo!()`. Calling it throws a NotImplementedError that names
 * the milestone and the function and points at the milestone's brief.
 *
 * This module is the one place that writes and reads that protocol: the generator writes `todo('p1/m1', 'fn')`
 * calls (`todoCall`), the error's message is built by `todoMessage`, and tools that meet a stub — in source
 * (`todoCallsIn`) or in a failure message (`parseTodoMessage`) — read it back with the functions below.
 *
 * A stub hit inside a thread ends that thread; the thread records it in the stub log (internal/stub-log.ts, read
 * with `beginStubWatch` / `threadStubsOf`), and a test runner names the thread in the message:
 * `todoMessage(milestone, fn, thread)`.
 *
 * Invariants: none here (the stub log states its own).
 */
export { beginStubWatch, type ThreadStub, threadStubsOf } from './internal/stub-log.ts';

export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
  constructor(
    readonly milestone: string,
    readonly functionName: string,
  ) {
    super(todoMessage(milestone, functionName));
  }
}

export function todo(milestone: string, functionName: string): never {
  throw new NotImplementedError(milestone, functionName);
}

export interface TodoStub {
  readonly milestone: string;
  readonly functionName: string;
  /** The thread the stub was hit in, when that was not the thread the message is reported on. */
  readonly thread?: string;
}

const quoteName = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The message a stub throws; with `thread`, the message a test runner reports for a stub hit in that thread. */
export function todoMessage(milestone: string, functionName: string, thread?: string): string {
  const where = thread === undefined ? '' : ` (thrown in thread ${quoteName(thread)})`;
  return `not implemented yet: ${functionName} (milestone ${milestone})${where}; read that milestone's README.md, then write it`;
}

const MESSAGE_RE =
  /not implemented yet: (\S+) \(milestone (p\d+\/m\d+)\)(?: \(thrown in thread '((?:[^'\\]|\\.)*)'\))?/;

/** The stub a text (a failure message, a stack, a thread's panic text) names, if any, and the thread it names. */
export function parseTodoMessage(text: string | undefined): TodoStub | undefined {
  const m = text === undefined ? null : MESSAGE_RE.exec(text);
  if (!m) return undefined;
  const thread = m[3]?.replace(/\\(.)/g, '$1');
  return { functionName: m[1]!, milestone: m[2]!, ...(thread !== undefined ? { thread } : {}) };
}

/** The source text of a stub call, as the exercise generator writes it. */
export function todoCall(milestone: string, functionName: string): string {
  return `todo(${quoteName(milestone)}, ${quoteName(functionName)});`;
}

const CALL_RE = /\btodo\(\s*['"`]([^'"`]+)['"`]\s*,\s*['"`]([^'"`]+)['"`]\s*\)/g;

/** The stub calls left in a source text, in order. */
export function todoCallsIn(source: string): TodoStub[] {
  return [...source.matchAll(CALL_RE)].map((m) => ({ milestone: m[1]!, functionName: m[2]! }));
}
