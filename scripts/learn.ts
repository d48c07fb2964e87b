// `npm run learn`: see tools/learner/cli.ts.
import { runCli } from '../lib/cli.ts';
import { main } from '../tools/learner/cli.ts';

runCli('learn', main);
