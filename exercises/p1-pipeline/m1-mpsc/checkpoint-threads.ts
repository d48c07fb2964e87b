/** Thread bodies used by this milestone's checkpoint tests. */
import type { Sender } from '#kit/channel.ts';
import { defineThread } from '#kit/thread.ts';
import { LogEntry, LogLevel } from './log-entry.ts';

export const sendGreeting = defineThread(import.meta.url, 'sendGreeting', (tx: Sender<LogEntry>, producer: number) => {
  tx.send(LogEntry.new(LogLevel.Info, `Message from producer ${producer}`));
});
