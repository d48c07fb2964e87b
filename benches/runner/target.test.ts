/** Target resolution and stub detection: stubs are "not implemented yet", never a crash. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotImplementedError, todo } from '#kit/todo.ts';
import { ThreadPanicError } from '#kit/thread.ts';
import { guardImpl, Recorder } from './cells/common.ts';
import {
  BENCHMARKED_MILESTONES,
  isNotImplementedError,
  milestoneState,
  repoRoot,
  resolveTarget,
  stubsIn,
} from './target.ts';

describe('resolveTarget', () => {
  it('knows solutions (the reference) and exercises, and resolves any other folder', () => {
    expect(resolveTarget(undefined)).toMatchObject({
      name: 'solutions',
      isReference: true,
      dir: path.join(repoRoot, 'solutions'),
    });
    expect(resolveTarget('exercises')).toMatchObject({ isReference: false, dir: path.join(repoRoot, 'exercises') });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'target-'));
    expect(resolveTarget(tmp)).toMatchObject({ dir: tmp, isReference: false });
    expect(resolveTarget('./solutions')).toMatchObject({ isReference: true });
  });

  it('rejects a folder that does not exist', () => {
    expect(() => resolveTarget('/no/such/folder')).toThrow(/no such folder/);
  });
});

describe('stub detection', () => {
  it('finds the todo() calls the exercise generator leaves', () => {
    expect(
      stubsIn(`export function f() {\n  todo('p1/m6', 'shareOf');\n}\nconst x = todo("p3/m6", "runComparison");`),
    ).toEqual(['p1/m6 shareOf', 'p3/m6 runComparison']);
    expect(stubsIn('// nothing left to do here')).toEqual([]);
  });

  it('classifies a milestone folder as ready, stubbed or missing (tests do not count)', () => {
    const tree = mkdtempSync(path.join(os.tmpdir(), 'tree-'));
    const { folder, file } = BENCHMARKED_MILESTONES.p1m6;
    expect(milestoneState(tree, folder, file).status).toBe('missing');
    mkdirSync(path.join(tree, folder), { recursive: true });
    writeFileSync(path.join(tree, folder, 'checkpoint.test.ts'), "todo('p1/m6', 'inATest');");
    writeFileSync(path.join(tree, folder, file), "export function shareOf() {\n  todo('p1/m6', 'shareOf');\n}\n");
    expect(milestoneState(tree, folder, file)).toEqual({ status: 'stubbed', folder, stubs: ['p1/m6 shareOf'] });
    writeFileSync(path.join(tree, folder, file), 'export function shareOf() { return [0, 1]; }\n');
    expect(milestoneState(tree, folder, file).status).toBe('ready');
  });

  it('sees the reference as ready and the generated exercise as stubbed', () => {
    const { folder, file } = BENCHMARKED_MILESTONES.p1m6;
    expect(milestoneState(path.join(repoRoot, 'solutions'), folder, file).status).toBe('ready');
    const ex = milestoneState(path.join(repoRoot, 'exercises'), folder, file);
    expect(['stubbed', 'missing']).toContain(ex.status);
  });
});

describe('NotImplementedError at run time', () => {
  it('is recognized directly, through a cause chain, and inside a thread panic', () => {
    let direct: unknown;
    try {
      todo('p1/m6', 'shareOf');
    } catch (e) {
      direct = e;
    }
    expect(direct).toBeInstanceOf(NotImplementedError);
    expect(isNotImplementedError(direct)).toBe(true);
    expect(isNotImplementedError(new Error('wrapper', { cause: direct }))).toBe(true);
    const revived = new Error('not implemented yet: shareOf (milestone p1/m6)');
    revived.name = 'NotImplementedError';
    expect(isNotImplementedError(new ThreadPanicError({ id: 1, name: 'worker' }, 'panicked', revived))).toBe(true);
    expect(isNotImplementedError(new TypeError('x is undefined'))).toBe(false);
  });

  it('guardImpl records a stubbed implementation and lets real errors through', () => {
    const rec = new Recorder();
    const impl = { label: 'target' as const, dir: '/tmp' };
    expect(guardImpl(impl, rec, () => todo('p3/m6', 'benchmarkCounter'))).toBe(false);
    expect(rec.notImplemented['target']).toMatch(/not implemented yet: benchmarkCounter/);
    expect(() =>
      guardImpl(impl, rec, () => {
        throw new RangeError('a real bug');
      }),
    ).toThrow(RangeError);
  });
});
