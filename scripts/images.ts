// `npm run images`: see apps/images/cli.ts.
import { runCli } from '../lib/cli.ts';
import { main } from '../apps/images/cli.ts';

runCli('images', main);
