/**
 * Reading a run's results: the authenticated event lines of stream-reporter.ts, checked for forgery and for a
 * tampered test framework (the canary), turned into tests, file errors and what the code printed.
 */
import { timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { joinOutput, type OutputChunk } from './output.ts';
import { type CheckpointEvent, eventMac } from './stream-reporter.ts';
import { timeoutAsHang } from './verdict.ts';
import { parseTodoMessage, todoMessage } from '../../kit/todo.ts';
import { projectRoot } from '../../course/layout.ts';
import { posix } from '../../lib/paths.ts';
import type { Assertion, RawFileError, RawTest } from './types.ts';

export function firstLines(message: string, lines = 12): string {
  return message.split('\n').slice(0, lines).join('\n').trim();
}

/** At most `lines` lines and `chars` characters of a message, saying so when it was cut. */
export function capText(message: string, lines = 12, chars = 2000): string {
  let text = firstLines(message, lines);
  if (text.length > chars) text = `${text.slice(0, chars)}… (cut at ${chars} characters)`;
  return text;
}

/**
 * Read the authenticated event lines of stream-reporter.ts. Anything that does not verify (a bad MAC, a sequence
 * number out of order, a line that is not an event, an event after the end) stops the reading and is reported as
 * tampering; a last line cut short by a killed run is not.
 */
export function readEvents(
  text: string,
  key: string,
  killed: boolean,
): { events: CheckpointEvent[]; tampering: string[] } {
  const events: CheckpointEvent[] = [];
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const tampering: string[] = [];
  if (last !== '' && !killed) tampering.push('the results channel ended in the middle of a line');
  let ended = false;
  for (const [i, line] of lines.entries()) {
    const [seq, mac, ...rest] = line.split('\t');
    const json = rest.join('\t');
    const expected = eventMac(key, i, json);
    if (
      seq !== String(i) ||
      mac === undefined ||
      mac.length !== expected.length ||
      !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))
    ) {
      tampering.push(`line ${i + 1} of the results channel was not written by the test runner`);
      break;
    }
    if (ended) {
      tampering.push('the results channel went on after the end of the run');
      break;
    }
    const event = JSON.parse(json) as CheckpointEvent;
    if (event.e === 'end') ended = true;
    events.push(event);
  }
  return { events, tampering };
}

/**
 * The failure of a test that failed after a thread it started hit a stub: the stub, named with its thread, then
 * what the test itself saw. Undefined when no thread hit a stub, or when the test's own thread hit a stub (the
 * nearer cause). Never applied to a test that did not fail: the hint comes from the process the code under test
 * runs in, so it may change words, never a verdict.
 */
export function threadStubFailure(
  ev: Extract<CheckpointEvent, { e: 'result' }>,
  clean: (message: string) => string,
): string | undefined {
  if (ev.state !== 'failed' || ev.threadStub === undefined) return;
  const { milestone, functionName, thread } = ev.threadStub;
  // The test's own error names a stub hit on the test's own thread: that is the nearer cause. One passed on by a
  // join (a ThreadPanicError) came from a thread, and the thread's name is said.
  if (parseTodoMessage(ev.error) !== undefined && !ev.error?.startsWith('ThreadPanicError')) return;
  const others = (ev.threadStubs ?? 1) - 1;
  const more = others > 0 ? `\n${others} more thread${others === 1 ? '' : 's'} of this test hit a stub too` : '';
  const then = ev.error === undefined ? '' : `\nthe test then failed with: ${clean(ev.error)}`;
  return `${todoMessage(milestone, functionName, thread)}${more}${then}`;
}

/** The names the canary adds to every test file of a run (tools/checkpoints/canary.ts). */
export const canaryNames = (nonce: string): { falseTest: string; trueTest: string; marker: string } => ({
  falseTest: `[canary ${nonce}] known false`,
  trueTest: `[canary ${nonce}] known true`,
  marker: `[canary ${nonce}] after the last test: ok`,
});

/** What a run's events say, checked: every sign of forgery or of a broken canary goes to `tampering`. */
export function interpretEvents(
  events: readonly CheckpointEvent[],
  context: {
    readonly include: readonly string[];
    readonly relativeTo: string;
    readonly nonce?: string;
    readonly maxChars?: number;
  },
): {
  tests: RawTest[];
  fileErrors: RawFileError[];
  unhandled: string[];
  tampering: string[];
  modulesEnded: Set<string>;
  ended: boolean;
  strayOutput: Array<{ file: string; output: string }>;
} {
  const { include, relativeTo, nonce } = context;
  const maxChars = context.maxChars ?? 2000;
  const tampering: string[] = [];
  const rel = (file: string): string => posix(path.relative(relativeTo, file));
  // Messages name files in the workspace, which is gone by the time anyone reads them: show them relative.
  const prefix = `${relativeTo}${path.sep}`;
  const clean = (message: string, lines?: number): string => capText(message.split(prefix).join(''), lines, maxChars);
  const key2 = (file: string, name: string): string => `${file}\0${name}`;
  const included = new Set(include.map((f) => path.join(projectRoot, f)));
  const tests = new Map<string, RawTest>();
  const fileErrors: RawFileError[] = [];
  const unhandled: string[] = [];
  const printed = new Map<string, { chunks: OutputChunk[]; dropped: number }>();
  const details = new Map<string, Assertion>();
  const modulesEnded = new Set<string>();
  const canary = nonce !== undefined ? canaryNames(nonce) : undefined;
  const canarySeen = new Map<string, { falseOk: boolean; trueOk: boolean; markerOk: boolean; scored: boolean }>();
  const canaryOf = (file: string) => {
    let c = canarySeen.get(file);
    if (c === undefined) canarySeen.set(file, (c = { falseOk: false, trueOk: false, markerOk: false, scored: false }));
    return c;
  };
  const canariesSeen = new Set<string>();
  let ended = false;
  for (const ev of events) {
    if ((ev.e === 'result' || ev.e === 'module') && !included.has(ev.file)) {
      tampering.push(`results came for a file outside the run: ${clean(ev.file, 1)}`);
      continue;
    }
    if (ev.e === 'result') {
      if (ev.state === 'pending') continue;
      // (No rule on order within a file: under load vitest can deliver a test's result after its file's end.)
      const k = key2(ev.file, ev.name);
      if (canary && (ev.name === canary.falseTest || ev.name === canary.trueTest)) {
        if (canariesSeen.has(k)) tampering.push('a canary test reported twice');
        canariesSeen.add(k);
      }
      if (canary && ev.name === canary.falseTest) {
        canaryOf(ev.file).falseOk =
          ev.state === 'failed' &&
          (ev.error ?? '').includes(`${nonce}-left`) &&
          (ev.error ?? '').includes(`${nonce}-right`);
        continue;
      }
      if (canary && ev.name === canary.trueTest) {
        canaryOf(ev.file).trueOk = ev.state === 'passed';
        continue;
      }
      if (tests.has(k)) {
        tampering.push(`the test '${clean(ev.name, 1)}' reported twice`);
        continue;
      }
      if (ev.state === 'passed') canaryOf(ev.file).scored = true;
      const failure =
        ev.error === undefined
          ? undefined
          : (threadStubFailure(ev, clean) ?? timeoutAsHang(ev.error) ?? clean(ev.error));
      tests.set(k, {
        file: rel(ev.file),
        name: clean(ev.name, 1),
        status: ev.state,
        durationMs: ev.durationMs,
        ...(failure !== undefined ? { failure } : {}),
      });
    } else if (ev.e === 'log') {
      const k = key2(ev.file, ev.name ?? '');
      const entry = printed.get(k) ?? { chunks: [], dropped: 0 };
      entry.chunks.push({ stream: ev.stream, text: ev.text.split(prefix).join('') });
      entry.dropped += ev.dropped ?? 0;
      printed.set(k, entry);
    } else if (ev.e === 'detail') {
      const plain = (v: string): string =>
        v
          .replace(/\u001b\[[0-9;]*m/g, '')
          .split(prefix)
          .join('');
      const clip = (v: string | undefined): string | undefined =>
        v === undefined ? undefined : capText(plain(v), 40, maxChars);
      const a = { expected: clip(ev.expected), actual: clip(ev.actual), diff: clip(ev.diff) };
      details.set(
        key2(ev.file, ev.name),
        Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Assertion,
      );
    } else if (ev.e === 'module') {
      if (modulesEnded.has(ev.file)) tampering.push(`the test file ${rel(ev.file)} ended twice`);
      modulesEnded.add(ev.file);
      let errors = ev.errors;
      const isMarker = (e: string): boolean => canary !== undefined && e.replace(/^Error: /, '') === canary.marker;
      if (errors.some(isMarker)) {
        canaryOf(ev.file).markerOk = true;
        errors = errors.filter((e) => !isMarker(e));
      }
      if (errors.length > 0) fileErrors.push({ file: rel(ev.file), message: clean(errors.join('\n')) });
    } else if (ev.e === 'unhandled') unhandled.push(clean(ev.message, 4));
    else if (ev.e === 'end') ended = true;
    // Other kinds of event (a newer reporter's) are not results: nothing here depends on them.
  }
  if (canary) {
    // Only a file that would score needs an intact canary: one whose every test failed or never loaded has
    // nothing a broken framework could have won.
    for (const [file, c] of canarySeen) {
      if (!c.scored) continue;
      const broken = [
        !c.falseOk && 'a known-false expectation did not fail',
        !c.trueOk && 'a known-true expectation did not pass',
        modulesEnded.has(file) && !c.markerOk && 'the check after the last test did not report',
      ].filter(Boolean);
      if (broken.length > 0)
        tampering.push(`the test framework was tampered with in ${rel(file)}: ${broken.join('; ')}`);
    }
  }
  // What the code printed goes with its test; what it printed outside any test, with its file.
  for (const [k, t] of tests) {
    const out = printed.get(k);
    const assertion = details.get(k);
    if (out !== undefined || assertion !== undefined) {
      tests.set(k, {
        ...t,
        ...(assertion !== undefined ? { assertion } : {}),
        ...(out !== undefined ? { output: joinOutput(out.chunks, undefined, out.dropped) } : {}),
      });
    }
  }
  const strayOutput = [...printed]
    .filter(([k]) => k.endsWith('\0'))
    .map(([k, v]) => ({ file: rel(k.slice(0, -1)), output: joinOutput(v.chunks, undefined, v.dropped) }));
  return { tests: [...tests.values()], fileErrors, unhandled, tampering, modulesEnded, ended, strayOutput };
}
