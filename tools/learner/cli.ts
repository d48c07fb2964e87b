/**
 * The student commands, one entry point (package.json maps each npm script to a subcommand):
 *
 *   npm run learn [-- --poll]             watch mode: the current milestone, re-checked on every save
 *   npm run check [-- <milestone>...]     run the checkpoint tests once; exit 0 when they all pass (for CI)
 *   npm run hint -- <milestone> [n|--all] hint n (1 by default), or every hint
 *   npm run progress                      every milestone: done / in progress / not started, re-checked now
 *   npm run reset -- <milestone> [--yes]  put a milestone back to its starting stubs (asks first)
 *
 * `--exercises <dir>` points every command at another working tree (default: exercises/). The work is done in
 * tools/learner/; tools/learner/LEARN.md explains the commands to students.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { UsageError } from '../../lib/cli.ts';
import { check, hint, progress, reset } from './commands.ts';
import { learnerLayout } from './layout.ts';
import { learn } from './session.ts';

const USAGE = `usage: npx tsx scripts/learn.ts [command] [options]
  (no command) [--poll]           watch mode (npm run learn)
  check [<milestone>...]          run checkpoint tests once; exit 0 when all pass (npm run check -- p1/m3)
  hint <milestone> [n] [--all]    show hint n, or all hints (npm run hint -- p1/m1)
  progress                        every milestone's state, re-checked by running the tests (npm run progress)
  reset <milestone> [--yes]       restore a milestone's starting stubs (npm run reset -- p1/m1)
options: --exercises <dir> (default exercises/), --timeout <s> (per test, default 15)`;


async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    console.log(`${question}(no terminal to answer in: pass --yes to reset without asking)`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      exercises: { type: 'string' },
      poll: { type: 'boolean' },
      all: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutS !== undefined && !(timeoutS > 0)) throw new UsageError(`--timeout wants seconds, got '${values.timeout}'`);
  const runOptions = timeoutS !== undefined ? { timeoutMs: timeoutS * 1000 } : {};
  const layout = learnerLayout(values.exercises !== undefined ? { exercises: values.exercises } : {});
  const out = (line: string): void => console.log(line);
  const [command, ...rest] = positionals;
  switch (command) {
    case undefined:
    case 'learn':
      return learn(layout, { out, input: process.stdin, ...(values.poll !== undefined ? { poll: values.poll } : {}), ...runOptions });
    case 'check':
      return check(layout, rest.flatMap((r) => r.split(',')).filter((r) => r !== ''), out, runOptions);
    case 'progress':
      if (rest.length > 0) throw new UsageError('progress takes no milestone: it checks them all');
      return progress(layout, out, runOptions);
    case 'hint': {
      const [id, n, ...extra] = rest;
      if (id === undefined || extra.length > 0) throw new UsageError('usage: npm run hint -- <milestone> [n] [--all]');
      const which = values.all ? 'all' : n === undefined ? 1 : Number(n);
      if (which !== 'all' && !(Number.isInteger(which) && which > 0)) throw new UsageError(`hint number must be 1 or more, got '${n}'`);
      return hint(layout, id, which, out);
    }
    case 'reset': {
      const [id, ...extra] = rest;
      if (id === undefined || extra.length > 0) throw new UsageError('usage: npm run reset -- <milestone> [--yes]');
      return reset(layout, id, values.yes ? async () => true : confirm, out);
    }
    default:
      throw new UsageError(`unknown command '${command}'\n${USAGE}`);
  }
}

