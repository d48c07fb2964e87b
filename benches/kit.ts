/**
 * The kit's own costs, as one entry of the benchmark runner (no measuring code of its own):
 *
 *   npx tsx benches/kit.ts [runner options]  =  npm run bench -- --cells 'channels:transport,kit:*' [options]
 *
 * kit channel vs postMessage (numbers, records, cloneable objects, batches), one-thread micro costs, ping-pong
 * round trip, a parked receiver's CPU and thread start-up: benches/runner/cells/channels.ts and cells/kit.ts.
 */
import { runCli } from '../lib/cli.ts';
import { main } from './cli.ts';

runCli('bench', (argv) => main(['--cells', 'channels:transport,kit:*', ...argv]));
