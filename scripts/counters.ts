// `npm run counters`: see apps/counters/cli.ts.
import { runCli } from '../lib/cli.ts';
import { main } from '../apps/counters/cli.ts';

runCli('counters', main);
