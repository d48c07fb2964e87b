/**
 * Task bodies for the pool benchmark (benches/pool.ts): the same work for the reference pool
 * (solutions/p2-image-pool) and for piscina, which loads this module's default export in its workers.
 */
import type { SharedI32Array } from '#kit/shared-data.ts';
import { defineTask } from '../solutions/p2-image-pool/m1-thread-pool/task.ts';
import { spin } from '../solutions/p2-image-pool/m6-benchmark/benchmark.ts';

export interface NoopContext {
  /** [0] tasks run */
  readonly done: SharedI32Array;
}

/** Does nothing but count itself: what is left is the pool's own cost per task. */
export const noopTask = defineTask(import.meta.url, 'noopTask', (ctx: NoopContext, _n: number) => {
  Atomics.add(ctx.done.array, 0, 1);
});

/** piscina's entry: `{ kind: 'noop' }` returns at once; `{ kind: 'cpu', iterations }` spins. */
export default function piscinaTask(input: { kind: 'noop' } | { kind: 'cpu'; iterations: number }): number {
  return input.kind === 'cpu' ? spin(input.iterations) : 0;
}
