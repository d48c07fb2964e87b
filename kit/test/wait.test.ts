import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { createCore } from '../internal/channel/core.ts';
import { PLAIN_PUBLISH, UNBOUNDED } from '../internal/channel/layout.ts';
import { PARK_SLICE_MS } from '../internal/registry.ts';
import { block, blockAsync, FIRST_PARK_MS, MAX_SPIN, Spinner, type Waiting, whileEqual } from '../internal/wait.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourcesUnder(full));
    else if (full.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** The code of a TypeScript file without its comments (strings stay: a call hidden in a string is still a call). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('one waiting core', () => {
  test('only kit/internal/wait.ts calls Atomics.wait or Atomics.waitAsync, in kit/ and solutions/ alike', () => {
    const files = [...sourcesUnder(path.join(root, 'kit')), ...sourcesUnder(path.join(root, 'solutions'))];
    expect(files.length).toBeGreaterThan(20);
    const offenders = files
      .filter(
        (file) =>
          !file.endsWith(path.join('kit', 'internal', 'wait.ts')) &&
          !file.includes(`${path.sep}test${path.sep}wait.test.ts`) &&
          // Watches owner-lock's wake-ups from outside: its sleepers are raw waitAsync calls, so that a skipped
          // notify shows as a timed-out wait.
          !file.includes(`${path.sep}test${path.sep}owner-lock.test.ts`),
      )
      .filter((file) => /Atomics\s*(\.\s*wait|\[\s*['"`]wait)/.test(withoutComments(readFileSync(file, 'utf8'))))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
    // The check itself can fail: it finds the calls in wait.ts.
    expect(
      /Atomics\s*\.\s*wait/.test(withoutComments(readFileSync(path.join(root, 'kit/internal/wait.ts'), 'utf8'))),
    ).toBe(true);
  });

  test('no …Async method of the kit is longer than three lines', () => {
    const long: string[] = [];
    // wait.ts is exempt: its async driver is where the waiting of every …Async method is written, once.
    const exempt = (f: string): boolean =>
      f.includes(`${path.sep}test${path.sep}`) || f.endsWith(`internal${path.sep}wait.ts`);
    for (const file of sourcesUnder(path.join(root, 'kit')).filter((f) => !exempt(f))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const m = /^(\s*)(?:export\s+)?(?:async\s+)(?:function\s+)?(\w+Async)\s*[<(]/.exec(line);
        if (!m) return;
        const indent = m[1]!;
        let end = i;
        while (end < lines.length && !new RegExp(`^${indent}}`).test(lines[end]!)) end++;
        const header = lines.slice(i, end).findIndex((l) => /\{\s*$/.test(l));
        const body = end - (i + header) - 1;
        if (body > 3) long.push(`${path.relative(root, file)}:${i + 1} ${m[2]} (${body} lines)`);
      });
    }
    expect(long).toEqual([]);
  });

  test('the blocking and async drivers run the same operation to the same result', async () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    function* op(): Waiting<string> {
      const changed = yield* whileEqual(words, 0, 0, performance.now() + 20);
      return changed ? 'changed' : 'timed out';
    }
    expect(block(op())).toBe('timed out');
    expect(await blockAsync(op())).toBe('timed out');
    Atomics.store(words, 0, 1);
    expect(block(op())).toBe('changed');
    expect(await blockAsync(op())).toBe('changed');
  });

  test('a deadline is honoured: resumed with false only once it has passed', () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    const deadline = performance.now() + 30;
    function* op(): Waiting<number> {
      let parks = 0;
      while (yield { words, index: 0, seen: 0, deadline }) parks++;
      return parks;
    }
    block(op());
    expect(performance.now()).toBeGreaterThanOrEqual(deadline);
  });

  test('an async wait is woken by a notify from another thread-like source without polling', async () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    const waiting = blockAsync(whileEqual(words, 0, 0, Infinity));
    setTimeout(() => {
      Atomics.store(words, 0, 7);
      Atomics.notify(words, 0);
    }, 5);
    expect(await waiting).toBe(true);
  });

  test('a sleep capped by maxMs ends at the cap, not at the park slice, in both drivers', async () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    // Two sleeps of at most FIRST_PARK_MS on a word nobody changes. Uncapped, each would last a park slice (50 ms):
    // the bound below leaves a loaded machine room while a missing cap still fails it.
    function* op(): Waiting<number> {
      let resumed = 0;
      while (resumed < 2 && (yield { words, index: 0, seen: 0, deadline: Infinity, maxMs: FIRST_PARK_MS })) resumed++;
      return resumed;
    }
    for (const run of [() => block(op()), () => blockAsync(op())]) {
      const start = performance.now();
      expect(await run()).toBe(2);
      expect(performance.now() - start).toBeLessThan(PARK_SLICE_MS);
    }
  });

  test("a channel waiter's sleeps are capped: FIRST_PARK_MS first, then doubling up to the park slice", () => {
    // The cap bounds what a wake-up missed by an unfenced publication costs (channel/ring.ts, PLAIN_PUBLISH).
    const core = createCore<number>(UNBOUNDED, {});
    core.addEndpoint('sender');
    core.addEndpoint('receiver');
    const waiting = core.waitingFor('receiver', () => false, Infinity, undefined);
    const caps: (number | undefined)[] = [];
    for (let step = waiting.next(true); !step.done && caps.length < 8; step = waiting.next(true)) {
      caps.push(step.value.maxMs);
    }
    waiting.return(false);
    expect(caps).toEqual([1, 2, 4, 8, 16, 32, 50, 50]);
    expect(FIRST_PARK_MS).toBe(1);
    expect(PARK_SLICE_MS).toBe(50);
  });

  test('channels publish with plain stores on x86-64 unless KIT_FENCED_PUBLISH=1 (the kit-debug-fenced project sets it)', () => {
    const x86 = process.arch === 'x64' || process.arch === 'ia32';
    expect(PLAIN_PUBLISH).toBe(x86 && process.env.KIT_FENCED_PUBLISH !== '1');
  });

  test('a spinner shrinks after failed spins followed by long parks, and grows back after short waits', () => {
    const spinner = new Spinner();
    const start = spinner.budget;
    for (let i = 0; i < 20; i++) spinner.parked(5);
    expect(spinner.budget).toBe(0);
    // At 0 it parks at once, but one wait in eight still probes, so the budget can recover once spins pay again.
    const decisions = Array.from({ length: 16 }, () => spinner.willSpin());
    expect(decisions.filter(Boolean).length).toBe(2);
    spinner.parked(0.001);
    expect(spinner.budget).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) spinner.succeeded(10_000);
    expect(spinner.budget).toBe(MAX_SPIN);
    expect(start).toBeGreaterThan(0);
  });
});
