// generated from solutions/p3-counters/m3-rwlock/rw-counter.ts (npm run exercises -- generate); students edit this copy
/**
 * A counter for read-heavy use: behind an RwLock, any number of threads may read at once; a write waits for
 * the readers inside to leave and keeps new ones out until it is done (the kit's RwLock prefers writers, so a
 * stream of readers cannot starve them).
 */
import { RwLock } from '#kit/rwlock.ts';
import { type Destination, registerShareable, type Shareable, share, wireOf } from '#kit/share.ts';
import { SharedF64Array } from '#kit/shared-data.ts';
import { todo } from '#kit/todo.ts';

export class RwCounter implements Shareable {
  /** @internal Use `RwCounter.new()`. */
  constructor(readonly cell: RwLock<SharedF64Array>) {}

  static new(): RwCounter {
    return new RwCounter(new RwLock(new SharedF64Array(1)));
  }

  /** Read under a shared (read) lock. */
  get(): number {
    todo('p3/m3', 'RwCounter.get');
  }

  /** Add 1 under the exclusive (write) lock. */
  increment(): void {
    todo('p3/m3', 'RwCounter.increment');
  }

  /** Replace the value under the write lock. */
  set(value: number): void {
    todo('p3/m3', 'RwCounter.set');
  }

  clone(): RwCounter {
    return new RwCounter(this.cell);
  }

  [share](destination: Destination) {
    return wireOf('p3.RwCounter', { cell: this.cell }, destination);
  }
}

registerShareable('p3.RwCounter', (parts) => new RwCounter(parts.cell as RwLock<SharedF64Array>));
