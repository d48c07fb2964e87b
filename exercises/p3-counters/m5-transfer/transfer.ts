// generated from solutions/p3-counters/m5-transfer/transfer.ts (npm run exercises -- generate); students edit this copy
/**
 * Moving an amount between two counters without deadlock.
 *
 * A transfer must hold both counters' locks at once, or another thread could see the money in neither (or in
 * both). Two threads transferring in opposite directions, each locking "from" then "to", can each take their
 * first lock and wait forever for the other's: a deadlock. Two cures:
 *   - lock ordering: every thread takes the two locks in one global order (here by counter id), so a cycle of
 *     waiting threads cannot form;
 *   - try-lock with backoff: never block while holding a lock; if the second lock is busy, release the first,
 *     wait a little (longer each time) and retry, until a deadline, then give up with an error.
 * Either way a transfer that cannot be done (overdraft, timeout) changes nothing.
 */
import { err, ok, type Result } from '#kit/result.ts';
import { sleep } from '#kit/thread.ts';
import type { Counter } from '../m1-mutex-counter/counter.ts';
import { todo } from '#kit/todo.ts';

function checkArguments(from: Counter, to: Counter, amount: number): string | undefined {
  if (from.id === to.id) return 'cannot transfer between a counter and itself';
  if (!(Number.isFinite(amount) && amount >= 0)) return `the amount must be a non-negative number, got ${amount}`;
  return undefined;
}

/** Move `amount` from one counter to the other, taking the locks in id order. Refuses an overdraft. */
export function transfer(from: Counter, to: Counter, amount: number): Result<void, string> {
  todo('p3/m5', 'transfer');
}

/**
 * Move `amount` using only try-locks: if either lock is busy, release what was taken, back off (doubling from
 * 0.05 ms up to 5 ms) and retry, until `timeoutMs` has passed; then fail with nothing changed.
 */
export function tryTransferWithTimeout(
  from: Counter,
  to: Counter,
  amount: number,
  timeoutMs: number,
): Result<void, string> {
  todo('p3/m5', 'tryTransferWithTimeout');
}
