/**
 * The thread pool's benchmarks, as one entry of the benchmark runner (no measuring code of its own):
 *
 *   npx tsx benches/pool.ts [runner options]  =  npm run bench -- pool [options]
 *
 * The reference pool against sequential code over worker counts (sleeping and CPU-bound tasks), against piscina
 * and a minimal kit pool, thread spawn cost and spawn-per-task, and real photos with sharp against the main
 * thread: benches/runner/cells/pool.ts. Ratios come with bootstrap intervals over fresh processes.
 */
import { runCli } from '../lib/cli.ts';
import { main } from './cli.ts';

runCli('bench', (argv) => main(['pool', ...argv]));
