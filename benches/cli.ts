/**
 * `npm run bench [-- <suite...>] [--quick|--full] [--target solutions|exercises|<dir>] [--compare <report.json>]
 * [--fail-on-regression[=PCT]] [--cells GLOBS] [--out DIR] [--share [FILE]] [--load N]`: benchmark channels, pools
 * and locks on this CPU, judge the chapter's claims, write a report (report.md, report.html, report.json, SVG charts).
 *
 *   suites      channels, locks, pool, kit (default: all)
 *   --quick     the default profile: every verdict this machine can give, in under three minutes on 2 cores
 *   --full      the chapter's whole matrix (1–16 threads, 100k entries, 1M operations, 1/10/100 ms tasks)
 *   --target    benchmark a tree laid out like solutions/ next to the reference (stubs: "not implemented yet")
 *   --compare   flag regressions and improvements against an earlier report.json (warns when its CPU, core count
 *               or Node version differ); --fail-on-regression[=PCT] then exits 1 on a regression beyond PCT% (5),
 *               and also when nothing could be compared (another method version, other cell settings)
 *   --cells     only the cells whose <suite>:<id> matches one of the comma-separated globs, e.g. 'locks:p3m6/*'
 *   --processes N   fresh processes per cell instead of the profile's (5): more process groups behind each interval
 *   --out DIR   where reports go (default reports/): DIR/<yyyy-mm-dd-hhmmss>/ and a copy in DIR/latest/
 *   --share [FILE]  also write an anonymised copy of the report to hand in (default DIR/share/)
 *   --merge <report.json|folder...> [--exclude-loaded]  merge reports of many machines by core count (DIR/merged/)
 *   --load N    run N busy processes beside the cells (oversubscription, as on a laptop with other work running)
 *
 * The runner itself is benches/runner/run.ts; how it measures is in benches/runner/README.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../lib/cli.ts';
import { METHOD_VERSION, regressionGate } from './runner/compare.ts';
import { mergeFromCli } from './runner/merge.ts';
import { profileNamed } from './runner/profiles.ts';
import { runBenchmarks } from './runner/run.ts';
import { normaliseShareArg, writeShareFile } from './runner/share.ts';
import { repoRoot, resolveTarget } from './runner/target.ts';
import { SUITE_NAMES, type SuiteName } from './runner/types.ts';

const USAGE = `usage: npm run bench [-- <suite...>] [--quick|--full] [--target solutions|exercises|<dir>] [--compare <report.json>]
  [--fail-on-regression[=PCT]] [--cells GLOBS] [--processes N] [--share [FILE]] [--load N] [--out DIR]
       npm run bench -- --merge <report.json|folder...> [--exclude-loaded] [--out DIR]
suites: ${SUITE_NAMES.join(', ')} (default: all)`;

function fail(message: string): never {
  throw new UsageError(`${message}\n${USAGE}`);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      // A bare --fail-on-regression means the default threshold; a bare --share the default file.
      args: normaliseShareArg(argv).map((a) => (a === '--fail-on-regression' ? '--fail-on-regression=5' : a)),
      allowPositionals: true,
      strict: true,
      options: {
        quick: { type: 'boolean' },
        full: { type: 'boolean' },
        profile: { type: 'string' }, // hidden: 'tiny' for the end-to-end test
        target: { type: 'string' },
        compare: { type: 'string' },
        'fail-on-regression': { type: 'string' },
        cells: { type: 'string' },
        processes: { type: 'string' },
        out: { type: 'string' },
        share: { type: 'string' },
        merge: { type: 'boolean' },
        'exclude-loaded': { type: 'boolean' },
        load: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.merge || values['exclude-loaded']) return mergeFromCli(positionals, values);
  if (values.quick && values.full) fail('--quick and --full exclude each other');
  const profileName = values.profile ?? (values.full ? 'full' : 'quick');
  let profile;
  try {
    profile = profileNamed(profileName);
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.processes !== undefined) {
    const n = Number(values.processes);
    if (!Number.isInteger(n) || n < 1 || n > 100)
      fail(`--processes wants a whole number of processes per cell (1–100), got '${values.processes}'`);
    profile = { ...profile, processes: n };
  }
  for (const s of positionals) if (!SUITE_NAMES.includes(s as SuiteName)) fail(`unknown suite '${s}'`);
  const suites = positionals.length > 0 ? SUITE_NAMES.filter((s) => positionals.includes(s)) : [...SUITE_NAMES];
  let target;
  try {
    target = resolveTarget(values.target);
  } catch (error) {
    fail((error as Error).message);
  }
  const compare = values.compare === undefined ? undefined : path.resolve(values.compare);
  const failPct = values['fail-on-regression'] === undefined ? undefined : Number(values['fail-on-regression']);
  if (failPct !== undefined && !(failPct >= 0 && Number.isFinite(failPct)))
    fail(`--fail-on-regression: a percentage ≥ 0, got '${values['fail-on-regression']}'`);
  if (failPct !== undefined && !compare) fail('--fail-on-regression needs --compare <report.json>');
  if (compare) {
    // Checked before the run, not after minutes of measuring.
    let earlier: { method?: { version?: unknown }; cells?: unknown };
    try {
      earlier = JSON.parse(readFileSync(compare, 'utf8')) as typeof earlier;
      if (typeof earlier.method !== 'object' || !Array.isArray(earlier.cells))
        throw new Error('not a report.json of this runner');
    } catch (error) {
      fail(`--compare ${compare}: ${(error as Error).message}`);
    }
    // A regression gate against a report measured another way could only pass without looking.
    if (failPct !== undefined && earlier.method?.version !== METHOD_VERSION)
      fail(
        `--fail-on-regression: ${compare} was measured with method version ${String(earlier.method?.version)}, this runner uses ${METHOD_VERSION}: nothing could be compared`,
      );
  }
  const outRoot = path.resolve(values.out ?? path.join(repoRoot, 'reports'));
  const load = values.load === undefined ? 0 : Number(values.load);
  if (!Number.isInteger(load) || load < 0 || load > 64)
    fail(`--load wants a whole number of busy processes (0–64), got '${values.load}'`);

  let outcome;
  try {
    outcome = await runBenchmarks({
      suites,
      profile,
      target,
      outRoot,
      argv,
      load,
      ...(compare ? { compare } : {}),
      ...(values.cells ? { cells: values.cells } : {}),
    });
  } catch (error) {
    if (error instanceof RangeError && error.message.startsWith('--cells')) fail(error.message);
    throw error;
  }
  if (values.share !== undefined)
    process.stdout.write(`share file: ${writeShareFile(outcome.record, values.share || undefined, outRoot)}\n`);
  const c = outcome.record.comparison;
  if (failPct !== undefined && c) {
    const gate = regressionGate(c, failPct);
    if (!gate.pass) {
      process.stderr.write(`bench: --fail-on-regression against ${compare}: ${gate.message}\n`);
      return 1;
    }
  }
  return 0;
}
