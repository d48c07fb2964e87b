/**
 * One cell in a fresh process: `node [flags] --import tsx benches/runner/cell.ts '<CellSpec as JSON>'`.
 *
 * Runs the cell's variants interleaved, `spec.reps` times, and prints the answer as the LAST line of stdout,
 * prefixed with CELL_MARKER, so that anything a thread body prints cannot be mistaken for it. Always exits 0
 * after printing (errors travel in the answer); a crash or a hang shows up as a missing answer, which the parent
 * reports. `process.exit` at the end also ends worker threads a failed cell may have left running. The answer
 * carries the process's CPU time and peak memory (process.resourceUsage(), all threads).
 */
import { isMainThread } from 'node:worker_threads';
import type { CellAnswer, CellOutput, CellSpec } from './types.ts';

export const CELL_MARKER = '@@bench-cell@@';

export function parseAnswer(stdout: string): CellAnswer | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(CELL_MARKER));
  if (line === undefined) return undefined;
  return JSON.parse(line.slice(CELL_MARKER.length)) as CellAnswer;
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  let answer: CellAnswer;
  try {
    if (raw === undefined) throw new Error('usage: cell.ts <cell spec as JSON>');
    const spec = JSON.parse(raw) as CellSpec;
    const module = (await import(`./cells/${spec.suite}.ts`)) as { runCell(spec: CellSpec): Promise<CellOutput> };
    // Keep the event loop alive while the cell runs: awaits on Atomics.waitAsync or on unref'd workers do not,
    // and a loop that empties under a pending top-level await ends the process (exit code 13) with no answer.
    const keepAlive = setInterval(() => {}, 1 << 30);
    const output = await module.runCell(spec).finally(() => clearInterval(keepAlive));
    const usage = process.resourceUsage(); // µs and KiB
    const resources = { cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssMb: usage.maxRSS / 1024 };
    answer = { ok: true, output: { ...output, resources } };
  } catch (error) {
    answer = {
      ok: false,
      error: error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error),
    };
  }
  process.stdout.write(`\n${CELL_MARKER}${JSON.stringify(answer)}\n`, () => process.exit(0));
}

if (isMainThread && process.argv[1]?.endsWith('cell.ts')) await main();
