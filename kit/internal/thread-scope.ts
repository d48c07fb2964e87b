/**
 * Per-thread bookkeeping of what must be released when a thread body ends, the analogue of Rust dropping a
 * closure's captures when the thread returns or panics. Thread-local: each thread has its own module instance.
 *
 * Invariants: what is tracked is released exactly once: at its own close, or at the end of the thread body.
 */

export interface Releasable {
  /** Release without throwing; called at most once per resource by `releaseAll`. */
  releaseAtThreadEnd(): void;
}

const open = new Set<Releasable>();

export function track(resource: Releasable): void {
  open.add(resource);
}

export function untrack(resource: Releasable): void {
  open.delete(resource);
}

/** Release everything this thread still holds; returns how many resources were released. */
export function releaseAll(): number {
  const pending = [...open];
  open.clear();
  for (const resource of pending) resource.releaseAtThreadEnd();
  return pending.length;
}
