/**
 * Big inputs for tests and the benchmark, made from the real loghub samples in fixtures/logs.
 *
 * `writeRepeatedLog` writes one fixture's lines over and over (CRLF kept, as in the original) until the
 * requested number of lines is reached, optionally replacing every `malformedEvery`-th line with a line that
 * no parser accepts or with a blank line. Written in pieces of a few hundred KB, so memory stays small;
 * deterministic, so two runs write identical files.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const FIXTURE_NAMES = ['Apache', 'HDFS', 'Zookeeper', 'Android'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

/** Every loghub sample in fixtures/logs (the first four are the ones big inputs are made from). */
export const LOGHUB_NAMES = [...FIXTURE_NAMES, 'BGL', 'Spark', 'Windows', 'Linux', 'Mac', 'OpenSSH'] as const;
export type LoghubName = (typeof LOGHUB_NAMES)[number];

export function fixturePath(name: LoghubName): string {
  return fileURLToPath(new URL(`../../fixtures/logs/${name}_2k.log`, import.meta.url));
}

/** The fixture's lines, each with its line ending ('\r\n'), the last one given one if it had none. */
export function fixtureLines(name: FixtureName): string[] {
  const text = readFileSync(fixturePath(name), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? `${line}\n` : `${line}\r\n`));
}

const MALFORMED = [
  'this line has no timestamp and no level\r\n',
  '\r\n',
  '\u0000\u0001\u0002 garbage \uFFFD\uFFFD\r\n',
  '   \t \r\n',
  'LOUD something happened\r\n',
];

export interface RepeatOptions {
  readonly lines: number;
  /** Replace every n-th line (1-based) with a malformed or blank one; 0 for none. */
  readonly malformedEvery?: number;
}

/** Write `options.lines` lines of the fixture to `path`. Resolves once the file is complete. */
export async function writeRepeatedLog(path: string, name: FixtureName, options: RepeatOptions): Promise<void> {
  const source = fixtureLines(name);
  const out = createWriteStream(path);
  const every = options.malformedEvery ?? 0;
  let piece = '';
  for (let i = 0; i < options.lines; i++) {
    piece +=
      every > 0 && (i + 1) % every === 0
        ? MALFORMED[((i + 1) / every) % MALFORMED.length]!
        : source[i % source.length]!;
    if (piece.length >= 256 * 1024) {
      if (!out.write(piece)) await once(out, 'drain');
      piece = '';
    }
  }
  out.end(piece);
  await once(out, 'finish');
}
