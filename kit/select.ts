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
 *
 * `select` and `selectAsync` run one operation (`selecting`) with the blocking or the async driver (wait.ts).
 *
 * Invariants: a selecting thread holds a selector slot on a channel only while it is inside `selecting` (every
 * registration is undone in its `finally`, or by counter.ts's reclaimDead if the thread dies), so a slot never
 * outlives its select (checked by the waker's K1/K2 when KIT_DEBUG=1).
 */
import { type Receiver, SELECT_DISCONNECTED, SELECT_EMPTY } from './channel.ts';
import type { ChannelCore } from './internal/channel/core.ts';
import { wakerCell } from './internal/registry.ts';
import {
  block,
  blockAsync,
  CHANNEL_SPIN,
  type Deadline,
  deadlineAfter,
  FIRST_PARK_MS,
  nextParkCap,
  Spinner,
  type Waiting,
} from './internal/wait.ts';

type ValueOf<R> = R extends Receiver<infer T> ? T : never;

export type Selected<T> =
  | { readonly kind: 'message'; readonly index: number; readonly value: T }
  | { readonly kind: 'disconnected'; readonly index: number };

export interface SelectOptions {
  /** Give up after this many milliseconds and return `{ kind: 'timeout' }`. */
  readonly timeout?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: a receiver of any message type (the element type is recovered per position)
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

type Outcome<Rs extends readonly AnyReceiver[]> = Selected<ValueOf<Rs[number]>> | { readonly kind: 'timeout' };

/** This thread's adaptive spin budget for blocking selects. */
const spinner = new Spinner(CHANNEL_SPIN);

/** Block until one receiver has a message or is disconnected (or the timeout passes). */
export function select<Rs extends readonly AnyReceiver[]>(receivers: Rs): Selected<ValueOf<Rs[number]>>;
export function select<Rs extends readonly AnyReceiver[]>(receivers: Rs, options: SelectOptions): Outcome<Rs>;
export function select<Rs extends readonly AnyReceiver[]>(receivers: Rs, options: SelectOptions = {}): Outcome<Rs> {
  const cores = validate(receivers);
  const deadline = deadlineAfter(options.timeout);
  return pollAll(receivers) ?? block(selecting(receivers, cores, deadline, spinner));
}

/** `select` for the main thread: waits without blocking the event loop. */
export async function selectAsync<Rs extends readonly AnyReceiver[]>(
  receivers: Rs,
  options: SelectOptions = {},
): Promise<Outcome<Rs>> {
  return blockAsync(selecting(receivers, validate(receivers), deadlineAfter(options.timeout), undefined));
}

/**
 * The whole select: register on every channel, then poll, sleep on this thread's waker, poll again, until a receiver
 * is ready or the deadline passes. A channel whose selector slots are all taken cannot wake us: then sleep in short
 * slices and poll.
 */
function* selecting<Rs extends readonly AnyReceiver[]>(
  receivers: Rs,
  cores: ChannelCore<unknown>[],
  deadline: Deadline,
  spin: Spinner | undefined,
): Waiting<Outcome<Rs>> {
  const registered = cores.map((core) => core.waker.addSelector());
  const cell = wakerCell();
  try {
    const polling = !registered.every(Boolean);
    // Sleeps are capped (FIRST_PARK_MS, then doubling) as a channel waiter's are: a sender publishes without a
    // fence and may miss this thread's registration (channel/ring.ts).
    for (let maxMs = FIRST_PARK_MS; ; maxMs = nextParkCap(maxMs)) {
      const seen = Atomics.load(cell.words, cell.index);
      for (const core of cores) core.checkForDeaths();
      const found = pollAll(receivers);
      if (found) return found;
      const wait = polling ? Math.min(deadline, performance.now() + 1) : deadline;
      const more = yield { words: cell.words, index: cell.index, seen, deadline: wait, spin, maxMs };
      if (!more && (wait === deadline || performance.now() >= deadline))
        return pollAll(receivers) ?? { kind: 'timeout' };
    }
  } finally {
    cores.forEach((core, i) => {
      if (registered[i]) core.waker.removeSelector();
    });
  }
}
