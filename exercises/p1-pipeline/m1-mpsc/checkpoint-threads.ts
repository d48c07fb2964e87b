// generated from solutions/p1-pipeline/m1-mpsc/checkpoint-threads.ts (npm run exercises -- generate); students edit this copy
/** Thread bodies used by this milestone's checkpoint tests. */
import type { Sender } from '#kit/channel.ts';
import { defineThread } from '#kit/thread.ts';
import { LogEntry, LogLevel } from './log-entry.ts';

export const sendGreeting = defineThread(import.meta.url, 'sendGreeting', (tx: Sender<LogEntry>, producer: number) => {
  tx.send(LogEntry.new(LogLevel.Info, `Message from producer ${producer}`));
});
