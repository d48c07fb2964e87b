import { buildRelease } from './release.ts';

export function main(argv: string[]): number {
  const args = argv.filter((a) => a !== '--');
  const usage = 'usage: npm run release -- <dir>   (a new or empty folder outside this repository)';
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return 0;
  }
  if (args.length !== 1 || args[0]!.startsWith('-')) {
    console.error(usage);
    return 2;
  }
  const result = buildRelease(args[0]!);
  const count = (prefix: string): number => result.files.filter((f) => f.startsWith(prefix)).length;
  console.log(
    `student release written to ${result.dest}: ${result.files.length} files (exercises ${count('exercises/')}, stubs ${count('stubs/')}, kit ${count('kit/')}, fixtures ${count('fixtures/')}, tools ${count('tools/')})`,
  );
  console.log(`next: cd ${result.dest} && git init && npm ci && npm run check -- p1/m1`);
  return 0;
}
