/**
 * `npm run bench -- --share [FILE]`: the run's report.json, anonymised, as one self-describing file meant to be
 * handed in (a class's laptops, a CI matrix) and merged later with `npm run bench -- --merge <folder>`.
 *
 * What anonymising guarantees (the share test plants each kind and checks it is gone):
 * - Every string of the report, at any depth, and every object key is scrubbed; nothing is whitelisted, so fields a
 *   later runner adds are scrubbed too.
 * - Paths inside the repository become relative to it (`/home/ann/course/solutions` → `solutions`); every other
 *   absolute path (POSIX, Windows drive or UNC, `file://` URL, `~/…`) becomes `<path>`: a string that is one path
 *   as a whole (an argv entry, `--out=PATH`) entirely, spaces included; a path under the home folder up to the end
 *   of the path, spaces in the home folder's name included; any other absolute path up to the first space.
 * - The user name (os.userInfo, $USER, $LOGNAME, $USERNAME) becomes `<user>`, the host name (os.hostname() and its
 *   first label) `<host>`, as whole words (not inside a longer word), case-sensitively, longest first; e-mail
 *   addresses become `<email>`.
 * - After scrubbing, `findLeaks` walks the result again; if any of those names or any absolute path is left, the
 *   share file is not written (an error names the JSON path), so a leak fails loudly instead of silently.
 * What it keeps: CPU model, core counts, memory, Node/V8/OS versions, dates, the commit hash, every sample and
 * verdict — what a merge needs to group machines and weigh their warnings.
 *
 * The share file is a report.json plus a top-level `share` header (format, what was scrubbed, how to merge), so
 * `--merge` and `--compare` read it like any report.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../lib/paths.ts';

export const SHARE_FORMAT = 'threading-patterns-bench-share/1';

/** What must not leave the machine. */
export interface Secrets {
  /** User names and host names, scrubbed as whole words. */
  readonly users: readonly string[];
  readonly hosts: readonly string[];
  /** The repository root: paths under it become relative. */
  readonly repoRoot: string;
  /** Home folders: a path under one becomes `<path>` even when a folder name in it has spaces. */
  readonly homes: readonly string[];
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

const names = (xs: readonly (string | undefined)[]): string[] =>
  [...new Set(xs.map((x) => x?.trim() ?? '').filter((x) => x.length >= 2))].sort(
    (a, b) => b.length - a.length || a.localeCompare(b),
  );

/** This machine's user and host names and the repository root. */
export function localSecrets(): Secrets {
  const host = safe(() => os.hostname()) ?? '';
  const home = safe(() => os.homedir()) ?? '';
  return {
    users: names([
      safe(() => os.userInfo().username),
      process.env['USER'],
      process.env['LOGNAME'],
      process.env['USERNAME'],
      path.basename(home),
    ]),
    hosts: names([host, host.split('.')[0]]),
    repoRoot,
    homes: home.length > 1 ? [home] : [],
  };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A name as a whole word: not preceded or followed by a letter or digit. */
const wordRe = (name: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(name)}(?![\\p{L}\\p{N}])`, 'gu');

// Absolute paths. POSIX: a '/' that starts a token (not after a word character, '.', ':' or another '/', so
// "msgs/s", "p1/m1" and URLs are left alone) followed by a name character.
const FILE_URL = /file:\/\/[^\s'"`<>)\]]*(?<![:.])/g;
const WINDOWS = /(?<![\p{L}\p{N}])[A-Za-z]:[\\/][^\s'"`<>|,;)\]]*(?<![:.])/gu;
const UNC = /\\\\[^\s\\'"`]+\\[^\s'"`<>|,;)\]]*(?<![:.])/g;
const HOME = /(?<![\p{L}\p{N}_.\-/])~[\\/][^\s'"`<>|,;)\]]*(?<![:.])/gu;
const POSIX = /(?<![\p{L}\p{N}_.:/\\~])\/(?=[\p{L}\p{N}_.~-])[^\s'"`<>|,;()[\]{}]*(?<![:.])/gu;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[A-Za-z]{2,}/gu;

function repoForms(root: string): string[] {
  const forms = new Set([root, root.split('\\').join('/')]);
  return [...forms].filter((f) => f.length > 1).sort((a, b) => b.length - a.length);
}

/** A string that is one path as a whole (an argv entry, a folder field), possibly as `--option=PATH`. */
const WHOLE_PATH = /^(--?[\w-]+=)?(?:\/|[A-Za-z]:[\\/]|\\\\|~[\\/]|file:\/\/)[^\n]*$/;

/** One string, scrubbed; see the header. */
export function scrubString(s: string, secrets: Secrets): string {
  let out = s;
  for (const root of repoForms(secrets.repoRoot)) {
    for (const prefix of ['file:///', 'file://', ''])
      out = out.replace(new RegExp(`${escapeRe(prefix + root)}[\\\\/]`, 'g'), '');
    out = out.replace(new RegExp(`${escapeRe(root)}(?![\\p{L}\\p{N}_.-])`, 'gu'), '.');
  }
  out = out.replace(WHOLE_PATH, (_m, option: string | undefined) => `${option ?? ''}<path>`);
  for (const home of secrets.homes.flatMap(repoForms)) {
    out = out.replace(
      new RegExp(`${escapeRe(home)}(?:[\\\\/][^\\s'"\`<>|,;)\\]]*(?<![:.]))?(?![\\p{L}\\p{N}_-])`, 'gu'),
      '<path>',
    );
  }
  out = out
    .replace(FILE_URL, '<path>')
    .replace(UNC, '<path>')
    .replace(WINDOWS, '<path>')
    .replace(HOME, '<path>')
    .replace(POSIX, '<path>');
  out = out.replace(EMAIL, '<email>');
  const all = [
    ...secrets.hosts.map((n) => [n, '<host>'] as const),
    ...secrets.users.map((n) => [n, '<user>'] as const),
  ];
  all.sort((a, b) => b[0].length - a[0].length);
  for (const [name, mark] of all) out = out.replace(wordRe(name), mark);
  return out;
}

/** A JSON value with every string and key scrubbed, at any depth. */
export function scrub(value: unknown, secrets: Secrets): unknown {
  if (typeof value === 'string') return scrubString(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrubString(k, secrets)] = scrub(v, secrets);
    return out;
  }
  return value;
}

/** JSON paths (e.g. `$.settings.argv[3]`) whose key or string still holds a secret name or an absolute path. */
export function findLeaks(value: unknown, secrets: Secrets, at = '$'): string[] {
  const leaky = (s: string): boolean => {
    if ([...secrets.users, ...secrets.hosts].some((n) => wordRe(n).test(s))) return true;
    if ([secrets.repoRoot, ...secrets.homes].flatMap(repoForms).some((r) => s.includes(r))) return true;
    return [FILE_URL, WINDOWS, UNC, HOME, POSIX, EMAIL].some((re) => new RegExp(re.source, re.flags).test(s));
  };
  if (typeof value === 'string') return leaky(value) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => findLeaks(v, secrets, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(leaky(k) ? [`${at} (key ${JSON.stringify(k)})`] : []),
      ...findLeaks(v, secrets, `${at}.${k}`),
    ]);
  }
  return [];
}

export interface ShareHeader {
  readonly format: typeof SHARE_FORMAT;
  readonly anonymised: true;
  readonly scrubbed: string;
  /** The run's machine in one line, e.g. "2 cores, AMD EPYC, Node v20.20.2, linux/x64". */
  readonly machine: string;
  readonly howToMerge: string;
}

interface MachineLike {
  availableParallelism?: unknown;
  cpuModel?: unknown;
  nodeVersion?: unknown;
  platform?: unknown;
  arch?: unknown;
}

/** The anonymised share document of a report (report.json fields plus `share`); throws if anything leaks. */
export function shareDocument(record: unknown, secrets: Secrets = localSecrets()): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  delete plain['share'];
  const scrubbed = scrub(plain, secrets) as Record<string, unknown>;
  const m = (scrubbed['machine'] ?? {}) as MachineLike;
  const header: ShareHeader = {
    format: SHARE_FORMAT,
    anonymised: true,
    scrubbed: 'user and host names, e-mail addresses and absolute paths (paths inside the repository made relative)',
    machine: `${String(m.availableParallelism ?? '?')} core${m.availableParallelism === 1 ? '' : 's'}, ${String(m.cpuModel ?? 'unknown CPU')}, Node ${String(m.nodeVersion ?? '?')}, ${String(m.platform ?? '?')}/${String(m.arch ?? '?')}`,
    howToMerge: 'put the share files of many machines in one folder and run: npm run bench -- --merge <folder>',
  };
  const doc = { share: header, ...scrubbed };
  const leaks = findLeaks(doc, secrets);
  if (leaks.length > 0)
    throw new Error(`anonymising left identifying text at ${leaks.slice(0, 3).join(', ')}; no share file written`);
  return doc;
}

/** Default share file name: cores and a hash of the content, nothing about the person. */
export function defaultShareName(doc: Record<string, unknown>): string {
  const m = (doc['machine'] ?? {}) as MachineLike;
  const hash = createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 10);
  return `bench-${String(m.availableParallelism ?? 'x')}cores-${hash}.json`;
}

/**
 * Writes the share file of `record`: to `file` when given (relative to the current directory), else
 * `<outRoot>/share/<default name>`. Returns the path written.
 */
export function writeShareFile(
  record: unknown,
  file: string | undefined,
  outRoot: string,
  secrets: Secrets = localSecrets(),
): string {
  const doc = shareDocument(record, secrets);
  const target = file ? path.resolve(file) : path.join(outRoot, 'share', defaultShareName(doc));
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(doc, null, 1)}\n`);
  return target;
}

/**
 * `--share` takes an optional FILE; node:util parseArgs has no optional values, so a bare `--share` (last, or
 * followed by another option or a word not ending in .json, such as a suite name) becomes `--share=`.
 */
export function normaliseShareArg(argv: readonly string[]): string[] {
  return argv.map((a, i) => {
    if (a !== '--share') return a;
    const next = argv[i + 1];
    return next === undefined || next.startsWith('-') || !next.toLowerCase().endsWith('.json') ? '--share=' : a;
  });
}
