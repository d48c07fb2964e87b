/**
 * `--share`: the anonymised report contains no user name, host name or absolute path. The real user name, host
 * name, home folder, working directory and repository root of the machine running the test are planted into a
 * real report (a fixture) and into a real run's command line, and must be gone afterwards; the text that is not
 * identifying (units such as msgs/s, milestone ids such as p1/m1, URLs) must survive.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../lib/paths.ts';
import { checkReport } from './merge.ts';
import {
  findLeaks,
  localSecrets,
  normaliseShareArg,
  SHARE_FORMAT,
  scrubString,
  shareDocument,
  writeShareFile,
} from './share.ts';

const FIXTURES = path.join(repoRoot, 'benches', 'runner', 'fixtures');
const secrets = localSecrets();
const user = os.userInfo().username;
const host = os.hostname();
const word = (name: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'u');
const ABSOLUTE = [
  /(?<![\p{L}\p{N}_.:/\\~])\/[\p{L}\p{N}_.~-]/u,
  /(?<![\p{L}\p{N}])[A-Za-z]:[\\/]/u,
  /file:\/\//,
  /\\\\[^\s\\]+\\/,
  /(?<![\p{L}\p{N}_.\-/])~[\\/]/u,
];

/** Every identifying thing the test knows, checked on the serialised share file. */
function expectAnonymous(text: string): void {
  for (const name of [user, host, host.split('.')[0] as string]) expect(text, `name ${name}`).not.toMatch(word(name));
  for (const dir of [os.homedir(), process.cwd(), repoRoot, os.tmpdir()])
    expect(text, `path ${dir}`).not.toContain(dir);
  for (const re of ABSOLUTE) expect(text, `absolute path ${re}`).not.toMatch(re);
}

function plantedReport(): Record<string, unknown> {
  const file = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()[0] as string;
  const record = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Record<string, unknown> & {
    settings: Record<string, unknown>;
    machine: Record<string, unknown>;
    cells: { failures: string[]; notes: string[] }[];
  };
  record.settings['argv'] = [
    '--out',
    path.join(os.homedir(), 'bench out'),
    '--compare',
    path.join(process.cwd(), 'reports', 'old.json'),
    `--target=${repoRoot}/exercises`,
  ];
  record.settings['target'] = { name: 'mine', dir: path.join(repoRoot, 'exercises'), isReference: false };
  record.machine['hostLabel'] = `${user}@${host}`;
  record.machine[host] = 'a key named after the host';
  const cell = record.cells[0] as { failures: string[]; notes: string[] };
  cell.failures = [
    `Error: boom\n    at run (file://${repoRoot}/benches/runner/cell.ts:12:3)\n    at ${os.tmpdir()}/tsx-0/x.mjs:1:1`,
    `C:\\Users\\${user}\\course\\kit\\mutex.ts:3 and \\\\${host}\\share\\${user}\\x.json and ~/course/notes.txt`,
    `mailed to ${user}.example@example.org from ${host.split('.')[0]}`,
  ];
  cell.notes = [
    'throughput in msgs/s and µs/op, milestones p1/m1 and p3/m6, see https://nodejs.org/api/os.html, ratio 3/4',
  ];
  return record;
}

describe('anonymised share file', () => {
  it('the planted report really contains the names and paths (so the test can fail)', () => {
    const raw = JSON.stringify(plantedReport());
    expect(raw).toMatch(word(user));
    expect(raw).toMatch(word(host));
    expect(raw).toContain(repoRoot);
    expect(findLeaks(plantedReport(), secrets).length).toBeGreaterThan(3);
  });

  it('scrubs user, host, home, working directory, repository and other absolute paths everywhere, keys included', () => {
    const doc = shareDocument(plantedReport(), secrets);
    const text = JSON.stringify(doc);
    expectAnonymous(text);
    expect(findLeaks(doc, secrets)).toEqual([]);
    // Paths inside the repository stay useful, relative to it.
    expect(text).toContain('benches/runner/cell.ts:12:3');
    expect((doc['settings'] as { target: { dir: string } }).target.dir).toBe('exercises');
    expect((doc['settings'] as { argv: string[] }).argv).toEqual([
      '--out',
      '<path>',
      '--compare',
      'reports/old.json',
      '--target=exercises',
    ]);
    // What is not identifying survives.
    expect(text).toContain(
      'throughput in msgs/s and µs/op, milestones p1/m1 and p3/m6, see https://nodejs.org/api/os.html, ratio 3/4',
    );
    expect(text).toContain('<user>');
    expect(text).toContain('<host>');
    // Self-describing, and still a report the merge reads.
    expect(doc['share']).toMatchObject({ format: SHARE_FORMAT, anonymised: true });
    expect(checkReport(doc).ok).toBe(true);
  });

  it('scrubs names as whole words only, longest first', () => {
    const s = {
      users: ['ann'],
      hosts: ['ann-laptop', 'ann-laptop.local'],
      repoRoot: '/nowhere/repo',
      homes: ['/Users/Ann Smith'],
    };
    expect(scrubString('ann on ann-laptop.local, planning annual channels', s)).toBe(
      '<user> on <host>, planning annual channels',
    );
    expect(scrubString('/nowhere/repo and /nowhere/repo/kit/a.ts and /nowhere/repository', s)).toBe(
      '. and kit/a.ts and <path>',
    );
    // Spaces: a whole-string path goes entirely, a home folder with a space in its name too.
    expect(scrubString('/Volumes/Ann Smith/course', s)).toBe('<path>');
    expect(scrubString('--out=/Volumes/Ann Smith/out', s)).toBe('--out=<path>');
    expect(scrubString('failed in /Users/Ann Smith/course/x.ts: no', s)).toBe('failed in <path>: no');
    expect(scrubString('/Users/Ann Smithers', s)).toBe('<path>');
  });

  it('the committed fixtures carry no absolute path', () => {
    for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.json'))) {
      const text = readFileSync(path.join(FIXTURES, f), 'utf8');
      for (const re of ABSOLUTE) expect(text, `${f}: ${re}`).not.toMatch(re);
    }
  });

  it('writes to FILE, or to <out>/share/ under a name made of cores and a hash', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-share-'));
    const written = writeShareFile(plantedReport(), undefined, out, secrets);
    expect(path.dirname(written)).toBe(path.join(out, 'share'));
    expect(path.basename(written)).toMatch(/^bench-1cores-[0-9a-f]{10}\.json$/);
    expectAnonymous(readFileSync(written, 'utf8'));
  });

  it('--share takes an optional FILE', () => {
    expect(normaliseShareArg(['--share'])).toEqual(['--share=']);
    expect(normaliseShareArg(['--share', 'kit'])).toEqual(['--share=', 'kit']);
    expect(normaliseShareArg(['--share', '--quick'])).toEqual(['--share=', '--quick']);
    expect(normaliseShareArg(['--share', 'mine.json', 'kit'])).toEqual(['--share', 'mine.json', 'kit']);
    expect(normaliseShareArg(['--share=x.json'])).toEqual(['--share=x.json']);
  });
});

describe('npm run bench -- --share (a real run)', () => {
  it('writes a share file with no trace of the user, the host or the folders it ran in', async () => {
    // The output folder's name carries the user and host names: the run's argv and paths plant them.
    const out = mkdtempSync(path.join(os.tmpdir(), `bench-${user}-${host}-`));
    const file = path.join(out, 'handed-in.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repoRoot, 'scripts', 'bench.ts'),
        '--profile',
        'tiny',
        'kit',
        '--out',
        out,
        '--share',
        file,
      ],
      { cwd: repoRoot, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toContain(`share file: ${file}`);
    const local = readFileSync(path.join(out, 'latest', 'report.json'), 'utf8');
    expect(local).toContain(out); // the local report keeps its paths; only the share file is anonymised
    const shared = readFileSync(file, 'utf8');
    expectAnonymous(shared);
    const doc = JSON.parse(shared) as { share: { format: string }; settings: { argv: string[] } };
    expect(doc.share.format).toBe(SHARE_FORMAT);
    expect(doc.settings.argv).toEqual(['--profile', 'tiny', 'kit', '--out', '<path>', '--share', '<path>']);
    expect(checkReport(doc).ok).toBe(true);
  }, 120_000);
});
