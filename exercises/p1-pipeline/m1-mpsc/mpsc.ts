// generated from solutions/p1-pipeline/m1-mpsc/mpsc.ts (npm run exercises -- generate); students edit this copy
/**
 * Producer and consumer threads around one channel: many senders (clones of one Sender), one receiver.
 */
import type { Receiver, Sender } from '#kit/channel.ts';
import { defineThread } from '#kit/thread.ts';
import { LOG_LEVELS, LogEntry } from './log-entry.ts';
import { todo } from '#kit/todo.ts';

/** Send `numMessages` entries `Log 0`, `Log 1`, ... whose levels cycle Debug, Info, Warn, Error. */
export const producerThread = defineThread(
  import.meta.url,
  'producerThread',
  (tx: Sender<LogEntry>, numMessages: number): void => {
    todo('p1/m1', 'producerThread');
  },
);

/** Receive until every sender is gone, and return everything received, in arrival order. */
export const consumerThread = defineThread(import.meta.url, 'consumerThread', (rx: Receiver<LogEntry>): LogEntry[] => {
  todo('p1/m1', 'consumerThread');
});
