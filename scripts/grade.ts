// `npm run grade`: see tools/grader/cli.ts.
import { runCli } from '../lib/cli.ts';
import { main } from '../tools/grader/cli.ts';

runCli('grade', main);
