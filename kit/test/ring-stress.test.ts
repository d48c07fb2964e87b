import { describe, expect, test } from 'vitest';
import { channel } from '../channel.ts';
import { spawn } from '../thread.ts';
import {
  chaosMode,
  consumeProbes,
  type DrainTally,
  drainEach,
  type Probe,
  type ProbeTally,
  produceProbes,
} from './ring-bodies.ts';

// The ring under contention, with the threads this file starts in chaos mode (KIT_CHAOS=1, internal/debug.ts): each
// thread now and then stalls inside the ring's race windows, so the interleavings that a scheduler produces once in
// thousands of runs happen in every run. In the kit-debug project the invariants are asserted as well (R1–R5).
// Workers inherit the environment at spawn; this file's own thread read the flag at load and stays undisturbed.
process.env.KIT_CHAOS = '1';

function union(tallies: readonly ProbeTally[], total: number): { missing: number; repeated: number } {
  const seen = new Uint8Array(total);
  for (const t of tallies) t.seen.forEach((n, i) => (seen[i] = seen[i]! + n));
  let missing = 0;
  let repeated = 0;
  for (const n of seen) {
    if (n === 0) missing++;
    else if (n > 1) repeated++;
  }
  return { missing, repeated };
}

describe('ring stress (chaos in every thread)', () => {
  test('the threads this file starts run in chaos mode', async () => {
    expect(await spawn(chaosMode).joinAsync()).toBe(true);
  });

  test('receivers that close one by one while the last message of a channel is raced: each taken once', async () => {
    // The window behind R5: a receiver sees a message queued, the other takes it and closes, and the receiver,
    // now the only one, must not read without the lock and without looking again. Every message here is the last
    // of its channel, so each one is such a race (before the fix, about two runs of this test in three failed).
    const channels = 6000;
    const per = 1;
    const pairs = Array.from({ length: channels }, () => channel<number>({ maxBytes: 4096 }));
    const consumers = [0, 1].map(() =>
      spawn(
        drainEach,
        pairs.map(([, rx]) => rx.clone()),
      ),
    );
    for (const [tx, rx] of pairs) {
      rx.close();
      for (let i = 0; i < per; i++) tx.send(i);
      tx.close();
    }
    const tallies: DrainTally[] = await Promise.all(consumers.map((c) => c.joinAsync()));
    expect(tallies.map((t) => t.error)).toEqual(['', '']);
    let wrong = 0;
    for (let c = 0; c < channels; c++) {
      let taken = 0;
      let values = 0;
      for (const t of tallies) {
        taken += t.taken[c]!;
        values |= t.values[c]!;
      }
      if (taken !== per || values !== (1 << per) - 1) wrong++;
    }
    expect(wrong).toBe(0);
  });

  test('records of many sizes through an unbounded ring that grows under contention, more threads than cores', async () => {
    const producers = 3;
    const per = 1500;
    const total = producers * per;
    const [tx, rx] = channel<Probe>({ initialBytes: 1024 });
    const consumers = Array.from({ length: 5 }, () => spawn(consumeProbes, rx.clone(), total));
    rx.close();
    const sending = Array.from({ length: producers }, (_, p) => spawn(produceProbes, tx.clone(), p * per, per));
    tx.close();
    for (const producer of sending) expect(await producer.joinAsync()).toBe(per);
    const tallies = await Promise.all(consumers.map((c) => c.joinAsync()));
    expect(tallies.map((t) => t.error)).toEqual(['', '', '', '', '']);
    expect(tallies.reduce((bad, t) => bad + t.bad, 0)).toBe(0);
    expect(union(tallies, total)).toEqual({ missing: 0, repeated: 0 });
  });

  test('the only receiver reads without the lock while two producers grow the ring under it', async () => {
    const per = 2000;
    const total = 2 * per;
    const [tx, rx] = channel<Probe>({ initialBytes: 1024 });
    const consumer = spawn(consumeProbes, rx, total);
    const sending = [0, 1].map((p) => spawn(produceProbes, tx.clone(), p * per, per));
    tx.close();
    for (const producer of sending) expect(await producer.joinAsync()).toBe(per);
    const tally = await consumer.joinAsync();
    expect(tally.error).toBe('');
    expect(tally.bad).toBe(0);
    expect(union([tally], total)).toEqual({ missing: 0, repeated: 0 });
  });
});
