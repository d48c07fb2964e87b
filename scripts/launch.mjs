/**
 * Run a TypeScript entry of this project on plain Node, without the tsx loader:
 *
 *   node scripts/launch.mjs scripts/<command>.ts [arguments...]
 *
 * Why: `tsx` (or `node --import tsx`) spends 0.1–0.15 s of wall time and ~0.2 s of CPU on every start loading
 * itself, its loader thread and esbuild, before a line of the program runs; for a command a user runs on one
 * file that is often more than the work. The kit already compiles thread bodies into plain ES modules for its
 * worker threads (kit/internal/compile.ts: one mirror file per source, cached in node_modules/.cache/threadkit,
 * rebuilt when a source changes); this launcher runs the entry's mirror the same way, so the main thread and
 * the workers load the very same compiled files.
 *
 * Steps: compile kit/internal/compile.ts itself with esbuild when its cached copy is missing or older than the
 * source (the only step that needs esbuild, and only after an edit), import that copy, ask it for the mirror
 * of the entry (stat calls on the module graph; anything edited is recompiled), then import the mirror with
 * `process.argv` as tsx would have set it ([node, entry, ...arguments]).
 *
 * Behaves like `tsx <entry>` for this project's code: compile.ts strips types with the project's settings
 * (verbatimModuleSyntax, as tsconfig.json) and keeps each module's own `import.meta.url`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const compilerSource = path.join(root, 'kit', 'internal', 'compile.ts');
const cacheDir = path.join(root, 'node_modules', '.cache', 'threadkit');
const compilerCopy = path.join(cacheDir, 'launch-compile.mjs');
const compilerMeta = `${compilerCopy}.json`;

/** The cached plain-JS copy of compile.ts, rebuilt when the source's mtime or size changed. */
function compilerUrl() {
  const stat = statSync(compilerSource);
  const stamp = { mtimeMs: stat.mtimeMs, size: stat.size };
  try {
    const meta = JSON.parse(readFileSync(compilerMeta, 'utf8'));
    if (meta.mtimeMs === stamp.mtimeMs && meta.size === stamp.size && existsSync(compilerCopy))
      return pathToFileURL(compilerCopy).href;
  } catch {
    // missing or damaged: rebuilt below
  }
  const esbuild = createRequire(import.meta.url)('esbuild');
  const url = pathToFileURL(compilerSource).href;
  const { code } = esbuild.transformSync(readFileSync(compilerSource, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: url,
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    define: {
      'import.meta.url': JSON.stringify(url),
      'import.meta.filename': JSON.stringify(compilerSource),
      'import.meta.dirname': JSON.stringify(path.dirname(compilerSource)),
    },
  });
  // compile.ts imports only node: builtins and esbuild, which resolve from the cache folder as from the source.
  mkdirSync(cacheDir, { recursive: true });
  const temp = `${compilerCopy}.${process.pid}.tmp`;
  writeFileSync(temp, code);
  renameSync(temp, compilerCopy);
  writeFileSync(`${temp}.json`, JSON.stringify(stamp));
  renameSync(`${temp}.json`, compilerMeta);
  return pathToFileURL(compilerCopy).href;
}

const [entryArg, ...rest] = process.argv.slice(2);
if (entryArg === undefined) {
  process.stderr.write('usage: node scripts/launch.mjs <entry.ts> [arguments...]\n');
  process.exit(2);
}
const entry = path.resolve(entryArg);
const bootstrap = await import(compilerUrl());
// The compiler's own mirror, so that the entry's graph (which reaches compile.ts through kit/thread.ts) and this
// launcher share one instance of it, and with it the record of what is already up to date.
const compiler = await import(bootstrap.loadableModule(compilerSource));
const mirror = compiler.loadableModule(entry);
process.argv = [process.argv[0], entry, ...rest];
await import(mirror);
