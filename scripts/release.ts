// `npm run release`: see tools/release/cli.ts.
import { runCli } from '../lib/cli.ts';
import { main } from '../tools/release/cli.ts';

runCli('release', main);
