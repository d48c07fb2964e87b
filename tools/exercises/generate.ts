/**
 * Generating exercises/ from solutions/.
 *
 * Solutions are the only source. Inside a function body, a reference implementation is fenced by
 *
 *     // #region solution
 *     ...
 *     // #endregion solution
 *
 * and the exercise gets, in place of the fence and everything in it, one statement that throws a
 * NotImplementedError naming the milestone and the function: `todo('p1/m1', 'parseLogLine');`. Everything
 * outside the fences is kept byte for byte, so the exercise reads exactly like the solution minus the answers;
 * a file without fences (thread bodies for the tests, the tests themselves, README.md, hints.md) is copied.
 *
 * Markers are found among the comments the TypeScript parser sees, not by matching lines, so a fence written
 * inside a string or template literal (say, in a test of this generator) is never mistaken for one. Where a
 * fence sits is checked against the syntax tree: both markers must be on their own lines, between the
 * statements of the same block, inside a function. That guarantees the stub replaces whole statements and the
 * exercise still parses, and it lets the stub name its function reliably.
 */
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { isTestFile, isTypeScriptModule, listFiles, milestoneIdOf } from '../../course/layout.ts';
import { todoCall } from '../../kit/todo.ts';

/** Where the stubs' `todo` comes from, as the exercises import it. */
export const TODO_MODULE = '#kit/todo.ts';

/** One solution region, as replaced by a stub. */
export interface Region {
  /** 1-based line of the `#region solution` marker. */
  readonly line: number;
  readonly endLine: number;
  /** The name the stub reports: `parseLogLine`, `LogEntry.new`, `Pool.constructor`, `producerThread`. */
  readonly functionName: string;
}

export interface StubbedSource {
  readonly text: string;
  readonly regions: readonly Region[];
}

/** A misplaced or malformed marker; `file:line: message`, like a compiler. */
export class MarkerError extends Error {
  override readonly name = 'MarkerError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

/** Every problem found while generating, so one run reports them all. */
export class GenerateError extends Error {
  override readonly name = 'GenerateError';
  constructor(readonly problems: readonly MarkerError[]) {
    super(`cannot generate exercises:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
  }
}

// `// #region solution` with optional trailing words (editors use the rest as the fold's label).
const REGION_RE = /^\/\/\s*#region\s+solution(?:\s.*)?$/;
const END_RE = /^\/\/\s*#endregion\s+solution(?:\s.*)?$/;
// A bare `// #endregion` would close a solution fence in an editor's eyes but not in ours; refuse the ambiguity.
const BARE_END_RE = /^\/\/\s*#endregion\s*$/;

interface Marker {
  readonly kind: 'start' | 'end' | 'bare-end';
  readonly pos: number;
  readonly end: number;
  readonly line: number;
}

/** Every comment in the file, found through the tokens the parser produced (never inside literals). */
function collectComments(sf: ts.SourceFile): ts.CommentRange[] {
  const text = sf.text;
  const seen = new Map<number, ts.CommentRange>();
  const add = (ranges: ts.CommentRange[] | undefined): void => {
    for (const r of ranges ?? []) seen.set(r.pos, r);
  };
  const visit = (node: ts.Node): void => {
    // JSDoc nodes overlap the trivia of the code they document; the comment itself is found as trivia.
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(sf);
    if (children.length === 0) {
      add(ts.getLeadingCommentRanges(text, node.pos));
      add(ts.getTrailingCommentRanges(text, node.end));
      return;
    }
    for (const child of children) visit(child);
  };
  visit(sf);
  // The file's first comment: getChildren() starts at the first statement, whose leading trivia covers it.
  add(ts.getLeadingCommentRanges(text, 0));
  return [...seen.values()].sort((a, b) => a.pos - b.pos);
}

function findMarkers(sf: ts.SourceFile): Marker[] {
  const markers: Marker[] = [];
  for (const c of collectComments(sf)) {
    if (c.kind !== ts.SyntaxKind.SingleLineCommentTrivia) continue;
    const body = sf.text.slice(c.pos, c.end).trimEnd();
    const kind = REGION_RE.test(body)
      ? 'start'
      : END_RE.test(body)
        ? 'end'
        : BARE_END_RE.test(body)
          ? 'bare-end'
          : undefined;
    if (kind === undefined) continue;
    markers.push({ kind, pos: c.pos, end: c.end, line: sf.getLineAndCharacterOfPosition(c.pos).line + 1 });
  }
  return markers;
}

/** The innermost node whose own text (not its leading trivia) encloses [pos, end). */
function innermostContainer(sf: ts.SourceFile, pos: number, end: number): ts.Node {
  let node: ts.Node = sf;
  for (;;) {
    const child: ts.Node | undefined = node.forEachChild((c) =>
      c.getStart(sf) <= pos && end <= c.end ? c : undefined,
    );
    if (child === undefined) return node;
    node = child;
  }
}

const STATEMENT_LISTS = new Set([ts.SyntaxKind.Block, ts.SyntaxKind.CaseClause, ts.SyntaxKind.DefaultClause]);

function isFunctionWithBody(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function propertyNameText(name: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) {
    return name.text;
  }
  return undefined;
}

/** Expressions that wrap a value without changing what it is called: `(f)`, `f as T`, `f satisfies T`, `f!`. */
function isTransparentWrapper(node: ts.Node): boolean {
  return (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isTypeAssertionExpression(node)
  );
}

/**
 * The name a value is known by from where it is written: `const x = <value>` → x, `{ k: <value> }` → owner.k,
 * `class C { k = <value> }` → C.k, and through wrappers and calls, so that the arrow in
 * `export const producer = defineThread(import.meta.url, 'producer', (tx) => {...})` is called `producer`.
 */
function contextName(value: ts.Node): string | undefined {
  let node = value;
  while (
    node.parent &&
    (isTransparentWrapper(node.parent) ||
      (ts.isCallExpression(node.parent) && node.parent.arguments.includes(node as ts.Expression)))
  ) {
    node = node.parent;
  }
  const parent = node.parent;
  if (parent === undefined) return undefined;
  if (ts.isVariableDeclaration(parent) && parent.initializer === node) return propertyNameText(parent.name);
  if (ts.isPropertyAssignment(parent) && parent.initializer === node) return memberName(parent.parent, parent.name);
  if (ts.isPropertyDeclaration(parent) && parent.initializer === node) return memberName(parent.parent, parent.name);
  if (ts.isExportAssignment(parent)) return 'default';
  return undefined;
}

/** `Owner.member` for a member of a class or object literal, or just `member` when the owner has no name. */
function memberName(owner: ts.Node, name: ts.PropertyName): string | undefined {
  const member = propertyNameText(name);
  if (member === undefined) return undefined;
  const ownerName =
    (ts.isClassDeclaration(owner) || ts.isClassExpression(owner)) && owner.name ? owner.name.text : contextName(owner);
  return ownerName === undefined ? member : `${ownerName}.${member}`;
}

/** The name of a function as the stub reports it, or undefined for an anonymous callback. */
function functionName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name?.text ?? 'default';
  if (ts.isConstructorDeclaration(fn)) return memberName(fn.parent, ts.factory.createIdentifier('constructor'));
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
    return memberName(fn.parent, fn.name);
  }
  return contextName(fn) ?? (ts.isFunctionExpression(fn) ? fn.name?.text : undefined);
}

/**
 * The function a region's stub should name: the nearest enclosing function that has a name, so a region
 * inside an anonymous callback (`items.map((x) => {...})`) is reported under the function that holds it.
 */
function enclosingFunctionName(from: ts.Node): { found: boolean; name: string | undefined } {
  let found = false;
  for (let node: ts.Node | undefined = from; node; node = node.parent) {
    if (ts.isClassLike(node) && !found) return { found, name: undefined };
    if (isFunctionWithBody(node)) {
      found = true;
      const name = functionName(node);
      if (name !== undefined) return { found, name };
    }
  }
  return { found, name: undefined };
}

/** Where `import { todo } ...` goes when the file lacks it, or undefined when it already has it. */
function todoImportInsertion(sf: ts.SourceFile, fileName: string): { at: number; text: string } | undefined {
  let lastImport: ts.ImportDeclaration | undefined;
  for (const statement of sf.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    lastImport = statement;
    const bindings = statement.importClause?.namedBindings;
    const spec = ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : '';
    const bindsTodo =
      statement.importClause?.name?.text === 'todo' ||
      (bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === 'todo'));
    if (!bindsTodo) continue;
    const fromKit = bindings !== undefined && ts.isNamedImports(bindings) && /^#kit\/(todo|index)\.ts$/.test(spec);
    const element =
      fromKit && ts.isNamedImports(bindings) ? bindings.elements.find((e) => e.name.text === 'todo') : undefined;
    if (
      element &&
      !element.isTypeOnly &&
      !statement.importClause?.isTypeOnly &&
      (element.propertyName?.text ?? 'todo') === 'todo'
    ) {
      return undefined;
    }
    throw new MarkerError(
      fileName,
      sf.getLineAndCharacterOfPosition(statement.getStart(sf)).line + 1,
      `the name 'todo' is already imported from '${spec}'; the stubs need todo from '${TODO_MODULE}'`,
    );
  }
  const text = sf.text;
  const line = `import { todo } from '${TODO_MODULE}';`;
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  if (lastImport !== undefined) {
    // On the line after the last import, so a comment trailing that import stays on its line.
    const eol = text.indexOf('\n', lastImport.end);
    return eol < 0
      ? { at: text.length, text: `${newline}${line}${newline}` }
      : { at: eol + 1, text: `${line}${newline}` };
  }
  // No imports: after the file's header comment (one separated from the code by a blank line), else at the top.
  let at = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
  const first = sf.statements[0];
  if (first !== undefined) {
    const comments = ts.getLeadingCommentRanges(text, first.pos) ?? [];
    comments.forEach((c, i) => {
      const next = comments[i + 1]?.pos ?? first.getStart(sf);
      if (/\n[ \t]*\r?\n/.test(text.slice(c.end, next))) {
        const eol = text.indexOf('\n', c.end);
        at = eol < 0 ? text.length : eol + 1;
      }
    });
  }
  return { at, text: `${line}${newline}` };
}

/**
 * Replace every solution region of one TypeScript source by its stub. `fileName` is only used in messages;
 * `milestone` is the id the stubs report (undefined outside a milestone folder, where a region is an error).
 */
export function stubSource(source: string, fileName: string, milestone: string | undefined): StubbedSource {
  // Most files have no markers at all; skip parsing them.
  if (!source.includes('#region') && !source.includes('#endregion')) return { text: source, regions: [] };
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const markers = findMarkers(sf);
  if (markers.length === 0) return { text: source, regions: [] };

  const regions: Array<Region & { pos: number; end: number }> = [];
  let open: Marker | undefined;
  for (const marker of markers) {
    if (marker.kind === 'start') {
      if (open)
        throw new MarkerError(
          fileName,
          marker.line,
          `nested '#region solution' (the region opened at line ${open.line} is not closed)`,
        );
      open = marker;
    } else if (marker.kind === 'bare-end') {
      if (open)
        throw new MarkerError(
          fileName,
          marker.line,
          `a bare '// #endregion' inside the solution region opened at line ${open.line}; write '// #endregion solution'`,
        );
    } else {
      if (!open)
        throw new MarkerError(fileName, marker.line, `'#endregion solution' without a matching '#region solution'`);
      regions.push({ ...placeRegion(sf, fileName, open, marker), pos: open.pos, end: marker.end });
      open = undefined;
    }
  }
  if (open)
    throw new MarkerError(fileName, open.line, `'#region solution' is never closed with '// #endregion solution'`);
  if (milestone === undefined) {
    throw new MarkerError(
      fileName,
      regions[0]!.line,
      'solution regions are only allowed in files inside a milestone folder (<pN-project>/<mN-milestone>/)',
    );
  }

  // Splice from the end so earlier offsets stay valid.
  let text = source;
  for (const r of [...regions].reverse()) {
    text = `${text.slice(0, r.pos)}${todoCall(milestone, r.functionName)}${text.slice(r.end)}`;
  }
  const insertion = todoImportInsertion(sf, fileName);
  if (insertion) {
    // The import goes before any region (imports come first), so it is applied to the stubbed text at the same offset.
    if (regions.some((r) => r.pos < insertion.at)) {
      throw new MarkerError(fileName, regions[0]!.line, 'a solution region appears before the imports');
    }
    text = `${text.slice(0, insertion.at)}${insertion.text}${text.slice(insertion.at)}`;
  }
  return {
    text,
    regions: regions.map(({ line, endLine, functionName: name }) => ({ line, endLine, functionName: name })),
  };
}

/** Check where a region sits and name its function. */
function placeRegion(sf: ts.SourceFile, fileName: string, start: Marker, end: Marker): Region {
  const text = sf.text;
  for (const m of [start, end]) {
    const lineStart = text.lastIndexOf('\n', m.pos - 1) + 1;
    if (text.slice(lineStart, m.pos).trim() !== '') {
      throw new MarkerError(fileName, m.line, 'a region marker must be alone on its line');
    }
  }
  const container = innermostContainer(sf, start.pos, start.end);
  const endContainer = innermostContainer(sf, end.pos, end.end);
  if (!STATEMENT_LISTS.has(container.kind) || container !== endContainer) {
    const where =
      container === sf || ts.isClassLike(container) || ts.isModuleBlock(container)
        ? 'not inside a function body'
        : 'does not enclose whole statements of one block';
    throw new MarkerError(fileName, start.line, `solution region (lines ${start.line}-${end.line}) ${where}`);
  }
  const { found, name } = enclosingFunctionName(container);
  if (!found)
    throw new MarkerError(
      fileName,
      start.line,
      `solution region (lines ${start.line}-${end.line}) is not inside a function body`,
    );
  requireDeclaredReturnType(sf, fileName, container, start, end, name);
  if (name === undefined) {
    throw new MarkerError(
      fileName,
      start.line,
      'cannot name the function around this solution region (give it a name, or assign it to a const)',
    );
  }
  return { line: start.line, endLine: end.line, functionName: name };
}

/**
 * A function whose region returns a value must declare its return type. Otherwise TypeScript infers the type
 * from the body, and the stub's body (a call that never returns) makes it `void` or `never`: the exercise would
 * no longer type-check against the tests, and tsc would complain about exercises/ rather than about the cause.
 */
function requireDeclaredReturnType(
  sf: ts.SourceFile,
  fileName: string,
  container: ts.Node,
  start: Marker,
  end: Marker,
  name: string | undefined,
): void {
  let fn: ts.Node | undefined = container;
  while (fn && !isFunctionWithBody(fn)) fn = fn.parent;
  if (fn === undefined || !isFunctionWithBody(fn) || fn.type !== undefined) return;
  if (ts.isConstructorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return;
  // An anonymous callback (`rows.map((row) => {...})`) is typed by where it is passed; the named function
  // around it declares what escapes.
  if (functionName(fn) === undefined) return;
  let returnsValue: ts.ReturnStatement | undefined;
  const visit = (node: ts.Node): void => {
    if (returnsValue || isFunctionWithBody(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression !== undefined) returnsValue = node;
    else node.forEachChild(visit);
  };
  container.forEachChild((statement) => {
    if (statement.getStart(sf) > start.pos && statement.end < end.pos) visit(statement);
  });
  if (returnsValue) {
    throw new MarkerError(
      fileName,
      start.line,
      `${name ?? 'the function'} returns a value from its solution region but declares no return type; ` +
        'declare it, or the stub changes the type TypeScript infers',
    );
  }
}

export interface GeneratedFile {
  /** Path relative to the trees, forward slashes. */
  readonly path: string;
  readonly regions: readonly Region[];
}

export interface GenerateResult {
  /** Every file of the generated tree, with the regions stubbed in it (none for copied files). */
  readonly files: readonly GeneratedFile[];
  /** Files written because they were new or changed. */
  readonly written: readonly string[];
  /** Files removed from the destination because solutions/ no longer has them. */
  readonly deleted: readonly string[];
}

/**
 * Instructor-only tests (grading/README.md): they live in grading/hidden/, but one put beside a solution by
 * mistake, as `<name>.hidden.test.ts` or under a `hidden/` folder, must still never reach students.
 */
export function isHiddenTestPath(relativePath: string): boolean {
  return /(^|\/)hidden\//.test(relativePath) || /\.hidden\.test\.[cm]?tsx?$/.test(relativePath);
}

/** The catalogue of wrong solutions beside a milestone's solution (mutants.ts reads it). */
export const MUTANTS_FILE = 'mutants.md';

/** Whether a path (relative to a tree) is a catalogue of wrong solutions, which only instructors see. */
export function isMutantCatalogPath(relativePath: string): boolean {
  return relativePath === MUTANTS_FILE || relativePath.endsWith(`/${MUTANTS_FILE}`);
}

/** What the exercise version of each file of a solutions tree is, in memory; throws GenerateError. */
/**
 * The first line of every generated text file, saying where it comes from. Students work in these files (their
 * release has no solutions/), so it speaks to both readers.
 */
export function generatedHeader(rel: string): string | undefined {
  const text = `generated from solutions/${rel} (npm run exercises -- generate); students edit this copy`;
  if (isTypeScriptModule(rel)) return `// ${text}\n`;
  if (rel.endsWith('.md')) return `<!-- ${text} -->\n`;
  return undefined;
}

export function buildExercises(from: string): Map<string, { content: Buffer; regions: readonly Region[] }> {
  const out = new Map<string, { content: Buffer; regions: readonly Region[] }>();
  const problems: MarkerError[] = [];
  const withHeader = (rel: string, content: Buffer): Buffer => {
    const header = generatedHeader(rel);
    return header === undefined ? content : Buffer.concat([Buffer.from(header), content]);
  };
  for (const rel of listFiles(from)) {
    if (isHiddenTestPath(rel) || isMutantCatalogPath(rel)) continue;
    const bytes = readFileSync(path.join(from, rel));
    if (!isTypeScriptModule(rel)) {
      out.set(rel, { content: withHeader(rel, bytes), regions: [] });
      continue;
    }
    try {
      const source = bytes.toString('utf8');
      const stubbed = stubSource(source, rel, milestoneIdOf(rel));
      if (stubbed.regions.length > 0 && isTestFile(rel)) {
        throw new MarkerError(
          rel,
          stubbed.regions[0]!.line,
          'checkpoint tests are the same file in both trees; move the solution region out of the test',
        );
      }
      const content = stubbed.regions.length > 0 ? Buffer.from(stubbed.text, 'utf8') : bytes;
      out.set(rel, { content: withHeader(rel, content), regions: stubbed.regions });
    } catch (error) {
      if (error instanceof MarkerError) problems.push(error);
      else throw error;
    }
  }
  if (problems.length > 0) throw new GenerateError(problems);
  return out;
}

/**
 * Make `to` exactly the exercise tree of `from`: write new and changed files (unchanged ones are left alone, so
 * file watchers and mtimes see only real changes), delete files that have no source, and prune emptied folders.
 * Nothing is written when any marker is wrong.
 */
export function generateExercises(from: string, to: string): GenerateResult {
  const built = buildExercises(from);
  const written: string[] = [];
  for (const [rel, { content }] of built) {
    const dest = path.join(to, rel);
    let current: Buffer | undefined;
    try {
      current = readFileSync(dest);
    } catch {
      current = undefined;
    }
    if (current?.equals(content)) continue;
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, content);
    written.push(rel);
  }
  const deleted = listFiles(to).filter((rel) => !built.has(rel));
  for (const rel of deleted) rmSync(path.join(to, rel));
  pruneEmptyDirs(to, true);
  return { files: [...built].map(([p, { regions }]) => ({ path: p, regions })), written, deleted };
}

function pruneEmptyDirs(dir: string, keep: boolean): void {
  let entries: string[];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return;
  }
  for (const name of entries) pruneEmptyDirs(path.join(dir, name), false);
  if (!keep && readdirSync(dir).length === 0) rmdirSync(dir);
}

export interface TreeDifference {
  /** In the expected tree, absent from the actual one. */
  readonly missing: readonly string[];
  /** In the actual tree only. */
  readonly extra: readonly string[];
  /** In both, with different bytes. */
  readonly different: readonly string[];
}

/** Compare an actual tree on disk with the expected exercise tree of `from`. */
export function diffExercises(from: string, actual: string): TreeDifference {
  const expected = buildExercises(from);
  const actualFiles = listFiles(actual);
  const missing = [...expected.keys()].filter((rel) => !actualFiles.includes(rel));
  const extra = actualFiles.filter((rel) => !expected.has(rel));
  const different = actualFiles.filter((rel) => {
    const want = expected.get(rel);
    return want !== undefined && !readFileSync(path.join(actual, rel)).equals(want.content);
  });
  return { missing, extra, different };
}
