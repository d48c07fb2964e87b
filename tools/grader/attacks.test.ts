/**
 * The grader against a student who wants a better grade: one planted submission per attack (a copy of the
 * p1/m1 stubs with one file changed, so an honest grade is 0), all graded at once in the sandbox, p1/m1 only to
 * keep the suite fast. Every attack must leave the grade at 0 (or mark the milestone tampered), leak nothing
 * into the reports, touch nobody else's files and leave no process behind. Plus the pure parts of the results
 * channel: lines that do not verify are tampering.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { capText, interpretEvents, readEvents } from '../checkpoints/checkpoints.ts';
import { type CheckpointEvent, eventMac } from '../checkpoints/stream-reporter.ts';
import { crashReason } from '../checkpoints/vitest-run.ts';
import { listFiles, projectRoot } from '../../course/layout.ts';
import { gradeSubmission, type GradeResult } from './grade.ts';
import type { PointsConfig } from './points.ts';
import { Slots } from './pool.ts';
import { gradescopeResults, markdownReport, writeReports } from './report.ts';
import { sandboxProblem } from './sandbox.ts';

const exercises = path.join(projectRoot, 'exercises');
const solutions = path.join(projectRoot, 'solutions');
const points: PointsConfig = { defaultMilestonePoints: 10, hiddenVisibility: 'after_published', milestones: {} };
const hiddenRoot = path.join(projectRoot, 'grading', 'hidden');
const hiddenSources = listFiles(hiddenRoot).map((f) => readFileSync(path.join(hiddenRoot, f), 'utf8'));
const hiddenTitles = hiddenSources.flatMap((s) => [...s.matchAll(/test\('([^']+)'/g)].map((m) => m[1]!));
const SECRET = `grader-secret-${process.pid}-${Date.now()}`;
// Unique sleep lengths, so the processes an attack leaves can be found by their command line.
const SLEEP_ATTACHED = 600_000 + (process.pid % 1000);
const SLEEP_DETACHED = SLEEP_ATTACHED + 1000;

const root = mkdtempSync(path.join(os.tmpdir(), 'grader-attacks-'));
const victim = path.join(root, 'victim.txt');
const out = mkdtempSync(path.join(os.tmpdir(), 'grader-attacks-out-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

/** A submission: the p1 stubs, with code appended to p1/m1's log-entry.ts (runs when the tests import it). */
function plant(name: string, append: string, replace?: Record<string, string>): string {
  let dir = path.join(root, name);
  for (let i = 2; existsSync(dir); i++) dir = path.join(root, `${name}-${i}`);
  cpSync(path.join(exercises, 'p1-pipeline'), path.join(dir, 'p1-pipeline'), { recursive: true });
  const file = path.join(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
  writeFileSync(file, `${readFileSync(file, 'utf8')}\n${append}\n`);
  for (const [rel, text] of Object.entries(replace ?? {}))
    writeFileSync(path.join(dir, 'p1-pipeline/m1-mpsc', rel), text);
  return dir;
}

const ATTACKS: Record<string, () => string> = {
  // Forged "passed" events: into every descriptor of every process it can see, and through the old variable.
  forged: () =>
    plant(
      'forged',
      `import * as fs from 'node:fs';
const forged = (seq: number) => seq + '\\t' + '0'.repeat(64) + '\\t' + JSON.stringify({ e: 'end' }) + '\\n';
const targets = [process.env['CHECKPOINTS_EVENTS']].filter(Boolean);
for (const pid of fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d))) {
  try { for (const fd of fs.readdirSync('/proc/' + pid + '/fd')) targets.push('/proc/' + pid + '/fd/' + fd); } catch {}
}
for (const t of targets) { try { fs.appendFileSync(t as string, forged(0) + forged(1)); } catch {} }`,
    ),
  // Overwrite every results.json it can find, and the default report folder, again and again from a detached process.
  overwrite: () =>
    plant(
      'overwrite',
      `import { spawn } from 'node:child_process';
const script = "const fs=require('fs');const p=require('path');const forged=JSON.stringify({score:165,max_score:165,tests:[]});" +
  "const walk=(d,n)=>{if(n>8)return;let es=[];try{es=fs.readdirSync(d,{withFileTypes:true})}catch{return}for(const e of es){const f=p.join(d,e.name);" +
  "if(e.isDirectory()&&e.name!=='proc'&&e.name!=='sys')walk(f,n+1);else if(e.name==='results.json'||e.name==='result.json'){try{fs.writeFileSync(f,forged)}catch{}}}};" +
  "setInterval(()=>{walk('/',0);try{fs.mkdirSync(${JSON.stringify(path.join(projectRoot, 'reports', 'grades', 'overwrite'))},{recursive:true});fs.writeFileSync(${JSON.stringify(path.join(projectRoot, 'reports', 'grades', 'overwrite', 'results.json'))},forged)}catch{}},20);";
spawn(process.execPath, ['-e', script], { detached: true, stdio: 'ignore' }).unref();`,
    ),
  // Switch assertions off.
  neutered: () =>
    plant('neutered', `import { chai } from 'vitest';\n(chai as any).Assertion.prototype.assert = () => {};`),
  // Re-export the reference solution, reached by walking up from the workspace.
  reference: () =>
    plant('reference', '', {
      'log-entry.ts': `export * from '${path.join(solutions, 'p1-pipeline/m1-mpsc/log-entry.ts')}';\n`,
      'mpsc.ts': `export * from '${path.join(solutions, 'p1-pipeline/m1-mpsc/mpsc.ts')}';\n`,
    }),
  // Copy every hidden test it can find (and a very long text) into the failure messages.
  exfiltrate: () =>
    plant(
      'exfiltrate',
      `import * as fs from 'node:fs';
import * as p from 'node:path';
let loot = 'LOOT:' + 'x'.repeat(50_000);
const walk = (d: string, n: number): void => { if (n > 12) return; let es: fs.Dirent[] = []; try { es = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
  for (const e of es) { const f = p.join(d, e.name); if (e.isDirectory() && !['proc', 'sys', 'node_modules', 'usr'].includes(e.name)) walk(f, n + 1);
    else if (f.includes('hidden') && f.endsWith('.ts')) { try { loot += '\\n' + fs.readFileSync(f, 'utf8'); } catch {} } } };
walk('/', 0);
console.log(loot);
(LogEntry as any).new = () => { throw new Error(loot); };
export function exfiltrated(): never { throw new Error(loot); }`,
    ),
  // Rewrite every other workspace and submission it can reach.
  sabotage: () =>
    plant(
      'sabotage',
      `import * as fs from 'node:fs';
import * as p from 'node:path';
const bad = "throw new Error('sabotaged');\\n";
const walk = (d: string, n: number): void => { if (n > 10) return; let es: fs.Dirent[] = []; try { es = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
  for (const e of es) { const f = p.join(d, e.name); if (e.isDirectory() && !['proc', 'sys', 'node_modules', 'usr', 'kit'].includes(e.name)) walk(f, n + 1);
    else if (e.name === 'log-entry.ts' || e.name === 'mpsc.ts') { try { if (!f.includes('${'sabotage'}')) fs.writeFileSync(f, bad); } catch {} } } };
walk('/', 0);
walk(${JSON.stringify(root)}, 0);`,
    ),
  // Read the grader's environment through /proc and print it in a failure message.
  environ: () =>
    plant(
      'environ',
      `import * as fs from 'node:fs';
let found = 'ENV:' + JSON.stringify(process.env);
for (const pid of fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).concat([String(process.ppid), '1'])) {
  try { found += '\\n' + fs.readFileSync('/proc/' + pid + '/environ', 'utf8').split('\\0').join(' '); } catch {}
}
(LogEntry as any).new = () => { throw new Error(found.slice(0, 1500)); };
throw new Error(found.slice(-1500));`,
    ),
  // Leave sleepers behind: one in the worker's group, one detached in a session of its own.
  leftovers: () =>
    plant(
      'leftovers',
      `import { spawn } from 'node:child_process';
spawn('sleep', ['${SLEEP_ATTACHED}'], { stdio: 'ignore' });
spawn('sleep', ['${SLEEP_DETACHED}'], { detached: true, stdio: 'ignore' }).unref();`,
    ),
  // A fork bomb, in the background.
  forkbomb: () =>
    plant(
      'forkbomb',
      `import { spawn } from 'node:child_process';
spawn('sh', ['-c', 'b() { b & b & wait; }; b'], { detached: true, stdio: 'ignore' }).unref();`,
    ),
  // Symbolic links: to the reference solution (read on the grader's side?), and over a given file, pointing at a
  // file of someone else (written through when the grader copies the canonical file on top?).
  symlinks: () => {
    const dir = plant('symlinks', '');
    const m = path.join(dir, 'p1-pipeline/m1-mpsc');
    for (const f of ['log-entry.ts', 'mpsc.ts']) {
      rmSync(path.join(m, f));
      symlinkSync(path.join(solutions, 'p1-pipeline/m1-mpsc', f), path.join(m, f));
    }
    writeFileSync(victim, 'untouched\n');
    rmSync(path.join(m, 'checkpoint-threads.ts'));
    symlinkSync(victim, path.join(m, 'checkpoint-threads.ts'));
    return dir;
  },
  // Skip every test that would fail (vitest's own skip signal, thrown from inside the test): skipped tests used
  // to shrink the milestone to what passes.
  skipper: () => {
    const dir = plant(
      'skipper',
      `import { getCurrentTest } from 'vitest/suite';
function skipMe(): never { (getCurrentTest() as any)?.context.skip(); throw new Error('not in a test'); }`,
    );
    const file = path.join(dir, 'p1-pipeline/m1-mpsc/log-entry.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/todo\('p1\/m1', '[^']+'\)/g, 'skipMe()'));
    return dir;
  },
  // Fill the V8 heap as the module loads (8 MB arrays: the limit is reached in a few dozen steps, not after seconds
  // of collections): the test process dies of V8's fatal out-of-memory error.
  heap: () =>
    plant(
      'heap',
      `const heap: unknown[] = [];
for (;;) heap.push(new Array(1 << 20).fill(heap.length));`,
    ),
  // Eat memory outside the V8 heap until something gives.
  memory: () =>
    plant(
      'memory',
      `const hog: Buffer[] = [];
try { for (let i = 0; i < 200; i++) hog.push(Buffer.alloc(64 * 1024 * 1024, 1)); } catch {}
(globalThis as any).hogged = hog.length;`,
    ),
};

const whyNoSandbox = sandboxProblem(projectRoot);
const canSandbox = whyNoSandbox === undefined;
const results = new Map<string, GradeResult>();
let alice: GradeResult;
let aliceBefore: string;

beforeAll(async () => {
  if (!canSandbox) return;
  process.env['GRADER_TEST_SECRET'] = SECRET;
  try {
    const slots = new Slots(3);
    const aliceDir = path.join(root, 'alice');
    cpSync(path.join(solutions, 'p1-pipeline'), path.join(aliceDir, 'p1-pipeline'), { recursive: true });
    aliceBefore = readFileSync(path.join(aliceDir, 'p1-pipeline/m1-mpsc/log-entry.ts'), 'utf8');
    // A generous wall clock: none of these runs hangs, and a loaded machine must not turn a control into a failure.
    const common = { milestones: ['p1/m1'], points, slots, timeoutS: 120, memoryMb: 256 };
    const jobs = Object.entries(ATTACKS).map(async ([name, make]) => {
      const hidden = name === 'exfiltrate' || name === 'forged';
      const r = await gradeSubmission({ submission: make(), student: name, hidden, ...common });
      writeReports(path.join(out, name), r, ['md', 'json', 'gradescope'], 'after_published');
      results.set(name, r);
    });
    jobs.push(
      gradeSubmission({ submission: aliceDir, student: 'alice', hidden: true, ...common }).then(
        (r) => void (alice = r),
      ),
    );
    // The control: the same reference attack without the sandbox does reach solutions/ (so its test can fail).
    jobs.push(
      gradeSubmission({
        submission: ATTACKS['reference']!(),
        student: 'reference-unsandboxed',
        sandbox: false,
        ...common,
      }).then((r) => {
        results.set('reference-unsandboxed', r);
      }),
    );
    await Promise.all(jobs);
    // A forged write that lands after the reports are written would show up now.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    delete process.env['GRADER_TEST_SECRET'];
  }
}, 240_000);

const reportText = (name: string): string =>
  ['report.md', 'result.json', 'results.json'].map((f) => readFileSync(path.join(out, name, f), 'utf8')).join('\n');
const m1 = (r: GradeResult) => r.milestones[0]!;

// Without a usable sandbox the attacks below are skipped; this test says why, and fails in CI, where .ci/run
// installs bubblewrap, so that a broken sandbox cannot pass as skipped tests.
test('the grader sandbox can be built here (required in CI)', (ctx) => {
  if (whyNoSandbox !== undefined && !process.env['CI']) ctx.skip(`attacks skipped: ${whyNoSandbox}`);
  expect(whyNoSandbox).toBeUndefined();
});

describe.skipIf(!canSandbox)('attacks on the grader (p1/m1 on planted stubs, sandboxed)', () => {
  test('forged events on every descriptor in reach: nothing counts', () => {
    const r = results.get('forged')!;
    expect(r.score).toBe(0);
    expect(m1(r).hidden?.passed ?? 0).toBe(0);
  });
  test("a detached process overwriting results files: the reports stay the grader's", () => {
    const r = results.get('overwrite')!;
    expect(r.score).toBe(0);
    const written = JSON.parse(readFileSync(path.join(out, 'overwrite', 'results.json'), 'utf8')) as { score: number };
    expect(written.score).toBe(0);
    expect(existsSync(path.join(projectRoot, 'reports', 'grades', 'overwrite'))).toBe(false);
  });
  test('switched-off assertions: the milestone is reported as tampered and scores 0', () => {
    const m = m1(results.get('neutered')!);
    expect(m.score).toBe(0);
    expect(m.status).toBe('tampered');
    expect(m.reason).toContain('test framework was tampered with');
  });
  test('re-exporting the reference solution from solutions/: not in the sandbox, 0 (10 without the sandbox)', () => {
    // Stubs score 0: any point here came from the reference (the full 10 unless a timing test lost to load).
    expect(results.get('reference-unsandboxed')!.score).toBeGreaterThan(0);
    const m = m1(results.get('reference')!);
    expect(m.score).toBe(0);
    expect(m.tests.some((t) => /Cannot find module|Failed to load|does not exist/i.test(t.output))).toBe(true);
  });
  test('hidden tests copied into messages: no hidden source in any report, outputs capped in length', () => {
    const r = results.get('exfiltrate')!;
    expect(r.score).toBe(0);
    expect(m1(r).hidden).toEqual({ total: hiddenTitles.length, passed: 0 });
    const text = reportText('exfiltrate');
    for (const title of hiddenTitles) expect(text).not.toContain(title);
    expect(text).not.toContain('__hidden__');
    for (const t of m1(r).tests) expect(t.output.length).toBeLessThanOrEqual(2100);
  });
  test('batch sabotage: the classmate keeps full marks and her files', () => {
    expect(results.get('sabotage')!.score).toBe(0);
    // Had the attack reached her workspace, her tests would fail with its message; none does (and on a quiet
    // machine she has all 10 points: a timing test of p1/m1 can lose one to heavy load).
    expect(m1(alice).status).toBe('graded');
    expect(alice.score).toBeGreaterThan(5);
    expect(m1(alice).tests.filter((t) => t.output.includes('sabotaged'))).toEqual([]);
    expect(m1(alice).hidden?.total).toBe(hiddenTitles.length);
    expect(readFileSync(path.join(root, 'alice', 'p1-pipeline/m1-mpsc/log-entry.ts'), 'utf8')).toBe(aliceBefore);
  });
  test("the grader's environment, read through /proc, never reaches the code under test", () => {
    const r = results.get('environ')!;
    expect(r.score).toBe(0);
    const text = reportText('environ');
    expect(text).toContain('HOME=/tmp/home'); // the attack ran and printed what it found
    expect(text).not.toContain(SECRET);
  });
  test('leftover processes, detached or not, are gone when grading ends', () => {
    expect(results.get('leftovers')!.score).toBe(0);
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps).not.toContain(`sleep ${SLEEP_ATTACHED}`);
    expect(ps).not.toContain(`sleep ${SLEEP_DETACHED}`);
  });
  test('a fork bomb stops at the task limit and dies with the run', () => {
    const r = results.get('forkbomb')!;
    expect(r.score).toBe(0);
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps.split('\n').filter((l) => l.includes('b() { b & b & wait; }'))).toEqual([]);
  });
  test('symbolic links in a submission are neither followed nor written through', () => {
    expect(results.get('symlinks')!.score).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
  });
  test('tests skipped from inside by the code under test count as failed', () => {
    const m = m1(results.get('skipper')!);
    expect(m.score).toBe(0);
    expect(m.maxScore).toBe(10);
    expect(m.tests.some((t) => t.output.includes('skipped while running'))).toBe(true);
  });
  test('a memory hog is stopped by the data limit, and the milestone still gets a complete grade', () => {
    const m = m1(results.get('memory')!);
    expect(m.score).toBe(0);
    expect(m.tests.length).toBeGreaterThan(0);
    expect(m.tests.every((t) => t.status === 'failed')).toBe(true);
  });
  test('a test process killed by the heap limit: every test fails, and the report says why (not "did not report")', () => {
    const m = m1(results.get('heap')!);
    expect(m.score).toBe(0);
    expect(m.tests.length).toBeGreaterThan(0);
    for (const t of m.tests) {
      expect(t.status).toBe('failed');
      expect(t.output).toMatch(/ran out of JavaScript heap|its test file failed/);
    }
    expect(m.tests.some((t) => t.output.includes('ran out of JavaScript heap'))).toBe(true);
  });
  test('no report of any attack names a hidden test or shows the secret', () => {
    for (const name of Object.keys(ATTACKS)) {
      const everything = [
        JSON.stringify(results.get(name)),
        markdownReport(results.get(name)!),
        JSON.stringify(gradescopeResults(results.get(name)!, 'after_published')),
      ].join('\n');
      for (const title of hiddenTitles) expect(everything).not.toContain(title);
      expect(everything).not.toContain(SECRET);
    }
  });
});

test('a fatal error printed by a test process becomes a fixed sentence, never the printed text', () => {
  expect(crashReason('ok\nall good')).toBeUndefined();
  expect(crashReason('x\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n')).toMatch(
    /ran out of JavaScript heap/,
  );
  expect(crashReason('# Fatal process out of memory: Failed to reserve virtual memory for CodeRange')).toMatch(
    /could not reserve memory for a thread/,
  );
  // Whatever else follows the marker (the code under test can print it too) is not repeated.
  const forged = crashReason('FATAL ERROR: the hidden test named secret-title failed');
  expect(forged).toBe('a test process died of a fatal Node or V8 error');
  // Only at the start of a line, as Node and V8 print it.
  expect(crashReason('a log line that quotes FATAL ERROR: x')).toBeUndefined();
});

describe('the results channel', () => {
  const key = 'k'.repeat(64);
  const line = (seq: number, event: object, k = key): string => {
    const json = JSON.stringify(event);
    return `${seq}\t${eventMac(k, seq, json)}\t${json}\n`;
  };
  test('authentic lines are read back', () => {
    const { events, tampering } = readEvents(
      line(0, { e: 'unhandled', message: 'x' }) + line(1, { e: 'end' }),
      key,
      false,
    );
    expect(events).toEqual([{ e: 'unhandled', message: 'x' }, { e: 'end' }]);
    expect(tampering).toEqual([]);
  });
  test('a wrong key, a replayed sequence number, garbage or events after the end are tampering', () => {
    expect(readEvents(line(0, { e: 'end' }, 'z'.repeat(64)), key, false).tampering).toHaveLength(1);
    expect(readEvents(line(0, { e: 'end' }) + line(0, { e: 'end' }), key, false).tampering).toHaveLength(1);
    expect(readEvents(`${line(0, { e: 'end' })}passed\n`, key, false).tampering).toHaveLength(1);
    expect(readEvents(line(0, { e: 'end' }) + line(1, { e: 'end' }), key, false).tampering).toEqual([
      'the results channel went on after the end of the run',
    ]);
  });
  test('a line cut short by a killed run is not tampering', () => {
    expect(readEvents(`${line(0, { e: 'unhandled', message: 'x' })}1\tab`, key, true).tampering).toEqual([]);
  });
  const include = ['.checkpoints/ws/p1-x/m1-y/a.test.ts'];
  const file = path.join(projectRoot, include[0]!);
  const context = { include, relativeTo: path.join(projectRoot, '.checkpoints/ws'), nonce: 'n0nce' };
  type ResultEvent = Extract<CheckpointEvent, { e: 'result' }>;
  const canaryOk: ResultEvent[] = [
    {
      e: 'result',
      file,
      name: '[canary n0nce] known false',
      state: 'failed',
      durationMs: 0,
      error: "expected 'n0nce-left' to be 'n0nce-right'",
    },
    { e: 'result', file, name: '[canary n0nce] known true', state: 'passed', durationMs: 0 },
  ];
  const pass = (name: string): ResultEvent => ({ e: 'result', file, name, state: 'passed', durationMs: 1 });
  const moduleEnd: CheckpointEvent = { e: 'module', file, errors: ['Error: [canary n0nce] after the last test: ok'] };
  test("an intact canary passes unseen; its marker is not a file error; a result after its file's end counts", () => {
    // Under load vitest can deliver the last results of a file after the file's end: not a sign of forgery.
    for (const events of [
      [...canaryOk, pass('t1'), moduleEnd],
      [...canaryOk, moduleEnd, pass('t1')],
    ]) {
      const r = interpretEvents([...events, { e: 'end' }], context);
      expect(r.tampering).toEqual([]);
      expect(r.tests.map((t) => [t.file, t.name, t.status])).toEqual([['p1-x/m1-y/a.test.ts', 't1', 'passed']]);
      expect(r.fileErrors).toEqual([]);
    }
  });
  test('duplicate or contradicting events, results from elsewhere, a broken canary: tampering', () => {
    const cases: Array<[string, CheckpointEvent[]]> = [
      ['reported twice', [...canaryOk, pass('t1'), { ...pass('t1'), state: 'failed' }, moduleEnd]],
      [
        'outside the run',
        [...canaryOk, { ...pass('t1'), file: path.join(projectRoot, 'solutions/x.test.ts') }, moduleEnd],
      ],
      ['ended twice', [...canaryOk, pass('t1'), moduleEnd, moduleEnd]],
      [
        'known-false expectation did not fail',
        [
          { e: 'result', file, name: canaryOk[0]!.name, state: 'passed', durationMs: 0 },
          canaryOk[1]!,
          pass('t1'),
          moduleEnd,
        ],
      ],
      ['known-true expectation did not pass', [canaryOk[0]!, pass('t1'), moduleEnd]],
      ['after the last test did not report', [...canaryOk, pass('t1'), { e: 'module', file, errors: [] }]],
      ['canary test reported twice', [...canaryOk, ...canaryOk, pass('t1'), moduleEnd]],
    ];
    for (const [why, events] of cases)
      expect(interpretEvents(events, context).tampering.join('\n'), why).toContain(why);
  });
  test('a file where nothing passed needs no canary (it did not load, or everything failed)', () => {
    expect(interpretEvents([{ e: 'module', file, errors: ['SyntaxError: nope'] }], context).tampering).toEqual([]);
  });
  test('messages are capped by characters as well as lines', () => {
    expect(capText('x'.repeat(10_000), 12, 2000).length).toBeLessThanOrEqual(2000 + 40);
    expect(capText(Array.from({ length: 50 }, (_, i) => `l${i}`).join('\n'), 12, 2000).split('\n')).toHaveLength(12);
  });
});
