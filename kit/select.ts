/**
 * select: wait on several receivers at once and take the first message (or disconnection) that is ready, the
 * analogue of crossbeam's `select!` with `recv` arms and an optional `default`/timeout arm.
 *
 * Fairness: every call starts its scan at a random receiver, so a channel that is always busy cannot starve the
 * others (each ready receiver is picked with equal probability).
 *
 * Waiting: a thread cannot park on several words at once, so a selecting thread parks on its own waker word in
 * the thread registry (registry.ts) after registering itself in a selector slot of every channel. A sender that
 * publishes while selectors are registered bumps each registered thread's waker and notifies it. Registration
 * also counts as a receiver waiting (RX_WAITERS), so senders take the signalling path. If a channel's selector
 * slots are all taken, the selecting thread falls back to short polling slices for that wait.
 */
import { type ChannelCore, type Receiver, SELECT_DISCONNECTED, SELECT_EMPTY } from './channel.ts';
import { type Deadline, deadlineAfter, SPIN_LIMIT } from './internal/park.ts';
import { PARK_SLICE_MS, wakerCell } from './internal/registry.ts';

type ValueOf<R> = R extends Receiver<infer T> ? T : never;

export type Selected<T> =
  | { readonly kind: 'message'; readonly index: number; readonly value: T }
  | { readonly kind: 'disconnected'; readonly index: number };

export interface SelectOptions {
  /** Give up after this many milliseconds and return `{ kind: 'timeout' }`. */
  readonly timeout?: number;
}

type AnyReceiver = Receiver<any>;

function pollAll<Rs extends readonly AnyReceiver[]>(receivers: Rs): Selected<ValueOf<Rs[number]>> | undefined {
  const n = receivers.length;
  const start = Math.floor(Math.random() * n);
  for (let k = 0; k < n; k++) {
    const index = (start + k) % n;
    const value = receivers[index]!.pollForSelect();
    if (value === SELECT_EMPTY) continue;
    if (value === SELECT_DISCONNECTED) return { kind: 'disconnected', index };
    return { kind: 'message', index, value };
  }
  return undefined;
}

function validate(receivers: readonly AnyReceiver[]): ChannelCore<unknown>[] {
  if (receivers.length === 0) throw new RangeError('select needs at least one receiver');
  return receivers.map((receiver) => receiver.channelCore);
}

/** Take whatever is ready now, or `{ kind: 'empty' }` (the `default` arm). */
export function trySelect<Rs extends readonly AnyReceiver[]>(
  receivers: Rs,
): Selected<ValueOf<Rs[number]>> | { readonly kind: 'empty' } {
  validate(receivers);
  return pollAll(receivers) ?? { kind: 'empty' };
}

/** Block until one receiver has a message or is disconnected (or the timeout passes). */
export function select<Rs extends readonly AnyReceiver[]>(receivers: Rs): Selected<ValueOf<Rs[number]>>;
export function select<Rs extends readonly AnyReceiver[]>(
  receivers: Rs,
  options: SelectOptions,
): Selected<ValueOf<Rs[number]>> | { readonly kind: 'timeout' };
export function select<Rs extends readonly AnyReceiver[]>(
  receivers: Rs,
  options: SelectOptions = {},
): Selected<ValueOf<Rs[number]>> | { readonly kind: 'timeout' } {
  const cores = validate(receivers);
  const deadline = deadlineAfter(options.timeout);
  const first = pollAll(receivers);
  if (first) return first;
  for (let i = 0; i < SPIN_LIMIT; i++) {
    if (cores.some((core) => core.readyToReceive())) {
      const found = pollAll(receivers);
      if (found) return found;
    }
  }
  return parkAndPoll(receivers, cores, deadline, (cell, seen, ms) => {
    Atomics.wait(cell.words, cell.index, seen, ms);
  }) as Selected<ValueOf<Rs[number]>> | { readonly kind: 'timeout' };
}

/** `select` for the main thread: waits without blocking the event loop. */
export async function selectAsync<Rs extends readonly AnyReceiver[]>(
  receivers: Rs,
  options: SelectOptions = {},
): Promise<Selected<ValueOf<Rs[number]>> | { readonly kind: 'timeout' }> {
  const cores = validate(receivers);
  const deadline = deadlineAfter(options.timeout);
  return (await parkAndPoll(receivers, cores, deadline, async (cell, seen, ms) => {
    const result = Atomics.waitAsync(cell.words, cell.index, seen, ms);
    if (result.async) await result.value;
  })) as Selected<ValueOf<Rs[number]>> | { readonly kind: 'timeout' };
}

type Cell = ReturnType<typeof wakerCell>;

function parkAndPoll<Rs extends readonly AnyReceiver[]>(
  receivers: Rs,
  cores: ChannelCore<unknown>[],
  deadline: Deadline,
  park: (cell: Cell, seen: number, ms: number) => void | Promise<void>,
): Selected<ValueOf<Rs[number]>> | { readonly kind: 'timeout' } | Promise<Selected<ValueOf<Rs[number]>> | { readonly kind: 'timeout' }> {
  const registered = cores.map((core) => core.addSelector());
  const sliceMs = registered.every(Boolean) ? PARK_SLICE_MS : 1;
  const cell = wakerCell();
  const unregister = (): void => {
    cores.forEach((core, i) => {
      if (registered[i]) core.removeSelector();
    });
  };
  const step = (): { done: Selected<ValueOf<Rs[number]>> | { readonly kind: 'timeout' } } | { seen: number; ms: number } => {
    const seen = Atomics.load(cell.words, cell.index);
    for (const core of cores) core.checkForDeaths();
    const found = pollAll(receivers);
    if (found) return { done: found };
    const left = deadline === Infinity ? sliceMs : Math.min(sliceMs, deadline - performance.now());
    if (left <= 0) return { done: { kind: 'timeout' } };
    return { seen, ms: left };
  };
  let sync = true;
  try {
    for (;;) {
      const next = step();
      if ('done' in next) return next.done;
      const parked = park(cell, next.seen, next.ms);
      if (parked instanceof Promise) {
        sync = false;
        return (async () => {
          try {
            await parked;
            for (;;) {
              const again = step();
              if ('done' in again) return again.done;
              await park(cell, again.seen, again.ms);
            }
          } finally {
            unregister();
          }
        })();
      }
    }
  } finally {
    if (sync) unregister();
  }
}
