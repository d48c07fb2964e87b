/**
 * Making your own types passable to threads, as kit objects are.
 *
 * A class that wraps kit objects (a counter around a Mutex, a bank around several) can be given to `spawn` as a
 * whole: implement `[share]` to turn it into a wire handle made of its parts' handles, and register how to
 * rebuild it. The module that calls `registerShareable` must be imported (for its side effect) by the thread
 * body's module, so that the receiving thread knows the kind.
 *
 *     export class Counter implements Shareable {
 *       constructor(readonly cell: Mutex<SharedF64Array>) {}
 *       [share](to: Destination) { return wireOf('demo.Counter', { cell: this.cell }, to); }
 *     }
 *     registerShareable('demo.Counter', (parts) => new Counter(parts.cell as Mutex<SharedF64Array>));
 *
 * Invariants: a registered kind name is registered once per thread (handles.ts refuses a second registration).
 */
import {
  type Destination,
  fromWire,
  registerKind,
  type Shareable,
  share,
  toWire,
  type WireHandle,
} from './internal/handles.ts';

export { type Destination, type Shareable, share, type WireHandle };

interface PartsWire extends WireHandle {
  readonly parts: unknown;
}

/** The wire handle of a composite: `kind` plus the handles of its parts (kit objects or cloneable data). */
export function wireOf(kind: string, parts: Record<string, unknown>, destination: Destination): WireHandle {
  return { __threadkit: kind, parts: toWire(parts, destination) } as PartsWire;
}

/** How to rebuild a composite of `kind` from its revived parts, in whichever thread receives one. */
export function registerShareable(kind: string, rebuild: (parts: Record<string, unknown>) => unknown): void {
  registerKind(kind, (wire) => rebuild(fromWire((wire as PartsWire).parts) as Record<string, unknown>));
}
