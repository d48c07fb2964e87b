/**
 * Thread bodies the runner's cells spawn (kit threads: named exports declared with defineThread).
 *
 * Clock: every body that reports a time uses `wallNow()` (performance.timeOrigin + performance.now()), the one
 * clock that is comparable across worker threads of a process.
 * Jobs for the plain-kit pool travel as one f64 each: > 0 sleep that many ms, < 0 spin −value iterations of
 * fixed integer work, 0 do nothing. Workers end when every sender of the job channel is gone.
 */
import type { Barrier } from '#kit/barrier.ts';
import type { Receiver, Sender } from '#kit/channel.ts';
import type { Mutex } from '#kit/mutex.ts';
import type { SharedI32Array } from '#kit/shared-data.ts';
import { defineThread, sleep } from '#kit/thread.ts';

export const wallNow = (): number => performance.timeOrigin + performance.now();

// biome-ignore lint/correctness/noUnusedVariables: written so the JIT cannot drop the spin loops' work as unused
let sink = 0;

/**
 * Fixed integer work: `iterations` steps of a xorshift generator, the same steps as the P2 m6 reference's
 * `spin`, so that every pool of the suite runs exactly the work the reference's calibration sized.
 */
export function spin(iterations: number): number {
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  sink ^= x;
  return x;
}

/** Runs one job as encoded above. */
export function runJob(job: number): void {
  if (job > 0) sleep(job);
  else if (job < 0) spin(-job);
}

/** A pipeline stage: wait `ms` per message (the chapter's stage work, as sleep), then pass it on. */
export const sleepStage = defineThread(
  import.meta.url,
  'sleepStage',
  (rx: Receiver<number>, tx: Sender<number>, ms: number) => {
    for (const value of rx) {
      sleep(ms);
      tx.send(value);
    }
  },
);

/**
 * Sends numbers at one per `intervalMs` (by deadlines, so the rate does not drift) until `deadline`; counts
 * what it sent in counters[0]. A bounded channel makes `send` wait, which is the backpressure being measured.
 */
export const pacedProducer = defineThread(
  import.meta.url,
  'pacedProducer',
  (tx: Sender<number>, counters: SharedI32Array, intervalMs: number, startAt: number, deadline: number) => {
    for (let i = 0; ; i++) {
      const due = startAt + i * intervalMs;
      const now = wallNow();
      if (due >= deadline || now >= deadline) break;
      if (due > now) sleep(due - now);
      const sent = tx.sendTimeout(i, Math.max(1, deadline - wallNow()));
      if (!sent.ok) break;
      Atomics.add(counters.array, 0, 1);
    }
    tx.close();
  },
);

/** Receives one message per `intervalMs` until `deadline`; counts in counters[1]. */
export const pacedConsumer = defineThread(
  import.meta.url,
  'pacedConsumer',
  (rx: Receiver<number>, counters: SharedI32Array, intervalMs: number, startAt: number, deadline: number) => {
    for (let i = 0; ; i++) {
      const due = startAt + i * intervalMs;
      const now = wallNow();
      if (due >= deadline || now >= deadline) break;
      if (due > now) sleep(due - now);
      const got = rx.recvTimeout(Math.max(1, deadline - wallNow()));
      if (!got.ok) {
        if (got.error.kind === 'disconnected') break;
        continue;
      }
      Atomics.add(counters.array, 1, 1);
    }
    rx.close();
  },
);

/** A pool worker: runs jobs from the shared queue, reports each finished job on `done`. */
export const poolWorker = defineThread(
  import.meta.url,
  'poolWorker',
  (jobs: Receiver<number>, done: Sender<number>, ready: Sender<number>) => {
    ready.send(1);
    ready.close();
    for (const job of jobs) {
      runJob(job);
      done.send(job);
    }
  },
);

/** One task on its own thread (spawn per task). */
export const taskThread = defineThread(import.meta.url, 'taskThread', (job: number) => {
  runJob(job);
  return job;
});

/** Does nothing: spawn + join of this is the cost of a thread. */
export const noopThread = defineThread(import.meta.url, 'noopThread', () => 0);

/**
 * `rounds` rounds of `ops` increments of a shared counter under the kit Mutex on one thread: each round starts at the
 * barrier (with the other contender and the caller) and sends its [start, end] wall times on `spans`. A thread kept
 * across rounds times the lock, not thread start or JIT warm-up.
 */
export const mutexIncrementRounds = defineThread(
  import.meta.url,
  'mutexIncrementRounds',
  (mutex: Mutex<SharedI32Array>, start: Barrier, spans: Sender<[number, number]>, ops: number, rounds: number) => {
    for (let round = 0; round < rounds; round++) {
      start.wait();
      const began = wallNow();
      for (let i = 0; i < ops; i++) {
        const guard = mutex.lock();
        guard.value.array[0]!++;
        guard.unlock();
      }
      spans.send([began, wallNow()]);
    }
  },
);

/**
 * Sleep, then take one message (the consumer of the chapter's test_backpressure_blocks). It stays a little after
 * the recv: a thread that ends closes its receiver, and a sender still waking up would then see a disconnected
 * channel instead of the room the recv made.
 */
export const sleepThenRecv = defineThread(import.meta.url, 'sleepThenRecv', (rx: Receiver<number>, ms: number) => {
  sleep(ms);
  const value = rx.recv();
  sleep(50);
  return value;
});

/** Like sleepThenRecv, but first says on `started` that it runs, so the caller can start its clock after spawn. */
export const signalSleepRecv = defineThread(
  import.meta.url,
  'signalSleepRecv',
  (started: Sender<number>, rx: Receiver<number>, ms: number) => {
    started.send(1);
    sleep(ms);
    const value = rx.recv();
    sleep(50);
    return value;
  },
);
