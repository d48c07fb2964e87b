/**
 * `todo()`: the stub body of an exercise, Rust's `todo!()`. Calling it throws a NotImplementedError that names
 * the milestone and the function and points at the milestone's brief.
 *
 * This module is the one place that writes and reads that protocol: the generator writes `todo('p1/m1', 'fn')`
 * calls (`todoCall`), the error's message is built by `todoMessage`, and tools that meet a stub — in source
 * (`todoCallsIn`) or in a failure message (`parseTodoMessage`) — read it back with the functions below.
 *
 * Invariants: none (no shared state).
 */
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
}

/** The message a stub throws. */
export function todoMessage(milestone: string, functionName: string): string {
  return `not implemented yet: ${functionName} (milestone ${milestone}); read that milestone's README.md, then write it`;
}

const MESSAGE_RE = /not implemented yet: (\S+) \(milestone (p\d+\/m\d+)\)/;

/** The stub a text (a failure message, a stack, a thread's panic text) names, if any. */
export function parseTodoMessage(text: string | undefined): TodoStub | undefined {
  const m = text === undefined ? null : MESSAGE_RE.exec(text);
  return m ? { functionName: m[1]!, milestone: m[2]! } : undefined;
}

/** The source text of a stub call, as the exercise generator writes it. */
export function todoCall(milestone: string, functionName: string): string {
  const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `todo(${quote(milestone)}, ${quote(functionName)});`;
}

const CALL_RE = /\btodo\(\s*['"`]([^'"`]+)['"`]\s*,\s*['"`]([^'"`]+)['"`]\s*\)/g;

/** The stub calls left in a source text, in order. */
export function todoCallsIn(source: string): TodoStub[] {
  return [...source.matchAll(CALL_RE)].map((m) => ({ milestone: m[1]!, functionName: m[2]! }));
}
