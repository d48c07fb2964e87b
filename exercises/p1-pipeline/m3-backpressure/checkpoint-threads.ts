// generated from solutions/p1-pipeline/m3-backpressure/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Thread bodies used by this milestone's checkpoint tests. */
import type { Receiver } from '#kit/channel.ts';
import { defineThread, sleep } from '#kit/thread.ts';
import type { LogEntry } from '../m1-mpsc/log-entry.ts';

/**
 * Wait, take one message off the queue, and keep the receiver open a while longer: a receiver that closed at
 * once would turn the sender's blocked `send` into a disconnection error rather than a completed send.
 */
export const takeOneLater = defineThread(import.meta.url, 'takeOneLater', (rx: Receiver<LogEntry>, delayMs: number) => {
  sleep(delayMs);
  const value = rx.recv();
  sleep(200);
  return value;
});
