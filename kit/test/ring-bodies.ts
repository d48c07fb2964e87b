/**
 * Thread bodies for the ring stress tests: producers of self-checking messages of many sizes (so that records
 * wrap, leave skip markers and make an unbounded ring grow while consumers read), and consumers that verify
 * every message they take and report which ones they saw.
 */
import type { Receiver, Sender } from '../channel.ts';
import { CHAOS } from '../internal/debug.ts';
import { defineThread } from '../thread.ts';

/** A message that carries its own id and a body derived from it, so a consumer can tell a torn or misplaced read. */
export interface Probe {
  id: number;
  text: string;
  extra?: number | undefined;
}

const SIZES = [0, 3, 17, 90, 250, 1000, 3000];

/** The message with id `id`: sizes cycle through a spread; every fifth takes v8.serialize's path (undefined). */
export function makeProbe(id: number): Probe {
  const size = SIZES[(id * 7) % SIZES.length]!;
  const text = String.fromCharCode(97 + (id % 26)).repeat(size);
  return id % 5 === 0 ? { id, text, extra: undefined } : { id, text };
}

function intact(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const probe = value as Probe;
  if (!Number.isInteger(probe.id) || probe.id < 0) return false;
  const want = makeProbe(probe.id);
  return probe.text === want.text && 'extra' in probe === 'extra' in want;
}

export const produceProbes = defineThread(
  import.meta.url,
  'produceProbes',
  (tx: Sender<Probe>, from: number, count: number) => {
    for (let i = 0; i < count; i++) tx.send(makeProbe(from + i));
    return count;
  },
);

export interface ProbeTally {
  readonly seen: Uint8Array;
  readonly bad: number;
  readonly error: string;
}

/** Take probes until the channel disconnects; a failed receive is reported, not thrown, with what came before. */
export const consumeProbes = defineThread(import.meta.url, 'consumeProbes', (rx: Receiver<Probe>, total: number) => {
  const seen = new Uint8Array(total);
  let bad = 0;
  let error = '';
  try {
    for (const probe of rx) {
      if (!intact(probe)) bad++;
      else if (probe.id < total) seen[probe.id] = Math.min(255, seen[probe.id]! + 1);
      else bad++;
    }
  } catch (caught) {
    error = `${(caught as Error).name}: ${(caught as Error).message}`;
  }
  return { seen, bad, error } satisfies ProbeTally;
});

export interface DrainTally {
  /** Per channel, how many messages this consumer took. */
  readonly taken: number[];
  /** Per channel, a bitmask of the values (0..30) this consumer took. */
  readonly values: number[];
  readonly error: string;
}

/**
 * Drain each channel in turn until it disconnects, then close this consumer's receiver at once, so that the
 * consumers still draining it become, one after the other, its only receivers while messages may remain queued.
 */
export const drainEach = defineThread(import.meta.url, 'drainEach', (rxs: Receiver<number>[]) => {
  const taken = new Array<number>(rxs.length).fill(0);
  const values = new Array<number>(rxs.length).fill(0);
  let error = '';
  try {
    rxs.forEach((rx, c) => {
      for (const value of rx) {
        taken[c]!++;
        values[c]! |= value >= 0 && value < 31 ? 1 << value : 1 << 31;
      }
      rx.close();
    });
  } catch (caught) {
    error = `${(caught as Error).name}: ${(caught as Error).message}`;
  }
  return { taken, values, error } satisfies DrainTally;
});

/** Whether this thread runs in chaos mode (it inherited KIT_CHAOS=1). */
export const chaosMode = defineThread(import.meta.url, 'chaosMode', () => CHAOS);
