/**
 * The OS sandbox of a graded run (Linux, bubblewrap). One milestone run = one `bwrap` with:
 *
 * - new user, pid, network, ipc, uts and cgroup namespaces (`--unshare-all`): no network at all, its own /proc
 *   (the grader's processes, their command lines and environments are not in it), and every process of the run
 *   killed when the run ends, on success too: the run's first process is pid 1's only child, and when pid 1
 *   exits the kernel kills the whole namespace; `--die-with-parent` does the same if the grader goes away;
 * - a file system that is a fresh tmpfs holding, read-only, exactly: the system directories Node needs (/usr and
 *   the /bin, /lib links), the Node binary, and from the project the few files a checkpoint run needs (package.json
 *   and tsconfig for `#kit/*` imports, the checkpoint config, reporter and canary, kit/, node_modules/, fixtures/)
 *   plus the run's own composed workspace, all at their usual paths; private writable /tmp and HOME; nothing else
 *   of the repository (no solutions/, no grading/, no other workspace, no reports);
 * - resource limits set with prlimit before bwrap starts: tasks (processes and threads), data segment per process
 *   (a memory hog fails to allocate; dataLimitMb: the memory asked for plus what Node itself reserves), file size
 *   (1 GB), no core files, open files. When the grader runs as root the run also gets a
 *   uid of its own (setpriv), because the kernel does not count root's processes against a task limit, and two
 *   runs at once must not share one.
 *
 * `sandboxCommand` only builds the command line; checkpoints.ts spawns it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { LOADED_BY_PATH } from '../checkpoints/loaded-by-path.ts';
import { THREAD_CODE_RANGE_MB } from '../../kit/internal/code-range.ts';

/** Kit threads a graded process may run at once before the data limit, rather than their memory, stops them. */
export const THREAD_BUDGET = 32;

/** What a Node process counts against the data limit before it does anything, and what each kit thread adds, MB. */
export interface NodeReservation {
  readonly process: number;
  readonly perThread: number;
}

let reservation: NodeReservation | undefined;

/**
 * NodeReservation for this grader's Node binary, measured once in a child process of it (VmData before and after one
 * thread with the kit's code space is up). Node 24 reserves its JIT code space as writable memory, which counts:
 * ~560 MB per process and ~78 MB per kit thread (kit/internal/code-range.ts), against ~48 and ~14 MB on Node 20 and
 * 22. A fixed limit that fits one version killed the other's threads at start-up (Node 24, 2 GB: the fourth thread).
 */
export function nodeReservationMb(): NodeReservation {
  if (reservation === undefined) {
    const probe = `const { Worker } = require('node:worker_threads');
const vmData = () => Number(/VmData:\\s+(\\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const before = vmData();
const thread = new Worker('require("node:worker_threads").parentPort.postMessage(0)', {
  eval: true, resourceLimits: { codeRangeSizeMb: ${THREAD_CODE_RANGE_MB} } });
thread.once('message', () => { process.stdout.write(JSON.stringify([before, vmData() - before])); process.exit(0); });`;
    const [processMb, perThreadMb] = JSON.parse(
      execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 20_000, env: {} }),
    ) as [number, number];
    reservation = { process: Math.ceil(processMb), perThread: Math.ceil(Math.max(0, perThreadMb)) };
  }
  return reservation;
}

/**
 * The data limit of a run given `memoryMb` for the code under test: that, 1 GB for what it allocates outside the V8
 * heap, and Node's own reservations for the process and THREAD_BUDGET threads.
 */
export function dataLimitMb(memoryMb: number): number {
  const node = nodeReservationMb();
  return memoryMb + 1024 + node.process + THREAD_BUDGET * node.perThread;
}

export interface SandboxSpec {
  /** The project root: the files listed in PROJECT_ENTRIES are bound from it, at the same paths. */
  readonly root: string;
  /** The run's composed workspace, bound read-only at its own path. */
  readonly workspace: string;
  /** Data segment limit of every process of the run, MB. */
  readonly dataMb: number;
  /** Processes and threads of the run together (a fork bomb stops here). */
  readonly maxTasks: number;
  /** Run as this uid and gid (root only; see acquireUid). */
  readonly uid?: number;
}

/** What of the project a checkpoint run needs, relative to its root; `?` marks entries that may be absent. */
export const PROJECT_ENTRIES: readonly string[] = [
  'package.json',
  'tsconfig.json?',
  ...LOADED_BY_PATH,
  'kit',
  'node_modules',
  'fixtures?',
];

/**
 * Writable scratch folders under node_modules, each a tmpfs in the run: the kit's compiled thread modules. (Vite's
 * cache goes to the run's /tmp, CHECKPOINTS_CACHE_DIR, and its config is loaded without a temporary file.)
 */
export const SCRATCH_DIRS: readonly string[] = ['node_modules/.cache/threadkit'];

/** The HOME of code under test, inside the run's private /tmp. */
export const SANDBOX_HOME = '/tmp/home';

let bwrapPath: string | null | undefined;

/** The bwrap binary, or undefined when it is not installed (or cannot create namespaces here). */
export function findBwrap(): string | undefined {
  if (bwrapPath === undefined) {
    bwrapPath = null;
    for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(path.delimiter)) {
      const candidate = path.join(dir, 'bwrap');
      if (dir !== '' && existsSync(candidate)) {
        bwrapPath = candidate;
        break;
      }
    }
  }
  return bwrapPath ?? undefined;
}

/**
 * Why graded runs cannot be sandboxed here, or undefined when they can: a trial run made exactly like a real one
 * (the same uid switch, limits and binds of `root`) must start Node and read the project's package.json.
 */
export function sandboxProblem(root: string): string | undefined {
  const bwrap = findBwrap();
  if (bwrap === undefined) return 'bubblewrap (bwrap) is not installed';
  const uid = acquireUid();
  try {
    const probe = `require('node:fs').readFileSync(${JSON.stringify(path.join(root, 'package.json'))})`;
    const spec = {
      root,
      workspace: path.join(root, 'kit'),
      dataMb: dataLimitMb(1024),
      maxTasks: 256,
      ...(uid !== undefined ? { uid } : {}),
    };
    const { command, args } = sandboxCommand(spec, process.execPath, ['-e', probe]);
    execFileSync(command, args, {
      stdio: 'pipe',
      timeout: 20_000,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    });
    return undefined;
  } catch (error) {
    const detail = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message)
      .trim()
      .split('\n')[0];
    return `bubblewrap cannot create the grader's sandbox here (${detail}${uid !== undefined ? `; the run's uid ${uid} must be able to read ${root}` : ''})`;
  } finally {
    releaseUid(uid);
  }
}

/** /usr read-only, the merged-/usr links (or the real folders), ld.so's cache, the Node binary. */
function systemBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    if (!existsSync(dir)) continue;
    const stat = lstatSync(dir);
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  for (const file of ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/localtime', '/etc/hosts', '/etc/nsswitch.conf'])
    if (existsSync(file)) args.push('--ro-bind', file, file);
  const node = realpathSync(process.execPath);
  if (!node.startsWith('/usr/')) {
    // Node installed elsewhere (nvm, a tarball in /opt): its installation folder, read-only.
    const prefix = path.dirname(path.dirname(node));
    args.push('--ro-bind', prefix, prefix);
    if (process.execPath !== node) args.push('--symlink', node, process.execPath);
  } else if (process.execPath !== node && !process.execPath.startsWith('/usr/')) {
    args.push('--symlink', node, process.execPath);
  }
  return args;
}

/**
 * The command line that runs `command args` in the sandbox, with the limits. The caller passes the environment
 * (spawn's env): nothing else of the grader's reaches the sandbox.
 */
export function sandboxCommand(
  spec: SandboxSpec,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  const bwrap = findBwrap();
  if (bwrap === undefined) throw new Error('bubblewrap (bwrap) is not installed');
  // The empty /tmp comes before any bind: a Node binary unpacked under /tmp (a tarball, an npm-shipped Node) is
  // bound on top of it instead of being hidden by it.
  const b: string[] = ['--unshare-all', '--die-with-parent', '--new-session', '--tmpfs', '/'];
  b.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--dir', SANDBOX_HOME, ...systemBinds());
  for (const entry of PROJECT_ENTRIES) {
    const optional = entry.endsWith('?');
    const rel = optional ? entry.slice(0, -1) : entry;
    const abs = path.join(spec.root, rel);
    if (!existsSync(abs)) {
      if (optional) continue;
      throw new Error(`the sandbox needs ${rel}, which is missing`);
    }
    b.push('--ro-bind', abs, abs);
  }
  for (const rel of SCRATCH_DIRS) {
    // A tmpfs needs a mount point, and a read-only bind cannot get new folders: make them outside first.
    const abs = path.join(spec.root, rel);
    mkdirSync(abs, { recursive: true });
    b.push('--tmpfs', abs);
  }
  b.push('--ro-bind', spec.workspace, spec.workspace, '--chdir', spec.root);
  b.push('--setenv', 'HOME', SANDBOX_HOME, '--setenv', 'TMPDIR', '/tmp');
  const limits = [
    // The task limit counts all processes of the uid: only meaningful for a uid of the run's own. For another
    // grader, the instructor's own processes would count too, so there is none (the wall clock bounds a bomb).
    ...(spec.uid !== undefined ? [`--nproc=${spec.maxTasks}`] : []),
    `--data=${spec.dataMb * 1024 * 1024}`,
    '--core=0',
    `--fsize=${1024 * 1024 * 1024}`,
    '--nofile=4096',
  ];
  const inner = ['prlimit', ...limits, '--', bwrap, ...b, '--', command, ...args];
  if (spec.uid !== undefined) {
    return {
      command: 'setpriv',
      args: [`--reuid=${spec.uid}`, `--regid=${spec.uid}`, '--clear-groups', '--', ...inner],
    };
  }
  return { command: inner[0]!, args: inner.slice(1) };
}

/**
 * Uids handed to concurrent runs when the grader is root: no two runs share one (their task limits are per uid).
 * The range depends on the grader's pid, so two graders at once (a batch and a test suite) do not collide.
 */
const UID_BASE = 200_000 + (process.pid % 100_000) * 64;
const uidsInUse = new Set<number>();

/** A uid of its own for one run, when the grader runs as root; undefined otherwise (the run keeps the grader's). */
export function acquireUid(): number | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let uid = UID_BASE;
  while (uidsInUse.has(uid)) uid++;
  uidsInUse.add(uid);
  return uid;
}

export function releaseUid(uid: number | undefined): void {
  if (uid !== undefined) uidsInUse.delete(uid);
}
