// `npm run pipeline`: see apps/pipeline/cli.ts.
import { runCli } from '../lib/cli.ts';
import { main } from '../apps/pipeline/cli.ts';

runCli('pipeline', main);
