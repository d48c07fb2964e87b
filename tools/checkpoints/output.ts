/**
 * What the student's code printed during a test: collected per test by the checkpoint reporter, capped (a test
 * that prints in a loop must not flood the screen or the events file), and shown marked as the student's.
 * Exercism caps a test's output at 500 characters; so do we.
 */

/** Prefix the capture setup file puts on output that came from a worker thread (stripped by the reporter). */
export const THREAD_MARK = '\u0000thread\u0000';

/** Characters of output kept per test. */
export const OUTPUT_CAP = 500;

/** One piece of captured output; its lines that a worker thread wrote start with THREAD_MARK. */
export interface OutputChunk {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/**
 * The chunks as one text, lines from worker threads marked `[thread]`, stderr lines `[stderr]`, capped at `cap`
 * characters with a note saying how much was cut.
 */
export function joinOutput(chunks: readonly OutputChunk[], cap: number = OUTPUT_CAP, dropped = 0): string {
  const lines: string[] = [];
  for (const c of chunks) {
    for (const line of c.text.replace(/\n$/, '').split('\n')) {
      const thread = line.startsWith(THREAD_MARK);
      const tag = `${thread ? '[thread] ' : ''}${c.stream === 'stderr' ? '[stderr] ' : ''}`;
      lines.push(`${tag}${thread ? line.slice(THREAD_MARK.length) : line}`);
    }
  }
  const text = lines.join('\n');
  const over = text.length - cap + dropped;
  if (over <= 0) return text;
  return `${text.slice(0, cap)}\n… (${over} more characters not shown)`;
}
