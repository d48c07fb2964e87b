// `npm run bench`: see benches/cli.ts.
import { runCli } from '../lib/cli.ts';
import { main } from '../benches/cli.ts';

runCli('bench', main);
