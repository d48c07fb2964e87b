/**
 * The one way every command of the project starts: `runCli('name', main)`.
 *
 * - `main(argv)` returns the exit code (0 done, 1 the work failed, 2 bad usage or input, by convention);
 * - a `UsageError` thrown from it prints `name: <message>` on stderr and exits 2, never a stack trace;
 * - any other error prints `name: <first line of its message>` and exits 2 too (a bug is reported, not hidden,
 *   and set `DEBUG_STACK=1` to see the stack);
 * - output piped into a reader that goes away (`… | head`) ends the process quietly with the code so far.
 */

/** A problem with the command line or the input that the user can fix: one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type CliMain = (argv: string[]) => number | Promise<number>;

export function runCli(name: string, main: CliMain, argv: string[] = process.argv.slice(2)): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  Promise.resolve()
    .then(() => main(argv))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`${name}: ${message.split('\n')[0]}\n`);
        if (error instanceof UsageError && message.includes('\n'))
          process.stderr.write(`${message.split('\n').slice(1).join('\n')}\n`);
        if (process.env['DEBUG_STACK'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
        process.exitCode = 2;
      },
    );
}
