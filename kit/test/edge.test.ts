/**
 * Edge cases of thread death and hand-off: a thread killed between the two stores that publish a channel operation,
 * a rendezvous trySend racing a select that takes another channel, a blocking join of a thread killed by a fatal
 * error.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { channel, syncChannel } from '../channel.ts';
import { sleepAsync, spawn } from '../thread.ts';
import { joinFatalChild, selectIndex } from './edge-bodies.ts';

describe('edge cases', () => {
  test('each pair of stores that publishes a channel operation is adjacent: a terminated thread cannot stop between them', () => {
    // V8 stops a terminated thread only at an interrupt check (function entry, loop back edge, interpreter return),
    // so two adjacent stores with no call and no loop between them are never separated by a kill. Keep them so.
    const source = readFileSync(new URL('../internal/channel/ring.ts', import.meta.url), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    // Each pair: the first store, then the lines that follow it at once (a branch between them is no interrupt check;
    // the publishing store is plain or Atomics.store, ring.ts PLAIN_PUBLISH).
    const pairs: RegExp[][] = [
      [
        /^if \(this\.recordSize === undefined\) ctl\[TAIL\] = tail;$/,
        /^if \(PLAIN_PUBLISH\) ctl\[SENT\] = \(sent \+ 1\) \| 0;$/,
        /^else Atomics\.store\(ctl, SENT, \(sent \+ 1\) \| 0\);$/,
      ],
      [
        /^if \(this\.recordSize === undefined\) ctl\[HEAD\] = \(head \+ recordBytes\) \| 0;$/,
        /^ctl\[RECEIVED\] = received;$/,
      ],
      [
        /^if \(this\.recordSize === undefined\) Atomics\.store\(ctl, HEAD, \(head \+ recordBytes\) \| 0\);$/,
        /^Atomics\.store\(ctl, RECEIVED, received\);$/,
      ],
    ];
    for (const [first, ...rest] of pairs) {
      const at = source.findIndex((line) => first!.test(line));
      expect(at, `${first}`).toBeGreaterThan(0);
      rest.forEach((next, i) => expect(source[at + 1 + i], `${next} must follow ${first}`).toMatch(next));
    }
    // TAIL and HEAD are written nowhere else.
    expect(source.filter((l) => /ctl\[(TAIL|HEAD)\] =|Atomics\.store\(ctl, (TAIL|HEAD)/.test(l)).length).toBe(3);
  });

  test('a rendezvous trySend racing a select that takes another channel never reports a hand-off that did not happen', async () => {
    let delivered = 0;
    let refused = 0;
    for (let round = 0; round < 12; round++) {
      const [txA, rxA] = syncChannel<number>(0);
      const [txB, rxB] = channel<number>();
      const selector = spawn(selectIndex, rxA.clone(), rxB.clone());
      await sleepAsync(150); // parked in select, registered on both channels
      txB.send(2); // wakes it; it may take B's message rather than ours
      const sent = txA.trySend(1);
      const index = (await selector.joinTimeoutAsync(10_000)).ok ? await selector.joinAsync() : -2;
      if (sent.ok) {
        // Reported delivered: the selector must have taken it.
        expect(index).toBe(0);
        delivered++;
      } else {
        expect(sent.error.kind).toBe('full');
        expect(sent.error.value).toBe(1);
        expect(rxA.isEmpty()).toBe(true); // taken back, not left behind
        refused++;
      }
      for (const endpoint of [txA, rxA, txB, rxB]) endpoint.close();
    }
    expect(delivered + refused).toBe(12);
  });

  test('a blocking join (event loop stopped) of a thread killed by a fatal error ends with ThreadPanicError', async () => {
    const outer = spawn(joinFatalChild);
    const result = await outer.joinTimeoutAsync(25_000);
    if (!result.ok) await outer.terminate();
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.joined).toBe('ThreadPanicError');
      expect(result.value.message).toMatch(/died before finishing/);
    }
  }, 30_000);
});
