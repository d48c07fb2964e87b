/**
 * A counter for read-heavy use: behind an RwLock, any number of threads may read at once; a write waits for
 * the readers inside to leave and keeps new ones out until it is done (the kit's RwLock prefers writers, so a
 * stream of readers cannot starve them).
 */
import { RwLock } from '#kit/rwlock.ts';
import { type Destination, registerShareable, type Shareable, share, wireOf } from '#kit/share.ts';
import { SharedF64Array } from '#kit/shared-data.ts';

export class RwCounter implements Shareable {
  /** @internal Use `RwCounter.new()`. */
  constructor(readonly cell: RwLock<SharedF64Array>) {}

  static new(): RwCounter {
    return new RwCounter(new RwLock(new SharedF64Array(1)));
  }

  /** Read under a shared (read) lock. */
  get(): number {
    // #region solution
    return this.cell.withRead((cell) => cell.array[0]!);
    // #endregion solution
  }

  /** Add 1 under the exclusive (write) lock. */
  increment(): void {
    // #region solution
    this.cell.withWrite((cell) => {
      cell.array[0]! += 1;
    });
    // #endregion solution
  }

  /** Replace the value under the write lock. */
  set(value: number): void {
    // #region solution
    this.cell.withWrite((cell) => {
      cell.array[0] = value;
    });
    // #endregion solution
  }

  clone(): RwCounter {
    return new RwCounter(this.cell);
  }

  [share](destination: Destination) {
    return wireOf('p3.RwCounter', { cell: this.cell }, destination);
  }
}

registerShareable('p3.RwCounter', (parts) => new RwCounter(parts.cell as RwLock<SharedF64Array>));
