/**
 * `todo()`: the stub body of an exercise, Rust's `todo!()`. Calling it throws a NotImplementedError that names
 * the milestone and the function and points at the milestone's brief.
 *
 * Invariants: none (no shared state).
 */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
  constructor(
    readonly milestone: string,
    readonly functionName: string,
  ) {
    super(`not implemented yet: ${functionName} (milestone ${milestone}); read that milestone's README.md, then write it`);
  }
}

export function todo(milestone: string, functionName: string): never {
  throw new NotImplementedError(milestone, functionName);
}
