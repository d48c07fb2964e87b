// generated from solutions/p3-counters/m4-atomic/atomic-counter.ts (npm run exercises -- generate); students edit this copy
/**
 * A counter with no lock at all: one AtomicU64 in shared memory, changed with atomic read-modify-write
 * operations (`fetchAdd`, `fetchSub`). Each is a single indivisible step, so no update can be lost, and no
 * thread ever waits for another.
 *
 * Rust code passes an `Ordering` to each call; JavaScript's Atomics are all sequentially consistent (the
 * strongest ordering), so the kit accepts the argument for familiarity and ignores it.
 */
import { AtomicU64, Ordering } from '#kit/atomic.ts';
import { type Destination, registerShareable, type Shareable, share, wireOf } from '#kit/share.ts';
import { todo } from '#kit/todo.ts';

export class AtomicCounter implements Shareable {
  /** @internal Use `AtomicCounter.new()`. */
  constructor(readonly value: AtomicU64) {}

  static new(): AtomicCounter {
    return new AtomicCounter(new AtomicU64(0n));
  }

  increment(): void {
    todo('p3/m4', 'AtomicCounter.increment');
  }

  /** Subtract 1; below 0 a u64 wraps around, as in Rust. */
  decrement(): void {
    todo('p3/m4', 'AtomicCounter.decrement');
  }

  get(): bigint {
    todo('p3/m4', 'AtomicCounter.get');
  }

  add(amount: bigint): void {
    todo('p3/m4', 'AtomicCounter.add');
  }

  clone(): AtomicCounter {
    return new AtomicCounter(this.value);
  }

  [share](destination: Destination) {
    return wireOf('p3.AtomicCounter', { value: this.value }, destination);
  }
}

registerShareable('p3.AtomicCounter', (parts) => new AtomicCounter(parts.value as AtomicU64));
