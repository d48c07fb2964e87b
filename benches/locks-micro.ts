/**
 * Lock costs, as one entry of the benchmark runner (no measuring code of its own):
 *
 *   npx tsx benches/locks-micro.ts [runner options]  =  npm run bench -- --cells 'locks:*,kit:micro' [options]
 *
 * Mutex vs RwLock vs atomics over read ratios and thread counts, kit Mutex vs V8's Atomics.Mutex with two threads
 * contending, and one-thread lock costs (lock + unlock, withLock, Atomics.add): benches/runner/cells/locks.ts and
 * cells/kit.ts.
 */
import { runCli } from '../lib/cli.ts';
import { main } from './cli.ts';

runCli('bench', (argv) => main(['--cells', 'locks:*,kit:micro', ...argv]));
