/**
 * The student commands, one entry point (package.json maps each npm script to a subcommand):
 *
 *   npm run learn [-- <milestone>] [--poll] watch mode: the current milestone (or the one named), re-checked on save
 *   npm run check [-- <milestone>...] [--json] run the checkpoint tests once; exit 0 when they all pass (for CI)
 *   npm run hint -- <milestone> [n|--all] hint n (1 by default), or every hint
 *   npm run progress [-- --recheck]       every milestone: done / in progress / not started (changed ones re-run)
 *   npm run reset -- <milestone> [--yes]  put a milestone back to its starting stubs (asks first)
 *
 * `--exercises <dir>` points every command at another working tree (default: exercises/). The work is done in
 * tools/learner/; tools/learner/LEARN.md explains the commands to students.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { UsageError } from '../../lib/cli.ts';
import { check, hint, progress, reset } from './commands.ts';
import { findMilestone, learnerLayout } from './layout.ts';
import { learn } from './session.ts';
import { makeStyle } from './style.ts';

const USAGE = `usage: npx tsx scripts/learn.ts [command] [options]
  (no command) [<milestone>] [--poll]  watch mode, from the first milestone that does not pass or the one named
                                  (npm run learn, npm run learn -- p2/m1)
  check [<milestone>...] [--json] run checkpoint tests once; exit 0 when all pass (npm run check -- p1/m3)
  hint <milestone> [n] [--all]    show hint n, or all hints (npm run hint -- p1/m1)
  progress [--recheck]            every milestone's state; only milestones whose files changed are re-run
                                  (--recheck runs them all) (npm run progress)
  reset <milestone> [--yes]       restore a milestone's starting stubs (npm run reset -- p1/m1)
options: --exercises <dir> (default exercises/), --timeout <s> (per test, default 15), -h/--help
colour is off when NO_COLOR is set or the output is not a terminal`;

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
      json: { type: 'boolean' },
      recheck: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutS !== undefined && !(timeoutS > 0))
    throw new UsageError(`--timeout wants seconds, got '${values.timeout}'`);
  const style = makeStyle();
  const runOptions = { ...(timeoutS !== undefined ? { timeoutMs: timeoutS * 1000 } : {}), style };
  const layout = learnerLayout(values.exercises !== undefined ? { exercises: values.exercises } : {});
  const out = (line: string): void => console.log(line);
  // `npm run learn -- p2/m1` arrives as a milestone where the command would be.
  const [command, ...rest] =
    positionals[0] !== undefined && /^p\d+[/-]?m\d+$/i.test(positionals[0]) ? ['learn', ...positionals] : positionals;
  switch (command) {
    case undefined:
    case 'learn': {
      if (rest.length > 1) throw new UsageError('usage: npm run learn [-- <milestone>] [--poll]');
      const start = rest[0] !== undefined ? findMilestone(layout, rest[0]).id : undefined;
      return learn(layout, {
        out,
        input: process.stdin,
        screen: process.stdout.isTTY === true,
        ...(start !== undefined ? { start } : {}),
        ...(values.poll !== undefined ? { poll: values.poll } : {}),
        ...runOptions,
      });
    }
    case 'check':
      return check(
        layout,
        rest.flatMap((r) => r.split(',')).filter((r) => r !== ''),
        out,
        {
          ...runOptions,
          ...(values.json ? { json: true, style: makeStyle({ isTTY: false, env: { NO_COLOR: '1' } }) } : {}),
        },
      );
    case 'progress': {
      if (rest.length > 0) throw new UsageError('progress takes no milestone: it checks them all');
      // On a terminal, one line that keeps count while tests run; elsewhere only the result.
      const live = process.stdout.isTTY
        ? (line: string): void => void process.stdout.write(`\r\u001b[K${line}`)
        : undefined;
      return progress(layout, out, {
        ...runOptions,
        ...(values.recheck ? { recheck: true } : {}),
        ...(live ? { live } : {}),
      });
    }
    case 'hint': {
      const [id, n, ...extra] = rest;
      if (id === undefined || extra.length > 0) throw new UsageError('usage: npm run hint -- <milestone> [n] [--all]');
      const which = values.all ? 'all' : n === undefined ? 1 : Number(n);
      if (which !== 'all' && !(Number.isInteger(which) && which > 0))
        throw new UsageError(`hint number must be 1 or more, got '${n}'`);
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
