// `npm run exercises`: see tools/exercises/cli.ts.
import { runCli } from '../lib/cli.ts';
import { main } from '../tools/exercises/cli.ts';

runCli('exercises', main);
