// `npx tsx scripts/readme-numbers.ts [--check]`: README.md's measured section from reports/sample/report.json
// (see benches/runner/readme.ts).
import { runCli } from '../lib/cli.ts';
import { main } from '../benches/runner/readme.ts';

runCli('readme-numbers', (argv) => Promise.resolve(main(argv)));
