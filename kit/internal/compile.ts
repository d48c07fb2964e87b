/**
 * Making TypeScript thread bodies loadable by a worker on Node 20.
 *
 * Loader hooks registered with `--import tsx` do not reach worker threads on Node 20, and the other routes cost
 * 70–150 ms per worker (measured on this project's machine). Instead, the spawning thread compiles the body's
 * module graph ahead of time into a mirror of plain ES modules, and the worker loads those directly, as fast
 * as any plain ESM worker.
 *
 * For every local TypeScript module reachable from the entry (relative imports and package.json `#imports`):
 *   - esbuild's transformSync strips the types (verbatimModuleSyntax: imports are kept as written);
 *   - `import.meta.url`, `.filename` and `.dirname` are replaced with the original file's, so code that finds
 *     files next to itself, and thread bodies that name their own module, behave as in the source;
 *   - local import specifiers are rewritten to the mirrors of their targets; bare and `node:` specifiers are
 *     left alone and resolve from the cache folder, which sits inside the project's node_modules;
 *   - an inline source map points stack traces back at the .ts lines.
 *
 * Cache: `node_modules/.cache/threadkit/<hash>-<name>.mjs`, one file per source, keyed by path and checked by
 * mtime and size on every spawn (a few stat calls), so an edited source is recompiled on the next spawn. Files
 * are written to a temporary name and renamed, so concurrent processes never see half a file.
 *
 * Invariants: a cached compiled module is used only if it is newer than its source (rechecked on every spawn).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// esbuild takes ~8-18 ms to load; every worker imports this file, but only one that compiles needs esbuild.
const requireHere = createRequire(import.meta.url);
let esbuild: typeof import('esbuild') | undefined;
const transformSync: typeof import('esbuild').transformSync = (input, options) =>
  (esbuild ??= requireHere('esbuild') as typeof import('esbuild')).transformSync(input, options);

/**
 * Import specifiers in esbuild's output. esbuild prints every static import/export on statements of its own,
 * with double quotes, ending in `from "…";` (or `import "…";`), so anchoring on line starts is enough; the
 * dynamic form is matched anywhere. A match is only rewritten if it names an existing local TypeScript file.
 */
const STATIC_FROM = /^((?:import|export)\b[^\n]*?\bfrom |\} from |import )"([^"\n]+)";$/gm;
const DYNAMIC = /\bimport\("([^"\n]+)"\)/g;

const COMPILER_VERSION = '2';
const kitDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const projectRoot = path.dirname(kitDir);
export const cacheDir = path.join(projectRoot, 'node_modules', '.cache', 'threadkit');

interface Compiled {
  readonly mtimeMs: number;
  readonly size: number;
  readonly mirror: string;
  readonly deps: readonly string[];
}

const memo = new Map<string, Compiled>();
const TS_EXTENSIONS = ['.ts', '.mts', '.tsx'];

function mirrorPath(source: string): string {
  const hash = createHash('sha1').update(COMPILER_VERSION).update('\0').update(source).digest('hex').slice(0, 16);
  const base = path
    .basename(source)
    .replace(/\.[cm]?tsx?$/, '')
    .replace(/[^\w.-]/g, '_');
  return path.join(cacheDir, `${hash}-${base}.mjs`);
}

function isTypeScript(file: string): boolean {
  return TS_EXTENSIONS.some((ext) => file.endsWith(ext)) && !file.endsWith('.d.ts');
}

/** The package.json `imports` map that applies to `fromDir`, with its folder. */
function packageImports(fromDir: string): { dir: string; imports: Record<string, string> } | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { imports?: Record<string, string> };
      if (pkg.imports) return { dir, imports: pkg.imports };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function resolveHashImport(specifier: string, fromDir: string): string | undefined {
  const found = packageImports(fromDir);
  if (!found) return undefined;
  for (const [pattern, target] of Object.entries(found.imports)) {
    if (typeof target !== 'string') continue;
    if (pattern === specifier) return path.resolve(found.dir, target);
    const star = pattern.indexOf('*');
    if (star < 0) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
      const middle = specifier.slice(prefix.length, specifier.length - suffix.length);
      return path.resolve(found.dir, target.replace('*', middle));
    }
  }
  return undefined;
}

/** The local TypeScript file a specifier names, if it names one. */
function resolveLocal(specifier: string, importer: string): string | undefined {
  let candidate: string | undefined;
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    candidate = path.resolve(path.dirname(importer), specifier);
  } else if (specifier.startsWith('#')) {
    candidate = resolveHashImport(specifier, path.dirname(importer));
  } else if (specifier.startsWith('file:')) {
    candidate = fileURLToPath(specifier);
  }
  if (!candidate) return undefined;
  if (isTypeScript(candidate) && existsSync(candidate)) return candidate;
  const asTs = candidate.replace(/\.([cm]?)js$/, '.$1ts');
  if (asTs !== candidate && existsSync(asTs)) return asTs;
  return undefined;
}

function compileOne(source: string, stat: { mtimeMs: number; size: number }): Compiled {
  const mirror = mirrorPath(source);
  const metaFile = `${mirror}.json`;
  if (existsSync(metaFile) && existsSync(mirror)) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Compiled;
      if (meta.mtimeMs === stat.mtimeMs && meta.size === stat.size) return meta;
    } catch {
      // A damaged cache entry is simply rebuilt.
    }
  }
  const url = pathToFileURL(source).href;
  const { code } = transformSync(readFileSync(source, 'utf8'), {
    loader: source.endsWith('x') ? 'tsx' : 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: url,
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    define: {
      'import.meta.url': JSON.stringify(url),
      'import.meta.filename': JSON.stringify(source),
      'import.meta.dirname': JSON.stringify(path.dirname(source)),
    },
  });
  const deps: string[] = [];
  const rewrite = (specifier: string): string => {
    const target = resolveLocal(specifier, source);
    if (!target) return specifier;
    deps.push(target);
    return pathToFileURL(mirrorPath(target)).href;
  };
  const out = code
    .replace(STATIC_FROM, (_, head: string, specifier: string) => `${head}"${rewrite(specifier)}";`)
    .replace(DYNAMIC, (_, specifier: string) => `import("${rewrite(specifier)}")`);
  const compiled: Compiled = { mtimeMs: stat.mtimeMs, size: stat.size, mirror, deps };
  mkdirSync(cacheDir, { recursive: true });
  const temp = `${mirror}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, out);
  renameSync(temp, mirror);
  writeFileSync(`${temp}.json`, JSON.stringify(compiled));
  renameSync(`${temp}.json`, metaFile);
  return compiled;
}

function ensure(source: string, seen: Set<string>): string {
  if (seen.has(source)) return mirrorPath(source);
  seen.add(source);
  const stat = statSync(source);
  let compiled = memo.get(source);
  if (!compiled || compiled.mtimeMs !== stat.mtimeMs || compiled.size !== stat.size) {
    compiled = compileOne(source, stat);
    memo.set(source, compiled);
  }
  for (const dep of compiled.deps) ensure(dep, seen);
  return compiled.mirror;
}

/**
 * Compile (or find up to date in the cache) the module graph of a TypeScript file, and return the file URL a
 * worker should import. Plain JavaScript files are returned as they are.
 */
export function loadableModule(moduleUrlOrPath: string): string {
  const source = moduleUrlOrPath.startsWith('file:') ? fileURLToPath(moduleUrlOrPath) : path.resolve(moduleUrlOrPath);
  if (!isTypeScript(source)) return pathToFileURL(source).href;
  return pathToFileURL(ensure(source, new Set())).href;
}

/** The compiled worker entry point (kit/internal/worker-main.ts). */
export function workerEntry(): string {
  return loadableModule(path.join(kitDir, 'internal', 'worker-main.ts'));
}
