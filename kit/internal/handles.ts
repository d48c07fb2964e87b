/**
 * How kit objects cross into another thread.
 *
 * A kit object (channel endpoint, lock, atomic...) is a small JS wrapper around SharedArrayBuffers. To pass it
 * to a thread, `toWire` replaces it with a plain "wire handle" `{ __threadkit: kind, ...buffers }`; structured
 * cloning shares the SharedArrayBuffers instead of copying them, and `fromWire` on the other side rebuilds a
 * wrapper of the same kind around the same memory.
 *
 * Ownership: a wrapper decides in `[share]` what passing means. Locks and atomics are shared like Rust's
 * `Arc`. Channel endpoints are *moved*, like a `Sender` moved into a `thread::spawn` closure: the wrapper left
 * behind is closed without releasing its count, and the destination thread becomes the owner (so a thread that
 * dies releases it; see channel.ts). Clone first to keep one.
 *
 * The walk descends into arrays and plain objects only; anything else is left to structured cloning.
 *
 * Invariants: a moved object (a channel endpoint) appears at most once in one spawn's arguments; an abandoned
 * destination releases everything that was moved into it.
 */

export const share: unique symbol = Symbol.for('threadkit.share');

/**
 * Where shared objects are going. The receiving thread's id may not be known yet when the arguments are encoded
 * (a Worker gets its threadId only once constructed), so ownership changes are registered with `onBound` and
 * run by `bind` once it is.
 */
export class Destination {
  private readonly pending: Array<(threadId: number) => void> = [];
  private readonly abandoned: Array<() => void> = [];
  private boundTo: number | undefined;

  /** Run if the transfer never happens (the thread could not be started): release what was moved. */
  onAbandoned(action: () => void): void {
    this.abandoned.push(action);
  }

  abandon(): void {
    this.pending.length = 0;
    for (const action of this.abandoned.splice(0)) action();
  }

  onBound(action: (threadId: number) => void): void {
    if (this.boundTo === undefined) this.pending.push(action);
    else action(this.boundTo);
  }

  bind(threadId: number): void {
    this.boundTo = threadId;
    this.abandoned.length = 0;
    for (const action of this.pending.splice(0)) action(threadId);
  }
}

export interface WireHandle {
  readonly __threadkit: string;
}

export interface Shareable {
  [share](destination: Destination): WireHandle;
}

type Reviver = (wire: WireHandle) => unknown;
const revivers = new Map<string, Reviver>();

export function registerKind(kind: string, revive: Reviver): void {
  revivers.set(kind, revive);
}

function isShareable(value: object): value is Shareable {
  return typeof (value as Partial<Shareable>)[share] === 'function';
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isWire(value: object): value is WireHandle {
  return typeof (value as Partial<WireHandle>).__threadkit === 'string';
}

export function toWire(value: unknown, destination: Destination): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isShareable(value)) return value[share](destination);
  if (Array.isArray(value)) return value.map((item) => toWire(item, destination));
  if (isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toWire(item, destination);
    return out;
  }
  refuseHiddenKitObjects(value, 0);
  return value;
}

/**
 * Structured cloning would copy a class instance into a plain object: a kit object inside it would arrive as a
 * lifeless shell (its buffers, without its methods). Refuse that with a pointer to the fix instead. Built-ins
 * that structured cloning handles (Map, Date, typed arrays...) are left alone.
 */
function refuseHiddenKitObjects(value: object, depth: number): void {
  if (depth > 4 || ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set || value instanceof Date)
    return;
  for (const item of Object.values(value)) {
    if (typeof item !== 'object' || item === null) continue;
    if (isShareable(item)) {
      throw new TypeError(
        `a kit object (${item.constructor.name}) inside an instance of ${value.constructor?.name ?? 'a class'} cannot cross threads: pass it directly, in a plain object or array, or make the class shareable (kit/share.ts)`,
      );
    }
    refuseHiddenKitObjects(item, depth + 1);
  }
}

export function fromWire(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(fromWire);
  if (isWire(value)) {
    const revive = revivers.get(value.__threadkit);
    if (!revive) {
      throw new Error(
        `threadkit: no type registered for handle kind '${value.__threadkit}' in this thread; the thread body's module must import the module that registers it`,
      );
    }
    return revive(value);
  }
  if (isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = fromWire(item);
    return out;
  }
  return value;
}
