import { describe, expect, test } from 'vitest';
import { syncChannel } from '../channel.ts';
import { i32 } from '../codec.ts';
import { DEBUG, InvariantError } from '../internal/debug.ts';
import { Mutex } from '../mutex.ts';

// Runs in both vitest projects: 'default' (KIT_DEBUG unset: checks are off, so corrupting shared memory goes
// unnoticed) and 'kit-debug' (KIT_DEBUG=1: the same corruption throws an InvariantError naming the invariant).
const mode = process.env.KIT_DEBUG === '1' ? 'on' : 'off';

function ctlOf(endpoint: unknown): Int32Array {
  return (endpoint as { core: { ctl: Int32Array } }).core.ctl;
}

describe(`debug mode (${mode})`, () => {
  test('the flag is read from KIT_DEBUG', () => {
    expect(DEBUG).toBe(mode === 'on');
  });

  test('a channel holding more messages than its bound is caught by R1 when debugging', () => {
    const [tx, rx] = syncChannel<number>(4, { codec: i32 });
    tx.send(1);
    Atomics.store(ctlOf(rx), 3 /* SENT */, 10); // nine phantom messages over a bound of four
    if (DEBUG) {
      expect(() => rx.recv()).toThrow(InvariantError);
      expect(() => rx.recv()).toThrow(/invariant R1/);
    } else {
      expect(rx.recv()).toBe(1);
    }
  });

  test('a lock released while another thread owns it is caught by L3 when debugging', () => {
    const mutex = new Mutex();
    const guard = mutex.lock();
    Atomics.store(mutex.ctl, 0, 999_999); // as if another thread held it
    if (DEBUG) expect(() => guard.unlock()).toThrow(/invariant L3/);
    else expect(() => guard.unlock()).not.toThrow();
  });
});
