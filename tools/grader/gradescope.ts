/**
 * The Gradescope autograder package: `npm run grade -- --gradescope-autograder out.zip` writes a zip with
 * `setup.sh` (run once when Gradescope builds the image: Node ≥ 20, `npm ci`, bubblewrap where it can),
 * `run_autograder` (grades /autograder/submission with the hidden tests into /autograder/results/results.json)
 * and the part of this repository the grader needs (solutions, hidden tests, kit, tools, fixtures, lock file).
 *
 * Both scripts take their root from AUTOGRADER_ROOT (default /autograder), so the package can be unpacked into
 * any folder and run there end to end (the test suite does). AUTOGRADER_MILESTONES limits the milestones graded
 * (a comma-separated list); AUTOGRADER_SANDBOX=auto|on|off chooses the sandbox (auto: bubblewrap when it can
 * create namespaces in the container, else unsandboxed with a note, the container being the boundary then).
 *
 * The zip is written by this module (stored entries for small files, deflate for the rest, Unix modes kept), so
 * no zip tool or package is needed; readZip reads such a file back.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { projectRoot } from '../../course/layout.ts';

/** What of the repository goes into the package (folders are taken whole, minus tests of tools/ and dot files). */
export const PACKAGE_ENTRIES: readonly string[] = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'vitest.checkpoints.config.ts',
  'scripts/grade.ts',
  'lib',
  'course',
  'kit',
  'tools/checkpoints',
  'tools/exercises',
  'tools/grader',
  'solutions',
  'grading',
  'fixtures',
];

export const SETUP_SH = `#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: Node >= 20, the locked packages,
# and bubblewrap (the grader's sandbox) where the container allows it.
set -euo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"
export DEBIAN_FRONTEND=noninteractive
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ]; then
  apt-get update
  apt-get install -y ca-certificates curl gnupg
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y nodejs
fi
if ! command -v bwrap >/dev/null; then
  (apt-get update && apt-get install -y bubblewrap) || echo "setup.sh: bubblewrap could not be installed" >&2
fi
npm ci --no-audit --no-fund
`;

export const RUN_AUTOGRADER = `#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission, hidden tests included, into
# /autograder/results/results.json. AUTOGRADER_ROOT moves /autograder; AUTOGRADER_MILESTONES=p1/m1,p1/m2 grades
# only those; AUTOGRADER_SANDBOX=auto|on|off (default auto) chooses the bubblewrap sandbox.
set -uo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source" || exit 1
mkdir -p "$ROOT/results"
args=("$ROOT/submission" --hidden --out "$ROOT/results" --format gradescope --student submission)
if [ -n "\${AUTOGRADER_MILESTONES:-}" ]; then args+=(--milestone "$AUTOGRADER_MILESTONES"); fi
case "\${AUTOGRADER_SANDBOX:-auto}" in
  off) args+=(--no-sandbox) ;;
  on) ;;
  *)
    if ! bwrap --unshare-all --die-with-parent --ro-bind / / true 2>/dev/null; then
      echo "run_autograder: bubblewrap cannot create namespaces in this container; grading without the sandbox" >&2
      args+=(--no-sandbox)
    fi
    ;;
esac
if ! node --import tsx scripts/grade.ts "\${args[@]}"; then
  # Never leave Gradescope without a result: a zero that says why.
  printf '{"score":0,"output":"The grader failed to run; please tell your instructor.","execution_time":0,"tests":[]}\\n' > "$ROOT/results/results.json"
fi
`;

function walk(abs: string, rel: string, out: Map<string, string>): void {
  const st = statSync(abs);
  if (st.isDirectory()) {
    for (const name of readdirSync(abs).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      walk(path.join(abs, name), `${rel}/${name}`, out);
    }
  } else if (!(rel.startsWith('tools/') && rel.endsWith('.test.ts'))) {
    out.set(rel, abs);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
  /** Unix permission bits (0o644 for files, 0o755 for scripts). */
  readonly mode: number;
}

/** A zip archive of the given entries (no timestamps: the same input gives the same bytes). */
export function zipBytes(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const deflated = deflateRawSync(e.data);
    const useDeflate = deflated.length < e.data.length;
    const body = useDeflate ? deflated : e.data;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(useDeflate ? 8 : 0, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by Unix, so the modes below count
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(useDeflate ? 8 : 0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100000 | e.mode) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = centrals.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** The entries of a zip written by zipBytes (or any zip without data descriptors or zip64). */
export function readZip(zip: Buffer): ZipEntry[] {
  const endAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(endAt + 10);
  let at = zip.readUInt32LE(endAt + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const mode = (zip.readUInt32LE(at + 38) >>> 16) & 0o777;
    const localAt = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const body = zip.subarray(dataAt, dataAt + size);
    entries.push({ name, data: method === 8 ? inflateRawSync(body) : Buffer.from(body), mode: mode || 0o644 });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The package's entries: the two scripts at the top, the repository's files as they are. */
export function autograderEntries(root: string = projectRoot): ZipEntry[] {
  const files = new Map<string, string>();
  for (const entry of PACKAGE_ENTRIES) {
    const abs = path.join(root, entry);
    if (!existsSync(abs)) throw new Error(`the autograder needs ${entry}, which is missing from ${root}`);
    walk(abs, entry, files);
  }
  return [
    { name: 'setup.sh', data: Buffer.from(SETUP_SH), mode: 0o755 },
    { name: 'run_autograder', data: Buffer.from(RUN_AUTOGRADER), mode: 0o755 },
    ...[...files].map(([name, abs]) => ({ name, data: readFileSync(abs), mode: statSync(abs).mode & 0o777 })),
  ];
}

/** Write the autograder zip; returns how many files and bytes it holds. */
export function writeAutograderZip(zipFile: string, root: string = projectRoot): { files: number; bytes: number } {
  const entries = autograderEntries(root);
  const bytes = zipBytes(entries);
  mkdirSync(path.dirname(zipFile), { recursive: true });
  writeFileSync(zipFile, bytes);
  return { files: entries.length, bytes: bytes.length };
}
