/**
 * The dead-letter file: one JSON object per line, `{"file", "line", "reason", "text"}`, plus
 * `"truncated": "..."` (a note saying how much of the line is shown) when the text was cut.
 *
 * Guarantees: `formatDeadLetter` always yields one line of valid JSON (JSON.stringify escapes control
 * characters and lone surrogates); `DeadLetterFile` writes whole strings, retrying short writes, so every
 * record it was given is in the file when `close` returns.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { DeadLetter } from './tally.ts';

export function formatDeadLetter(letter: DeadLetter): string {
  const record: Record<string, unknown> = {
    file: letter.file,
    line: letter.line,
    reason: letter.reason,
    text: letter.text,
  };
  if (letter.lengthInBytes || letter.length > letter.text.length) {
    record['truncated'] =
      `showing the first ${letter.text.length} characters of ${letter.length} ${letter.lengthInBytes ? 'bytes' : 'characters'}`;
  }
  return JSON.stringify(record);
}

/** A dead-letter file opened for writing (created or truncated). Synchronous: used inside a writer thread
 * and by the single-threaded baseline. */
export class DeadLetterFile {
  private readonly fd: number;
  written = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(letters: readonly DeadLetter[]): void {
    if (letters.length === 0) return;
    let text = '';
    for (const letter of letters) text += `${formatDeadLetter(letter)}\n`;
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
    this.written += letters.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}
