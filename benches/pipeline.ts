/**
 * The `pipeline` command's benchmark, as one entry of the benchmark runner (no measuring code of its own):
 *
 *   npx tsx benches/pipeline.ts [runner options]  =  npm run bench -- --full --cells channels:logs [options]
 *
 * The threaded pipeline (threads started per run, as one CLI run does, and threads kept across runs) against the
 * single-threaded baseline on 1,000,000 lines of the four loghub samples: benches/runner/cells/channels.ts (logs).
 * Only the full profile plans this cell (it takes minutes); the report says where its numbers are.
 */
import { runCli } from '../lib/cli.ts';
import { main } from './cli.ts';

runCli('bench', (argv) => main(['--full', '--cells', 'channels:logs', ...argv]));
