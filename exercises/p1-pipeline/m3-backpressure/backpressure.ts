// generated from solutions/p1-pipeline/m3-backpressure/backpressure.ts (npm run exercises -- generate); students edit this copy
/**
 * Bounded channels and backpressure: a producer that cannot outrun its consumer by more than the channel's
 * capacity. When the queue is full the producer either waits (backpressure) or drops the message and counts it
 * (load shedding); either way memory stays bounded.
 */
import type { Receiver, Sender } from '#kit/channel.ts';
import { defineThread, sleep } from '#kit/thread.ts';
import { LOG_LEVELS, LogEntry } from '../m1-mpsc/log-entry.ts';
import { todo } from '#kit/todo.ts';

/** What to do with a message when the queue is full. */
export type FullPolicy = 'block' | 'drop';

export interface BackpressureMetrics {
  messagesSent: number;
  messagesDropped: number;
  /** Milliseconds spent waiting for room in the queue (only under the 'block' policy). */
  totalBlockTimeMs: number;
  /** The deepest the queue was seen right after a send. */
  maxQueueDepth: number;
}

/**
 * Send `numMessages` entries, pausing `rateLimitMs` between sends (0: as fast as possible). Under 'block' a
 * full queue makes the producer wait; under 'drop' the message is counted as dropped and the producer goes on.
 * Stops early, without error, if the consumer hangs up.
 */
export const boundedProducer = defineThread(
  import.meta.url,
  'boundedProducer',
  (tx: Sender<LogEntry>, numMessages: number, rateLimitMs: number, policy: FullPolicy): BackpressureMetrics => {
    todo('p1/m3', 'boundedProducer');
  },
);

/** Receive until the channel closes, spending `processTimeMs` on each message; returns how many it took. */
export const slowConsumer = defineThread(
  import.meta.url,
  'slowConsumer',
  (rx: Receiver<LogEntry>, processTimeMs: number): number => {
    todo('p1/m3', 'slowConsumer');
  },
);
