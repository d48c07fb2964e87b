// generated from solutions/p3-counters/m1-mutex-counter/counter.ts (npm run exercises -- generate); students edit this copy
/**
 * A counter that many threads can change at once, safely: its value lives in shared memory behind a Mutex.
 *
 * Rust writes this `Arc<Mutex<i64>>`. Here the Mutex guards a one-element SharedF64Array (JS numbers are exact
 * integers up to 2^53, which stands in for i64), and the Counter itself can be passed to `spawn`: every thread
 * gets a Counter onto the same lock and the same memory, which is what cloning an `Arc` gives in Rust.
 */
import { Mutex } from '#kit/mutex.ts';
import { type Destination, registerShareable, type Shareable, share, wireOf } from '#kit/share.ts';
import { SharedF64Array } from '#kit/shared-data.ts';
import { todo } from '#kit/todo.ts';

const VALUE = 0;

export class Counter implements Shareable {
  /**
   * @internal Use `Counter.new()`. `id` is a random identity, the same in every thread that holds this counter:
   * code that locks two counters orders its locks by it.
   */
  constructor(
    readonly cell: Mutex<SharedF64Array>,
    readonly id: number,
  ) {}

  /** A counter at 0. */
  static new(): Counter {
    return new Counter(new Mutex(new SharedF64Array(1)), Math.floor(Math.random() * Number.MAX_SAFE_INTEGER));
  }

  increment(): void {
    todo('p3/m1', 'Counter.increment');
  }

  decrement(): void {
    todo('p3/m1', 'Counter.decrement');
  }

  get(): number {
    todo('p3/m1', 'Counter.get');
  }

  /** Add `amount` (negative to subtract) under one lock. */
  add(amount: number): void {
    todo('p3/m1', 'Counter.add');
  }

  /** Another handle onto the same counter (Rust: `Arc::clone`). */
  clone(): Counter {
    return new Counter(this.cell, this.id);
  }

  [share](destination: Destination) {
    return wireOf('p3.Counter', { cell: this.cell, id: this.id }, destination);
  }
}

registerShareable('p3.Counter', (parts) => new Counter(parts.cell as Mutex<SharedF64Array>, parts.id as number));
